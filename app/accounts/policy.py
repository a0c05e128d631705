"""The one access policy: ``can(user, action, target)`` decides every permission of the platform.

Routes ask it before they act and list only what it allows; services assume the caller asked. Each role is
held over a scope: learners and company managers over a company, trainers and Cybersite managers over a
Cybersite, network administrators over the whole network. A Cybersite's scope includes its companies.

Anonymous and deactivated users may do nothing. A role held over a deactivated Cybersite or company gives
no power to act (its holders keep seeing what they are members of); the administrators reactivate it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, select, true

from app.accounts.models import ROLE_SCOPE, Company, Cybersite, Invitation, Role, RoleGrant, Scope, User
from app.core.extensions import db


class Action(enum.StrEnum):
    """What someone may try to do. The target each action takes is noted beside it."""

    ADMINISTER_NETWORK = "network.administer"  # None: network-wide pages (sent mail, block types…)
    VIEW_ADMIN = "admin.view"  # None: reach the administration pages at all
    CREATE_CYBERSITE = "cybersite.create"  # None
    VIEW_CYBERSITE = "cybersite.view"  # Cybersite
    EDIT_CYBERSITE = "cybersite.edit"  # Cybersite
    DEACTIVATE_CYBERSITE = "cybersite.deactivate"  # Cybersite
    CREATE_COMPANY = "company.create"  # Cybersite that will be its home
    VIEW_COMPANY = "company.view"  # Company
    EDIT_COMPANY = "company.edit"  # Company
    DEACTIVATE_COMPANY = "company.deactivate"  # Company
    CREATE_USER = "user.create"  # None
    VIEW_USER = "user.view"  # User
    EDIT_USER = "user.edit"  # User
    DEACTIVATE_USER = "user.deactivate"  # User
    GRANT_ROLE = "role.grant"  # RoleGrant (not yet saved)
    REVOKE_ROLE = "role.revoke"  # RoleGrant
    INVITE = "invitation.create"  # Invitation (not yet saved)
    REVOKE_INVITATION = "invitation.revoke"  # Invitation
    STAFF_COURSES = "course.staff"  # None: open every published course without enrolment
    EDIT_COURSE = "course.edit"  # Course: change its content, structure, settings and publish it
    ENROL = "course.enrol"  # Course: enrol oneself (open, published courses)
    CREATE_COHORT = "cohort.create"  # Cybersite that will run it
    VIEW_COHORT = "cohort.view"  # Cohort: its details and the members the viewer may see
    EDIT_COHORT = "cohort.edit"  # Cohort: details, courses, companies, any member, file import, moves
    ENROL_IN_COHORT = "cohort.enrol"  # CohortMember or CohortInvitation (saved or not): enrol or unenrol
    VIEW_COHORT_MEMBER = "cohort.member.view"  # CohortMember or CohortInvitation
    VIEW_LEARNER_PROGRESS = "progress.learner"  # User: their progress in every course, their certificates
    VIEW_COMPANY_PROGRESS = "progress.company"  # Company: its staff × courses table and its exports
    VIEW_CYBERSITE_PROGRESS = "progress.cybersite"  # Cybersite: its cohorts' figures and their exports
    VIEW_COHORT_PROGRESS = "progress.cohort"  # Cohort: its companies' and learners' figures
    VIEW_COURSE_PROGRESS = "progress.course"  # course audience: ``cybersite_ids`` whose cohorts follow it
    FOLLOW_LEARNER = "learner.follow"  # User: see and act on their course work as course staff (see below)
    READ_VISTA_REPORT = "vista.report"  # Company: its VISTA report (page and JSON)
    # Company: answer its VISTA self-assessment (its managers; app.vista adds the staff they delegate,
    # whose Delegation rows live in that package).
    ANSWER_VISTA = "vista.answer"
    DELEGATE_VISTA = "vista.delegate"  # Company: choose who of its staff may answer VISTA
    REQUEST_VISTA_TRAINING = "vista.training.request"  # Company: ask its Cybersite to enrol its staff
    HANDLE_VISTA_TRAINING = "vista.training.handle"  # Company: close the requests its managers made


def is_admin(user: User) -> bool:
    """Whether the user administers the network."""
    return any(g.role == Role.NETWORK_ADMIN for g in user.roles)


def _site_of(grant: RoleGrant) -> Cybersite | None:
    site = grant.cybersite
    if site is None and grant.cybersite_id is not None:
        site = db.session.get(Cybersite, grant.cybersite_id)
    return site


def _company_of(grant: RoleGrant | Invitation) -> Company | None:
    company = grant.company
    if company is None and grant.company_id is not None:
        company = db.session.get(Company, grant.company_id)
    return company


def _site_ids(user: User, role: Role) -> set[int]:
    """Active Cybersites over which the user holds ``role``."""
    return {
        g.cybersite_id
        for g in user.roles
        if g.role == role and g.cybersite_id is not None and (site := _site_of(g)) is not None and site.active
    }


def managed_cybersite_ids(user: User) -> set[int]:
    """Active Cybersites the user manages."""
    return _site_ids(user, Role.CYBERSITE_MANAGER)


def trained_cybersite_ids(user: User) -> set[int]:
    """Active Cybersites where the user trains."""
    return _site_ids(user, Role.TRAINER)


def managed_company_ids(user: User) -> set[int]:
    """Active companies the user manages."""
    return {
        g.company_id
        for g in user.roles
        if g.role == Role.COMPANY_MANAGER
        and g.company_id is not None
        and (company := _company_of(g)) is not None
        and company.active
    }


def member_company_ids(user: User) -> set[int]:
    """Companies the user works for (as learner or manager), active or not."""
    return {g.company_id for g in user.roles if g.company_id is not None}


def _scope_fits(grant: RoleGrant | Invitation) -> bool:
    """Whether the grant names exactly the kind of scope its role is held over."""
    scope = ROLE_SCOPE.get(grant.role)
    if scope == Scope.COMPANY:
        return grant.company_id is not None and grant.cybersite_id is None
    if scope == Scope.CYBERSITE:
        return grant.cybersite_id is not None and grant.company_id is None
    return scope == Scope.NETWORK and grant.company_id is None and grant.cybersite_id is None


def _grant_scope_cybersite_id(grant: RoleGrant | Invitation) -> int | None:
    if grant.cybersite_id is not None:
        return grant.cybersite_id
    company = _company_of(grant)
    return company.cybersite_id if company is not None else None


def _may_assign(user: User, grant: RoleGrant | Invitation) -> bool:
    """Who may give (or take back) a role over a scope, by invitation or directly.

    A Cybersite manager staffs their own site and its companies (every role but network administrator);
    a company manager gives only the company roles (learner, company manager) in the companies they manage.
    """
    if grant is None or grant.role == Role.NETWORK_ADMIN or not _scope_fits(grant):
        return False  # network administrators are named by administrators only, handled before
    site_id = _grant_scope_cybersite_id(grant)
    if site_id is not None and site_id in managed_cybersite_ids(user):
        return True  # a Cybersite manager staffs their site and its companies
    return grant.role in (Role.LEARNER, Role.COMPANY_MANAGER) and grant.company_id in managed_company_ids(
        user
    )


def _sees_user(user: User, other: User | None) -> bool:
    if other is None:
        return False
    if other.id == user.id:
        return True
    sites = managed_cybersite_ids(user)
    companies = managed_company_ids(user)
    for grant in other.roles:
        if grant.company_id is not None and grant.company_id in companies:
            return True
        if sites and _grant_scope_cybersite_id(grant) in sites:
            return True
    return False


def _sees_company(user: User, company: Company | None) -> bool:
    if company is None:
        return False
    return (
        company.id in member_company_ids(user)
        or company.cybersite_id in managed_cybersite_ids(user)
        or company.cybersite_id in trained_cybersite_ids(user)
    )


def _runs_cohort(user: User, cohort: Any) -> bool:
    """Whether the user manages the Cybersite that runs the cohort."""
    return cohort is not None and cohort.cybersite_id in managed_cybersite_ids(user)


def _accepted_company_ids(cohort: Any) -> set[int]:
    return {company.id for company in cohort.companies}


def _sees_cohort(user: User, cohort: Any) -> bool:
    """Its Cybersite's managers, and the managers of a company it accepts (who see their own staff)."""
    if cohort is None:
        return False
    if _runs_cohort(user, cohort):
        return True
    managed = managed_company_ids(user)
    return bool(managed) and bool(managed & _accepted_company_ids(cohort))


def _enrols_seat(user: User, seat: Any) -> bool:
    """Who enrols a person (a member or an invited seat) in a cohort, or takes them out of it.

    Its Cybersite's managers, for any company; a company manager, for their own company if the cohort
    accepts it. (The services check the rest: the person works for that company, capacity, dates.)
    """
    if seat is None or seat.cohort is None:
        return False
    if _runs_cohort(user, seat.cohort):
        return True
    return seat.company_id in managed_company_ids(user) and seat.company_id in _accepted_company_ids(
        seat.cohort
    )


def _sees_seat(user: User, seat: Any) -> bool:
    """A member sees themselves; managers see whom they may enrol."""
    if seat is None:
        return False
    return getattr(seat, "user_id", None) == user.id or _enrols_seat(user, seat)


@dataclass(frozen=True)
class Following:
    """Whose course work a person follows as course staff: everyone (``everyone``: administrators) or the
    people of the companies whose home is one of ``cybersite_ids`` (the Cybersites where they train), and
    what those Cybersites' cohorts hold.

    This is ``Action.FOLLOW_LEARNER`` in the form queries need: :meth:`people` and :meth:`sites` give SQL
    conditions, so that a page filters in its own statement what ``can`` would decide row by row. A
    Cybersite's cohorts accept only the companies it follows, so their learners are among its people.
    """

    everyone: bool
    cybersite_ids: frozenset[int]

    def covers_site(self, cybersite_id: int | None) -> bool:
        """Whether what belongs to this Cybersite (its companies, its cohorts) is followed."""
        return self.everyone or (cybersite_id is not None and cybersite_id in self.cybersite_ids)

    def people(self, user_id: Any) -> ColumnElement[bool]:
        """SQL: the person ``user_id`` (a column) is followed: they work for a company of the Cybersites."""
        if self.everyone:
            return true()
        if not self.cybersite_ids:
            return false()
        return user_id.in_(
            select(RoleGrant.user_id)
            .join(Company, Company.id == RoleGrant.company_id)
            .where(Company.cybersite_id.in_(sorted(self.cybersite_ids)))
        )

    def sites(self, cybersite_id: Any) -> ColumnElement[bool]:
        """SQL: ``cybersite_id`` (a column: a cohort's, a company's) is one of the followed Cybersites."""
        if self.everyone:
            return true()
        if not self.cybersite_ids:
            return false()
        return cybersite_id.in_(sorted(self.cybersite_ids))


NOBODY = Following(False, frozenset())


def following(user: User | Any) -> Following:
    """Whom ``user`` follows as course staff (nobody, for anyone who is not: learners, managers, visitors)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return NOBODY
    if is_admin(user):
        return Following(True, frozenset())
    return Following(False, frozenset(trained_cybersite_ids(user)))


def _follows_user(user: User, other: User | None) -> bool:
    if other is None:
        return False
    sites = following(user)
    return any(
        grant.company_id is not None and sites.covers_site(_grant_scope_cybersite_id(grant))
        for grant in other.roles
    )


_RULES: dict[Action, Callable[[User, Any], bool]] = {
    Action.ADMINISTER_NETWORK: lambda u, t: False,
    Action.VIEW_ADMIN: lambda u, t: bool(managed_cybersite_ids(u) or managed_company_ids(u)),
    Action.CREATE_CYBERSITE: lambda u, t: False,
    Action.VIEW_CYBERSITE: lambda u, t: (
        t is not None and t.id in managed_cybersite_ids(u) | trained_cybersite_ids(u)
    ),
    Action.EDIT_CYBERSITE: lambda u, t: t is not None and t.id in managed_cybersite_ids(u),
    Action.DEACTIVATE_CYBERSITE: lambda u, t: False,
    Action.CREATE_COMPANY: lambda u, t: t is not None and t.id in managed_cybersite_ids(u),
    Action.VIEW_COMPANY: _sees_company,
    Action.EDIT_COMPANY: lambda u, t: t is not None and t.cybersite_id in managed_cybersite_ids(u),
    Action.DEACTIVATE_COMPANY: lambda u, t: t is not None and t.cybersite_id in managed_cybersite_ids(u),
    Action.CREATE_USER: lambda u, t: False,
    Action.VIEW_USER: _sees_user,
    Action.EDIT_USER: lambda u, t: t is not None and t.id == u.id,
    Action.DEACTIVATE_USER: lambda u, t: False,
    Action.GRANT_ROLE: _may_assign,
    Action.REVOKE_ROLE: lambda u, t: t is not None and t.user_id != u.id and _may_assign(u, t),
    Action.INVITE: _may_assign,
    Action.REVOKE_INVITATION: _may_assign,
    # Trainers of an active Cybersite (and administrators) teach every course of the network.
    Action.STAFF_COURSES: lambda u, t: bool(trained_cybersite_ids(u)),
    # Authoring: today every trainer edits every course (as STAFF_COURSES); course teams narrow this.
    Action.EDIT_COURSE: lambda u, t: t is not None and bool(trained_cybersite_ids(u)),
    Action.ENROL: lambda u, t: (
        t is not None and bool(getattr(t, "open_enrolment", False)) and t.published_tree_id is not None
    ),
    Action.CREATE_COHORT: lambda u, t: t is not None and t.id in managed_cybersite_ids(u),
    Action.VIEW_COHORT: _sees_cohort,
    Action.EDIT_COHORT: _runs_cohort,
    Action.ENROL_IN_COHORT: _enrols_seat,
    Action.VIEW_COHORT_MEMBER: _sees_seat,
    # Learners see their own progress; their company's and Cybersite's managers see it too.
    Action.VIEW_LEARNER_PROGRESS: _sees_user,
    Action.VIEW_COMPANY_PROGRESS: lambda u, t: (
        t is not None and (t.id in managed_company_ids(u) or t.cybersite_id in managed_cybersite_ids(u))
    ),
    Action.VIEW_CYBERSITE_PROGRESS: lambda u, t: t is not None and t.id in managed_cybersite_ids(u),
    Action.VIEW_COHORT_PROGRESS: _runs_cohort,
    # Trainers (and managers) of a Cybersite whose cohorts follow the course.
    Action.VIEW_COURSE_PROGRESS: lambda u, t: (
        t is not None and bool(set(t.cybersite_ids) & (trained_cybersite_ids(u) | managed_cybersite_ids(u)))
    ),
    # Course staff act on the work of the learners they follow: the people of their Cybersites' companies
    # (case answers and grades, forum messages and reports). Course content is not learners' work: every
    # trainer opens and authors every course (``STAFF_COURSES``), and a thread of no cohort is the whole
    # course's, moderated by every trainer (the forum's rule, app.forum.access).
    Action.FOLLOW_LEARNER: _follows_user,
    # A company's VISTA report: its managers, and the managers of its Cybersite (administrators: always).
    Action.READ_VISTA_REPORT: lambda u, t: (
        t is not None and (t.id in managed_company_ids(u) or t.cybersite_id in managed_cybersite_ids(u))
    ),
    Action.ANSWER_VISTA: lambda u, t: t is not None and t.id in managed_company_ids(u),
    Action.DELEGATE_VISTA: lambda u, t: t is not None and t.id in managed_company_ids(u),
    # A training request goes from the company's managers to the managers of its Cybersite, who enrol.
    Action.REQUEST_VISTA_TRAINING: lambda u, t: t is not None and t.id in managed_company_ids(u),
    Action.HANDLE_VISTA_TRAINING: lambda u, t: t is not None and t.cybersite_id in managed_cybersite_ids(u),
}


# A company's self-assessment is the company's word: administrators read it, they do not answer it.
_NOT_FOR_ADMINS = frozenset({Action.ANSWER_VISTA, Action.DELEGATE_VISTA, Action.REQUEST_VISTA_TRAINING})


def can(user: User | Any, action: Action, target: Any = None) -> bool:
    """Whether ``user`` may do ``action`` to ``target``. Anonymous and deactivated users may do nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return False
    if is_admin(user) and action not in _NOT_FOR_ADMINS:
        # Administrators may do anything except lock themselves out, or give a role its scope does not fit.
        if action == Action.DEACTIVATE_USER:
            return target is not None and target.id != user.id
        if action == Action.REVOKE_ROLE:
            return target is not None and not (
                target.user_id == user.id and target.role == Role.NETWORK_ADMIN
            )
        if action in (Action.GRANT_ROLE, Action.INVITE):
            return target is not None and _scope_fits(target)
        return True
    return _RULES[action](user, target)
