"""Personal access tokens: a person's keys to the API, each narrowed by its scopes and its expiry."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.extensions import db


def _now() -> datetime:
    return datetime.now(UTC)


class ApiToken(db.Model):
    """A token a user made for themselves. Only a digest of its secret is kept: it is shown once.

    The token reads ``cmt_<prefix>_<secret>``: the prefix (public, shown in the list) finds the row, the
    SHA-256 digest of the whole token is compared in constant time. The secret has 256 random bits, so a
    fast hash is enough (no password-stretching: nobody can guess it from a dictionary).
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    digest: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
