"""The unit page: every component of a unit rendered by the XBlock runtime, with course navigation.

It reads, whatever the number of components: the user with their roles, the course with the enrolment,
the course structure, the unit's fields, their stored values and the learner's completions (six
queries), as a reader. Only when there is something to record (a first view, a new position, a block
that stored state while rendering) does it open a writing transaction for it, and commit once.
"""

from __future__ import annotations

import secrets

from flask import abort, make_response, render_template, url_for
from werkzeug.wrappers import Response

from app.core.database import start_writing
from app.core.extensions import db
from app.courses import library_draws, services
from app.learn import outline
from app.learn.routes.base import (
    actor,
    blueprint,
    component_access,
    course_access,
    learner,
    not_enrolled,
    sign_in_first,
    unavailable_notices,
    unit_url_builder,
)
from app.progress import queries as progress_queries
from app.runtime import bridge, resources
from app.runtime.tree import shared_tree

HANDLER_PLACEHOLDERS = ("__usage_id__", "__handler__")


@blueprint.route("/formations/<course_key>/unite/<usage_id>")
def unit(course_key: str, usage_id: str) -> Response | tuple[str, int]:
    """Show a unit and record that the learner saw it."""
    user = actor()  # the object itself: each read through the ``current_user`` proxy costs a lookup
    if not user.is_authenticated:
        return sign_in_first()
    access = course_access(course_key)
    if not access.allowed:
        return not_enrolled(access)
    tree = shared_tree(db.session, access.tree_id, access.version)
    record = tree.get(usage_id)
    seen = access.visibility(tree)
    # A unit the learner may not see (not released, staff only, another group's…) is not there for them.
    if record is None or record.block_type != outline.UNIT or not seen.shows(usage_id):
        abort(404)
    order = outline.visible_unit_ids(tree, seen)
    completed = progress_queries.completed_usage_ids(user.id, course_key)

    notices = unavailable_notices()
    runtime = bridge.make_runtime(
        course_key=course_key,
        tree=tree,
        learner=learner(user, access),
        notices=notices,
        components=component_access(seen, usage_id),
    )
    with bridge.block_language(runtime.learner.language):
        runtime.preload(tree.subtree(usage_id))
        fragment = runtime.render(
            runtime.get_block(usage_id), "student_view", {"unavailable_notices": notices}
        )
    runtime.mark_viewed(already_complete=completed)
    completed |= {e.usage_id for e in runtime.pending_progress if e.completion == 1.0}
    enrolment = access.enrolment
    move_position = enrolment is not None and enrolment.last_usage_id != usage_id
    enrolment_id = enrolment.id if enrolment is not None else None

    nonce = secrets.token_urlsafe(16)
    kinds = outline.completable_types(bridge.setup_for(), outline.block_types(tree))
    previous, following = outline.neighbours(order, usage_id)
    sequence = tree.get(record.parent_usage_id or "")
    siblings = outline.sequence_units(tree, sequence.usage_id, seen) if sequence is not None else []
    html = render_template(
        "learn/unit.html",
        course=access.course,
        unit=record,
        title=outline.title(record),
        marks=seen.marks(usage_id) if seen.viewer.is_staff else [],
        breadcrumb=[r for r in reversed(tree.ancestors(usage_id)) if r.usage_id != tree.root_usage_id],
        siblings=siblings,
        done_units=progress_queries.completed_units(
            tree,
            (u.usage_id for u in siblings),
            completed,
            kinds,
            library_draws.not_counted_in(runtime.store, tree, user.id) | seen.hidden_components,
        ),
        previous=previous,
        following=following,
        body=fragment.body_html(),
        head_resources=resources.resources_html(fragment, "head", nonce),
        foot_resources=resources.resources_html(fragment, "foot", nonce),
        unit_url=unit_url_builder(course_key),
        handler_url_template=url_for(
            "learn.xblock_handler", usage_id=HANDLER_PLACEHOLDERS[0], handler=HANDLER_PLACEHOLDERS[1]
        ),
    )
    # The page is rendered before writing: ending the reading transaction expires what it read.
    if runtime.has_writes or move_position:
        start_writing(db.session)
        runtime.finish()
        if move_position and enrolment_id is not None:
            services.remember_position(enrolment_id, usage_id)
        db.session.commit()
    response = make_response(html)
    # Blocks' inline code runs with this request's nonce (see app.runtime.resources).
    response.headers["Content-Security-Policy"] = resources.content_security_policy(nonce)
    return response
