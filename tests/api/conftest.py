"""Fixtures for the REST API: the cohorts' two-Cybersite network, tokens made through the account page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.accounts.models import User
from tests.cohorts import conftest as cohort_fixtures
from tests.conftest import csrf_token, sign_in

World = cohort_fixtures.World
world = cohort_fixtures.world
make_published = cohort_fixtures.make_published
make_cohort = cohort_fixtures.make_cohort
make_tree = cohort_fixtures.make_tree
snapshot = cohort_fixtures.snapshot
__all__ = ["World", "make_cohort", "make_published", "make_tree", "snapshot", "world"]

SECRET = re.compile(r'<code id="new-token">(cmt_[^<]+)</code>')


def make_token_through_page(
    client: FlaskClient, scopes: list[str], name: str = "Outil", days: int = 30
) -> str:
    """Create a token on the account page (signed-in client) and return its secret, shown once."""
    response = client.post(
        "/compte/jetons",
        data={
            "csrf_token": csrf_token(client, "/compte/jetons"),
            "name": name,
            "scopes": scopes,
            "days": days,
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    found = SECRET.search(response.get_data(as_text=True))
    assert found
    return found.group(1)


@pytest.fixture
def token_for(app: Flask) -> Callable[..., str]:
    """A token of ``user`` with ``scopes`` (default: read and write), made through the account page."""

    def build(user: User, scopes: list[str] | None = None, days: int = 30) -> str:
        client = app.test_client()
        sign_in(client, user.email)
        return make_token_through_page(client, scopes or ["read", "write"], days=days)

    return build


@pytest.fixture
def api(app: Flask) -> Callable[..., Any]:
    """Send an API request with a bearer token (no cookie): ``api(token, "GET", "/people", json=…)``."""

    def send(token: str | None, method: str, path: str, lang: str = "en", **kwargs: Any) -> Any:
        headers = {"Accept-Language": lang, **kwargs.pop("headers", {})}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return app.test_client().open("/api/v1" + path, method=method, headers=headers, **kwargs)

    return send
