"""Read-only queries of the catalogue: published courses, a course with one person's enrolment, assets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, bindparam, select

from app.core.extensions import db
from app.courses.models import Course, CourseAsset, Enrolment


def _with_enrolment(user_id: int | None) -> Select[Any]:
    """``SELECT course, enrolment`` with the person's enrolment joined (NULL when none or anonymous)."""
    return select(Course, Enrolment).outerjoin(
        Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id == (user_id or 0))
    )


def published_courses(user_id: int | None) -> list[tuple[Course, Enrolment | None]]:
    """Every published course, by title, with the person's enrolment in it (one query)."""
    query = _with_enrolment(user_id).where(Course.published_tree_id.is_not(None))
    rows = db.session.execute(query.order_by(Course.title, Course.id)).all()
    return [(course, enrolment) for course, enrolment in rows]


# Every course page runs it: built once (building the statement costs as much as running it).
_COURSE_WITH_ENROLMENT = (
    select(Course, Enrolment)
    .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id == bindparam("user_id")))
    .where(Course.course_key == bindparam("course_key"))
)


def course_with_enrolment(course_key: str, user_id: int | None) -> tuple[Course, Enrolment | None] | None:
    """A course by key with the person's enrolment, or None if there is no such course (one query)."""
    row = db.session.execute(
        _COURSE_WITH_ENROLMENT, {"user_id": user_id or 0, "course_key": course_key}
    ).first()
    return None if row is None else (row[0], row[1])


def course_asset(tree_id: int, path: str) -> CourseAsset | None:
    """A static file of a content version, by its path under ``static/`` (one query)."""
    return db.session.scalar(
        select(CourseAsset).where(CourseAsset.tree_id == tree_id, CourseAsset.path == path)
    )
