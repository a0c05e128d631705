"""Companies (SMEs): list with search and Cybersite filter, create, edit, deactivate and reactivate."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.accounts import queries
from app.accounts.models import Company
from app.accounts.policy import Action, can
from app.accounts.services import organisations
from app.accounts.submitting import submit
from app.admin.forms import CompanyForm, id_choices
from app.admin.routes.base import act, actor, blueprint, done, page_number, require
from app.core.extensions import db


def _details(form: CompanyForm) -> organisations.CompanyDetails:
    return organisations.CompanyDetails(
        legal_name=form.legal_name.data,
        siret=form.siret.data,
        naf_code=form.naf_code.data,
        headcount=form.headcount.data,
        departement=form.departement.data,
        cybersite_id=form.cybersite_id.data,
    )


def _offer_cybersites(form: CompanyForm, company: Company | None) -> None:
    sites = list(db.session.scalars(queries.manageable_cybersites(actor())))
    if company is not None and all(s.id != company.cybersite_id for s in sites):
        sites.insert(0, company.cybersite)  # its current home, even if the user could not add to it
    form.cybersite_id.choices = id_choices((s.id, s.name) for s in sites)


@blueprint.route("/entreprises")
def companies() -> str:
    """The companies the user may see, searched by name or SIRET and filtered by Cybersite."""
    user = actor()
    search = (request.args.get("q") or "").strip()[:200]
    site_id = request.args.get("cybersite", type=int)
    return render_template(
        "admin/companies.html",
        page=queries.page(queries.visible_companies(user, search, site_id), page_number()),
        cybersites=list(db.session.scalars(queries.visible_cybersites(user))),
        search=search,
        site_id=site_id,
        may_create=queries.exists(queries.manageable_cybersites(user)),
        params={"q": search or None, "cybersite": site_id},
    )


@blueprint.route("/entreprises/nouvelle", methods=["GET", "POST"])
def create_company() -> str | Response | tuple[str, int]:
    """Register a company with a Cybersite the user manages."""
    if not queries.exists(queries.manageable_cybersites(actor())):
        require(Action.CREATE_COMPANY, None)
    form = CompanyForm(cybersite_id=request.args.get("cybersite", type=int))
    _offer_cybersites(form, None)
    if form.validate_on_submit():
        ok, company = submit(form, lambda: organisations.create_company(actor(), _details(form)))
        if ok and company is not None:
            return done(_("The company “%(name)s” is created.", name=company.legal_name), ".companies")
    status = 400 if form.is_submitted() else 200
    return render_template("admin/company_form.html", form=form, company=None), status


@blueprint.route("/entreprises/<int:company_id>/modifier", methods=["GET", "POST"])
def edit_company(company_id: int) -> str | Response | tuple[str, int]:
    """Change a company's details or its Cybersite."""
    company = db.get_or_404(Company, company_id)
    require(Action.EDIT_COMPANY, company)
    form = CompanyForm(obj=company)
    _offer_cybersites(form, company)
    if form.validate_on_submit():
        ok, _result = submit(form, lambda: organisations.update_company(actor(), company, _details(form)))
        if ok:
            return done(_("The company “%(name)s” is saved.", name=company.legal_name), ".companies")
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/company_form.html",
        form=form,
        company=company,
        may_deactivate=can(actor(), Action.DEACTIVATE_COMPANY, company),
    ), status


@blueprint.route("/entreprises/<int:company_id>/desactiver", methods=["POST"])
def deactivate_company(company_id: int) -> Response:
    """Deactivate a company."""
    company = db.get_or_404(Company, company_id)
    require(Action.DEACTIVATE_COMPANY, company)
    act(
        lambda: organisations.deactivate_company(actor(), company),
        _("The company “%(name)s” is deactivated.", name=company.legal_name),
    )
    return redirect(url_for(".companies"))


@blueprint.route("/entreprises/<int:company_id>/reactiver", methods=["POST"])
def reactivate_company(company_id: int) -> Response:
    """Reactivate a company."""
    company = db.get_or_404(Company, company_id)
    require(Action.DEACTIVATE_COMPANY, company)
    act(
        lambda: organisations.reactivate_company(actor(), company),
        _("The company “%(name)s” is active again.", name=company.legal_name),
    )
    return redirect(url_for(".companies"))
