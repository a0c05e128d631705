"""A course's history: every import of a new version and every save of its components in the studio,
recorded in the transaction of the change, read newest first in the studio."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.policy import Action, can
from app.core.extensions import db
from app.courses.models import Course, CourseChange
from app.runtime.tree import BlockRecord

PER_PAGE = 50
IMPORTED = "imported"
EDITED = "edited"


class HistoryRefused(Exception):
    """The user may not read this course's history."""


def record_import(course: Course, actor: User | None, blocks: int) -> None:
    """Note a new version of the course (flushed: it has its id), imported by ``actor`` (None: the
    command line)."""
    db.session.add(
        CourseChange(
            course_id=course.id,
            actor_id=actor.id if actor else None,
            actor_name=actor.display_name if actor else None,
            kind=IMPORTED,
            blocks=blocks,
            details=[],
        )
    )


def record_edits(course: Course, actor: User, records: Sequence[BlockRecord]) -> None:
    """Note the blocks ``actor`` saved through their editors."""
    db.session.add(
        CourseChange(
            course_id=course.id,
            actor_id=actor.id,
            actor_name=actor.display_name,
            kind=EDITED,
            blocks=len(records),
            details=[
                {"usage_id": r.usage_id, "type": r.block_type, "name": r.display_name or ""} for r in records
            ],
        )
    )


@dataclass(frozen=True)
class HistoryPage:
    """One page of a course's history, newest first."""

    changes: list[CourseChange]
    page: int
    pages: int
    total: int


def read(actor: User, course: Course, page: int) -> HistoryPage:
    """The ``page``-th page (from 1) of the course's history, for someone who may author it."""
    if not can(actor, Action.EDIT_COURSE, course):
        raise HistoryRefused(course.course_key)
    total = db.session.scalar(
        select(func.count()).select_from(CourseChange).where(CourseChange.course_id == course.id)
    )
    pages = max(1, -(-(total or 0) // PER_PAGE))
    page = min(max(page, 1), pages)
    changes: list[Any] = list(
        db.session.scalars(
            select(CourseChange)
            .where(CourseChange.course_id == course.id)
            .order_by(CourseChange.created_at.desc(), CourseChange.id.desc())
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    return HistoryPage(changes, page, pages, total or 0)
