"""The home page: a welcome for visitors; for signed-in users, one section per role they hold, saying what
to do now (``app.learn.homepage``)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.accounts.labels import cybersite_place
from app.learn.homepage import home_page
from app.learn.routes.base import blueprint
from app.progress.routes.formatting import cell, moment
from app.progress.tables import Kind


@blueprint.route("/")
def home() -> str:
    """The French-first home page."""
    if not current_user.is_authenticated:
        return render_template("learn/home.html", page=None)
    return render_template(
        "learn/home.html",
        page=home_page(current_user._get_current_object()),
        cell=cell,
        moment=moment,
        Kind=Kind,
        cybersite_place=cybersite_place,
    )
