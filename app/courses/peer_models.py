"""Tables of peer review (the ``openassessment`` block's peer step): the responses learners put up for
their cohort's peers to assess, and each assessment a peer was given and made.

The pool of one block and cohort is read by one indexed query: the next response to hand a learner is
the first row of ``ix_peer_submission_pool`` (block, cohort, fewest assessments, oldest) that is not
theirs and was not given to them before.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.extensions import db


def _now() -> datetime:
    return datetime.now(UTC)


class PeerSubmission(db.Model):
    """A learner's submitted response to one block, in the pool of their cohort in the course."""

    __tablename__ = "peer_submission"
    __table_args__ = (
        UniqueConstraint("usage_id", "user_id"),
        Index("ix_peer_submission_pool", "usage_id", "cohort_id", "assessed_count", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    usage_id: Mapped[str] = mapped_column(String(255))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    # The cohort through which the author follows the course when they submitted (None: no cohort).
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    responses: Mapped[list[Any]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # Completed assessments of this response (kept here so that the pool is read from the index alone).
    assessed_count: Mapped[int] = mapped_column(Integer, default=0)


class PeerAssessment(db.Model):
    """A response given to a peer to assess (``completed_at`` None until they have), and their assessment."""

    __tablename__ = "peer_assessment"
    __table_args__ = (
        UniqueConstraint("submission_id", "scorer_id"),
        Index("ix_peer_assessment_scorer", "scorer_id", "usage_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("peer_submission.id", ondelete="CASCADE"))
    usage_id: Mapped[str] = mapped_column(String(255))
    scorer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # {criterion name: option name}, {criterion name: comment}, the overall comment, and their points.
    choices: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    criterion_feedback: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    feedback: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int | None] = mapped_column(Integer)
