"""Administration pages, each guarded by the access policy."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.accounts.policy import Action, can
from app.core import navigation

blueprint = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@blueprint.route("/")
@login_required
def index() -> str:
    """The administration home: what the user may manage."""
    if not can(current_user, Action.VIEW_ADMIN):
        abort(403)
    return render_template("admin/index.html")


@blueprint.record_once
def _navigation(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    navigation.register(
        app,
        navigation.NavEntry(
            _l("Administration"), "admin.index", lambda user: can(user, Action.VIEW_ADMIN), order=90
        ),
    )
