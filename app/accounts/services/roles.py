"""Granting and revoking roles, always through the access policy."""

from __future__ import annotations

from flask_babel import gettext as _

from app.accounts.models import ROLE_SCOPE, Company, Cybersite, Invitation, Role, RoleGrant, Scope, User
from app.accounts.policy import Action, can
from app.accounts.services.errors import Forbidden, ServiceError
from app.core.extensions import db


def check_scope(role: Role, company_id: int | None, cybersite_id: int | None) -> None:
    """Refuse a scope that does not fit the role (a company for learners, a Cybersite for trainers…)."""
    scope = ROLE_SCOPE[role]
    if scope == Scope.COMPANY and (company_id is None or cybersite_id is not None):
        raise ServiceError(_("Choose the company this role is held in."), field="company_id")
    if scope == Scope.CYBERSITE and (cybersite_id is None or company_id is not None):
        raise ServiceError(_("Choose the Cybersite this role is held in."), field="cybersite_id")
    if scope == Scope.NETWORK and (company_id is not None or cybersite_id is not None):
        raise ServiceError(
            _("This role is held over the whole network, not a company or Cybersite."), field="role"
        )
    if company_id is not None and db.session.get(Company, company_id) is None:
        raise ServiceError(_("This company does not exist."), field="company_id")
    if cybersite_id is not None and db.session.get(Cybersite, cybersite_id) is None:
        raise ServiceError(_("This Cybersite does not exist."), field="cybersite_id")


def grant_role(
    actor: User, user: User, role: Role, *, company_id: int | None = None, cybersite_id: int | None = None
) -> RoleGrant:
    """Give ``user`` a role over a scope. Refused when the actor may not, or the user already holds it."""
    check_scope(role, company_id, cybersite_id)
    grant = RoleGrant(role=role, company_id=company_id, cybersite_id=cybersite_id, granted_by_id=actor.id)
    if not can(actor, Action.GRANT_ROLE, grant):
        raise Forbidden(_("You may not give this role here."), field="role")
    if any(
        g.role == role and g.company_id == company_id and g.cybersite_id == cybersite_id for g in user.roles
    ):
        raise ServiceError(_("This person already holds this role here."), field="role")
    user.roles.append(grant)
    db.session.flush()
    return grant


def revoke_role(actor: User, grant: RoleGrant) -> None:
    """Take a role back. Administrators cannot take their own administration role back."""
    if not can(actor, Action.REVOKE_ROLE, grant):
        raise Forbidden(_("You may not take this role back."))
    grant.user.roles.remove(grant)
    db.session.flush()


def scope_label(grant: RoleGrant | Invitation) -> str:
    """Where a role is held, for people: the company or Cybersite name, or the network."""
    if grant.company_id is not None:
        company = grant.company or db.session.get(Company, grant.company_id)
        return company.legal_name if company else ""
    if grant.cybersite_id is not None:
        site = grant.cybersite or db.session.get(Cybersite, grant.cybersite_id)
        return site.name if site else ""
    return _("whole network")
