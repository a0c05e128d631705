"""Nonces and token ids seen once: a second use is a replay, refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.lti.errors import REPLAY, LtiRefused
from app.lti.models import LtiUsedNonce

#: Long enough to outlive every token that carries a nonce (they live minutes).
KEPT_FOR = timedelta(days=1)


def use(session: Session, value: str) -> None:
    """Record ``value`` as used; LtiRefused (409) when it was used before."""
    value = value[:255]
    if session.scalar(select(LtiUsedNonce.id).where(LtiUsedNonce.value == value)) is not None:
        raise LtiRefused("this nonce was already used (a replay)", 409, REPLAY)
    now = datetime.now(UTC)
    # Old nonces can no longer come back inside a valid token: forget them as new ones come.
    session.execute(delete(LtiUsedNonce).where(LtiUsedNonce.used_at < now - KEPT_FOR))
    session.add(LtiUsedNonce(value=value, used_at=now))
    session.flush()
