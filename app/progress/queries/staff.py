"""Learners × courses: a company's staff (the company manager's table), or a cohort's learners of one
company (the Cybersite manager's drill-down), with completion, grade, last activity and status. One query
for the rows, one for the courses offered as a filter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select

from app.accounts.models import Company, RoleGrant, User
from app.cohorts.models import Cohort, CohortCourse, CohortMember
from app.courses.models import Course, Enrolment
from app.progress.models import CourseProgress
from app.progress.queries.cohorts import MEMBER_COURSE, MEMBER_ENROLMENT
from app.progress.tables import Status

MAX_SEARCH = 100


@dataclass(frozen=True)
class StaffFilters:
    """What the table is limited to: a course (by key), a status, a name or e-mail fragment."""

    course_key: str | None = None
    status: str | None = None  # a Status value, or "passed"
    search: str | None = None


STATUS_FILTERS = (*[s.value for s in Status if s != Status.NOT_ENROLLED], "passed")


def _like(text: str) -> str:
    # The fragment is matched literally: LIKE's wildcards in it are escaped.
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _filtered(query: Select[Any], filters: StaffFilters) -> Select[Any]:
    cp = CourseProgress
    if filters.course_key:
        query = query.where(Course.course_key == filters.course_key)
    if filters.search:
        pattern = _like(filters.search)
        query = query.where(
            or_(
                func.lower(User.display_name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    status = filters.status
    if status == Status.NOT_STARTED:
        query = query.where(Enrolment.id.is_not(None), cp.id.is_(None))
    elif status == Status.IN_PROGRESS:
        query = query.where(cp.id.is_not(None), cp.completed_at.is_(None))
    elif status == Status.COMPLETED:
        query = query.where(cp.completed_at.is_not(None))
    elif status == "passed":
        query = query.where(cp.passed.is_(True))
    return query


def _columns() -> Sequence[Any]:
    cp = CourseProgress
    return (
        User.id,
        User.display_name,
        User.email,
        Course.course_key,
        Course.title,
        Enrolment.id,
        cp.id,
        cp.percent,
        cp.grade,
        cp.passed,
        cp.last_activity_at,
        cp.completed_at,
    )


def _staff_of(company_id: Any) -> Any:
    # Driven by the role grants of the company (indexed), each person once even with two roles there.
    return select(RoleGrant.user_id).where(RoleGrant.company_id == company_id).distinct().subquery("staff")


def company_staff(company_id: Any, filters: StaffFilters) -> Select[Any]:
    """Everyone who works for the company, with each course they follow (or none)."""
    cp = CourseProgress
    staff = _staff_of(company_id)
    query = (
        select(*_columns())
        .select_from(staff)
        .join(User, User.id == staff.c.user_id)
        .outerjoin(Enrolment, and_(Enrolment.user_id == User.id, Enrolment.active.is_(True)))
        .outerjoin(Course, Course.id == Enrolment.course_id)
        .outerjoin(cp, and_(cp.user_id == User.id, cp.course_key == Course.course_key))
        .where(User.active.is_(True))
        .order_by(User.display_name, User.id, Course.title)
    )
    return _filtered(query, filters)


def company_courses(company_id: int) -> Select[Any]:
    """The courses the company's staff follow (the choices of the course filter)."""
    staff = _staff_of(company_id)
    return (
        select(Course.course_key, Course.title)
        .select_from(staff)
        .join(Enrolment, Enrolment.user_id == staff.c.user_id)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.active.is_(True))
        .group_by(Course.course_key, Course.title)
        .order_by(Course.title)
    )


def cohort_learners(cohort_id: int, company_id: int | None, filters: StaffFilters) -> Select[Any]:
    """The cohort's learners (of one company, or all), with each course of the cohort and their enrolment
    in it (whichever cohort made it; none: "not enrolled")."""
    cp = CourseProgress
    query = (
        select(*_columns())
        .select_from(CohortMember)
        .join(User, User.id == CohortMember.user_id)
        .outerjoin(CohortCourse, MEMBER_COURSE)
        .outerjoin(Enrolment, MEMBER_ENROLMENT)
        .outerjoin(Course, Course.id == CohortCourse.course_id)
        .outerjoin(cp, and_(cp.user_id == User.id, cp.course_key == Course.course_key))
        .where(CohortMember.cohort_id == cohort_id)
        .order_by(User.display_name, User.id, Course.title)
    )
    if company_id is not None:
        query = query.where(CohortMember.company_id == company_id)
    return _filtered(query, filters)


def site_learners(cybersite_id: int) -> Select[Any]:
    """Every learner of the Cybersite's cohorts × the courses they follow through them, with their cohort
    and company (the largest table: exported, not shown)."""
    cp = CourseProgress
    return (
        select(Cohort.name, Company.legal_name, *_columns())
        .select_from(CohortMember)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .join(Company, Company.id == CohortMember.company_id)
        .join(User, User.id == CohortMember.user_id)
        .outerjoin(CohortCourse, MEMBER_COURSE)
        .outerjoin(Enrolment, MEMBER_ENROLMENT)
        .outerjoin(Course, Course.id == CohortCourse.course_id)
        .outerjoin(cp, and_(cp.user_id == User.id, cp.course_key == Course.course_key))
        .where(Cohort.cybersite_id == cybersite_id)
        .order_by(
            Cohort.starts_on.desc(), Cohort.id, Company.legal_name, User.display_name, User.id, Course.title
        )
    )


# The unfiltered table, the one most asked for: built once (building costs more than running it).
COMPANY_STAFF = company_staff(bindparam("company_id"), StaffFilters())
