"""The course catalogue (read only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.accounts.models import User
from app.api import queries, schemas
from app.api.framework import not_found, operation
from app.api.pagination import paginate
from app.api.routes import blueprint
from app.api.scopes import Resource
from app.core.extensions import db
from app.courses.models import Course


def _out(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "course_key": r.course_key,
            "title": r.title,
            "language": r.language,
            "open_enrolment": r.open_enrolment,
            "published": r.published_tree_id is not None,
            "training_minutes": r.training_minutes,
        }
        for r in rows
    ]


_COLUMNS = (
    Course.id,
    Course.course_key,
    Course.title,
    Course.language,
    Course.open_enrolment,
    Course.published_tree_id,
    Course.training_minutes,
)


@blueprint.get("/courses")
@operation(
    "List the courses of the catalogue",
    Resource.COURSES,
    query=schemas.CourseQuery,
    response=schemas.page_of(schemas.Course),
)
def list_courses(user: User, args: dict[str, Any]) -> dict[str, Any]:
    """Published courses (course staff also see drafts), by id, filtered by language or open enrolment."""
    query = select(*_COLUMNS).where(queries.courses(user))
    if "language" in args:
        query = query.where(Course.language == args["language"])
    if "open_enrolment" in args:
        query = query.where(Course.open_enrolment.is_(args["open_enrolment"]))
    filters = {k: v for k, v in args.items() if k not in ("limit", "cursor")}
    page = paginate(
        db.session,
        query,
        key=Course.id,
        endpoint="courses",
        filters=filters,
        limit=args["limit"],
        cursor=args["cursor"],
    )
    return {"items": _out(page.rows), "next_cursor": page.next_cursor}


@blueprint.get("/courses/<int:course_id>")
@operation("Read one course", Resource.COURSES, response=schemas.Course)
def get_course(user: User, course_id: int) -> dict[str, Any]:
    """One course of the catalogue."""
    row = db.session.execute(select(*_COLUMNS).where(Course.id == course_id, queries.courses(user))).first()
    if row is None:
        raise not_found()
    return _out([row])[0]
