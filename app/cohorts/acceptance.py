"""When an invited person accepts their invitation, the seats kept for them become memberships.

Accounts knows nothing of cohorts (it is a lower layer): it sends ``invitation_accepted``, which
``create_app`` connects here. The account created with the invitation joins each cohort that kept a seat
for that invitation (or for that address and company), and is enrolled in its courses — in the same
transaction as the acceptance, whichever route or command accepted it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, or_, select

from app.accounts.models import Invitation, User
from app.cohorts import enrolments
from app.cohorts.models import CohortInvitation, CohortMember
from app.core.extensions import db

_seat = CohortInvitation.__table__
_member = CohortMember.__table__


def on_invitation_accepted(invitation: Invitation, user: User) -> None:
    """Turn the seats kept for this invitation into memberships of the account just created."""
    connection = db.session.connection()
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
        return
    already = set(connection.scalars(select(_member.c.cohort_id).where(_member.c.user_id == user.id)))
    joining = [seat for seat in seats if seat.cohort_id not in already]
    if joining:
        now = datetime.now(UTC)
        connection.execute(
            _member.insert(),
            [
                {"cohort_id": s.cohort_id, "user_id": user.id, "company_id": s.company_id, "created_at": now}
                for s in joining
            ],
        )
    connection.execute(_seat.delete().where(_seat.c.id.in_([seat.id for seat in seats])))
    for seat in joining:
        enrolments.enrol(
            connection, seat.cohort_id, [user.id], enrolments.course_ids(connection, seat.cohort_id)
        )
