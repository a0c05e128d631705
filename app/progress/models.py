"""Tables of progress: one BlockCompletion row per (learner, block)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, String, UniqueConstraint
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
