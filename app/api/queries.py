"""What each list of the API may show a user, as SQL conditions that say what ``can`` says row by row.

``app.accounts.policy`` decides on one object; a list filters in its own statement. Each condition here
is the policy's rule for that object written in SQL (the tests compare both on every row).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select, true

from app.accounts.models import Company, Cybersite, RoleGrant, User
from app.accounts.policy import (
    is_admin,
    managed_company_ids,
    managed_cybersite_ids,
    member_company_ids,
    trained_cybersite_ids,
)
from app.cohorts.models import Cohort, CohortCompany
from app.courses.models import Course


def people(user: User, user_id: Any) -> ColumnElement[bool]:
    """``Action.VIEW_USER``: oneself, the staff of the companies one manages, and everyone with a role
    in (or in a company of) a Cybersite one manages."""
    if is_admin(user):
        return true()
    sites = sorted(managed_cybersite_ids(user))
    companies = sorted(managed_company_ids(user))
    grants = select(RoleGrant.user_id).outerjoin(Company, Company.id == RoleGrant.company_id)
    return or_(
        user_id == user.id,
        user_id.in_(grants.where(RoleGrant.company_id.in_(companies))),
        user_id.in_(grants.where(or_(RoleGrant.cybersite_id.in_(sites), Company.cybersite_id.in_(sites)))),
    )


def companies(user: User) -> ColumnElement[bool]:
    """``Action.VIEW_COMPANY``: the companies one works for, and those of the Cybersites one manages or
    trains at."""
    if is_admin(user):
        return true()
    sites = sorted(managed_cybersite_ids(user) | trained_cybersite_ids(user))
    return or_(Company.id.in_(sorted(member_company_ids(user))), Company.cybersite_id.in_(sites))


def cybersites(user: User) -> ColumnElement[bool]:
    """``Action.VIEW_CYBERSITE``: the Cybersites one manages or trains at."""
    if is_admin(user):
        return true()
    return Cybersite.id.in_(sorted(managed_cybersite_ids(user) | trained_cybersite_ids(user)))


def cohorts(user: User) -> ColumnElement[bool]:
    """``Action.VIEW_COHORT``: the cohorts of the Cybersites one manages, and those accepting a company
    one manages."""
    if is_admin(user):
        return true()
    return or_(
        Cohort.cybersite_id.in_(sorted(managed_cybersite_ids(user))),
        exists().where(
            CohortCompany.cohort_id == Cohort.id,
            CohortCompany.company_id.in_(sorted(managed_company_ids(user))),
        ),
    )


def courses(user: User) -> ColumnElement[bool]:
    """The catalogue: published courses for everyone; course staff (trainers, administrators) see
    drafts too, as they open every course (``Action.STAFF_COURSES``)."""
    if is_admin(user) or trained_cybersite_ids(user):
        return true()
    return Course.published_tree_id.is_not(None)
