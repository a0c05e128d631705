"""The catalogue of published courses, self-enrolment in open ones, and a course's home page (outline)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.accounts.policy import Action, can
from app.core.extensions import db
from app.courses import course_info, library_draws, queries, services, visibility, vista_tags
from app.courses.models import Course
from app.learn import outline
from app.learn.routes.base import actor, blueprint, course_access, not_enrolled, sign_in_first
from app.progress import queries as progress_queries
from app.runtime.bridge import FlaskUrls, setup_for
from app.runtime.services import ReplaceUrlsService
from app.runtime.tree import LoadedTree, shared_tree


@blueprint.route("/formations")
def catalogue() -> str:
    """Every published course; signed-in users see which they follow and may enrol in open ones."""
    user_id = current_user.id if current_user.is_authenticated else None
    rows = [
        {
            "course": course,
            "enrolled": enrolment is not None and enrolment.active,
            "may_enrol": can(current_user, Action.ENROL, course),
        }
        for course, enrolment in queries.published_courses(user_id)
    ]
    return render_template("learn/catalogue.html", rows=rows)


@blueprint.route("/formations/<course_key>/inscription", methods=["POST"])
def enrol(course_key: str) -> Response | tuple[str, int]:
    """Enrol the signed-in user in an open course (one not by invitation only)."""
    if not current_user.is_authenticated:
        return sign_in_first()
    access = course_access(course_key)
    if access.enrolment is None:
        if not can(current_user, Action.ENROL, access.course):
            return not_enrolled(access, _("This course is by invitation only: you cannot enrol yourself."))
        services.enrol(actor(), access.course)
        db.session.commit()
        flash(_("You are enrolled in %(title)s.", title=access.course.title), "success")
    return redirect(url_for("learn.course", course_key=course_key))


@blueprint.route("/formations/<course_key>")
def course(course_key: str) -> str | Response:
    """A course's outline with completed units marked, and where to resume."""
    if not current_user.is_authenticated:
        return sign_in_first()
    access = course_access(course_key)
    if not access.allowed:
        # Not in the course yet: its presentation says what it is and how to join.
        return redirect(url_for("learn.about", course_key=course_key))
    tree = shared_tree(db.session, access.tree_id, access.version)
    seen = access.visibility(tree)
    order = outline.visible_unit_ids(tree, seen)
    completed = progress_queries.completed_usage_ids(current_user.id, course_key)
    kinds = outline.completable_types(setup_for(), outline.block_types(tree))
    undrawn = library_draws.not_counted_for(db.session, tree, [current_user.id]).get(current_user.id)
    not_counted = (undrawn or frozenset()) | seen.hidden_components
    done_units = progress_queries.completed_units(tree, order, completed, kinds, not_counted)
    last = access.enrolment.last_usage_id if access.enrolment else None
    root = tree.get(tree.root_usage_id or "")
    if root is not None:
        tree.load_fields(db.session, [root.usage_id])
    return render_template(
        "learn/course.html",
        access=access,
        course=access.course,
        chapters=outline.build(tree, done_units, seen),
        course_start=None if seen.course_started else _course_start(tree),
        resume=last if last in order else None,
        first_unit=order[0] if order else None,
        vista=vista_tags.labelled(vista_tags.of_course_block(root.settings if root else None)),
        info=_info(access.course) if access.course.has_info else None,
    )


def _info(course: Course) -> course_info.CourseInfo:
    """The course's handouts and updates, its /static/ links pointing to its files."""
    links = ReplaceUrlsService(FlaskUrls(course.course_key).asset_url)
    return course_info.shown(course.kept_files or {}, links.replace_static_urls)


def _course_start(tree: LoadedTree) -> object:
    """When a course that has not started yet starts (None: it is hidden for another reason)."""
    rule = visibility.rules(tree).get(tree.root_usage_id or "")
    return rule.start if rule is not None else None
