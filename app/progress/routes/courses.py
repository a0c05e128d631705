"""The trainers' pages: the courses whose figures they may see, and a course's completion funnel by
chapter and its exercises' success rates and attempts, with their exports."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, render_template
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.policy import Action, is_admin, managed_cybersite_ids, trained_cybersite_ids
from app.core.extensions import db
from app.courses.models import Course
from app.progress import dashboards, rollups
from app.progress.queries import course as course_queries
from app.progress.routes.base import actor, blueprint, export, require
from app.progress.tables import Table


def _own_sites(user: User) -> frozenset[int] | None:
    """The Cybersites whose learners the user's figures count (None: all, for administrators)."""
    return None if is_admin(user) else frozenset(trained_cybersite_ids(user) | managed_cybersite_ids(user))


@blueprint.route("/formations")
def courses() -> str:
    """The courses followed by cohorts of the user's Cybersites (every course for administrators)."""
    user = actor()
    sites = _own_sites(user)
    if sites is not None and not sites:
        abort(403)
    rows = db.session.execute(course_queries.site_courses(sites)).all()
    return render_template("progress/courses.html", courses=rows)


def _audience(course_key: str) -> course_queries.CourseAudience:
    course = db.session.scalar(select(Course).where(Course.course_key == course_key))
    if course is None or course.published_tree_id is None:
        abort(404)
    following = course_queries.following_sites(course.id)
    own = _own_sites(actor())
    target = course_queries.CourseAudience(course, following, None if own is None else following & own)
    require(Action.VIEW_COURSE_PROGRESS, target)
    return target


@blueprint.route("/formations/<course_key>")
def course(course_key: str) -> str:
    """A course's completion funnel by chapter, and each exercise's figures."""
    target = _audience(course_key)
    structure = rollups.structure_of(db.session, course_key, course=target.course)
    if structure is None:
        abort(404)
    funnel, chart = dashboards.course_funnel(target, structure)
    return render_template(
        "progress/course.html",
        course=target.course,
        funnel=funnel,
        chart=chart,
        exercises=dashboards.course_exercises(target, structure),
    )


@blueprint.route("/formations/<course_key>/export/<name>.<fmt>")
def course_export(course_key: str, name: str, fmt: str) -> Response:
    """The funnel or the exercises as CSV or XLSX."""
    target = _audience(course_key)
    structure = rollups.structure_of(db.session, course_key, course=target.course)
    if structure is None:
        abort(404)
    tables: dict[str, Callable[[], Table]] = {
        "entonnoir": lambda: dashboards.course_funnel(target, structure)[0],
        "exercices": lambda: dashboards.course_exercises(target, structure),
    }
    return export(tables, name, fmt, f"progression-{target.course.title}")
