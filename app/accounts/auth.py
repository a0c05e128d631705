"""Flask-Login wiring: loading the signed-in user, and what anonymous visitors are told."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.util import identity_key

from app.accounts.models import RoleGrant, User
from app.core.extensions import db, login_manager

# One query for the user and their roles (with their scopes): every page asks the policy. Their scopes'
# companies and Cybersites load only if a rule looks at them. Built once: every request runs it, and
# building the statement and its loader options costs as much as running it.
_USER_WITH_ROLES = (
    select(User)
    .where(User.id == bindparam("user_id"))
    .options(joinedload(User.roles).lazyload(RoleGrant.company), lazyload(User.roles, RoleGrant.cybersite))
)


def load_user(session_id: str) -> User | None:
    """The user of a session id ``"<id>:<session token>"``; a rotated token ends the session."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    # As ``session.get``: a user the session already holds costs no query.
    user = db.session.identity_map.get(identity_key(User, int(user_id)))
    if user is None:
        user = db.session.execute(_USER_WITH_ROLES, {"user_id": int(user_id)}).unique().scalar_one_or_none()
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def init_app(app: Flask) -> None:
    """Bind Flask-Login."""
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
