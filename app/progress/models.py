"""Tables of progress: per (learner, block) records, per (learner, container) roll-ups, per (learner,
course) progress with the course grade, and certificates.

``block_completion`` is written from the runtime's events (``recording``); ``progress_rollup`` and
``course_progress`` are derived from it for one learner at a time in the same transaction (``rollups``);
``certificate`` is issued once a learner has completed and passed a course.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.extensions import db


class BlockCompletion(db.Model):
    """A learner's completion (0..1) and grade of one block, kept as idempotent upserts."""

    __tablename__ = "block_completion"
    __table_args__ = (
        UniqueConstraint("user_id", "usage_id"),
        Index("ix_block_completion_user_course", "user_id", "course_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_key: Mapped[str] = mapped_column(String(255), index=True)
    usage_id: Mapped[str] = mapped_column(String(255))
    block_type: Mapped[str] = mapped_column(String(64))
    completion: Mapped[float] = mapped_column(Float, default=0.0)
    earned: Mapped[float | None] = mapped_column(Float)
    possible: Mapped[float | None] = mapped_column(Float)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    graded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProgressRollup(db.Model):
    """A learner's figures for one container of a course (chapter, sequence or unit).

    ``completed`` of ``total`` completable blocks under it are complete; ``earned`` of ``possible`` points
    of its scored blocks. ``total`` and ``possible`` are those of the course version ``tree_id``. A
    container the learner has not touched has no row (nothing done).
    """

    __tablename__ = "progress_rollup"
    __table_args__ = (
        UniqueConstraint("user_id", "usage_id"),
        Index("ix_progress_rollup_course_type", "course_key", "block_type"),
        Index("ix_progress_rollup_user_course", "user_id", "course_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_key: Mapped[str] = mapped_column(String(255))
    usage_id: Mapped[str] = mapped_column(String(255))
    block_type: Mapped[str] = mapped_column(String(64))
    tree_id: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    earned: Mapped[float] = mapped_column(Float, default=0.0)
    possible: Mapped[float] = mapped_column(Float, default=0.0)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CourseProgress(db.Model):
    """A learner's progress in a course: completion, course grade, and when they started, completed and
    passed it. A row exists from the learner's first recorded activity in the course."""

    __tablename__ = "course_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "course_key"),
        Index("ix_course_progress_course_key", "course_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_key: Mapped[str] = mapped_column(String(255))
    tree_id: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    # completed / total (0 when the course has nothing to complete), kept for sorting and averages in SQL.
    percent: Mapped[float] = mapped_column(Float, default=0.0)
    # The course grade (0..1) from its grading policy; None when the course grades nothing.
    grade: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_activity_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    passed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Certificate(db.Model):
    """A certificate of completion, issued once per learner and course; ``code`` verifies it publicly."""

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("user_id", "course_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    course_key: Mapped[str] = mapped_column(String(255))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    # The Cybersite that ran the learner's training (their cohort's, else their company's), when known.
    cybersite_id: Mapped[int | None] = mapped_column(ForeignKey("cybersite.id", ondelete="SET NULL"))
    grade: Mapped[float | None] = mapped_column(Float)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
