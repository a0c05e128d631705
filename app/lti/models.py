"""The tables of LTI: the platform's signing keys, used nonces, and the anonymous ids given to tools."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.extensions import db


class LtiPlatformKey(db.Model):
    """One RSA key pair of the platform (PEM, private part), named by ``kid`` in the JWKS.

    The newest key not retired signs; a retired key stays published for a grace period so that tokens it
    signed just before a rotation still verify.
    """

    __tablename__ = "lti_platform_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LtiUsedNonce(db.Model):
    """A nonce (OIDC) or a token id (``jti``) already accepted: a replay is refused."""

    __tablename__ = "lti_used_nonce"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(String(255), unique=True)
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LtiLearner(db.Model):
    """The anonymous id a tool knows a learner by in a course (``sub`` / ``user_id``), to find the learner
    again when the tool sends a score."""

    __tablename__ = "lti_learner"
    __table_args__ = (
        UniqueConstraint("course_key", "anonymous_id"),
        Index("ix_lti_learner_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_key: Mapped[str] = mapped_column(String(255))
    anonymous_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
