"""A Cybersite's cohorts and a cohort's companies: enrolments, started, completed, passed and average
completion (each an aggregate in one query), and course completions week by week for the chart.

Figures count each member's active enrolment in each course of the cohort, whichever cohort made it: a
person who joins a second cohort that shares a course with the first keeps the enrolment the first made
(``app.cohorts.enrolments``), and both cohorts count it. The average completion counts an enrolment not
started as 0 %.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, Select, and_, bindparam, case, cast, func, select
from sqlalchemy.orm import Session

from app.accounts.models import Company
from app.cohorts.models import Cohort, CohortCourse, CohortMember
from app.core.database import read_columns
from app.courses.models import Course, Enrolment
from app.progress.models import CourseProgress

# Joined after ``CohortMember`` then ``CohortCourse`` (of the member's cohort): the member's active
# enrolment in that course, whichever cohort made it. This is what the cohort's figures count.
MEMBER_COURSE = CohortCourse.cohort_id == CohortMember.cohort_id
MEMBER_ENROLMENT = and_(
    Enrolment.user_id == CohortMember.user_id,
    Enrolment.course_id == CohortCourse.course_id,
    Enrolment.active.is_(True),
)


def in_cohorts(*conditions: Any) -> Any:
    """SQL: the enrolment's learner is a member of a cohort (matching ``conditions`` on ``Cohort``) that
    follows the enrolment's course. Counts each enrolment once however many such cohorts there are."""
    members = (
        select(CohortMember.user_id).join(Cohort, Cohort.id == CohortMember.cohort_id).where(*conditions)
    )
    return and_(
        # The members first: without it SQLite reads every enrolment of the network and tests each
        # (300 ms for a Cybersite's chart among 50,000 companies); with it, only the members' enrolments.
        Enrolment.user_id.in_(members),
        select(CohortMember.id)
        .join(CohortCourse, MEMBER_COURSE)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .where(
            CohortMember.user_id == Enrolment.user_id,
            CohortCourse.course_id == Enrolment.course_id,
            *conditions,
        )
        .exists(),
    )


MAX_WEEKS = 104


def _figures() -> tuple[Any, ...]:
    cp = CourseProgress
    return (
        func.count(Enrolment.id),
        func.count(cp.id),
        func.count(cp.completed_at),
        func.coalesce(func.sum(case((cp.passed.is_(True), 1), else_=0)), 0),
        func.coalesce(func.avg(func.coalesce(cp.percent, 0.0)), 0.0),
    )


def _with_progress(query: Select[Any]) -> Select[Any]:
    cp = CourseProgress
    return query.outerjoin(Course, Course.id == Enrolment.course_id).outerjoin(
        cp, and_(cp.user_id == Enrolment.user_id, cp.course_key == Course.course_key)
    )


def _site_cohorts() -> Select[Any]:
    query = (
        select(Cohort.id, Cohort.name, Cohort.starts_on, Cohort.ends_on, *_figures())
        .select_from(Cohort)
        .outerjoin(CohortMember, CohortMember.cohort_id == Cohort.id)
        .outerjoin(CohortCourse, MEMBER_COURSE)
        .outerjoin(Enrolment, MEMBER_ENROLMENT)
    )
    return (
        _with_progress(query)
        .where(Cohort.cybersite_id == bindparam("cybersite_id"))
        .group_by(Cohort.id, Cohort.name, Cohort.starts_on, Cohort.ends_on)
        .order_by(Cohort.starts_on.desc(), Cohort.name, Cohort.id)
    )


# Built once (the dashboard and every Cybersite manager's home page run it): building it again at each
# request cost more than running it.
_SITE_COHORTS = _site_cohorts()


def site_cohorts(session: Session, cybersite_id: int) -> Any:
    """Each cohort of a Cybersite with its figures, the latest first (id, name, dates, the five figures)."""
    return read_columns(session, _SITE_COHORTS, {"cybersite_id": cybersite_id})


def cohort_companies(cohort_id: int) -> Select[Any]:
    """Each company with learners in the cohort, with its figures."""
    query = (
        select(Company.id, Company.legal_name, *_figures())
        .select_from(CohortMember)
        .join(Company, Company.id == CohortMember.company_id)
        .outerjoin(CohortCourse, MEMBER_COURSE)
        .outerjoin(Enrolment, MEMBER_ENROLMENT)
    )
    return (
        _with_progress(query)
        .where(CohortMember.cohort_id == cohort_id)
        .group_by(Company.id, Company.legal_name)
        .order_by(Company.legal_name, Company.id)
    )


def _week(session: Session, column: Any) -> Any:
    """The Monday of the week of a moment, as SQL (the databases spell it differently)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", column), Date)
    return func.date(column, "weekday 0", "-6 days")


def weekly_completions(
    session: Session, *, cybersite_id: int | None = None, cohort_id: int | None = None
) -> Any:
    """Course completions per week by learners enrolled through the cohort (or any cohort of the site)."""
    cp = CourseProgress
    week = _week(session, cp.completed_at).label("week")
    query = (
        select(week, func.count())
        .select_from(Enrolment)
        .join(Course, Course.id == Enrolment.course_id)
        .join(cp, and_(cp.user_id == Enrolment.user_id, cp.course_key == Course.course_key))
        .where(cp.completed_at.is_not(None), Enrolment.active.is_(True))
        .group_by(week)
        .order_by(week)
    )
    if cohort_id is not None:
        query = query.where(in_cohorts(Cohort.id == cohort_id))
    else:
        query = query.where(in_cohorts(Cohort.cybersite_id == cybersite_id))
    return session.execute(query).all()


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def cumulative_by_week(rows: list[Any], today: date) -> list[tuple[date, int, int]]:
    """(Monday, completions that week, completions so far) for every week from the first to this one
    (at most the last ``MAX_WEEKS``)."""
    counts = {_as_date(week): int(n) for week, n in rows if week is not None}
    if not counts:
        return []
    this_week = today - timedelta(days=today.weekday())
    start, end = min(counts), max(*counts, this_week)
    weeks = []
    current, total = start, 0
    while current <= end:
        total += counts.get(current, 0)
        weeks.append((current, counts.get(current, 0), total))
        current += timedelta(days=7)
    return weeks[-MAX_WEEKS:]
