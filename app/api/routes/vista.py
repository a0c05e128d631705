"""A company's VISTA report, the same document as the report page's JSON (``Action.READ_VISTA_REPORT``)."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale

from app.accounts.models import Company, User
from app.accounts.policy import Action, can
from app.api import schemas
from app.api.framework import not_found, operation
from app.api.routes import blueprint
from app.api.scopes import Resource
from app.core.extensions import db
from app.vista import report_document


@blueprint.get("/vista/companies/<int:company_id>/report")
@operation("A company's VISTA report", Resource.VISTA, tag="vista", response=schemas.VistaReport)
def vista_report(user: User, company_id: int) -> dict[str, Any]:
    """Scores per dimension and lens, and the peer standing when the peer group is large enough."""
    company = db.session.get(Company, company_id)
    if company is None or not can(user, Action.READ_VISTA_REPORT, company):
        raise not_found()
    report = report_document.document(db.session, company, str(get_locale() or "fr"))
    return {"company_id": company.id, "report": report}
