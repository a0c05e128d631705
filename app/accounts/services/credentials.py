"""Passwords, sign-in checks and the signed, time-limited links for password reset.

Passwords are hashed with scrypt (Werkzeug). A reset link is signed with the secret key and carries a
fingerprint of the current password hash, so it stops working as soon as it has been used (or the password
changed another way), and after ``PASSWORD_RESET_MAX_AGE`` seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import User
from app.core import mail
from app.core.extensions import db

HASH_METHOD = "scrypt"
_RESET_SALT = "cybermassif.password-reset"
# Compared against when no account matches, so that a wrong address costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8), method=HASH_METHOD)


class LinkInvalid(Exception):
    """A signed link that is malformed, tampered with, expired or already used."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password."""
    return generate_password_hash(password, method=HASH_METHOD)


def find_user_by_email(email: str) -> User | None:
    """The account with this (already normalised) address, active or not."""
    return db.session.scalar(select(User).where(User.email == email))


def authenticate(email: str, password: str) -> User | None:
    """The active account whose password matches, else None (whatever the reason, in the same time)."""
    user = find_user_by_email(email)
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    if not check_password_hash(stored, password) or user is None or not user.password_hash:
        return None
    return user if user.active else None


def record_sign_in(user: User) -> None:
    """Remember when the user last signed in."""
    user.last_login_at = datetime.now(UTC)
    db.session.flush()


def set_password(actor: User, user: User, password: str) -> None:
    """Set a new password; every other session of the account ends (its session token rotates)."""
    if actor.id != user.id:
        raise PermissionError("only the account holder sets their password")
    user.password_hash = hash_password(password)
    user.session_token = secrets.token_hex(16)
    db.session.flush()


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "no-password").encode()).hexdigest()[:16]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def make_reset_token(user: User) -> str:
    """A signed token for the reset link of ``user``."""
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    """The active user a reset token was made for; LinkInvalid if it is bad, expired or used."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired as error:
        raise LinkInvalid(expired=True) from error
    except BadSignature as error:
        raise LinkInvalid() from error
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise LinkInvalid()
    user = db.session.get(User, data["u"])
    if user is None or not user.active or not hmac.compare_digest(str(data.get("f")), _fingerprint(user)):
        raise LinkInvalid()
    return user


def reset_link(user: User) -> tuple[str, int]:
    """The absolute reset link of ``user`` and how many minutes it stays valid."""
    token = make_reset_token(user)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    return url_for("accounts.reset_password", token=token, _external=True), minutes


def send_reset_link(user: User) -> None:
    """Queue the reset e-mail of an active account, in its holder's language (sent after the commit)."""
    if not user.active:
        return
    url, minutes = reset_link(user)
    with force_locale(user.language):
        mail.queue(
            user.email,
            _("Reset your Cybermassif password"),
            _(
                "To choose a new password, open this link (valid %(minutes)d minutes, once):\n"
                "%(url)s\n\n"
                "If you did not ask for it, ignore this message: your password stays the same.",
                minutes=minutes,
                url=url,
            ),
        )
