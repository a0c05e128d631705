"""Fixtures for cohorts: a network of two Cybersites with people in every role, published courses, and
helpers to post forms and files through the real pages."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.accounts.models import Company, Cybersite, Role, User
from app.cohorts.models import Cohort, CohortCompany, CohortCourse, CohortMember
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from tests.accounts import conftest as account_fixtures
from tests.conftest import csrf_token, sign_in
from tests.runtime import conftest as runtime_fixtures
from tests.runtime.conftest import unit

# Fixtures of other folders, offered here too: stored block trees, and the mail outbox.
make_tree = runtime_fixtures.make_tree
outbox = account_fixtures.outbox
link_in = account_fixtures.link_in
__all__ = ["link_in", "make_tree", "outbox"]

EN = {"Accept-Language": "en"}


@dataclass
class World:
    """Cybersite A (own) with companies A1 and A2, Cybersite B (foreign) with company B1, people in every
    role (all reading English), and two published courses."""

    site: Cybersite
    other_site: Cybersite
    company: Company  # A1
    sister: Company  # A2, also followed by A
    foreign_company: Company  # B1
    admin: User
    manager: User  # Cybersite manager of A
    foreign_manager: User  # Cybersite manager of B
    company_manager: User  # of A1
    learner: User  # of A1
    colleague: User  # another learner of A1
    sister_learner: User  # learner of A2
    foreign_learner: User  # of B1
    trainer: User  # of A
    course: int
    other_course: int


@pytest.fixture
def make_published(app: Flask, make_tree: Callable[..., int]) -> Callable[..., int]:
    """A published course; returns its id."""
    counter = iter(range(1, 1000))

    def build(title: str = "Formation", **fields: Any) -> int:
        n = next(counter)
        key = f"course-v1:Cybermassif+C{n}+2026"
        tree_id = make_tree(unit(1), course_key=key)
        with app.app_context():
            course = Course(
                course_key=key, org="Cybermassif", number=f"C{n}", run="2026", title=title,
                published_tree_id=tree_id, **fields,
            )  # fmt: skip
            db.session.add(course)
            db.session.commit()
            return course.id

    return build


@pytest.fixture
def world(make_cybersite, make_company, make_user, make_published) -> World:
    """The network the tests act in."""
    site = make_cybersite(name="Cybersite Auvergne")
    other_site = make_cybersite(name="Cybersite Limousin", departement="87")
    company = make_company(cybersite=site, legal_name="Fromagerie Dupont")
    sister = make_company(cybersite=site, legal_name="Scierie Martin")
    foreign = make_company(cybersite=other_site, legal_name="Porcelaine Leroy", departement="87")
    en = {"language": "en"}
    return World(
        site=site,
        other_site=other_site,
        company=company,
        sister=sister,
        foreign_company=foreign,
        admin=make_user(roles=[(Role.NETWORK_ADMIN, None)], display_name="Anne Admin", **en),
        manager=make_user(roles=[(Role.CYBERSITE_MANAGER, site)], display_name="Simon Site", **en),
        foreign_manager=make_user(
            roles=[(Role.CYBERSITE_MANAGER, other_site)], display_name="Fanny Foreign", **en
        ),
        company_manager=make_user(roles=[(Role.COMPANY_MANAGER, company)], display_name="Claire Chef", **en),
        learner=make_user(roles=[(Role.LEARNER, company)], display_name="Léo Learner", **en),
        colleague=make_user(roles=[(Role.LEARNER, company)], display_name="Colette Colleague", **en),
        sister_learner=make_user(roles=[(Role.LEARNER, sister)], display_name="Sacha Sister", **en),
        foreign_learner=make_user(roles=[(Role.LEARNER, foreign)], display_name="Olga Other", **en),
        trainer=make_user(roles=[(Role.TRAINER, site)], display_name="Théo Trainer", **en),
        course=make_published("Bureautique"),
        other_course=make_published("Sécurité informatique"),
    )


@pytest.fixture
def make_cohort(app: Flask) -> Callable[..., Cohort]:
    """A cohort saved directly: ``companies``, ``courses`` (ids) and ``members`` ((user, company) pairs)."""
    counter = iter(range(1, 1000))

    def build(
        site: Cybersite,
        *,
        companies: list[Company] = (),  # type: ignore[assignment]
        courses: list[int] = (),  # type: ignore[assignment]
        members: list[tuple[User, Company]] = (),  # type: ignore[assignment]
        **fields: Any,
    ) -> Cohort:
        with app.app_context():
            cohort = Cohort(
                cybersite_id=site.id,
                **{
                    "name": f"Promotion {next(counter)}",
                    "starts_on": date(2026, 9, 1),
                    "ends_on": date(2026, 12, 18),
                    "capacity": 20,
                    **fields,
                },
            )
            db.session.add(cohort)
            db.session.flush()
            for company in companies:
                db.session.add(CohortCompany(cohort_id=cohort.id, company_id=company.id))
            for course_id in courses:
                db.session.add(CohortCourse(cohort_id=cohort.id, course_id=course_id))
            for user, company in members:
                db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id, company_id=company.id))
                for course_id in courses:
                    db.session.add(Enrolment(user_id=user.id, course_id=course_id, cohort_id=cohort.id))
            db.session.commit()
            db.session.refresh(cohort)
            db.session.expunge(cohort)
            return cohort

    return build


def count(app: Flask, model: type, *where: Any) -> int:
    """How many rows of ``model`` match ``where`` now."""
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def rows(app: Flask, statement: Any) -> list[Any]:
    """The rows of a SELECT, read in a fresh application context."""
    with app.app_context():
        return list(db.session.execute(statement).all())


def snapshot(app: Flask) -> dict[str, int]:
    """Row counts of every table an enrolment may touch, to prove that nothing changed."""
    from app.accounts.models import Invitation, RoleGrant
    from app.cohorts.models import CohortInvitation, CohortUpload
    from app.core.mail import OutboxMessage

    models = (
        Cohort, CohortCompany, CohortCourse, CohortMember, CohortInvitation, CohortUpload, Enrolment,
        Invitation, RoleGrant, User, OutboxMessage,
    )  # fmt: skip
    return {model.__tablename__: count(app, model) for model in models}


def signed_in(client: FlaskClient, user: User) -> FlaskClient:
    """The client, signed in as ``user``."""
    sign_in(client, user.email)
    return client


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST with the session's CSRF token (read from the cohorts list's layout)."""
    token = csrf_token(client, "/cohortes")
    return client.post(path, data={"csrf_token": token, **(data or {})}, headers=EN, **kwargs)


def upload(client: FlaskClient, cohort_id: int, content: bytes, filename: str = "inscrits.csv") -> Any:
    """Upload an enrolment file for preview."""
    return post(
        client,
        f"/cohortes/{cohort_id}/import",
        {"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
