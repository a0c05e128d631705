"""Invitations: a manager invites someone by e-mail to take a role; the invitee sets a password to accept.

An address that already has an account gets the role at once (and a notice); any other gets a signed,
time-limited link that works once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from blinker import Namespace
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from app.accounts.labels import ROLE_LABELS
from app.accounts.models import Invitation, Role, RoleGrant, User
from app.accounts.policy import Action, can
from app.accounts.services import credentials
from app.accounts.services.errors import Forbidden, ServiceError
from app.accounts.services.roles import check_scope, grant_role, scope_label
from app.accounts.validators import normalise_email
from app.core import mail
from app.core.config import LANGUAGES
from app.core.database import chunks
from app.core.extensions import db

signals = Namespace()
#: Sent with the invitation and ``user=`` the account just created, in the transaction that accepts it
#: (higher layers, such as cohorts, finish what the invitation promised).
invitation_accepted = signals.signal("accounts.invitation-accepted")

_SALT = "cybermassif.invitation"


@dataclass(frozen=True)
class NewPerson:
    """Someone to invite who has no account: their address, the role and its scope, their language."""

    email: str
    role: Role
    company_id: int | None = None
    cybersite_id: int | None = None
    language: str = "fr"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def invite(
    actor: User,
    email: str,
    role: Role,
    *,
    company_id: int | None = None,
    cybersite_id: int | None = None,
    language: str = "fr",
) -> Invitation | RoleGrant:
    """Invite ``email`` to ``role`` over a scope: the invitation, or the grant for an existing account."""
    proposal = _proposal(actor, NewPerson(email, role, company_id, cybersite_id, language))
    email = proposal.email
    existing = credentials.find_user_by_email(email)
    if existing is not None:
        if not existing.active:
            raise ServiceError(
                _("The account of this address is deactivated. Ask an administrator to reactivate it."),
                field="email",
            )
        grant = grant_role(actor, existing, role, company_id=company_id, cybersite_id=cybersite_id)
        with force_locale(existing.language):
            mail.queue(
                existing.email,
                _("You have a new role on Cybermassif"),
                _(
                    "%(actor)s gave you the role “%(role)s” (%(scope)s).\n\nSign in: %(url)s",
                    actor=actor.display_name,
                    role=role_label(role),
                    scope=scope_label(grant),
                    url=url_for("accounts.sign_in", _external=True),
                ),
            )
        return grant
    if live_match(pending_by_email([email]).get(email, []), role, company_id, cybersite_id) is not None:
        raise ServiceError(_("This person has already been invited to this role."), field="email")
    _send(actor, [proposal])
    return proposal


def invite_new_people(actor: User, people: Sequence[NewPerson]) -> list[Invitation]:
    """Invite many addresses that have no account yet, at once (a cohort's enrolment file): the same
    checks and messages as :func:`invite`, with a few statements in all rather than several a person.

    Raises like :func:`invite` on the first person who cannot be invited, and ServiceError for an address
    that has an account (the caller enrols those people instead).
    """
    proposals = [_proposal(actor, person) for person in people]
    emails = [p.email for p in proposals]
    for part in chunks(sorted(set(emails))):
        taken = db.session.scalar(select(User.email).where(User.email.in_(part)).limit(1))
        if taken is not None:
            raise ServiceError(_("%(email)s already has an account.", email=taken), field="email")
    pending = pending_by_email(emails)
    for proposal in proposals:
        found = pending.get(proposal.email, [])
        if live_match(found, proposal.role, proposal.company_id, proposal.cybersite_id) is not None:
            raise ServiceError(
                _("%(email)s has already been invited to this role.", email=proposal.email), field="email"
            )
    _send(actor, proposals)
    return proposals


def _proposal(actor: User, person: NewPerson) -> Invitation:
    """The invitation ``person`` would get, checked: a valid address and language, a role the actor may
    give over a scope that fits it (ServiceError or Forbidden otherwise). Not stored."""
    try:
        email = normalise_email(person.email)
    except ValueError as error:
        raise ServiceError(_("Enter a valid e-mail address."), field="email") from error
    if person.language not in LANGUAGES:
        raise ServiceError(_("Choose a language from the list."), field="language")
    proposal = Invitation(
        email=email,
        role=person.role,
        company_id=person.company_id,
        cybersite_id=person.cybersite_id,
        language=person.language,
    )
    if not can(actor, Action.INVITE, proposal):
        raise Forbidden(_("You may not invite someone to this role here."), field="role")
    check_scope(person.role, person.company_id, person.cybersite_id)
    return proposal


def pending_by_email(emails: Sequence[str]) -> dict[str, list[Invitation]]:
    """The invitations not yet accepted nor withdrawn of these addresses (a query per 500 addresses)."""
    found: dict[str, list[Invitation]] = {}
    for part in chunks(sorted(set(emails))):
        for invitation in db.session.scalars(
            select(Invitation).where(
                Invitation.email.in_(part), Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)
            )
        ):
            found.setdefault(invitation.email, []).append(invitation)
    return found


def _send(actor: User, proposals: Sequence[Invitation]) -> None:
    """Store the invitations and queue each one's message with its link, in the invitee's language."""
    for proposal in proposals:
        proposal.invited_by_id = actor.id
    db.session.add_all(proposals)
    db.session.flush()  # the ids, which the links sign
    serializer = _serializer()
    days = current_app.config["INVITATION_MAX_AGE"] // 86400
    by_language: dict[str, list[Invitation]] = {}
    for proposal in proposals:
        by_language.setdefault(proposal.language, []).append(proposal)
    for language, group in by_language.items():
        with force_locale(language):
            subject = _("Invitation to Cybermassif")
            for proposal in group:
                mail.queue(
                    proposal.email,
                    subject,
                    _(
                        "%(actor)s invites you to join Cybermassif as “%(role)s” (%(scope)s).\n\n"
                        "Create your account with this link (valid %(days)d days, once):\n%(url)s",
                        actor=actor.display_name,
                        role=role_label(proposal.role),
                        scope=scope_label(proposal),
                        days=days,
                        url=url_for(
                            "accounts.accept_invitation", token=serializer.dumps(proposal.id), _external=True
                        ),
                    ),
                )


def is_live(invitation: Invitation) -> bool:
    """Whether an invitation can still be accepted: neither accepted, withdrawn nor expired."""
    return invitation.accepted_at is None and invitation.revoked_at is None and not _expired(invitation)


def live_match(
    pending: Sequence[Invitation], role: Role, company_id: int | None = None, cybersite_id: int | None = None
) -> Invitation | None:
    """Among an address's invitations, one to ``role`` over this scope that can still be accepted."""
    for invitation in pending:
        if (
            invitation.role == role
            and invitation.company_id == company_id
            and invitation.cybersite_id == cybersite_id
            and is_live(invitation)
        ):
            return invitation
    return None


def _expired(invitation: Invitation) -> bool:
    """Whether the invitation's link has outlived ``INVITATION_MAX_AGE`` (it can then be sent again)."""
    created = invitation.created_at
    if created is None:
        return False
    if created.tzinfo is None:  # SQLite gives the stored UTC time back without its zone
        created = created.replace(tzinfo=UTC)
    age = datetime.now(UTC) - created
    return age > timedelta(seconds=current_app.config["INVITATION_MAX_AGE"])


def invitation_for_token(token: str) -> Invitation:
    """The pending invitation a link was made for; LinkInvalid if bad, expired, used or revoked.

    The link also stops working when the person who sent it may no longer give this role (their account
    was deactivated, their manager role taken back, or the Cybersite or company deactivated).
    """
    try:
        invitation_id = _serializer().loads(token, max_age=current_app.config["INVITATION_MAX_AGE"])
    except SignatureExpired as error:
        raise credentials.LinkInvalid(expired=True) from error
    except BadSignature as error:
        raise credentials.LinkInvalid() from error
    invitation = db.session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    if invitation is None or not invitation.pending:
        raise credentials.LinkInvalid()
    inviter = invitation.invited_by
    if inviter is None or not can(inviter, Action.INVITE, invitation):
        raise credentials.LinkInvalid()
    return invitation


def accept(invitation: Invitation, display_name: str, password: str, language: str) -> User:
    """Create the invitee's account with the role they were invited to; the link is then used up."""
    if credentials.find_user_by_email(invitation.email) is not None:
        raise ServiceError(_("An account already exists for this address. Please sign in."))
    user = User(
        email=invitation.email,
        display_name=display_name,
        language=language,
        password_hash=credentials.hash_password(password),
    )
    user.roles.append(
        RoleGrant(
            role=invitation.role,
            company_id=invitation.company_id,
            cybersite_id=invitation.cybersite_id,
            granted_by_id=invitation.invited_by_id,
        )
    )
    db.session.add(user)
    invitation.accepted_at = datetime.now(UTC)
    db.session.flush()
    invitation_accepted.send(invitation, user=user)
    return user


def revoke(actor: User, invitation: Invitation) -> None:
    """Withdraw a pending invitation; its link stops working."""
    if not can(actor, Action.REVOKE_INVITATION, invitation):
        raise Forbidden(_("You may not withdraw this invitation."))
    if not invitation.pending:
        raise ServiceError(_("This invitation is no longer pending."))
    invitation.revoked_at = datetime.now(UTC)
    db.session.flush()


def role_label(role: Role) -> str:
    """The role's name in the current language."""
    return str(ROLE_LABELS[role])
