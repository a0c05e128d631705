"""Changes to cohorts and their membership. Each function takes the acting user, checks the access policy
and the rules (dates, capacity, accepted companies), flushes and never commits; a refusal raises
``ServiceError`` (``Forbidden`` for the policy) before anything is written.

Capacity counts members and the people invited whose invitation can still be accepted. Before counting,
the cohort's row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the request's
``BEGIN IMMEDIATE`` already serialises writers), so two managers enrolling at once cannot overfill it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, insert, select

from app.accounts.models import Company, Cybersite, Invitation, Role, User
from app.accounts.policy import Action, can
from app.accounts.services import invitations
from app.accounts.services.errors import Forbidden, ServiceError
from app.accounts.validators import normalise_email
from app.cohorts import enrolments, queries
from app.cohorts.models import Cohort, CohortCompany, CohortCourse, CohortInvitation, CohortMember
from app.core.extensions import db
from app.courses import queries as course_queries
from app.courses.models import Course

MAX_CAPACITY = 10_000


@dataclass(frozen=True)
class CohortDetails:
    """What a Cybersite manager types about a cohort."""

    name: str
    starts_on: date
    ends_on: date
    capacity: int
    forum_within_cohort: bool
    course_ids: list[int]


@dataclass(frozen=True)
class Person:
    """Someone to enrol, named by e-mail address, for a company of the cohort."""

    email: str
    first_name: str
    last_name: str
    company_id: int
    role: Role = Role.LEARNER

    @property
    def display_name(self) -> str:
        """First and last name."""
        return f"{self.first_name.strip()} {self.last_name.strip()}".strip()


def lock(cohort: Cohort) -> None:
    """Hold the cohort's row until the transaction ends, so that seats are counted by one writer at a time."""
    db.session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())


def free_seats(cohort: Cohort) -> int:
    """How many more people the cohort takes (call ``lock`` first when about to fill them)."""
    return cohort.capacity - queries.seats_taken(cohort.id)


def _check_details(details: CohortDetails, cybersite_id: int, cohort: Cohort | None) -> list[Course]:
    name = details.name.strip()
    if not name:
        raise ServiceError(_("Give the cohort a name."), field="name")
    if len(name) > 120:
        raise ServiceError(_("The name is too long (120 characters at most)."), field="name")
    if details.ends_on < details.starts_on:
        raise ServiceError(_("The end date must not be before the start date."), field="ends_on")
    if not 1 <= details.capacity <= MAX_CAPACITY:
        raise ServiceError(
            _("The capacity is a number of people from 1 to %(max)d.", max=MAX_CAPACITY), field="capacity"
        )
    clash = db.session.scalar(
        select(Cohort.id).where(Cohort.cybersite_id == cybersite_id, func.lower(Cohort.name) == name.lower())
    )
    if clash is not None and (cohort is None or clash != cohort.id):
        raise ServiceError(_("This Cybersite already has a cohort with this name."), field="name")
    wanted = set(details.course_ids)
    courses = (
        list(
            db.session.scalars(
                select(Course).where(Course.id.in_(wanted), Course.published_tree_id.is_not(None))
            )
        )
        if wanted
        else []
    )
    if len(courses) != len(wanted):
        raise ServiceError(_("Choose courses from the list of published courses."), field="course_ids")
    if cohort is not None:
        taken = queries.seats_taken(cohort.id)
        if details.capacity < taken:
            raise ServiceError(
                ngettext(
                    "The cohort already has %(num)d person enrolled or invited: "
                    "the capacity cannot be lower.",
                    "The cohort already has %(num)d people enrolled or invited: "
                    "the capacity cannot be lower.",
                    taken,
                ),
                field="capacity",
            )
    return courses


def _apply(cohort: Cohort, details: CohortDetails) -> None:
    cohort.name = details.name.strip()
    cohort.starts_on = details.starts_on
    cohort.ends_on = details.ends_on
    cohort.capacity = details.capacity
    cohort.forum_within_cohort = details.forum_within_cohort


def create_cohort(actor: User, cybersite: Cybersite, details: CohortDetails) -> Cohort:
    """Open a cohort at a Cybersite the actor manages."""
    if not can(actor, Action.CREATE_COHORT, cybersite):
        raise Forbidden(_("You may not create cohorts at this Cybersite."), field="cybersite_id")
    courses = _check_details(details, cybersite.id, None)
    cohort = Cohort(cybersite_id=cybersite.id)
    _apply(cohort, details)
    db.session.add(cohort)
    db.session.flush()
    if courses:
        db.session.execute(
            insert(CohortCourse), [{"cohort_id": cohort.id, "course_id": c.id} for c in courses]
        )
    return cohort


def update_cohort(actor: User, cohort: Cohort, details: CohortDetails) -> None:
    """Change a cohort; members are enrolled in added courses and withdrawn from removed ones."""
    if not can(actor, Action.EDIT_COHORT, cohort):
        raise Forbidden(_("You may not change this cohort."))
    lock(cohort)
    courses = _check_details(details, cohort.cybersite_id, cohort)
    connection = db.session.connection()
    before = set(enrolments.course_ids(connection, cohort.id))
    after = {course.id for course in courses}
    _apply(cohort, details)
    added, removed = after - before, before - after
    if removed:
        db.session.execute(
            delete(CohortCourse).where(
                CohortCourse.cohort_id == cohort.id, CohortCourse.course_id.in_(removed)
            )
        )
    if added:
        db.session.execute(insert(CohortCourse), [{"cohort_id": cohort.id, "course_id": c} for c in added])
    db.session.flush()
    db.session.expire(cohort, ["courses"])
    people = enrolments.member_ids(connection, cohort.id)
    enrolments.withdraw(connection, cohort.id, people, removed)
    enrolments.enrol(connection, cohort.id, people, added)


def _site_company(cohort: Cohort, company_id: int | None) -> Company:
    company = db.session.get(Company, company_id) if company_id is not None else None
    if company is None or company.cybersite_id != cohort.cybersite_id:
        raise ServiceError(_("Choose a company followed by this cohort's Cybersite."), field="company_id")
    if not company.active:
        raise ServiceError(_("This company is deactivated."), field="company_id")
    return company


def accept_company(actor: User, cohort: Cohort, company_id: int | None) -> Company:
    """Let a company of the cohort's Cybersite have staff in the cohort."""
    if not can(actor, Action.EDIT_COHORT, cohort):
        raise Forbidden(_("You may not change this cohort."))
    company = _site_company(cohort, company_id)
    if any(c.id == company.id for c in cohort.companies):
        raise ServiceError(_("The cohort already accepts this company."), field="company_id")
    db.session.add(CohortCompany(cohort_id=cohort.id, company_id=company.id))
    db.session.flush()
    db.session.expire(cohort, ["companies"])
    return company


def remove_company(actor: User, cohort: Cohort, company: Company) -> None:
    """Stop accepting a company; refused while some of its staff are enrolled or invited."""
    if not can(actor, Action.EDIT_COHORT, cohort):
        raise Forbidden(_("You may not change this cohort."))
    link = db.session.get(CohortCompany, (cohort.id, company.id))
    if link is None:
        raise ServiceError(_("The cohort does not accept this company."))
    enrolled = (
        db.session.scalar(
            select(func.count())
            .select_from(CohortMember)
            .where(CohortMember.cohort_id == cohort.id, CohortMember.company_id == company.id)
        )
        or 0
    )
    invited = (
        db.session.scalar(
            select(func.count())
            .select_from(CohortInvitation)
            .where(CohortInvitation.cohort_id == cohort.id, CohortInvitation.company_id == company.id)
        )
        or 0
    )
    if enrolled or invited:
        raise ServiceError(
            _("Unenrol this company's staff from the cohort (and withdraw their invitations) first.")
        )
    db.session.delete(link)
    db.session.flush()
    db.session.expire(cohort, ["companies"])


def _accepted(cohort: Cohort, company_id: int) -> bool:
    return any(c.id == company_id for c in cohort.companies)


def _check_room(cohort: Cohort, wanted: int) -> None:
    room = free_seats(cohort)
    if wanted > room:
        raise ServiceError(
            ngettext(
                "Not enough room: the cohort has %(num)d seat left (capacity %(capacity)d).",
                "Not enough room: the cohort has %(num)d seats left (capacity %(capacity)d).",
                max(room, 0),
                capacity=cohort.capacity,
            )
        )


def add_member(actor: User, cohort: Cohort, user: User, company_id: int) -> CohortMember:
    """Enrol an existing account, who works for ``company_id``, in the cohort and its courses."""
    seat = CohortMember(cohort=cohort, company_id=company_id, user_id=user.id)
    if not can(actor, Action.ENROL_IN_COHORT, seat):
        raise Forbidden(_("You may not enrol people of this company in this cohort."))
    if not _accepted(cohort, company_id):
        raise ServiceError(_("The cohort does not accept this company."), field="company_id")
    if not user.active:
        raise ServiceError(_("This account is deactivated."), field="email")
    if not any(g.company_id == company_id for g in user.roles):
        raise ServiceError(_("This person does not work for this company."), field="email")
    lock(cohort)
    if queries.membership(cohort.id, user.id) is not None:
        raise ServiceError(_("%(name)s is already in this cohort.", name=user.display_name), field="email")
    _check_room(cohort, 1)
    # A seat kept for this address (the account was created another way) is taken by the membership.
    db.session.execute(
        delete(CohortInvitation).where(
            CohortInvitation.cohort_id == cohort.id, CohortInvitation.email == user.email
        )
    )
    seat.cohort = None  # the proposal only served the policy; the row is made below
    member = CohortMember(cohort_id=cohort.id, user_id=user.id, company_id=company_id)
    db.session.add(member)
    db.session.flush()
    connection = db.session.connection()
    enrolments.enrol(connection, cohort.id, [user.id], enrolments.course_ids(connection, cohort.id))
    return member


def add_person(actor: User, cohort: Cohort, person: Person) -> CohortMember | CohortInvitation:
    """Enrol someone by e-mail: an existing account joins at once (getting the company role if needed),
    a new person is invited and keeps a seat until they accept (``app.cohorts.acceptance``)."""
    proposal = CohortInvitation(cohort=cohort, company_id=person.company_id)
    allowed = can(actor, Action.ENROL_IN_COHORT, proposal)
    proposal.cohort = None
    if not allowed:
        raise Forbidden(_("You may not enrol people of this company in this cohort."), field="company_id")
    if not _accepted(cohort, person.company_id):
        raise ServiceError(_("The cohort does not accept this company."), field="company_id")
    try:
        email = normalise_email(person.email)
    except ValueError as error:
        raise ServiceError(_("Enter a valid e-mail address."), field="email") from error
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        if not user.active:
            raise ServiceError(_("This account is deactivated."), field="email")
        if not any(g.company_id == person.company_id for g in user.roles):
            lock(cohort)
            if queries.membership(cohort.id, user.id) is not None:
                raise ServiceError(
                    _("%(name)s is already in this cohort.", name=user.display_name), field="email"
                )
            _check_room(cohort, 1)
            # Gives the role and tells the person (the policy decides whether the actor may give it).
            invitations.invite(
                actor, email, person.role, company_id=person.company_id, language=user.language
            )
        return add_member(actor, cohort, user, person.company_id)
    if not person.display_name:
        raise ServiceError(_("Enter the person's first and last name."), field="first_name")
    lock(cohort)
    kept = db.session.scalar(
        select(CohortInvitation).where(
            CohortInvitation.cohort_id == cohort.id, CohortInvitation.email == email
        )
    )
    if kept is not None and invitations.is_live(kept.invitation):
        raise ServiceError(_("This person has already been invited into this cohort."), field="email")
    _check_room(cohort, 1)
    invitation = invite_once(actor, email, person.role, person.company_id)
    if kept is None:
        kept = CohortInvitation(cohort_id=cohort.id, email=email)
        db.session.add(kept)
    kept.invitation_id = invitation.id
    kept.company_id = person.company_id
    kept.display_name = person.display_name[:120]
    db.session.flush()
    return kept


def invite_once(actor: User, email: str, role: Role, company_id: int) -> Invitation:
    """The live invitation of ``email`` to ``role`` in the company, sending one if there is none."""
    found = invitations.live_match(invitations.pending_by_email([email]).get(email, []), role, company_id)
    if found is not None:
        return found
    sent = invitations.invite(actor, email, role, company_id=company_id)
    assert isinstance(sent, Invitation)  # the address has no account (checked by the caller)
    return sent


def unenrol(actor: User, member: CohortMember) -> None:
    """Take a member out of the cohort; the enrolments it gave are handed over or suspended."""
    if not can(actor, Action.ENROL_IN_COHORT, member):
        raise Forbidden(_("You may not unenrol this person."))
    cohort_id, user_id = member.cohort_id, member.user_id
    db.session.delete(member)
    db.session.flush()
    connection = db.session.connection()
    enrolments.withdraw(connection, cohort_id, [user_id], enrolments.course_ids(connection, cohort_id))


def cancel_invitation(actor: User, seat: CohortInvitation) -> None:
    """Give up the seat kept for an invited person (their invitation to the platform stays)."""
    if not can(actor, Action.ENROL_IN_COHORT, seat):
        raise Forbidden(_("You may not change this person's enrolment."))
    db.session.delete(seat)
    db.session.flush()


def move(actor: User, member: CohortMember, target: Cohort) -> None:
    """Move a member to another cohort of the same Cybersite that accepts their company and has room."""
    source = member.cohort
    if not (can(actor, Action.EDIT_COHORT, source) and can(actor, Action.EDIT_COHORT, target)):
        raise Forbidden(_("You may not move people between these cohorts."), field="target_id")
    if target.id == source.id or target.cybersite_id != source.cybersite_id:
        raise ServiceError(_("Choose another cohort of the same Cybersite."), field="target_id")
    if not _accepted(target, member.company_id):
        raise ServiceError(
            _("The cohort “%(name)s” does not accept this person's company.", name=target.name),
            field="target_id",
        )
    lock(target)
    if queries.membership(target.id, member.user_id) is not None:
        raise ServiceError(
            _("This person is already in the cohort “%(name)s”.", name=target.name), field="target_id"
        )
    _check_room(target, 1)
    user_id = member.user_id
    member.cohort_id = target.id
    member.created_at = datetime.now(UTC)
    db.session.flush()
    db.session.expire(member, ["cohort"])
    connection = db.session.connection()
    enrolments.withdraw(connection, source.id, [user_id], enrolments.course_ids(connection, source.id))
    enrolments.enrol(connection, target.id, [user_id], enrolments.course_ids(connection, target.id))


def link_content_groups(actor: User, cohort: Cohort, chosen: dict[int, int | None]) -> None:
    """Link the cohort to a content group of each course it follows (None: to none), as Open edX links a
    cohort to a group of a course's cohort partition: its learners then see that group's content."""
    if not can(actor, Action.EDIT_COHORT, cohort):
        raise Forbidden()
    links = {
        link.course_id: link
        for link in db.session.scalars(select(CohortCourse).where(CohortCourse.cohort_id == cohort.id))
    }
    if set(chosen) - set(links):
        raise ServiceError(_("Choose content groups for the courses this cohort follows."), field="groups")
    groups = course_queries.course_content_groups(sorted(chosen))
    for course_id, group_id in chosen.items():
        if group_id is not None and group_id not in {g.id for g in groups.get(course_id, [])}:
            raise ServiceError(_("Choose a content group the course declares."), field="groups")
    for course_id, group_id in chosen.items():
        links[course_id].content_group_id = group_id
    db.session.flush()
