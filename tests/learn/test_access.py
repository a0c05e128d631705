"""Who reaches what on the learner pages: every route of the blueprint is listed here, and the units and
blocks a learner may not see (not released, staff only, another content group's, hidden after their due
date) are walked by every kind of visitor: none reaches them but course staff, and nothing is written."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.core.extensions import db
from app.progress.models import BlockCompletion
from app.runtime.models import FieldValue
from tests.conftest import sign_in
from tests.learn.conftest import EN, page_token
from tests.learn.test_visibility import HIDDEN, KEY, course, people, unit_url, usage

__all__ = ["course", "people"]

# Every route of the blueprint; the hidden cases below fill in the ids.
ROUTES = {
    "/",
    "/formations",
    "/formations/{course_key}",
    "/formations/{course_key}/inscription",
    "/formations/{course_key}/presentation",
    "/formations/{course_key}/image",
    "/formations/{course_key}/unite/{usage_id}",
    "/formations/{course_key}/static/{path}",
    "/xblock/{usage_id}/handler/{handler}",
    "/xblock/{usage_id}/handler/{handler}/{suffix}",
    "/xblock/{usage_id}/handler_noauth/{handler}",
    "/xblock/{usage_id}/handler_noauth/{handler}/{suffix}",
    "/xblock/resource/{block_type}/{uri}",
}
BLOCKS = {"u_staff": "b_staff", "u_g2": "b_g2", "u_due": "b_due", "u_future": "b_future"}


def test_every_route_of_the_blueprint_is_listed(app):
    declared = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("learn.")
    }
    assert declared == ROUTES


def _written(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(FieldValue)) or 0,
            db.session.scalar(select(func.count()).select_from(BlockCompletion)) or 0,
        )


def _walk(client, token: str | None) -> dict[str, tuple[int, ...]]:
    statuses = {}
    headers = {"X-CSRFToken": token or "", "Content-Type": "application/json", **EN}
    for unit, block in BLOCKS.items():
        handler = f"/xblock/{usage('testblock', block)}/handler/echo"
        statuses[unit] = (
            client.get(unit_url(unit), headers=EN).status_code,
            client.post(handler, data=json.dumps({"last": "x"}), headers=headers).status_code,
            client.post(f"{handler}/suffixe", data=json.dumps({}), headers=headers).status_code,
        )
    return statuses


@pytest.mark.parametrize("who", ["anonymous", "not enrolled", "north", "loner"])
def test_no_one_but_staff_reaches_hidden_units_and_their_blocks(app, people, make_user, make_company, who):
    client = app.test_client()
    token = None
    if who == "not enrolled":
        stranger = make_user(roles=[(Role.LEARNER, make_company())], language="en")
        sign_in(client, stranger.email)
        token = _token(client)
    elif who != "anonymous":
        sign_in(client, people[who].email)
        token = page_token(client, unit_url("u_open"))
    before = _written(app)
    statuses = _walk(client, token)
    expected = {
        "anonymous": (302, 400, 400),  # no session: no CSRF token either
        "not enrolled": (403, 403, 403),
        "north": (404, 404, 404),
        "loner": (404, 404, 404),
    }[who]
    assert statuses == dict.fromkeys(BLOCKS, expected)
    assert _written(app) == before


def _token(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, "/formations")


def test_course_staff_reach_them(app, people):
    client = app.test_client()
    sign_in(client, people["trainer"].email)
    token = page_token(client, unit_url("u_open"))
    assert _walk(client, token) == dict.fromkeys(BLOCKS, (200, 200, 200))


def test_third_party_calls_reach_only_what_learners_see(app, people):
    client = app.test_client()
    assert client.get(f"/xblock/{usage('testblock', 'b_open')}/handler_noauth/callback").status_code == 200
    for block in BLOCKS.values():
        for suffix in ("", "/x"):
            path = f"/xblock/{usage('testblock', block)}/handler_noauth/callback{suffix}"
            assert client.get(path).status_code == 404, path


def test_hidden_units_are_not_named_anywhere_a_learner_looks(app, people):
    client = app.test_client()
    sign_in(client, people["north"].email)
    pages = [f"/formations/{KEY}", unit_url("u_open"), unit_url("u_g1"), "/progression/", "/formations"]
    text = "".join(client.get(page, headers=EN).get_data(as_text=True) for page in pages)
    for unit in HIDDEN:
        assert usage("vertical", unit) not in text, unit
