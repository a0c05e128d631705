"""Read-only lists of people and organisations, limited in SQL to what a user may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import Company, Cybersite, Invitation, Role, RoleGrant, User
from app.accounts.policy import (
    is_admin,
    managed_company_ids,
    managed_cybersite_ids,
    member_company_ids,
    trained_cybersite_ids,
)
from app.core.extensions import db

PER_PAGE = 50


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its own wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def visible_cybersites(user: User) -> Select[tuple[Cybersite]]:
    """Cybersites the user may see: all for administrators, else those they manage or train at."""
    query = select(Cybersite).order_by(Cybersite.name)
    if is_admin(user):
        return query
    return query.where(Cybersite.id.in_(managed_cybersite_ids(user) | trained_cybersite_ids(user)))


def visible_companies(
    user: User, search: str | None = None, cybersite_id: int | None = None
) -> Select[tuple[Company]]:
    """Companies the user may see (with their Cybersite), optionally by name/SIRET and Cybersite."""
    query = select(Company).options(joinedload(Company.cybersite)).order_by(Company.legal_name, Company.id)
    if not is_admin(user):
        sites = managed_cybersite_ids(user) | trained_cybersite_ids(user)
        query = query.where(or_(Company.id.in_(member_company_ids(user)), Company.cybersite_id.in_(sites)))
    if search and search.strip():
        text = search.strip()
        digits = text.replace(" ", "")
        query = query.where(
            or_(
                Company.legal_name.ilike(_like(text), escape="\\"),
                Company.siret.like(_like(digits), escape="\\"),
            )
        )
    if cybersite_id is not None:
        query = query.where(Company.cybersite_id == cybersite_id)
    return query


def visible_users(user: User, search: str | None = None) -> Select[tuple[User]]:
    """People the user may see: themselves and whoever holds a role in what they manage."""
    query = select(User).order_by(User.display_name, User.id)
    if not is_admin(user):
        sites = managed_cybersite_ids(user)
        in_scope = (
            select(RoleGrant.user_id)
            .outerjoin(Company, RoleGrant.company_id == Company.id)
            .where(
                or_(
                    RoleGrant.company_id.in_(managed_company_ids(user)),
                    RoleGrant.cybersite_id.in_(sites),
                    Company.cybersite_id.in_(sites),
                )
            )
        )
        query = query.where(or_(User.id == user.id, User.id.in_(in_scope)))
    if search and search.strip():
        pattern = _like(search.strip())
        query = query.where(
            or_(User.display_name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\"))
        )
    return query


def pending_invitations(user: User) -> Select[tuple[Invitation]]:
    """Pending invitations the user may withdraw, newest first."""
    query = (
        select(Invitation)
        .options(selectinload(Invitation.invited_by))
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    if is_admin(user):
        return query
    sites = managed_cybersite_ids(user)
    return query.where(
        or_(
            Invitation.cybersite_id.in_(sites),
            Invitation.company_id.in_(select(Company.id).where(Company.cybersite_id.in_(sites))),
            and_(
                Invitation.role.in_((Role.LEARNER, Role.COMPANY_MANAGER)),
                Invitation.company_id.in_(managed_company_ids(user)),
            ),
        )
    )


def assignable_companies(user: User) -> Select[tuple[Company]]:
    """Active companies where the user may give roles (with their Cybersite)."""
    query = (
        select(Company)
        .options(joinedload(Company.cybersite))
        .where(Company.active.is_(True))
        .order_by(Company.legal_name, Company.id)
    )
    if is_admin(user):
        return query
    return query.where(
        or_(
            Company.cybersite_id.in_(managed_cybersite_ids(user)),
            Company.id.in_(managed_company_ids(user)),
        )
    )


def manageable_cybersites(user: User) -> Select[tuple[Cybersite]]:
    """Active Cybersites where the user may add companies and give Cybersite roles."""
    query = select(Cybersite).where(Cybersite.active.is_(True)).order_by(Cybersite.name)
    if is_admin(user):
        return query
    return query.where(Cybersite.id.in_(managed_cybersite_ids(user)))


def assignable_roles(user: User) -> list[Role]:
    """Roles the user may give to someone, in the order they are offered."""
    if is_admin(user):
        return list(Role)
    if managed_cybersite_ids(user):
        return [r for r in Role if r != Role.NETWORK_ADMIN]
    if managed_company_ids(user):
        return [Role.LEARNER, Role.COMPANY_MANAGER]
    return []


def exists(query: Select[Any]) -> bool:
    """Whether a query has at least one row."""
    return db.session.scalar(select(query.limit(1).exists())) or False


def page(query: Select[Any], number: int) -> Any:
    """One page of ``PER_PAGE`` rows (a Flask-SQLAlchemy pagination; out-of-range pages are empty)."""
    return db.paginate(query, page=max(number, 1), per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
