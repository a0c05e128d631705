"""Cybersites: list, create, edit, deactivate and reactivate."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.accounts import queries
from app.accounts.models import Cybersite
from app.accounts.policy import Action, can
from app.accounts.services import organisations
from app.accounts.submitting import submit
from app.admin.forms import CybersiteForm
from app.admin.routes.base import act, actor, blueprint, done, page_number, require
from app.core.extensions import db


def _details(form: CybersiteForm) -> organisations.CybersiteDetails:
    return organisations.CybersiteDetails(
        name=form.name.data, town=form.town.data, departement=form.departement.data
    )


@blueprint.route("/cybersites")
def cybersites() -> str:
    """The Cybersites the user may see."""
    user = actor()
    return render_template(
        "admin/cybersites.html",
        page=queries.page(queries.visible_cybersites(user), page_number()),
        may_create=can(user, Action.CREATE_CYBERSITE),
    )


@blueprint.route("/cybersites/nouveau", methods=["GET", "POST"])
def create_cybersite() -> str | Response | tuple[str, int]:
    """Open a new Cybersite."""
    require(Action.CREATE_CYBERSITE)
    form = CybersiteForm()
    if form.validate_on_submit():
        ok, site = submit(form, lambda: organisations.create_cybersite(actor(), _details(form)))
        if ok and site is not None:
            return done(_("The Cybersite “%(name)s” is created.", name=site.name), ".cybersites")
    status = 400 if form.is_submitted() else 200
    return render_template("admin/cybersite_form.html", form=form, site=None), status


@blueprint.route("/cybersites/<int:site_id>/modifier", methods=["GET", "POST"])
def edit_cybersite(site_id: int) -> str | Response | tuple[str, int]:
    """Change a Cybersite's name and place."""
    site = db.get_or_404(Cybersite, site_id)
    require(Action.EDIT_CYBERSITE, site)
    form = CybersiteForm(obj=site)
    if form.validate_on_submit():
        ok, _result = submit(form, lambda: organisations.update_cybersite(actor(), site, _details(form)))
        if ok:
            return done(_("The Cybersite “%(name)s” is saved.", name=site.name), ".cybersites")
    status = 400 if form.is_submitted() else 200
    return render_template("admin/cybersite_form.html", form=form, site=site), status


@blueprint.route("/cybersites/<int:site_id>/desactiver", methods=["POST"])
def deactivate_cybersite(site_id: int) -> Response:
    """Deactivate a Cybersite."""
    site = db.get_or_404(Cybersite, site_id)
    require(Action.DEACTIVATE_CYBERSITE, site)
    act(
        lambda: organisations.deactivate_cybersite(actor(), site),
        _("The Cybersite “%(name)s” is deactivated.", name=site.name),
    )
    return redirect(url_for(".cybersites"))


@blueprint.route("/cybersites/<int:site_id>/reactiver", methods=["POST"])
def reactivate_cybersite(site_id: int) -> Response:
    """Reactivate a Cybersite."""
    site = db.get_or_404(Cybersite, site_id)
    require(Action.DEACTIVATE_CYBERSITE, site)
    act(
        lambda: organisations.reactivate_cybersite(actor(), site),
        _("The Cybersite “%(name)s” is active again.", name=site.name),
    )
    return redirect(url_for(".cybersites"))
