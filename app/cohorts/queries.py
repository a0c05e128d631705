"""Read-only questions about cohorts, limited in SQL to what the asking user may see.

Each page's lists are single queries whatever their length (members with their account and company in
one, invited people with their invitation in another).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from app.accounts.models import Company, Cybersite, Invitation, Role, RoleGrant, User
from app.accounts.policy import is_admin, managed_company_ids, managed_cybersite_ids
from app.cohorts.models import Cohort, CohortCompany, CohortCourse, CohortInvitation, CohortMember
from app.core.extensions import db
from app.courses.models import Course


def invitation_cutoff() -> datetime:
    """Invitations sent before this moment have expired (their link no longer works)."""
    return datetime.now(UTC) - timedelta(seconds=current_app.config["INVITATION_MAX_AGE"])


def live_invitation(cutoff: datetime) -> ColumnElement[bool]:
    """An invitation that can still be accepted: neither accepted, withdrawn nor expired."""
    return and_(
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.created_at >= cutoff
    )


def seats_taken(cohort_id: int) -> int:
    """Members plus people invited whose invitation can still be accepted (one query)."""
    members = select(func.count()).select_from(CohortMember).where(CohortMember.cohort_id == cohort_id)
    invited = (
        select(func.count())
        .select_from(CohortInvitation)
        .join(Invitation, Invitation.id == CohortInvitation.invitation_id)
        .where(CohortInvitation.cohort_id == cohort_id, live_invitation(invitation_cutoff()))
    )
    return int(db.session.scalar(select(members.scalar_subquery() + invited.scalar_subquery())) or 0)


def _member_count() -> Any:
    return (
        select(func.count())
        .select_from(CohortMember)
        .where(CohortMember.cohort_id == Cohort.id)
        .correlate(Cohort)
        .scalar_subquery()
    )


def visible_cohorts(user: User) -> Select[Any]:
    """``(Cohort, member count)`` for the cohorts the user may reach, newest first, with their Cybersite.

    Administrators see all; Cybersite managers their sites' cohorts; company managers the cohorts that
    accept their company; anyone the cohorts they are a member of.
    """
    query = (
        select(Cohort, _member_count().label("members"))
        .join(Cohort.cybersite)
        .options(contains_eager(Cohort.cybersite), selectinload(Cohort.courses))
        .order_by(Cohort.starts_on.desc(), Cohort.name, Cohort.id)
    )
    if is_admin(user):
        return query
    return query.where(
        or_(
            Cohort.cybersite_id.in_(managed_cybersite_ids(user)),
            exists().where(
                CohortCompany.cohort_id == Cohort.id, CohortCompany.company_id.in_(managed_company_ids(user))
            ),
            exists().where(CohortMember.cohort_id == Cohort.id, CohortMember.user_id == user.id),
        )
    )


def runnable_cybersites(user: User) -> list[Cybersite]:
    """Active Cybersites where the user may create cohorts."""
    query = select(Cybersite).where(Cybersite.active.is_(True)).order_by(Cybersite.name)
    if not is_admin(user):
        query = query.where(Cybersite.id.in_(managed_cybersite_ids(user)))
    return list(db.session.scalars(query))


def published_courses() -> list[Course]:
    """Courses a cohort may follow: the published ones, by title."""
    return list(
        db.session.scalars(
            select(Course).where(Course.published_tree_id.is_not(None)).order_by(Course.title, Course.id)
        )
    )


def site_companies(cybersite_id: int) -> list[Company]:
    """Active companies followed by a Cybersite, by name."""
    return list(
        db.session.scalars(
            select(Company)
            .where(Company.cybersite_id == cybersite_id, Company.active.is_(True))
            .order_by(Company.legal_name, Company.id)
        )
    )


def members(cohort_id: int, company_ids: set[int] | None = None) -> list[CohortMember]:
    """A cohort's members with their account and company, by name (``company_ids``: only those)."""
    query = (
        select(CohortMember)
        .join(CohortMember.user)
        .join(CohortMember.company)
        .options(contains_eager(CohortMember.user), contains_eager(CohortMember.company))
        .where(CohortMember.cohort_id == cohort_id)
        .order_by(User.display_name, User.id)
    )
    if company_ids is not None:
        query = query.where(CohortMember.company_id.in_(company_ids))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class InvitedSeat:
    """A person invited into a cohort, and where their invitation stands."""

    seat: CohortInvitation
    status: str  # "pending", "expired" or "withdrawn"


def invited(cohort_id: int, company_ids: set[int] | None = None) -> list[InvitedSeat]:
    """People invited into a cohort who have no account yet, with their company and invitation."""
    query = (
        select(CohortInvitation)
        .join(CohortInvitation.invitation)
        .join(CohortInvitation.company)
        .options(contains_eager(CohortInvitation.invitation), contains_eager(CohortInvitation.company))
        .where(CohortInvitation.cohort_id == cohort_id)
        .order_by(CohortInvitation.display_name, CohortInvitation.id)
    )
    if company_ids is not None:
        query = query.where(CohortInvitation.company_id.in_(company_ids))
    cutoff = invitation_cutoff()
    seats = []
    for seat in db.session.scalars(query):
        invitation = seat.invitation
        created = invitation.created_at
        if created.tzinfo is None:  # SQLite gives the stored UTC time back without its zone
            created = created.replace(tzinfo=UTC)
        if invitation.revoked_at is not None or invitation.accepted_at is not None:
            status = "withdrawn"
        elif created < cutoff:
            status = "expired"
        else:
            status = "pending"
        seats.append(InvitedSeat(seat, status))
    return seats


def membership(cohort_id: int, user_id: int) -> CohortMember | None:
    """A person's membership of a cohort, if any."""
    return db.session.scalar(
        select(CohortMember).where(CohortMember.cohort_id == cohort_id, CohortMember.user_id == user_id)
    )


def other_cohorts(cohort: Cohort) -> list[Cohort]:
    """The other cohorts of the same Cybersite, for moving members (each with its companies)."""
    return list(
        db.session.scalars(
            select(Cohort)
            .options(selectinload(Cohort.companies))
            .where(Cohort.cybersite_id == cohort.cybersite_id, Cohort.id != cohort.id)
            .order_by(Cohort.starts_on.desc(), Cohort.name)
        )
    )


def enrollable_staff(cohort_id: int, company_ids: set[int]) -> list[tuple[User, int]]:
    """Learners of these companies (active accounts) who are not members yet, with their company id."""
    if not company_ids:
        return []
    rows = db.session.execute(
        select(User, RoleGrant.company_id)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            RoleGrant.role == Role.LEARNER,
            RoleGrant.company_id.in_(company_ids),
            User.active.is_(True),
            ~exists().where(CohortMember.cohort_id == cohort_id, CohortMember.user_id == User.id),
        )
        .order_by(User.display_name, User.id)
    ).all()
    return [(user, company_id) for user, company_id in rows]


def linked_content_groups(cohort_id: int) -> dict[int, int | None]:
    """The content group the cohort is linked to in each course it follows, by course id."""
    rows = db.session.execute(
        select(CohortCourse.course_id, CohortCourse.content_group_id).where(
            CohortCourse.cohort_id == cohort_id
        )
    ).all()
    return dict(rows)


def cohorts_offering(course_id: int, user: User | None, today: date) -> list[Cohort]:
    """The cohorts not yet ended that follow a course, with their Cybersite, for its presentation page.

    A signed-in person with a Cybersite (through their role, or their company's) sees that Cybersite's
    cohorts; anyone else, every active Cybersite's (one query).
    """
    query = (
        select(Cohort)
        .join(CohortCourse, CohortCourse.cohort_id == Cohort.id)
        .join(Cohort.cybersite)
        .options(contains_eager(Cohort.cybersite))
        .where(CohortCourse.course_id == course_id, Cohort.ends_on >= today, Cybersite.active.is_(True))
    )
    if user is not None:
        site_ids = {g.cybersite_id for g in user.roles if g.cybersite_id is not None}
        company_ids = {g.company_id for g in user.roles if g.company_id is not None}
        if site_ids or company_ids:
            company_sites = select(Company.cybersite_id).where(Company.id.in_(company_ids or {0}))
            query = query.where(
                or_(Cohort.cybersite_id.in_(site_ids or {0}), Cohort.cybersite_id.in_(company_sites))
            )
    return list(db.session.scalars(query.order_by(Cohort.starts_on, Cohort.name, Cohort.id)))
