"""Sign-in, sign-out, one's own profile and password, password reset and invitations."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from app.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    NewPasswordForm,
    ProfileForm,
    ResetRequestForm,
    SignInForm,
)
from app.accounts.models import User
from app.accounts.services import credentials, invitations
from app.accounts.services.errors import ServiceError
from app.accounts.services.roles import scope_label
from app.accounts.validators import normalise_email
from app.core.extensions import db, limiter

blueprint = Blueprint("accounts", __name__, url_prefix="/compte", template_folder="templates")


def _account_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"]


def _failed(response: Response) -> bool:
    # Only refused attempts count: a training room behind one address signs in many learners at once.
    return response.status_code >= 400


def _submitted_account() -> str:
    """The rate-limit key for the account being tried: its normalised address (whether or not it exists)."""
    raw = (request.form.get("email") or "")[:254]
    try:
        return "account:" + normalise_email(raw)
    except ValueError:
        return "account:" + raw.strip().lower()


def _start_session(user: User) -> None:
    """Sign ``user`` in on a renewed session: nothing from before carries over, not even the CSRF token.

    The new CSRF token is put in the session now, so that the cookie set by this response already holds
    it: otherwise the first pages would each add one and set the cookie again.
    """
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF's signed copy of the old token, kept for this request
    login_user(user)
    generate_csrf()


def _safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the home page (no open redirect).

    Browsers drop tabs and line breaks inside URLs and read a backslash as a slash, so a path such as
    slash-tab-slash-evil.example would leave the site: any control character or backslash is refused.
    """
    if (
        target
        and len(target) <= 2048
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(char) < 0x20 or ord(char) == 0x7F for char in target)
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("learn.home")


@blueprint.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_account_limit, key_func=_submitted_account, methods=["POST"], deduct_when=_failed)
def sign_in() -> str | Response | tuple[str, int]:
    """Sign in with e-mail and password; the session is renewed."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        user = credentials.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user)
            credentials.record_sign_in(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        form.form_errors.append(_("Wrong e-mail address or password."))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/sign_in.html", form=form), status


@blueprint.route("/deconnexion", methods=["POST"])
def sign_out() -> Response:
    """Sign out and clear the session."""
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("learn.home"))


@blueprint.route("/profil", methods=["GET", "POST"])
@login_required
def profile() -> str | Response | tuple[str, int]:
    """Change one's name and language."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.display_name = form.display_name.data.strip()
        current_user.language = form.language.data
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for(".profile"))
    return render_template("accounts/profile.html", form=form), 400 if form.is_submitted() else 200


def _signed_in_account() -> str:
    """The rate-limit key for guesses at the current password: the signed-in account."""
    return f"password-change:{current_user.id if current_user.is_authenticated else 'anonymous'}"


@blueprint.route("/mot-de-passe", methods=["GET", "POST"])
@login_required
@limiter.limit(_account_limit, key_func=_signed_in_account, methods=["POST"], deduct_when=_failed)
def change_password() -> str | Response | tuple[str, int]:
    """Change one's password (the current one is asked again); other sessions end."""
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        if credentials.authenticate(user.email, form.current_password.data) is None:
            form.current_password.errors.append(_("This is not your current password."))
        else:
            credentials.set_password(user, user, form.password.data)
            db.session.commit()
            # Keep this session (in a renewed cookie), which the token rotation would otherwise end.
            _start_session(user)
            flash(_("Your password is changed."), "success")
            return redirect(url_for(".profile"))
    return render_template("accounts/change_password.html", form=form), 400 if form.is_submitted() else 200


@blueprint.route("/mot-de-passe/oubli", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
def reset_request() -> str | Response | tuple[str, int]:
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = credentials.find_user_by_email(form.email.data)
        if user is not None:
            credentials.send_reset_link(user)
            db.session.commit()
        flash(_("If an account exists for this address, a reset link has been sent to it."), "success")
        return redirect(url_for(".sign_in"))
    return render_template("accounts/reset_request.html", form=form), 400 if form.is_submitted() else 200


@blueprint.route("/mot-de-passe/nouveau/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    """Choose a new password from a reset link (time-limited, works once)."""
    try:
        user = credentials.user_for_reset_token(token)
    except credentials.LinkInvalid as error:
        return _link_refused(error)
    form = NewPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        credentials.set_password(user, user, form.password.data)
        db.session.commit()
        flash(_("Your password is changed. You can sign in with it now."), "success")
        return redirect(url_for(".sign_in"))
    return render_template("accounts/reset_password.html", form=form), 400 if form.is_submitted() else 200


@blueprint.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> str | Response | tuple[str, int]:
    """Create one's account from an invitation link."""
    try:
        invitation = invitations.invitation_for_token(token)
    except credentials.LinkInvalid as error:
        return _link_refused(error)
    form = AcceptInvitationForm(language=invitation.language)
    form.account_email = invitation.email
    if form.validate_on_submit():
        try:
            user = invitations.accept(
                invitation, form.display_name.data.strip(), form.password.data, form.language.data
            )
        except ServiceError as error:
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            _start_session(user)
            flash(_("Welcome to Cybermassif! Your account is ready."), "success")
            return redirect(url_for("learn.home"))
    return render_template(
        "accounts/accept_invitation.html",
        form=form,
        invitation=invitation,
        role=invitations.role_label(invitation.role),
        scope=scope_label(invitation),
    ), 400 if form.is_submitted() else 200


def _link_refused(error: credentials.LinkInvalid) -> tuple[str, int]:
    message = (
        _("This link has expired. Please ask for a new one.")
        if error.expired
        else _("This link is not valid or has already been used.")
    )
    return render_template("error.html", code=410 if error.expired else 404, message=message), (
        410 if error.expired else 404
    )
