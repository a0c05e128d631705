"""The network administrator's part of the home page: the network's figures (active Cybersites and
companies, learners active this month, course completions this month and in all) and the sent mail that
failed. Two statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct, func, select

from app.accounts.models import Company, Cybersite
from app.core.extensions import db
from app.core.mail import OutboxMessage
from app.progress.models import CourseProgress

FAILURES_LISTED = 5


@dataclass(frozen=True)
class NetworkHome:
    """The network's figures."""

    cybersites: int
    companies: int
    active_learners: int
    completions_this_month: int
    completions: int
    failed_mail: int
    recent_failures: list[tuple[str, str, datetime, str]]


def network_home(month_start: datetime) -> NetworkHome:
    """The figures, counting activity from ``month_start`` (the first of this month, local time)."""
    cp = CourseProgress

    failed = OutboxMessage.error.is_not(None)
    row = db.session.execute(
        select(
            select(func.count(Cybersite.id)).where(Cybersite.active.is_(True)).scalar_subquery(),
            select(func.count(Company.id)).where(Company.active.is_(True)).scalar_subquery(),
            select(func.count(distinct(cp.user_id)))
            .where(cp.last_activity_at >= month_start)
            .scalar_subquery(),
            select(func.count(cp.id)).where(cp.completed_at >= month_start).scalar_subquery(),
            select(func.count(cp.completed_at)).scalar_subquery(),
            select(func.count(OutboxMessage.id)).where(failed).scalar_subquery(),
        )
    ).one()
    recent = db.session.execute(
        select(OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.created_at, OutboxMessage.error)
        .where(failed)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(FAILURES_LISTED)
    ).all()
    return NetworkHome(*(int(n or 0) for n in row), [tuple(r) for r in recent])  # type: ignore[misc]
