"""The studio: the list of courses to edit, a course's outline, a unit's editors, and their handler.

Each component of a unit shows its ``studio_view`` in an authoring runtime over a private copy of the
course's tree; editors save through ``/studio/xblock/<usage_id>/handler/<name>``, which runs the handler in
authoring mode (content and settings writable) and saves the blocks it changed. Only course staff
(``Action.STAFF_COURSES``: trainers and network administrators) reach any of it.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from web_fragments.fragment import Fragment
from werkzeug.wrappers import Response
from xblock.core import XBlock

from app.accounts.models import User
from app.accounts.policy import Action, can
from app.core import navigation
from app.core.database import writes
from app.core.extensions import csrf
from app.courses import authoring, history, queries
from app.courses.models import Course
from app.runtime import bridge, resources
from app.runtime.host import HostRuntime, Learner
from app.runtime.keys import InvalidKeyError, UsageKey
from app.runtime.tree import LoadedTree

blueprint = Blueprint("studio", __name__, template_folder=str(Path(__file__).resolve().parent / "templates"))

HANDLER_PLACEHOLDERS = ("__usage_id__", "__handler__")
UNIT = "vertical"
CONTAINERS = frozenset({"course", "chapter", "sequential", "vertical"})


def _actor() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def _staff_only() -> User:
    user = _actor()
    if not can(user, Action.STAFF_COURSES):
        abort(403)
    return user


def _course(course_key: str) -> Course:
    found = queries.course_with_enrolment(course_key, None)
    if found is None or found[0].published_tree_id is None:
        abort(404)
    return found[0]


def _author(user: User) -> Learner:
    return Learner(
        user_id=user.id,
        username=f"user{user.id}",
        email=user.email,
        full_name=user.display_name,
        language=bridge.current_language(),
        is_staff=True,
    )


def _runtime(user: User, course: Course) -> tuple[HostRuntime, LoadedTree]:
    tree = authoring.load_for_authoring(user, course)
    runtime = bridge.make_runtime(
        course_key=course.course_key, tree=tree, learner=_author(user), authoring=True
    )
    return runtime, tree


@blueprint.route("/studio/formations")
@login_required
def courses() -> str:
    """The published courses, to edit."""
    _staff_only()
    found = [course for course, _enrolment in queries.published_courses(None)]
    return render_template("studio/courses.html", courses=found)


@blueprint.route("/studio/formations/<course_key>")
@login_required
def course(course_key: str) -> str:
    """A course's outline: chapters, sequences and units, each unit with a link to its editors."""
    user = _staff_only()
    found = _course(course_key)
    tree = authoring.load_for_authoring(user, found)
    root = tree.get(tree.root_usage_id or "")
    chapters = []
    for chapter_id in tree.children_ids(root.usage_id) if root else []:
        sequences = []
        for sequence_id in tree.children_ids(chapter_id):
            units = [tree.get(u) for u in tree.children_ids(sequence_id)]
            sequences.append((tree.get(sequence_id), [u for u in units if u and u.block_type == UNIT]))
        chapters.append((tree.get(chapter_id), sequences))
    return render_template("studio/course.html", course=found, chapters=chapters)


@blueprint.route("/studio/formations/<course_key>/unite/<usage_id>")
@login_required
def unit(course_key: str, usage_id: str) -> Response:
    """The editors of every component of a unit."""
    user = _staff_only()
    found = _course(course_key)
    runtime, tree = _runtime(user, found)
    record = tree.get(usage_id)
    if record is None or record.block_type != UNIT:
        abort(404)
    children = tree.children_ids(usage_id)
    runtime.preload(children)
    editors = []
    fragments = []
    with bridge.block_language(runtime.learner.language):
        for child_id in children:
            block = runtime.get_block(child_id)
            child = tree.get(child_id)
            if hasattr(block, "studio_view"):
                fragment = runtime.render(block, "studio_view", {})
                fragments.append(fragment)
                editors.append((child, fragment.body_html()))
            else:
                editors.append((child, None))
    nonce = secrets.token_urlsafe(16)
    merged = Fragment()
    merged.add_resources(fragments)
    html = render_template(
        "studio/unit.html",
        course=found,
        unit=record,
        editors=editors,
        head_resources=resources.resources_html(merged, "head", nonce),
        foot_resources=resources.resources_html(merged, "foot", nonce),
        handler_url_template=url_for(
            "studio.xblock_handler", usage_id=HANDLER_PLACEHOLDERS[0], handler=HANDLER_PLACEHOLDERS[1]
        ),
    )
    response = make_response(html)
    response.headers["Content-Security-Policy"] = resources.content_security_policy(nonce)
    return response


def _block(runtime: HostRuntime, tree: LoadedTree, usage_id: str) -> XBlock:
    """A component of the course (not a container: their children are not edited here)."""
    record = tree.get(usage_id)
    if record is None or record.block_type in CONTAINERS:
        abort(404)
    runtime.preload([usage_id])
    return runtime.get_block(usage_id)


@blueprint.route("/studio/xblock/<usage_id>/handler/<handler>", defaults={"suffix": ""}, methods=["POST"])
@blueprint.route("/studio/xblock/<usage_id>/handler/<handler>/<path:suffix>", methods=["POST"])
@csrf.exempt  # checked below, once the body is read
@writes
def xblock_handler(usage_id: str, handler: str, suffix: str) -> Any:
    """Run an editor's handler in authoring mode and save the blocks it changed."""
    req = bridge.handler_request()
    csrf.protect()
    if not current_user.is_authenticated:
        abort(401)
    user = _staff_only()
    try:
        key = UsageKey.from_string(usage_id)
    except InvalidKeyError:
        abort(404)
    found = _course(str(key.course_key))
    runtime, tree = _runtime(user, found)
    block = _block(runtime, tree, str(key))
    before = authoring.snapshot(tree, [str(key)])
    return bridge.run_handler(
        runtime,
        block,
        handler,
        suffix,
        req,
        before_commit=lambda: authoring.save_edits(user, found, tree, before),
    )


@blueprint.route("/studio/formations/<course_key>/historique")
@login_required
def history_page(course_key: str) -> str:
    """The course's history, newest first: imports and saved components, who and when."""
    user = _staff_only()
    found = _course(course_key)
    page = request.args.get("page", default=1, type=int) or 1
    try:
        changes = history.read(user, found, page)
    except history.HistoryRefused:
        abort(403)
    return render_template("studio/history.html", course=found, history=changes)


def init_app(app: Flask) -> None:
    """Register the studio's pages and its entry in the navigation (for course staff)."""
    app.register_blueprint(blueprint)
    navigation.register(
        app,
        navigation.NavEntry(
            _l("Course authoring"), "studio.courses", lambda user: can(user, Action.STAFF_COURSES), order=60
        ),
    )
