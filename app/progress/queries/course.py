"""A course's figures for its trainers: the completion funnel by chapter and, for each problem, how many
answered, the success rate and the mean number of attempts — over the course's audience.

The audience is the enrolled learners who are members of cohorts following the course at the Cybersites
the viewer trains at or manages (every learner of the course for network administrators). A problem's
success rate is the points earned over the points possible of the learners who were graded on it; its
attempts are the problem block's own ``attempts`` field (user state), averaged over the learners who have
one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Select, Text, and_, case, cast, func, select

from app.cohorts.models import Cohort, CohortCourse
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.progress.models import BlockCompletion, CourseProgress, ProgressRollup
from app.progress.queries.cohorts import in_cohorts
from app.progress.structure import CHAPTER
from app.runtime.models import FieldValue


@dataclass(frozen=True)
class CourseAudience:
    """A course and whose learners a viewer counts: the Cybersites whose cohorts follow it, and of those,
    the ones the viewer's figures cover (None: every learner)."""

    course: Course
    cybersite_ids: frozenset[int]
    counted_sites: frozenset[int] | None = None


def following_sites(course_id: int) -> frozenset[int]:
    """The Cybersites whose cohorts follow a course."""
    rows = db.session.scalars(
        select(Cohort.cybersite_id)
        .join(CohortCourse, CohortCourse.cohort_id == Cohort.id)
        .where(CohortCourse.course_id == course_id)
        .distinct()
    )
    return frozenset(rows)


def site_courses(site_ids: Collection[int] | None) -> Select[Any]:
    """The published courses followed by cohorts of these Cybersites (every published one for None)."""
    query = select(Course.course_key, Course.title).where(Course.published_tree_id.is_not(None))
    if site_ids is not None:
        followed = (
            select(CohortCourse.course_id)
            .join(Cohort, Cohort.id == CohortCourse.cohort_id)
            .where(Cohort.cybersite_id.in_(site_ids))
        )
        query = query.where(Course.id.in_(followed))
    return query.order_by(Course.title, Course.id)


def audience(target: CourseAudience) -> Select[Any]:
    """The user ids of the learners counted (enrolled, active)."""
    query = select(Enrolment.user_id).where(
        Enrolment.course_id == target.course.id, Enrolment.active.is_(True)
    )
    if target.counted_sites is not None:
        query = query.where(in_cohorts(Cohort.cybersite_id.in_(target.counted_sites)))
    return query


@dataclass(frozen=True)
class Funnel:
    """How many of the audience enrolled, started, completed each chapter, completed and passed."""

    enrolled: int
    started: int
    chapters: dict[str, int]
    completed: int
    passed: int


def funnel(target: CourseAudience) -> Funnel:
    """The completion funnel (two queries)."""
    learners = audience(target).subquery()
    cp = CourseProgress
    key = target.course.course_key
    totals = db.session.execute(
        select(
            func.count(learners.c.user_id),
            func.count(cp.id),
            func.count(cp.completed_at),
            func.coalesce(func.sum(case((cp.passed.is_(True), 1), else_=0)), 0),
        )
        .select_from(learners)
        .outerjoin(cp, and_(cp.user_id == learners.c.user_id, cp.course_key == key))
    ).one()
    r = ProgressRollup
    chapters = db.session.execute(
        select(r.usage_id, func.count())
        .where(
            r.course_key == key,
            r.block_type == CHAPTER,
            r.total > 0,
            r.completed >= r.total,
            r.user_id.in_(select(learners.c.user_id)),
        )
        .group_by(r.usage_id)
    ).all()
    return Funnel(totals[0], totals[1], dict(chapters), totals[2], int(totals[3]))


@dataclass(frozen=True)
class ProblemFigures:
    """One problem's figures over the audience."""

    answered: int
    success_rate: float | None
    full_marks: int
    mean_attempts: float | None


def problems(target: CourseAudience, usage_ids: list[str]) -> dict[str, ProblemFigures]:
    """Figures of each problem (two queries: grades, then attempts)."""
    learners = select(audience(target).subquery().c.user_id)
    b = BlockCompletion
    graded = {
        usage_id: (answered, earned, possible, full)
        for usage_id, answered, earned, possible, full in db.session.execute(
            select(
                b.usage_id,
                func.count(),
                func.sum(b.earned),
                func.sum(b.possible),
                func.sum(case((b.earned >= b.possible, 1), else_=0)),
            )
            .where(
                b.course_key == target.course.course_key,
                b.usage_id.in_(usage_ids),
                b.possible > 0,
                b.user_id.in_(learners),
            )
            .group_by(b.usage_id)
        )
    }
    f = FieldValue
    attempts: dict[str, Any] = dict(
        db.session.execute(
            select(f.scope_key, func.avg(cast(cast(f.value, Text), Float)))
            .where(
                f.scope == "user_state",
                f.field_name == "attempts",
                f.scope_key.in_(usage_ids),
                f.user_id.in_(learners),
            )
            .group_by(f.scope_key)
        ).all()
    )
    out = {}
    for usage_id in usage_ids:
        answered, earned, possible, full = graded.get(usage_id, (0, None, None, 0))
        out[usage_id] = ProblemFigures(
            answered=answered,
            success_rate=(earned / possible) if possible else None,
            full_marks=int(full or 0),
            mean_attempts=float(attempts[usage_id]) if attempts.get(usage_id) is not None else None,
        )
    return out
