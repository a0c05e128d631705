"""People: the accounts the token's user may see (``Action.VIEW_USER``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from app.accounts.models import Company, RoleGrant, User
from app.accounts.policy import Action, can
from app.api import queries, schemas
from app.api.framework import not_found, operation
from app.api.pagination import paginate
from app.api.routes import blueprint
from app.api.scopes import Resource
from app.core.extensions import db


@blueprint.get("/people")
@operation(
    "List the people you may see",
    Resource.PEOPLE,
    query=schemas.PeopleQuery,
    response=schemas.page_of(schemas.Person),
)
def list_people(user: User, args: dict[str, Any]) -> dict[str, Any]:
    """People, by id, filtered by company, Cybersite or active state."""
    query = select(User).where(queries.people(user, User.id))
    if "company_id" in args:
        query = query.where(
            User.id.in_(select(RoleGrant.user_id).where(RoleGrant.company_id == args["company_id"]))
        )
    if "cybersite_id" in args:
        site = args["cybersite_id"]
        grants = select(RoleGrant.user_id).outerjoin(Company, Company.id == RoleGrant.company_id)
        query = query.where(
            User.id.in_(grants.where(or_(RoleGrant.cybersite_id == site, Company.cybersite_id == site)))
        )
    if "active" in args:
        query = query.where(User.active.is_(args["active"]))
    filters = {k: v for k, v in args.items() if k not in ("limit", "cursor")}
    page = paginate(
        db.session,
        query,
        key=User.id,
        endpoint="people",
        filters=filters,
        limit=args["limit"],
        cursor=args["cursor"],
        entities=True,
    )
    return {"items": schemas.dump_rows(schemas.Person, page.rows), "next_cursor": page.next_cursor}


@blueprint.get("/people/<int:user_id>")
@operation("Read one person", Resource.PEOPLE, response=schemas.Person)
def get_person(user: User, user_id: int) -> dict[str, Any]:
    """One person you may see."""
    other = db.session.get(User, user_id)
    if other is None or not can(user, Action.VIEW_USER, other):
        raise not_found()
    return schemas.Person().dump(other)
