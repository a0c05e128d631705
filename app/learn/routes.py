"""The home page: a welcome for visitors, and what each role can do next for signed-in users."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core import navigation

blueprint = Blueprint("learn", __name__, template_folder="templates")


@blueprint.route("/")
def home() -> str:
    """The French-first home page."""
    roles = (
        sorted({grant.role.value for grant in current_user.roles}) if current_user.is_authenticated else []
    )
    return render_template("learn/home.html", roles=roles)


@blueprint.record_once
def _navigation(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    navigation.register(app, navigation.NavEntry(_l("Home"), "learn.home", lambda user: True, order=0))
