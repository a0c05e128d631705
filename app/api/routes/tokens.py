"""The account page where a person makes, lists and revokes their own personal access tokens."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.accounts.services.errors import ServiceError
from app.api import tokens
from app.api.forms import SCOPE_LABELS, TokenForm
from app.api.models import ApiToken
from app.core.extensions import db

blueprint = Blueprint(
    "api_tokens",
    __name__,
    url_prefix="/compte/jetons",
    template_folder=str(Path(__file__).resolve().parent.parent / "templates"),
)


def _page(form: TokenForm, secret: str | None = None, status: int = 200) -> tuple[str, int]:
    listed = tokens.tokens_of(current_user)
    return (
        render_template("api/tokens.html", form=form, tokens=listed, secret=secret, labels=SCOPE_LABELS),
        status,
    )


@blueprint.route("", methods=["GET", "POST"])
@login_required
def index() -> tuple[str, int]:
    """One's tokens, and the form that makes one (its secret is shown once, on the answer)."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400 if form.is_submitted() else 200)
    try:
        _token, secret = tokens.create_token(current_user, form.name.data, form.scopes.data, form.days.data)
    except ServiceError as error:
        form.name.errors = [*form.name.errors, error.message]
        db.session.rollback()
        return _page(form, status=400)
    db.session.commit()
    return _page(TokenForm(formdata=None), secret=secret, status=201)


@blueprint.route("/<int:token_id>/revoquer", methods=["POST"])
@login_required
def revoke(token_id: int) -> Response:
    """Revoke one of one's tokens (someone else's is not found)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    tokens.revoke_token(current_user, token)
    db.session.commit()
    flash(_("The token is revoked."), "success")
    return redirect(url_for(".index"))
