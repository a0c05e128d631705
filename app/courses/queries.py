"""Read-only queries of the catalogue: published courses, a course with one person's enrolment, assets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, case, column, or_, select, table

from app.core.extensions import db
from app.courses.models import Course, CourseAsset, Enrolment
from app.courses.visibility import ContentGroup, content_groups
from app.runtime.models import BlockTree, StoredBlock
from app.runtime.olx_course import openedx_asset_name


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


# The cohorts' table of the courses they follow, named here without importing the cohorts package (which
# sits above this one): the content group a learner's cohort is linked to is read with their enrolment.
_cohort_course = table(
    "cohort_course", column("cohort_id"), column("course_id"), column("content_group_id", Integer)
)
_CONTENT_GROUP = (
    select(_cohort_course.c.content_group_id)
    .where(
        _cohort_course.c.cohort_id == Enrolment.cohort_id,
        _cohort_course.c.course_id == Course.id,
    )
    .correlate(Course, Enrolment)
    .scalar_subquery()
)

# Every course page runs it: built once (building the statement costs as much as running it).
_COURSE_WITH_ENROLMENT = (
    select(Course, Enrolment, _CONTENT_GROUP)
    .outerjoin(Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id == bindparam("user_id")))
    .where(Course.course_key == bindparam("course_key"))
)


def course_with_enrolment(course_key: str, user_id: int | None) -> tuple[Course, Enrolment | None] | None:
    """A course by key with the person's enrolment, or None if there is no such course (one query)."""
    found = course_enrolment_and_group(course_key, user_id)
    return None if found is None else (found[0], found[1])


def course_enrolment_and_group(
    course_key: str, user_id: int | None
) -> tuple[Course, Enrolment | None, int | None] | None:
    """A course by key with the person's enrolment and the content group their cohort is linked to in
    it (None: none), or None if there is no such course (one query)."""
    row = db.session.execute(
        _COURSE_WITH_ENROLMENT, {"user_id": user_id or 0, "course_key": course_key}
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def course_asset(tree_id: int, path: str) -> CourseAsset | None:
    """A static file of a content version, by its path under ``static/`` or by the name Open edX gives it
    (``documentation icon.svg`` is also ``documentation_icon.svg``), its own path first (one query)."""
    return db.session.scalar(
        select(CourseAsset)
        .where(
            CourseAsset.tree_id == tree_id,
            or_(CourseAsset.path == path, CourseAsset.openedx_name == openedx_asset_name(path)),
        )
        .order_by(case((CourseAsset.path == path, 0), else_=1))
        .limit(1)
    )


def course_content_groups(course_ids: list[int]) -> dict[int, list[ContentGroup]]:
    """The content groups (cohort partition) each published course declares, by course id (one query)."""
    if not course_ids:
        return {}
    rows = db.session.execute(
        select(Course.id, StoredBlock.settings)
        .join(BlockTree, BlockTree.id == Course.published_tree_id)
        .join(
            StoredBlock,
            and_(StoredBlock.tree_id == BlockTree.id, StoredBlock.usage_id == BlockTree.root_usage_id),
        )
        .where(Course.id.in_(course_ids))
    ).all()
    return {course_id: content_groups(settings or {}) for course_id, settings in rows}
