"""Training requests (blueprint ``vista_training``): the one-click request of a dimension card of the
VISTA report, and the Cybersite manager's "handled". Both POST forms (CSRF-checked); routes parse, call
``app.vista.training_requests`` and commit once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Company
from app.accounts.policy import Action, can
from app.core.database import get_row, is_row_id
from app.core.extensions import db
from app.vista import training_requests
from app.vista.services import Refused

blueprint = Blueprint(
    "vista_training", __name__, template_folder=str(Path(__file__).resolve().parent / "templates")
)


@blueprint.route("/vista/entreprises/<int:company_id>/formations/<int:course_id>/demande", methods=["POST"])
def request_training(company_id: int, course_id: int) -> Any:
    """Ask the company's Cybersite to enrol its staff in a course the report recommends."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    company = get_row(db.session, Company, company_id)
    if company is None or not can(current_user, Action.READ_VISTA_REPORT, company):
        abort(404)
    dimension = (request.form.get("dimension") or "")[:8]
    try:
        if not is_row_id(course_id):
            raise Refused(_("This course is not one of the catalogue’s courses for this dimension."), 404)
        done = training_requests.request_training(db.session, current_user, company, course_id, dimension)
    except Refused as refused:
        db.session.rollback()
        return render_template("vista/message.html", company=company, message=refused.message), refused.status
    db.session.commit()
    if done.opened:
        flash(_("Your request has been sent to your Cybersite, which will enrol your staff."), "success")
    else:
        flash(_("This training has already been requested: your Cybersite has the request."), "info")
    return redirect(url_for("vista_report.report", company_id=company.id, _anchor=f"dimension-{dimension}"))


@blueprint.route("/vista/demandes/<int:request_id>/traitee", methods=["POST"])
def handle(request_id: int) -> Any:
    """Close a training request of the Cybersite's companies."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if not is_row_id(request_id):
        abort(404)
    try:
        found = training_requests.handle(db.session, current_user, request_id)
    except Refused:
        db.session.rollback()
        abort(404)
    site_id = found.company.cybersite_id
    db.session.commit()
    flash(_("The request is marked as handled."), "success")
    return redirect(url_for("vista_network.cybersite", site_id=site_id, _anchor="requests"))
