"""The trainer's part of the home page: the answers waiting for their grade (case studies, staff-graded
assignments, open assessments of the learners they follow: the ``staff_grading`` rule), the reported
messages of the forums they moderate (the moderation queue's own count) and the completion funnel of the
courses their Cybersites' cohorts follow (the course dashboard's enrolled, started, completed and passed,
for every course in one statement). Four statements whatever the number of courses or learners."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased
from xblock.fields import Scope

from app.accounts.models import User
from app.accounts.policy import following, is_admin, managed_cybersite_ids, trained_cybersite_ids
from app.cohorts.models import Cohort
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.forum import queries as forum_queries
from app.forum.access import Reader
from app.progress.models import CourseProgress
from app.progress.queries import course as course_queries
from app.progress.queries.cohorts import in_cohorts
from app.runtime.models import FieldValue, StoredBlock
from app.runtime.store import scope_name

USER_STATE = scope_name(Scope.user_state)


@dataclass(frozen=True)
class ToGrade:
    """A block of a course with answers submitted and not graded yet."""

    course_key: str
    course_title: str
    block_title: str
    unit_usage_id: str | None
    waiting: int


@dataclass(frozen=True)
class CourseFunnel:
    """A course's funnel over the trainer's learners (the course dashboard's figures)."""

    course_key: str
    title: str
    enrolled: int = 0
    started: int = 0
    completed: int = 0
    passed: int = 0

    def share(self, count: int) -> float:
        """``count`` over the enrolled."""
        return count / self.enrolled if self.enrolled else 0.0


@dataclass(frozen=True)
class TrainerHome:
    """Everything the trainer's section shows."""

    to_grade: list[ToGrade]
    reported: int
    funnels: list[CourseFunnel]

    @property
    def waiting(self) -> int:
        """Answers waiting in all."""
        return sum(g.waiting for g in self.to_grade)


def own_sites(user: User) -> frozenset[int] | None:
    """The Cybersites whose learners the trainer's figures count, as on the course dashboards (None: all,
    for administrators)."""
    return None if is_admin(user) else frozenset(trained_cybersite_ids(user) | managed_cybersite_ids(user))


def _to_grade(user: User) -> list[ToGrade]:
    """Submitted answers (a ``submitted_at`` in the learner's state of a block) with no staff grade yet, of
    learners enrolled in the course whom the trainer follows, by block."""
    graded = aliased(FieldValue)
    not_graded = ~(
        select(graded.id)
        .where(
            graded.scope == USER_STATE,
            graded.user_id == FieldValue.user_id,
            graded.scope_key == FieldValue.scope_key,
            graded.field_name == "staff_graded_at",
        )
        .exists()
    )
    rows = db.session.execute(
        select(
            Course.course_key,
            Course.title,
            StoredBlock.display_name,
            StoredBlock.parent_usage_id,
            func.count(FieldValue.id),
        )
        .join(StoredBlock, StoredBlock.usage_id == FieldValue.scope_key)
        .join(Course, Course.published_tree_id == StoredBlock.tree_id)
        .join(
            Enrolment,
            and_(
                Enrolment.course_id == Course.id,
                Enrolment.user_id == FieldValue.user_id,
                Enrolment.active.is_(True),
            ),
        )
        .where(
            FieldValue.scope == USER_STATE,
            FieldValue.field_name == "submitted_at",
            FieldValue.user_id != user.id,
            following(user).people(FieldValue.user_id),
            not_graded,
        )
        .group_by(Course.course_key, Course.title, StoredBlock.display_name, StoredBlock.parent_usage_id)
        .order_by(Course.title, StoredBlock.display_name)
    )
    return [ToGrade(key, title, block or "", unit, n) for key, title, block, unit, n in rows]


def _funnels(sites: Collection[int] | None) -> list[CourseFunnel]:
    courses = db.session.execute(course_queries.site_courses(sites)).all()
    cp = CourseProgress
    query = (
        select(
            Course.course_key,
            func.count(Enrolment.id),
            func.count(cp.id),
            func.count(cp.completed_at),
            func.coalesce(func.sum(case((cp.passed.is_(True), 1), else_=0)), 0),
        )
        .select_from(Enrolment)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(cp, and_(cp.user_id == Enrolment.user_id, cp.course_key == Course.course_key))
        .where(Enrolment.active.is_(True), Course.published_tree_id.is_not(None))
        .group_by(Course.course_key)
    )
    if sites is not None:
        # As the dashboard counts: learners of cohorts of these Cybersites that follow the course.
        query = query.where(in_cohorts(Cohort.cybersite_id.in_(sorted(sites))))
    figures: dict[str, Any] = {row[0]: row[1:] for row in db.session.execute(query)}
    return [
        CourseFunnel(key, title, *(int(n) for n in figures.get(key, (0, 0, 0, 0)))) for key, title in courses
    ]


def trainer_home(user: User) -> TrainerHome:
    """The trainer's section (four statements)."""
    sites = own_sites(user)
    reader = Reader(user.id, is_staff=True, following=following(user))
    counts = forum_queries.queue_counts(db.session, reader)
    return TrainerHome(
        to_grade=_to_grade(user),
        reported=counts[forum_queries.QUEUE_REPORTED],
        funnels=_funnels(sites) if sites is None or sites else [],
    )
