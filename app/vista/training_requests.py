"""Training requests from the VISTA report: a company manager asks, in one click from a dimension's card,
that the company's Cybersite enrol its staff in a course tagged with that dimension; the Cybersite's
managers are told by e-mail (the outbox), see the open requests on their VISTA page and close each once
handled. Services take the acting user and only flush: the route commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Company, Role, RoleGrant, User
from app.accounts.policy import Action, can
from app.core import mail
from app.courses.models import Course
from app.vista import queries
from app.vista.models import DIMENSIONS, TrainingRequest
from app.vista.services import Refused


@dataclass(frozen=True)
class Requested:
    """The request, and whether this call opened it (False: it was already open)."""

    request: TrainingRequest
    opened: bool


def request_training(
    session: Session, actor: User, company: Company, course_id: int, dimension: str
) -> Requested:
    """Ask the company's Cybersite to enrol its staff in a published course tagged with ``dimension``.
    Asking again while the request is open changes nothing; after it was handled, it opens again."""
    if not can(actor, Action.REQUEST_VISTA_TRAINING, company):
        raise Refused(_("Only the company’s managers may ask for training."), 403)
    if dimension not in DIMENSIONS:
        raise Refused(_("Unknown dimension."), 400)
    course = next((c for c in queries.tagged_catalogue(session) if c.course_id == course_id), None)
    if course is None or dimension not in course.tags:
        raise Refused(_("This course is not one of the catalogue’s courses for this dimension."), 404)
    now = datetime.now(UTC)
    found = session.scalar(
        select(TrainingRequest).where(
            TrainingRequest.company_id == company.id, TrainingRequest.course_id == course_id
        )
    )
    if found is not None and found.handled_at is None:
        return Requested(found, False)
    if found is None:
        found = TrainingRequest(company_id=company.id, course_id=course_id)
        session.add(found)
    found.dimension = dimension
    found.requested_by_id = actor.id
    found.requested_at = now
    found.handled_at = None
    found.handled_by_id = None
    session.flush()
    _tell_managers(session, actor, company, course.title)
    return Requested(found, True)


def handle(session: Session, actor: User, request_id: int) -> TrainingRequest:
    """Close an open request (the Cybersite enrolled the staff, or answered otherwise)."""
    found = session.get(TrainingRequest, request_id)
    company = session.get(Company, found.company_id) if found is not None else None
    if found is None or company is None or not can(actor, Action.HANDLE_VISTA_TRAINING, company):
        raise Refused(_("No such training request."), 404)
    if found.handled_at is None:
        found.handled_at = datetime.now(UTC)
        found.handled_by_id = actor.id
        session.flush()
    return found


@dataclass(frozen=True)
class OpenRequest:
    """An open request as a Cybersite's page lists it."""

    id: int
    company_id: int
    company: str
    course_key: str
    course: str
    dimension: str
    requested_by: str | None
    requested_at: datetime


def open_requests(session: Session, cybersite_id: int) -> list[OpenRequest]:
    """The open training requests of a Cybersite's companies, oldest first (one query)."""
    rows = session.execute(
        select(
            TrainingRequest.id,
            Company.id,
            Company.legal_name,
            Course.course_key,
            Course.title,
            TrainingRequest.dimension,
            User.display_name,
            TrainingRequest.requested_at,
        )
        .join(Company, Company.id == TrainingRequest.company_id)
        .join(Course, Course.id == TrainingRequest.course_id)
        .outerjoin(User, User.id == TrainingRequest.requested_by_id)
        .where(Company.cybersite_id == cybersite_id, TrainingRequest.handled_at.is_(None))
        .order_by(TrainingRequest.requested_at, TrainingRequest.id)
    )
    return [OpenRequest(*row) for row in rows]


def open_counts(session: Session, cybersite_ids: list[int]) -> dict[int, int]:
    """How many open training requests each Cybersite has (one query)."""
    rows = session.execute(
        select(Company.cybersite_id, func.count())
        .select_from(TrainingRequest)
        .join(Company, Company.id == TrainingRequest.company_id)
        .where(Company.cybersite_id.in_(cybersite_ids), TrainingRequest.handled_at.is_(None))
        .group_by(Company.cybersite_id)
    )
    return {row[0]: row[1] for row in rows}


def _tell_managers(session: Session, actor: User, company: Company, course_title: str) -> None:
    managers = session.scalars(
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            RoleGrant.role == Role.CYBERSITE_MANAGER,
            RoleGrant.cybersite_id == company.cybersite_id,
            User.active.is_(True),
        )
        .distinct()
    ).all()
    for manager in managers:
        with force_locale(manager.language):
            mail.queue(
                manager.email,
                _("Training request from %(company)s", company=company.legal_name),
                _(
                    "%(actor)s, of %(company)s, asks that the company’s staff be enrolled in “%(course)s” "
                    "(from its VISTA report).\n\nOpen requests: %(url)s",
                    actor=actor.display_name,
                    company=company.legal_name,
                    course=course_title,
                    url=url_for("vista_network.cybersite", site_id=company.cybersite_id, _external=True),
                ),
            )
