"""Accounts managed by administrators: create (mailing a "choose your password" link), edit, (re)activate."""

from __future__ import annotations

import secrets

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.policy import Action, can
from app.accounts.services import credentials
from app.accounts.services.errors import Forbidden, ServiceError
from app.accounts.validators import normalise_email
from app.core import mail
from app.core.config import LANGUAGES
from app.core.extensions import db


def _address(raw: str, user: User | None) -> str:
    """The normalised address, refused when it is malformed or another account already has it."""
    try:
        email = normalise_email(raw)
    except ValueError as error:
        raise ServiceError(_("Enter a valid e-mail address."), field="email") from error
    clash = db.session.scalar(select(User.id).where(User.email == email))
    if clash is not None and (user is None or clash != user.id):
        raise ServiceError(_("An account already exists for this e-mail address."), field="email")
    return email


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ServiceError(_("Choose French or English."), field="language")


def create_user(actor: User, email: str, display_name: str, language: str = "fr") -> User:
    """Create an account without a password and e-mail its holder a link to choose one."""
    if not can(actor, Action.CREATE_USER):
        raise Forbidden(_("You may not create accounts."))
    _check_language(language)
    user = User(email=_address(email, None), display_name=display_name.strip(), language=language)
    db.session.add(user)
    db.session.flush()
    url, minutes = credentials.reset_link(user)
    with force_locale(user.language):
        mail.queue(
            user.email,
            _("Your Cybermassif account"),
            _(
                "%(actor)s created a Cybermassif account for you.\n\n"
                "To choose your password, open this link (valid %(minutes)d minutes, once):\n%(url)s\n\n"
                "If it has expired, ask for a new one here: %(renew)s",
                actor=actor.display_name,
                minutes=minutes,
                url=url,
                renew=url_for("accounts.reset_request", _external=True),
            ),
        )
    return user


def update_user(actor: User, user: User, email: str, display_name: str, language: str) -> None:
    """Change someone's name, e-mail address or language."""
    if not can(actor, Action.EDIT_USER, user):
        raise Forbidden(_("You may not change this account."))
    _check_language(language)
    user.email = _address(email, user)
    user.display_name = display_name.strip()
    user.language = language
    db.session.flush()


def deactivate_user(actor: User, user: User) -> None:
    """Close an account: it can no longer sign in, and its open sessions end at their next request."""
    if not can(actor, Action.DEACTIVATE_USER, user):
        raise Forbidden(_("You may not deactivate this account."))
    if not user.active:
        raise ServiceError(_("This account is already inactive."))
    user.active = False
    user.session_token = secrets.token_hex(16)
    db.session.flush()


def reactivate_user(actor: User, user: User) -> None:
    """Open a deactivated account again (its holder signs in anew)."""
    if not can(actor, Action.DEACTIVATE_USER, user):
        raise Forbidden(_("You may not reactivate this account."))
    if user.active:
        raise ServiceError(_("This account is already active."))
    user.active = True
    db.session.flush()
