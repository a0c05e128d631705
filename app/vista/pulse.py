"""The platform side of the VISTA pulse block: its answers (one row per learner and block), the
``vista_pulse`` service the block declares, and the Impact-lens values of many companies in one query.

A pulse answer belongs to the company the learner worked for when answering, and to the VISTA dimensions
of the block (its own, or its course's tags). Values are already normalised to [0, 1] by the block (No /
Partly / Yes → 0 / 0.5 / 1, agreement (v − 1) / 4), so that the Impact lens averages them with the
company's own impact items (``app.vista.scoring``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.accounts.models import RoleGrant, utcnow
from app.core.database import chunks
from app.core.extensions import db
from app.courses import vista_tags
from app.courses.models import Course
from app.runtime.models import BlockTree, StoredBlock


class PulseAnswer(db.Model):
    """A learner's answers to one pulse block."""

    __tablename__ = "vista_pulse_answer"
    __table_args__ = (UniqueConstraint("user_id", "usage_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # The company the learner worked for when answering (None: none); the answers stay with it.
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id", ondelete="SET NULL"), index=True)
    course_key: Mapped[str] = mapped_column(String(255))
    usage_id: Mapped[str] = mapped_column(String(255))
    dimensions: Mapped[list[str]] = mapped_column(JSON, default=list)
    raw: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    values: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class PulseService:
    """The ``vista_pulse`` service: the runtime learner's answers to the pulse blocks of one course."""

    def __init__(self, course_key: str, user_id: int | None) -> None:
        self.course_key = course_key
        self.user_id = user_id

    @property
    def signed_in(self) -> bool:
        """Whether someone is signed in to answer."""
        return self.user_id is not None

    def dimensions(self, own: list[str]) -> list[str]:
        """The block's own dimensions, or else its course's VISTA tags (one query)."""
        if own:
            return [d for d in own if d in vista_tags.DIMENSIONS]
        settings = db.session.scalar(
            select(StoredBlock.settings)
            .join(BlockTree, BlockTree.id == StoredBlock.tree_id)
            .join(Course, Course.published_tree_id == BlockTree.id)
            .where(Course.course_key == self.course_key, StoredBlock.usage_id == BlockTree.root_usage_id)
        )
        return sorted(vista_tags.of_course_block(settings))

    def answer(self, usage_id: str) -> dict[str, Any] | None:
        """The learner's answers to a block: {"values": raw answers by question, "comment"}; None if none."""
        row = self._row(usage_id)
        return None if row is None else {"values": dict(row.raw or {}), "comment": row.comment or ""}

    def record(
        self,
        usage_id: str,
        dimensions: list[str],
        raw: dict[str, int],
        values: dict[str, float],
        comment: str,
    ) -> None:
        """Store (or replace) the learner's answers to a block; flushes, the handler endpoint commits."""
        if self.user_id is None:
            raise PermissionError("no learner")
        row = self._row(usage_id)
        if row is None:
            row = PulseAnswer(user_id=self.user_id, course_key=self.course_key, usage_id=usage_id)
            db.session.add(row)
        row.company_id = db.session.scalar(
            select(RoleGrant.company_id)
            .where(RoleGrant.user_id == self.user_id, RoleGrant.company_id.is_not(None))
            .order_by(RoleGrant.id)
            .limit(1)
        )
        row.dimensions, row.raw, row.values, row.comment = list(dimensions), dict(raw), dict(values), comment
        row.answered_at = utcnow()
        db.session.flush()

    def _row(self, usage_id: str) -> PulseAnswer | None:
        if self.user_id is None:
            return None
        return db.session.scalar(
            select(PulseAnswer).where(PulseAnswer.user_id == self.user_id, PulseAnswer.usage_id == usage_id)
        )


def pulse_service(runtime: Any, block: Any) -> PulseService:
    """The block service factory: the pulse answers of the runtime's learner in its course."""
    return PulseService(str(runtime.course_id), runtime.learner.user_id)


def pulse_impact(session: Session, company_ids: Iterable[int]) -> dict[tuple[int, str], list[float]]:
    """Per company and dimension, every pulse value its staff gave (in [0, 1]): one query per 500
    companies."""
    ids = sorted(set(company_ids))
    found: dict[tuple[int, str], list[float]] = defaultdict(list)
    if not ids:
        return {}
    rows = (
        row
        for part in chunks(ids)
        for row in session.execute(
            select(PulseAnswer.company_id, PulseAnswer.dimensions, PulseAnswer.values).where(
                PulseAnswer.company_id.in_(part)
            )
        )
    )
    for company_id, dimensions, values in rows:
        numbers = [float(v) for v in (values or {}).values() if isinstance(v, int | float)]
        for dimension in dimensions or []:
            found[(company_id, dimension)].extend(numbers)
    return dict(found)
