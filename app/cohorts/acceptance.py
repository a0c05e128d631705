"""When an invited person accepts their invitation, the seats kept for them become memberships.

Accounts knows nothing of cohorts (it is a lower layer), so this listens to the session instead: after a
flush in which an invitation's ``accepted_at`` was set, the account created with it (same address, same
transaction) joins each cohort that kept a seat for that invitation (or for that address and company),
and is enrolled in its courses — in the same transaction as the acceptance, whichever route or command
accepted it. Registered once per process by ``create_app``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, event, inspect, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import Invitation, User
from app.cohorts import enrolments
from app.cohorts.models import CohortInvitation, CohortMember

_seat = CohortInvitation.__table__
_member = CohortMember.__table__
_user = User.__table__


def _just_accepted(invitation: Invitation) -> bool:
    history = inspect(invitation).attrs.accepted_at.history
    return bool(history.added) and history.added[0] is not None and not any(history.deleted)


def seat_accepted(session: Session, _context: Any) -> None:
    """After a flush: turn the seats of the invitations accepted in it into memberships."""
    accepted = [obj for obj in session.dirty if isinstance(obj, Invitation) and _just_accepted(obj)]
    if not accepted:
        return
    connection = session.connection()
    now = datetime.now(UTC)
    for invitation in accepted:
        user_id = connection.scalar(select(_user.c.id).where(_user.c.email == invitation.email))
        if user_id is None:
            continue
        seats = list(
            connection.execute(
                select(_seat.c.id, _seat.c.cohort_id, _seat.c.company_id).where(
                    or_(
                        _seat.c.invitation_id == invitation.id,
                        # A seat whose own invitation expired, for the company this one makes them staff of.
                        and_(_seat.c.email == invitation.email, _seat.c.company_id == invitation.company_id),
                    )
                )
            )
        )
        if not seats:
            continue
        already = set(connection.scalars(select(_member.c.cohort_id).where(_member.c.user_id == user_id)))
        joining = [seat for seat in seats if seat.cohort_id not in already]
        if joining:
            connection.execute(
                _member.insert(),
                [
                    {
                        "cohort_id": s.cohort_id,
                        "user_id": user_id,
                        "company_id": s.company_id,
                        "created_at": now,
                    }
                    for s in joining
                ],
            )
        connection.execute(_seat.delete().where(_seat.c.id.in_([seat.id for seat in seats])))
        for seat in joining:
            enrolments.enrol(
                connection, seat.cohort_id, [user_id], enrolments.course_ids(connection, seat.cohort_id)
            )


def init_app() -> None:
    """Listen to every session of the process (once)."""
    if not event.contains(Session, "after_flush", seat_accepted):
        event.listen(Session, "after_flush", seat_accepted)
