"""The VISTA report of a company: the page (``/vista/entreprises/<id>/rapport``) and the same data as JSON
(``/api/vista/companies/<id>/report``). Its managers, the managers of its Cybersite and the network's
administrators may read it (``Action.READ_VISTA_REPORT``); anyone else gets 404, as for an id that names
nothing. Read-only: nothing is written, nothing committed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.models import Company
from app.accounts.policy import Action, can
from app.core.database import get_row
from app.core.extensions import db
from app.vista import benchmarks, report_document, report_format, report_pdf, scoring
from app.vista import report as reports

blueprint = Blueprint(
    "vista_report", __name__, template_folder=str(Path(__file__).resolve().parent / "templates")
)

# Where a company answers VISTA (the answering pages' endpoint), when the application has it.
ANSWER_ENDPOINT = "vista.start"


def _company(company_id: int) -> Company:
    found = get_row(db.session, Company, company_id)
    if found is None or not can(current_user, Action.READ_VISTA_REPORT, found):
        abort(404)
    return found


def _answer_url(company_id: int) -> str | None:
    if ANSWER_ENDPOINT not in current_app.view_functions:
        return None
    return url_for(ANSWER_ENDPOINT, company_id=company_id)


@blueprint.route("/vista/entreprises/<int:company_id>/rapport")
def report(company_id: int) -> Any:
    """The company's report on its latest submitted wave (or a page saying there is none yet)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    company = _company(company_id)
    found = reports.build(db.session, company, str(get_locale() or "fr"))
    return render_template(
        "vista/report.html",
        report=found,
        standing=benchmarks.standing(db.session, found),
        answer_url=_answer_url(company.id),
        level_names=LEVEL_NAMES,
        may_request=can(current_user, Action.REQUEST_VISTA_TRAINING, company),
        **report_format.HELPERS,
    )


@blueprint.route("/vista/entreprises/<int:company_id>/rapport.pdf")
def report_pdf_download(company_id: int) -> Any:
    """The report as a PDF (404 until the company has submitted a wave: there is nothing to print)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    company = _company(company_id)
    found = reports.build(db.session, company, str(get_locale() or "fr"))
    if found.result is None:
        abort(404)
    names = {key: str(name) for key, name in LEVEL_NAMES.items()}
    body = report_pdf.pdf(found, benchmarks.standing(db.session, found), names)
    filename = f"vista-{company.id}-{found.latest.wave if found.latest else ''}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@blueprint.route("/api/vista/companies/<int:company_id>/report")
def report_json(company_id: int) -> Response:
    """The same report as JSON."""
    company = _company(company_id)
    return jsonify(report_document.document(db.session, company, str(get_locale() or "fr")))


LEVEL_NAMES = {
    scoring.Level.BASIC.value: _l("basic"),
    scoring.Level.AVERAGE.value: _l("average"),
    scoring.Level.MODERATELY_ADVANCED.value: _l("moderately advanced"),
    scoring.Level.ADVANCED.value: _l("advanced"),
}
