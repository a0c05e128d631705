"""Creating, changing, deactivating and reactivating Cybersites and companies (SMEs)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts import departements, identifiers
from app.accounts.models import MAX_SME_HEADCOUNT, Company, Cybersite, User
from app.accounts.policy import Action, can
from app.accounts.services.errors import Forbidden, ServiceError
from app.core.extensions import db


@dataclass(frozen=True)
class CybersiteDetails:
    """What an administrator types about a Cybersite."""

    name: str
    town: str
    departement: str


@dataclass(frozen=True)
class CompanyDetails:
    """What a manager types about a company; identifiers already normalised by the form."""

    legal_name: str
    siret: str
    naf_code: str
    headcount: int
    departement: str
    cybersite_id: int


def _check_departement(code: str) -> None:
    if code not in departements.BY_CODE:
        raise ServiceError(_("Choose a département from the list."), field="departement")


def _check_cybersite_name(details: CybersiteDetails, site: Cybersite | None) -> None:
    _check_departement(details.departement)
    clash = db.session.scalar(
        select(Cybersite.id).where(func.lower(Cybersite.name) == details.name.strip().lower())
    )
    if clash is not None and (site is None or clash != site.id):
        raise ServiceError(_("A Cybersite with this name already exists."), field="name")


def _apply_cybersite(site: Cybersite, details: CybersiteDetails) -> None:
    site.name = details.name.strip()
    site.town = details.town.strip()
    site.departement = details.departement


def create_cybersite(actor: User, details: CybersiteDetails) -> Cybersite:
    """Open a new Cybersite (network administrators only)."""
    if not can(actor, Action.CREATE_CYBERSITE):
        raise Forbidden(_("You may not create a Cybersite."))
    _check_cybersite_name(details, None)
    site = Cybersite()
    _apply_cybersite(site, details)
    db.session.add(site)
    db.session.flush()
    return site


def update_cybersite(actor: User, site: Cybersite, details: CybersiteDetails) -> None:
    """Change a Cybersite's name, town or département."""
    if not can(actor, Action.EDIT_CYBERSITE, site):
        raise Forbidden(_("You may not change this Cybersite."))
    _check_cybersite_name(details, site)
    _apply_cybersite(site, details)
    db.session.flush()


def _set_cybersite_active(actor: User, site: Cybersite, active: bool) -> None:
    if not can(actor, Action.DEACTIVATE_CYBERSITE, site):
        raise Forbidden(_("You may not deactivate or reactivate this Cybersite."))
    if site.active == active:
        raise ServiceError(
            _("This Cybersite is already active.") if active else _("This Cybersite is already inactive.")
        )
    site.active = active
    db.session.flush()


def deactivate_cybersite(actor: User, site: Cybersite) -> None:
    """Close a Cybersite: no new companies join it; its data stays."""
    _set_cybersite_active(actor, site, False)


def reactivate_cybersite(actor: User, site: Cybersite) -> None:
    """Open a deactivated Cybersite again."""
    _set_cybersite_active(actor, site, True)


def _home(details: CompanyDetails) -> Cybersite:
    site = db.session.get(Cybersite, details.cybersite_id)
    if site is None:
        raise ServiceError(_("This Cybersite does not exist."), field="cybersite_id")
    return site


def _check_company(details: CompanyDetails, company: Company | None) -> None:
    """Refuse values a form would refuse too, and a SIRET number another company already has."""
    if not identifiers.siret_valid(details.siret):
        raise ServiceError(_("This SIRET number is not valid."), field="siret")
    if not identifiers.naf_valid(details.naf_code):
        raise ServiceError(_("This NAF/APE code is not valid."), field="naf_code")
    if not 0 <= details.headcount <= MAX_SME_HEADCOUNT:
        raise ServiceError(_("An SME has between 0 and 249 staff."), field="headcount")
    _check_departement(details.departement)
    clash = db.session.scalar(select(Company.id).where(Company.siret == details.siret))
    if clash is not None and (company is None or clash != company.id):
        raise ServiceError(_("A company with this SIRET number already exists."), field="siret")


def _apply_company(company: Company, details: CompanyDetails) -> None:
    company.legal_name = details.legal_name.strip()
    company.siret = details.siret
    company.naf_code = details.naf_code
    company.headcount = details.headcount
    company.departement = details.departement
    company.cybersite_id = details.cybersite_id


def create_company(actor: User, details: CompanyDetails) -> Company:
    """Register a company with the Cybersite that follows it."""
    site = _home(details)
    if not can(actor, Action.CREATE_COMPANY, site):
        raise Forbidden(_("You may not add a company to this Cybersite."), field="cybersite_id")
    if not site.active:
        raise ServiceError(_("This Cybersite is deactivated."), field="cybersite_id")
    _check_company(details, None)
    company = Company()
    _apply_company(company, details)
    db.session.add(company)
    db.session.flush()
    return company


def update_company(actor: User, company: Company, details: CompanyDetails) -> None:
    """Change a company; moving it to another Cybersite needs the right to add companies there."""
    if not can(actor, Action.EDIT_COMPANY, company):
        raise Forbidden(_("You may not change this company."))
    site = _home(details)
    if site.id != company.cybersite_id:
        if not can(actor, Action.CREATE_COMPANY, site):
            raise Forbidden(_("You may not move this company to that Cybersite."), field="cybersite_id")
        if not site.active:
            raise ServiceError(_("This Cybersite is deactivated."), field="cybersite_id")
    _check_company(details, company)
    _apply_company(company, details)
    db.session.flush()


def _set_company_active(actor: User, company: Company, active: bool) -> None:
    if not can(actor, Action.DEACTIVATE_COMPANY, company):
        raise Forbidden(_("You may not deactivate or reactivate this company."))
    if company.active == active:
        raise ServiceError(
            _("This company is already active.") if active else _("This company is already inactive.")
        )
    company.active = active
    db.session.flush()


def deactivate_company(actor: User, company: Company) -> None:
    """Mark a company as no longer followed; its people and records stay."""
    _set_company_active(actor, company, False)


def reactivate_company(actor: User, company: Company) -> None:
    """Follow a deactivated company again."""
    _set_company_active(actor, company, True)
