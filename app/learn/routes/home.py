"""The home page: a welcome for visitors, and what each role can do next for signed-in users."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.learn.routes.base import blueprint


@blueprint.route("/")
def home() -> str:
    """The French-first home page."""
    roles = (
        sorted({grant.role.value for grant in current_user.roles}) if current_user.is_authenticated else []
    )
    return render_template("learn/home.html", roles=roles)
