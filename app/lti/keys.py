"""The platform's RSA key pairs: made once and kept in the database, rotatable, published as a JWKS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from joserfc.jwk import RSAKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.lti.models import LtiPlatformKey

KEY_BITS = 2048
#: How long a retired key stays in the JWKS: tokens it signed before a rotation still verify meanwhile.
RETIRED_KEY_GRACE = timedelta(days=2)


def signing_key(session: Session) -> RSAKey:
    """The key that signs now (made and stored on first use; the caller's transaction keeps it)."""
    row = session.scalars(
        select(LtiPlatformKey)
        .where(LtiPlatformKey.retired_at.is_(None))
        .order_by(LtiPlatformKey.created_at.desc(), LtiPlatformKey.id.desc())
        .limit(1)
    ).first()
    if row is None:
        row = _new_key(session)
    return _load(row)


def rotate(session: Session) -> str:
    """Retire the signing key(s) and make a new one; returns the new key's ``kid``."""
    now = datetime.now(UTC)
    for row in session.scalars(select(LtiPlatformKey).where(LtiPlatformKey.retired_at.is_(None))):
        row.retired_at = now
    return _new_key(session).kid


def public_jwks(session: Session) -> dict[str, Any]:
    """The JWKS tools verify our tokens with: the signing key and the keys retired in the grace period."""
    since = datetime.now(UTC) - RETIRED_KEY_GRACE
    rows = session.scalars(
        select(LtiPlatformKey)
        .where((LtiPlatformKey.retired_at.is_(None)) | (LtiPlatformKey.retired_at >= since))
        .order_by(LtiPlatformKey.id)
    ).all()
    if not rows:
        rows = [_new_key(session)]
    keys = []
    for row in rows:
        public = _load(row).as_dict(private=False)
        keys.append({**public, "kid": row.kid, "alg": "RS256", "use": "sig"})
    return {"keys": keys}


def _new_key(session: Session) -> LtiPlatformKey:
    key = RSAKey.generate_key(KEY_BITS, auto_kid=True)
    row = LtiPlatformKey(
        kid=str(key.kid),
        private_pem=key.as_pem(private=True).decode("ascii"),
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return row


def _load(row: LtiPlatformKey) -> RSAKey:
    return RSAKey.import_key(row.private_pem, {"kid": row.kid})
