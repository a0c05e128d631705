"""Cybersites and companies the token's user may see (``Action.VIEW_CYBERSITE``, ``VIEW_COMPANY``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.accounts.models import Company, Cybersite, User
from app.accounts.policy import Action, can
from app.api import queries, schemas
from app.api.framework import not_found, operation
from app.api.pagination import paginate
from app.api.routes import blueprint
from app.api.scopes import Resource
from app.core.extensions import db


def _filters(args: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in args.items() if k not in ("limit", "cursor")}


@blueprint.get("/cybersites")
@operation(
    "List the Cybersites you may see",
    Resource.ORGANISATIONS,
    tag="cybersites",
    query=schemas.CybersiteQuery,
    response=schemas.page_of(schemas.Cybersite),
)
def list_cybersites(user: User, args: dict[str, Any]) -> dict[str, Any]:
    """Cybersites, by id, filtered by département or active state."""
    query = select(Cybersite).where(queries.cybersites(user))
    if "departement" in args:
        query = query.where(Cybersite.departement == args["departement"])
    if "active" in args:
        query = query.where(Cybersite.active.is_(args["active"]))
    page = paginate(
        db.session,
        query,
        key=Cybersite.id,
        endpoint="cybersites",
        filters=_filters(args),
        limit=args["limit"],
        cursor=args["cursor"],
        entities=True,
    )
    return {"items": schemas.dump_rows(schemas.Cybersite, page.rows), "next_cursor": page.next_cursor}


@blueprint.get("/cybersites/<int:cybersite_id>")
@operation("Read one Cybersite", Resource.ORGANISATIONS, tag="cybersites", response=schemas.Cybersite)
def get_cybersite(user: User, cybersite_id: int) -> dict[str, Any]:
    """One Cybersite you may see."""
    site = db.session.get(Cybersite, cybersite_id)
    if site is None or not can(user, Action.VIEW_CYBERSITE, site):
        raise not_found()
    return schemas.Cybersite().dump(site)


@blueprint.get("/companies")
@operation(
    "List the companies you may see",
    Resource.ORGANISATIONS,
    tag="companies",
    query=schemas.CompanyQuery,
    response=schemas.page_of(schemas.Company),
)
def list_companies(user: User, args: dict[str, Any]) -> dict[str, Any]:
    """Companies, by id, filtered by Cybersite, département or active state."""
    query = select(Company).where(queries.companies(user))
    if "cybersite_id" in args:
        query = query.where(Company.cybersite_id == args["cybersite_id"])
    if "departement" in args:
        query = query.where(Company.departement == args["departement"])
    if "active" in args:
        query = query.where(Company.active.is_(args["active"]))
    page = paginate(
        db.session,
        query,
        key=Company.id,
        endpoint="companies",
        filters=_filters(args),
        limit=args["limit"],
        cursor=args["cursor"],
        entities=True,
    )
    return {"items": schemas.dump_rows(schemas.Company, page.rows), "next_cursor": page.next_cursor}


@blueprint.get("/companies/<int:company_id>")
@operation("Read one company", Resource.ORGANISATIONS, tag="companies", response=schemas.Company)
def get_company(user: User, company_id: int) -> dict[str, Any]:
    """One company you may see."""
    company = db.session.get(Company, company_id)
    if company is None or not can(user, Action.VIEW_COMPANY, company):
        raise not_found()
    return schemas.Company().dump(company)
