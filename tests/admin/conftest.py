"""Fixtures for the administration pages: a small network with people in every role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.accounts.models import Company, Cybersite, Role, User
from app.core.extensions import db
from tests.conftest import csrf_token

EN = {"Accept-Language": "en"}


@dataclass
class Network:
    """Two Cybersites, a company in each, and one person per role (all reading English)."""

    site: Cybersite
    other_site: Cybersite
    company: Company
    sister_company: Company  # another company of ``site``
    other_company: Company  # a company of ``other_site``
    admin: User
    site_manager: User
    company_manager: User
    learner: User
    other_learner: User


@pytest.fixture
def network(
    make_cybersite: Callable[..., Cybersite],
    make_company: Callable[..., Company],
    make_user: Callable[..., User],
) -> Network:
    """A network to test scopes on."""
    site = make_cybersite(name="Cybersite Auvergne")
    other_site = make_cybersite(name="Cybersite Limousin", town="Limoges", departement="87")
    company = make_company(cybersite=site, legal_name="Fromagerie Dupont")
    sister = make_company(cybersite=site, legal_name="Scierie Martin")
    other = make_company(cybersite=other_site, legal_name="Porcelaine Leroy", departement="87")
    return Network(
        site=site,
        other_site=other_site,
        company=company,
        sister_company=sister,
        other_company=other,
        admin=make_user(roles=[(Role.NETWORK_ADMIN, None)], display_name="Anne Admin", language="en"),
        site_manager=make_user(
            roles=[(Role.CYBERSITE_MANAGER, site)], display_name="Simon Site", language="en"
        ),
        company_manager=make_user(
            roles=[(Role.COMPANY_MANAGER, company)], display_name="Claire Chef", language="en"
        ),
        learner=make_user(roles=[(Role.LEARNER, company)], display_name="Léo Learner", language="en"),
        other_learner=make_user(roles=[(Role.LEARNER, other)], display_name="Olga Other", language="en"),
    )


def count(app: Flask, model: type, *where: Any) -> int:
    """How many rows of ``model`` match ``where``, read in a fresh application context."""
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def fetch(app: Flask, model: type, ident: int) -> Any:
    """A row as stored now (detached), or None."""
    with app.app_context():
        row = db.session.get(model, ident)
        if row is not None:
            db.session.expunge(row)
        return row


def press(client: FlaskClient, path: str, data: dict[str, Any] | None = None) -> Any:
    """POST to a button's action with the session's CSRF token (read from the admin home's layout)."""
    token = csrf_token(client, "/")
    return client.post(path, data={"csrf_token": token, **(data or {})}, headers=EN)
