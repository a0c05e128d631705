"""Making, revoking and checking personal access tokens (services: they flush, never commit)."""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.accounts.services.errors import Forbidden, ServiceError
from app.api import scopes as api_scopes
from app.api.models import ApiToken
from app.core.extensions import db

PREFIX = "cmt_"
MAX_NAME = 80
MAX_DAYS = 366
# How stale ``last_used_at`` may get: touching it on every call would make every read a write.
TOUCH_EVERY = timedelta(minutes=5)
_SHAPE = re.compile(r"^cmt_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for aware columns: they were stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def create_token(
    actor: User, name: str, scopes: list[str], days: int, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """Make a token for ``actor`` (themselves only); return it with its secret, which is not kept."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise ServiceError(_("Give the token a name of at most %(num)d characters.", num=MAX_NAME), "name")
    try:
        chosen = api_scopes.normalise(scopes)
    except ValueError as error:
        raise ServiceError(_("Unknown scope: %(names)s.", names=", ".join(error.args[0])), "scopes") from None
    if not chosen:
        raise ServiceError(_("Choose at least one scope."), "scopes")
    if not 1 <= days <= MAX_DAYS:
        raise ServiceError(_("A token lasts from 1 to %(num)d days.", num=MAX_DAYS), "days")
    now = now or datetime.now(UTC)
    prefix = secrets.token_hex(6)
    raw = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        user_id=actor.id,
        name=name,
        prefix=prefix,
        digest=_digest(raw),
        scopes=chosen,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


def revoke_token(actor: User, token: ApiToken, now: datetime | None = None) -> None:
    """Revoke one of the actor's own tokens (revoking twice changes nothing)."""
    if token.user_id != actor.id:
        raise Forbidden(_("You may not revoke this token."))
    if token.revoked_at is None:
        token.revoked_at = now or datetime.now(UTC)
        db.session.flush()


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, the newest first."""
    return list(
        db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))
    )


class Refusal(enum.StrEnum):
    """Why a presented token does not authenticate."""

    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class Checked:
    """A presented token's verdict: the token (when it authenticates) or the refusal."""

    token: ApiToken | None
    refusal: Refusal | None


def check(raw: str, now: datetime | None = None) -> Checked:
    """Whether ``raw`` is a live token of an active user (read-only)."""
    found = _SHAPE.match(raw or "")
    if found is None:
        return Checked(None, Refusal.MALFORMED)
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.prefix == found.group(1).lower())
        .options(joinedload(ApiToken.user).selectinload(User.roles))
    )
    # The digest is compared in constant time even for an unknown prefix, so timing tells nothing.
    expected = token.digest if token is not None else "0" * 64
    if not hmac.compare_digest(expected, _digest(raw)) or token is None:
        return Checked(None, Refusal.UNKNOWN)
    now = now or datetime.now(UTC)
    if token.revoked_at is not None:
        return Checked(None, Refusal.REVOKED)
    if _aware(token.expires_at) <= now:
        return Checked(None, Refusal.EXPIRED)
    if not token.user.active:
        return Checked(None, Refusal.INACTIVE)
    return Checked(token, None)


def due_for_touch(token: ApiToken, now: datetime | None = None) -> bool:
    """Whether the token's last use is older than :data:`TOUCH_EVERY` (or unknown)."""
    now = now or datetime.now(UTC)
    return token.last_used_at is None or now - _aware(token.last_used_at) >= TOUCH_EVERY


def touch(token: ApiToken, now: datetime | None = None) -> None:
    """Record that the token was used."""
    token.last_used_at = now or datetime.now(UTC)
    db.session.flush()
