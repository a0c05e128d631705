"""Enrolling a cohort from a file: check every row against the database, keep the file until its preview is
confirmed, then apply it all or nothing.

Each row gets one status: ``enrol`` (an account exists: it joins the cohort), ``invite`` (a new person:
invited, a seat kept), ``member`` or ``invited`` (already done: nothing changes, so importing the same file
again changes nothing), or ``problem`` with every reason found. Nothing is applied while any row has a
problem. The confirmation checks the stored file again against the database as it is then (someone may
have enrolled people meanwhile), under the cohort's lock.

Lookups are made set-wise (a few statements per 500 rows), so a file of 10,000 rows is checked in
seconds; what is slow per row (an invitation, with its token and e-mail) is only done for new people.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import contains_eager

from app.accounts.identifiers import siret_valid
from app.accounts.models import Company, Invitation, Role, User
from app.accounts.policy import Action, can
from app.accounts.services import invitations
from app.accounts.services.errors import Forbidden, ServiceError
from app.accounts.validators import normalise_email
from app.cohorts import enrolments, services
from app.cohorts.csv_files import ParsedFile, Row
from app.cohorts.models import Cohort, CohortCompany, CohortInvitation, CohortMember, CohortUpload
from app.core.database import chunks
from app.core.extensions import db

UPLOAD_MAX_AGE = timedelta(hours=1)
CHANGES = ("enrol", "invite")


@dataclass
class Outcome:
    """What importing one row does."""

    row: Row
    status: str = "problem"
    email: str = ""
    user: User | None = None
    company: Company | None = None
    gets_role: bool = False  # an existing account that will be given the row's role in the company
    problems: list[str] = field(default_factory=list)


@dataclass
class Preview:
    """Every row's outcome, and what the file changes as a whole."""

    outcomes: list[Outcome]
    companies_to_accept: list[Company]
    free_seats: int

    def count(self, status: str) -> int:
        """How many rows have this status."""
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def problems(self) -> list[Outcome]:
        """The rows that stop the import."""
        return [outcome for outcome in self.outcomes if outcome.status == "problem"]

    @property
    def changes(self) -> int:
        """How many people the import enrols or invites."""
        return sum(1 for outcome in self.outcomes if outcome.status in CHANGES)

    @property
    def ready(self) -> bool:
        """No problem, and something to do."""
        return not self.problems and (self.changes > 0 or bool(self.companies_to_accept))


def _by_email(emails: Sequence[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for part in chunks(sorted(set(emails))):
        found.update(
            (user.email, user) for user in db.session.scalars(select(User).where(User.email.in_(part)))
        )
    return found


def _by_siret(sirets: Sequence[str]) -> dict[str, Company]:
    found: dict[str, Company] = {}
    for part in chunks(sorted(set(sirets))):
        found.update((c.siret, c) for c in db.session.scalars(select(Company).where(Company.siret.in_(part))))
    return found


def _members(cohort_id: int) -> dict[int, int]:
    """user id -> company id of the cohort's members."""
    rows = db.session.execute(
        select(CohortMember.user_id, CohortMember.company_id).where(CohortMember.cohort_id == cohort_id)
    )
    return {row.user_id: row.company_id for row in rows}


def _seats(cohort_id: int) -> dict[str, CohortInvitation]:
    """e-mail -> seat kept in the cohort, with its invitation."""
    seats = db.session.scalars(
        select(CohortInvitation)
        .join(CohortInvitation.invitation)
        .where(CohortInvitation.cohort_id == cohort_id)
        .options(contains_eager(CohortInvitation.invitation))
    )
    return {seat.email: seat for seat in seats}


def _first_checks(rows: list[Row]) -> list[Outcome]:
    """Outcomes with the problems found without the database: addresses, duplicates, SIRET numbers."""
    outcomes = []
    first_line: dict[str, int] = {}
    for row in rows:
        outcome = Outcome(row=row, problems=list(row.problems))
        if row.email and not row.email.startswith(("=", "+", "-", "@")):
            try:
                outcome.email = normalise_email(row.email)
            except ValueError:
                outcome.problems.append(
                    _("The e-mail address “%(value)s” is not valid.", value=row.email[:80])
                )
        if outcome.email:
            if outcome.email in first_line:
                outcome.problems.append(
                    _("The same e-mail address is already on line %(line)d.", line=first_line[outcome.email])
                )
            else:
                first_line[outcome.email] = row.line
        if row.siret and row.siret.isdigit() and not siret_valid(row.siret):
            outcome.problems.append(
                _(
                    "The SIRET number “%(value)s” is not valid (its check digit does not match).",
                    value=row.siret,
                )
            )
        elif row.siret and not row.siret.isdigit() and not row.siret.startswith(("=", "+", "-", "@")):
            outcome.problems.append(
                _("The SIRET number “%(value)s” is not valid (14 digits).", value=row.siret[:40])
            )
        outcomes.append(outcome)
    return outcomes


def _find_company(outcome: Outcome, companies: dict[str, Company], cohort: Cohort) -> None:
    siret = outcome.row.siret
    if not siret_valid(siret):
        return
    company = companies.get(siret)
    if company is None or company.cybersite_id != cohort.cybersite_id:
        outcome.problems.append(
            _("No company of this cohort's Cybersite has the SIRET number %(siret)s.", siret=siret)
        )
    elif not company.active:
        outcome.problems.append(_("The company %(name)s is deactivated.", name=company.legal_name))
    else:
        outcome.company = company


def _existing_account(outcome: Outcome, user: User, company: Company, members: dict[int, int]) -> None:
    outcome.user = user
    if not user.active:
        outcome.problems.append(_("The account of this address is deactivated."))
    elif user.id not in members:
        outcome.status = "enrol"
        outcome.gets_role = not any(g.company_id == company.id for g in user.roles)
    elif members[user.id] == company.id:
        outcome.status = "member"
    else:
        outcome.problems.append(_("This person is already in the cohort for another company."))


def _new_person(outcome: Outcome, seat: CohortInvitation | None, company: Company) -> None:
    if seat is None or not invitations.is_live(seat.invitation):
        outcome.status = "invite"
    elif seat.company_id == company.id:
        outcome.status = "invited"
    else:
        outcome.problems.append(_("This person is already invited into the cohort for another company."))


def _over_capacity(outcomes: list[Outcome], cohort: Cohort, free: int) -> None:
    taking = 0
    for outcome in outcomes:
        if outcome.status not in CHANGES:
            continue
        taking += 1
        if taking > free:
            outcome.status = "problem"
            outcome.problems.append(
                ngettext(
                    "Over capacity: this would be person number %(n)d to enrol, and the cohort has "
                    "%(num)d seat left (capacity %(capacity)d).",
                    "Over capacity: this would be person number %(n)d to enrol, and the cohort has "
                    "%(num)d seats left (capacity %(capacity)d).",
                    max(free, 0),
                    n=taking,
                    capacity=cohort.capacity,
                )
            )


def check(actor: User, cohort: Cohort, parsed: ParsedFile) -> Preview:
    """What importing the file into the cohort would do, row by row (nothing is written)."""
    if not can(actor, Action.EDIT_COHORT, cohort):
        raise Forbidden(_("You may not enrol people in this cohort from a file."))
    outcomes = _first_checks(parsed.rows)
    companies = _by_siret([o.row.siret for o in outcomes if siret_valid(o.row.siret)])
    users = _by_email([o.email for o in outcomes if o.email])
    members = _members(cohort.id)
    seats = _seats(cohort.id)
    accepted = {company.id for company in cohort.companies}
    to_accept: dict[int, Company] = {}
    for outcome in outcomes:
        _find_company(outcome, companies, cohort)
        company = outcome.company
        if not outcome.problems and company is not None and outcome.email:
            user = users.get(outcome.email)
            if user is not None:
                _existing_account(outcome, user, company, members)
            else:
                _new_person(outcome, seats.get(outcome.email), company)
        if outcome.problems or company is None:
            outcome.status = "problem"
        elif company.id not in accepted:
            to_accept[company.id] = company
    free = services.free_seats(cohort)
    _over_capacity(outcomes, cohort, free)
    return Preview(outcomes, sorted(to_accept.values(), key=lambda c: c.legal_name), max(free, 0))


def apply(actor: User, cohort: Cohort, preview: Preview) -> None:
    """Make the changes of a preview without problems (checked under the cohort's lock just before)."""
    if preview.problems:
        raise ServiceError(_("The file has problems: nothing was imported."))
    if preview.companies_to_accept:
        db.session.execute(
            insert(CohortCompany),
            [{"cohort_id": cohort.id, "company_id": c.id} for c in preview.companies_to_accept],
        )
        db.session.expire(cohort, ["companies"])
    joining = [o for o in preview.outcomes if o.status == "enrol"]
    for outcome in joining:
        if outcome.gets_role:
            assert outcome.user is not None and outcome.company is not None and outcome.row.role is not None
            # Gives the role and tells the person.
            invitations.invite(
                actor,
                outcome.email,
                outcome.row.role,
                company_id=outcome.company.id,
                language=outcome.user.language,
            )
    if joining:
        now = datetime.now(UTC)
        db.session.execute(
            insert(CohortMember),
            [
                {"cohort_id": cohort.id, "user_id": o.user.id, "company_id": o.company.id, "created_at": now}  # type: ignore[union-attr]
                for o in joining
            ],
        )
        for part in chunks([o.email for o in joining]):
            db.session.execute(
                delete(CohortInvitation).where(
                    CohortInvitation.cohort_id == cohort.id, CohortInvitation.email.in_(part)
                )
            )
    _invite(actor, cohort, [o for o in preview.outcomes if o.status == "invite"])
    db.session.flush()
    if joining:
        connection = db.session.connection()
        enrolments.enrol(
            connection,
            cohort.id,
            [o.user.id for o in joining],  # type: ignore[union-attr]
            enrolments.course_ids(connection, cohort.id),
        )


def _invite(actor: User, cohort: Cohort, outcomes: list[Outcome]) -> None:
    if not outcomes:
        return
    seats = _seats(cohort.id)
    pending = invitations.pending_by_email([o.email for o in outcomes])
    # A person invited already (to this role in this company, and not expired) keeps that invitation;
    # everyone else is invited in one go.
    kept: dict[str, Invitation] = {}
    wanted: list[invitations.NewPerson] = []
    for outcome in outcomes:
        assert outcome.company is not None
        role = outcome.row.role or Role.LEARNER
        live = invitations.live_match(pending.get(outcome.email, []), role, outcome.company.id)
        if live is not None:
            kept[outcome.email] = live
        else:
            wanted.append(invitations.NewPerson(outcome.email, role, company_id=outcome.company.id))
    sent = {i.email: i for i in invitations.invite_new_people(actor, wanted)}
    new_seats = []
    for outcome in outcomes:
        assert outcome.company is not None
        invitation = kept.get(outcome.email) or sent[outcome.email]
        seat = seats.get(outcome.email)
        values = {
            "invitation_id": invitation.id,
            "company_id": outcome.company.id,
            "display_name": outcome.row.display_name[:120],
        }
        if seat is None:
            new_seats.append({"cohort_id": cohort.id, "email": outcome.email, **values})
        else:
            for key, value in values.items():
                setattr(seat, key, value)
    if new_seats:
        db.session.execute(insert(CohortInvitation), new_seats)


def stage(actor: User, cohort: Cohort, filename: str, data: bytes) -> CohortUpload:
    """Keep a checked file until its uploader confirms it; forget files left unconfirmed."""
    if not can(actor, Action.EDIT_COHORT, cohort):
        raise Forbidden(_("You may not enrol people in this cohort from a file."))
    db.session.execute(
        delete(CohortUpload).where(CohortUpload.created_at < datetime.now(UTC) - UPLOAD_MAX_AGE)
    )
    upload = CohortUpload(
        id=secrets.token_urlsafe(32),
        cohort_id=cohort.id,
        uploaded_by_id=actor.id,
        filename=(filename or "")[:255],
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def staged(actor: User, cohort: Cohort, token: str) -> CohortUpload:
    """The file the actor previewed for this cohort; refused when it expired or was already imported."""
    upload = db.session.get(CohortUpload, token) if len(token) <= 43 else None
    if upload is not None:
        created = upload.created_at if upload.created_at.tzinfo else upload.created_at.replace(tzinfo=UTC)
        mine = upload.cohort_id == cohort.id and upload.uploaded_by_id == actor.id
        if not mine or created < datetime.now(UTC) - UPLOAD_MAX_AGE:
            upload = None
    if upload is None:
        raise ServiceError(
            _("This preview has expired or its file was already imported. Upload the file again.")
        )
    return upload


def forget(upload: CohortUpload) -> None:
    """Drop a file once imported: confirming it twice does nothing more."""
    db.session.delete(upload)
    db.session.flush()
