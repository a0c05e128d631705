"""A learner's progress in each course they follow: completion per course and chapter, grade, dates, what to
do next and their certificates. Three queries whatever the number of courses and chapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select

from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.progress.grading import read_policy
from app.progress.models import Certificate, CourseProgress, ProgressRollup
from app.progress.structure import CHAPTER
from app.progress.tables import Status, status_of
from app.runtime.models import StoredBlock


@dataclass
class ChapterLine:
    """A chapter and the learner's completion of it (None: nothing done there yet)."""

    usage_id: str
    title: str
    completed: int | None = None
    total: int | None = None

    @property
    def percent(self) -> float:
        """Its share done."""
        return self.completed / self.total if self.completed is not None and self.total else 0.0

    @property
    def is_complete(self) -> bool:
        """Everything counted in it is done."""
        return bool(self.total) and (self.completed or 0) >= (self.total or 0)


@dataclass
class CourseLine:
    """A course the learner follows, and where they stand in it."""

    course_key: str
    title: str
    status: Status
    percent: float = 0.0
    completed: int = 0
    total: int = 0
    grade: float | None = None
    passed: bool = False
    pass_mark: float | None = None
    started_at: datetime | None = None
    last_activity_at: datetime | None = None
    completed_at: datetime | None = None
    passed_at: datetime | None = None
    resume_usage_id: str | None = None
    certificate_code: str | None = None
    chapters: list[ChapterLine] = field(default_factory=list)

    @property
    def next_chapter(self) -> ChapterLine | None:
        """The first chapter not complete yet: what to do next."""
        return next((c for c in self.chapters if not c.is_complete), None)


def _courses(user_id: int) -> list[Any]:
    cp, cert = CourseProgress, Certificate
    query = (
        select(
            Course.course_key,
            Course.title,
            Course.published_tree_id,
            Course.grading_policy,
            Enrolment.last_usage_id,
            cp.id,
            cp.completed,
            cp.total,
            cp.percent,
            cp.grade,
            cp.passed,
            cp.started_at,
            cp.last_activity_at,
            cp.completed_at,
            cp.passed_at,
            cert.code,
        )
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(cp, and_(cp.user_id == Enrolment.user_id, cp.course_key == Course.course_key))
        .outerjoin(cert, and_(cert.user_id == Enrolment.user_id, cert.course_key == Course.course_key))
        .where(
            Enrolment.user_id == user_id, Enrolment.active.is_(True), Course.published_tree_id.is_not(None)
        )
        .order_by(Course.title, Course.id)
    )
    return db.session.execute(query).all()


def learner_courses(user_id: int) -> list[CourseLine]:
    """The courses a learner is enrolled in, with their figures and chapters (three queries)."""
    rows = _courses(user_id)
    trees = {row[2] for row in rows}
    chapters = db.session.execute(
        select(StoredBlock.tree_id, StoredBlock.usage_id, StoredBlock.display_name)
        .where(StoredBlock.tree_id.in_(trees), StoredBlock.block_type == CHAPTER)
        .order_by(StoredBlock.tree_id, StoredBlock.position, StoredBlock.id)
    ).all()
    done = {
        usage_id: (completed, total)
        for usage_id, completed, total in db.session.execute(
            select(ProgressRollup.usage_id, ProgressRollup.completed, ProgressRollup.total).where(
                ProgressRollup.user_id == user_id, ProgressRollup.block_type == CHAPTER
            )
        )
    }
    by_tree: dict[int, list[ChapterLine]] = {}
    for tree_id, usage_id, title in chapters:
        completed, total = done.get(usage_id, (None, None))
        by_tree.setdefault(tree_id, []).append(ChapterLine(usage_id, title or usage_id, completed, total))
    lines = []
    for row in rows:
        (key, title, tree_id, policy, last_usage, progress_id, completed, total, percent, grade, passed) = (
            row[:11]
        )
        policy_read = read_policy(policy)
        lines.append(
            CourseLine(
                course_key=key,
                title=title,
                status=status_of(True, progress_id is not None, row[13]),
                percent=percent or 0.0,
                completed=completed or 0,
                total=total or 0,
                grade=grade,
                passed=bool(passed),
                pass_mark=policy_read.pass_mark if grade is not None else None,
                started_at=row[11],
                last_activity_at=row[12],
                completed_at=row[13],
                passed_at=row[14],
                resume_usage_id=last_usage,
                certificate_code=row[15],
                chapters=by_tree.get(tree_id, []),
            )
        )
    return lines
