"""LTI 1.3 against a real tool (PyLTI1p3) on loopback: OIDC login initiation, authorisation, launch with a
signed id_token the tool checks against the platform's JWKS, a score sent back by Assignment and Grade
Services and stored as the learner's grade; and every way a tool or a browser can get it wrong."""

from __future__ import annotations

import json
import time
import urllib.parse
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from flask import Flask
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import func, select

from app.core.extensions import db
from app.lti import keys, tokens
from app.lti.models import LtiUsedNonce
from app.progress.models import BlockCompletion
from tests.plugins.conftest import OlxCourse
from tests.plugins.lti_consumer.conftest import Tool, autopost, registration_of, signed_in

pytestmark = pytest.mark.slow

AGS_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def _grade(app: Flask, user_id: int, usage_id: str) -> tuple[float | None, float | None] | None:
    with app.app_context():
        row = db.session.execute(
            select(BlockCompletion.earned, BlockCompletion.possible).where(
                BlockCompletion.user_id == user_id, BlockCompletion.usage_id == usage_id
            )
        ).first()
        db.session.remove()
    return None if row is None else (row[0], row[1])


def _nonces(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(LtiUsedNonce))
        db.session.remove()
    return int(count or 0)


@pytest.fixture
def setup(
    app: Flask,
    platform: str,
    tool: Tool,
    olx_course: Callable[..., OlxCourse],
    lti13_olx: Callable[..., str],
    enrolled: Callable[..., Any],
    trainer: Any,
) -> dict[str, Any]:
    """A course with an LTI 1.3 component, the tool registered as its trainer read the values, a learner."""
    # A second component of another tool registration: its line item is not the first tool's.
    course = olx_course(lti13_olx() + lti13_olx("lti2"))
    staff = signed_in(platform, trainer.email)
    tool.settings.registration = registration_of(staff, platform, course)
    learner = enrolled(course)
    return {"course": course, "learner": learner, "browser": signed_in(platform, learner.email)}


def _launch_page(browser: requests.Session, platform: str, course: OlxCourse) -> requests.Response:
    """The learner opens the unit and the tool's frame: login initiation at the tool, back to the
    platform's authorisation endpoint; the answer is the page that posts the id_token to the tool."""
    page = browser.get(platform + course.unit_url(), timeout=10).text
    start = page.index('class="lti-consumer-frame" src="')
    src = page[start:].split('src="', 1)[1].split('"', 1)[0]
    return browser.get(platform + src, timeout=10)


def test_a_learner_launches_the_tool_and_its_score_becomes_the_grade(
    app: Flask, platform: str, tool: Tool, setup: dict[str, Any]
) -> None:
    course, learner, browser = setup["course"], setup["learner"], setup["browser"]
    tool.settings.score = (8, 10)
    answer = _launch_page(browser, platform, course)
    assert answer.status_code == 200, answer.text[:500]
    assert "form-action " + tool.url in answer.headers["Content-Security-Policy"]
    action, fields = autopost(answer.text)
    assert action == f"{tool.url}/launch" and set(fields) == {"id_token", "state"}

    launched = browser.post(action, data=fields, timeout=20)
    assert launched.status_code == 200, launched.text[:1000]
    assert launched.json()["graded"] is True
    data = tool.settings.launches[-1]
    # What the tool was told, checked by PyLTI1p3 against our JWKS (signature, iss, aud, nonce…).
    assert data["iss"] == platform and data["aud"] == tool.settings.registration["client_id"]
    assert data[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert data[LTI + "deployment_id"] == "1"
    assert data[LTI + "resource_link"]["id"] == course.usage("lti_consumer", "lti1")
    assert data[LTI + "roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
    assert data[LTI + "context"]["id"] == course.course_key
    assert data[LTI + "context"]["title"] == "Cours de test"
    assert data[LTI + "custom"] == {"niveau": "2", "theme": "trésorerie"}
    assert learner.email not in json.dumps(data) and "email" not in data
    assert data["sub"] and data["sub"] != str(learner.id)
    # The score (8 of 10) is the learner's grade out of the component's weight (10).
    assert _grade(app, learner.id, course.usage("lti_consumer", "lti1")) == (8.0, 10.0)


def test_the_jwks_is_public_and_the_key_rotates(app: Flask, platform: str) -> None:
    first = requests.get(f"{platform}/lti/jwks.json", timeout=10).json()["keys"]
    assert first and all("d" not in key and key["kty"] == "RSA" for key in first)
    assert requests.get(f"{platform}/lti/jwks.json", timeout=10).json()["keys"] == first
    result = app.test_cli_runner().invoke(args=["lti", "rotate-key"])
    assert result.exit_code == 0, result.output
    new_kid = result.output.split()[4].rstrip(";")
    with app.app_context():
        assert keys.signing_key(db.session).kid == new_kid
        db.session.remove()
    after = {key["kid"] for key in requests.get(f"{platform}/lti/jwks.json", timeout=10).json()["keys"]}
    # The new key signs; the retired one stays published for the tokens it signed.
    assert new_kid in after and {key["kid"] for key in first} <= after


def _auth_params(browser: requests.Session, platform: str, course: OlxCourse) -> tuple[str, dict[str, str]]:
    """The authorisation URL and parameters, as the tool would send them (read from the login
    initiation the platform sends the browser to)."""
    page = browser.get(platform + course.unit_url(), timeout=10).text
    src = page.split('class="lti-consumer-frame" src="', 1)[1].split('"', 1)[0]
    login = browser.get(platform + src, allow_redirects=False, timeout=10)
    assert login.status_code == 302
    hint = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(login.headers["Location"]).query))
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": hint["client_id"],
        "redirect_uri": hint["target_link_uri"],
        "login_hint": hint["login_hint"],
        "lti_message_hint": hint["lti_message_hint"],
        "state": "state-1",
        "nonce": uuid.uuid4().hex,
    }
    auth = platform + course.handler_url("lti_consumer", "lti1", "lti_1p3_authorize")
    return auth, params


def test_a_replayed_nonce_an_unknown_client_or_a_foreign_redirect_is_refused(
    app: Flask, platform: str, setup: dict[str, Any]
) -> None:
    course, browser = setup["course"], setup["browser"]
    url, params = _auth_params(browser, platform, course)
    assert browser.get(url, params=params, timeout=10).status_code == 200
    before = _nonces(app)
    replay = browser.get(url, params=params, timeout=10)
    assert replay.status_code == 409 and "id_token" not in replay.text
    unknown = browser.get(url, params={**params, "nonce": "n2", "client_id": "someone-else"}, timeout=10)
    assert unknown.status_code == 403
    foreign = browser.get(
        url, params={**params, "nonce": "n3", "redirect_uri": "https://evil.example/launch"}, timeout=10
    )
    assert foreign.status_code == 403
    forged = browser.get(url, params={**params, "nonce": "n4", "login_hint": "forged"}, timeout=10)
    assert forged.status_code == 403
    assert _nonces(app) == before  # nothing recorded by refused requests
    # Without the learner's session, the learner's login hint opens nothing.
    assert requests.get(url, params={**params, "nonce": "n5"}, timeout=10).status_code == 401


def _assertion(tool: Tool, key_pem: str | None = None, kid: str | None = None, **claims: Any) -> str:
    reg = tool.settings.registration
    now = int(time.time())
    body = {
        "iss": reg["client_id"],
        "sub": reg["client_id"],
        "aud": reg["auth_token_url"],
        "iat": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
        **claims,
    }
    key = RSAKey.import_key(key_pem or tool.settings.private_pem)
    header = {"alg": "RS256", **({"kid": kid} if kid else {})}
    return jwt.encode(header, {k: v for k, v in body.items() if v is not None}, key)


def _token(tool: Tool, assertion: str) -> requests.Response:
    return requests.post(
        tool.settings.registration["auth_token_url"],
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION,
            "client_assertion": assertion,
            "scope": AGS_SCORE,
        },
        timeout=10,
    )


def test_the_token_endpoint_refuses_bad_signatures_audiences_issuers_expiry_and_replays(
    app: Flask, tool: Tool, setup: dict[str, Any]
) -> None:
    other_key = RSAKey.generate_key(2048).as_pem(private=True).decode()
    before = _nonces(app)
    cases = {
        "bad signature": _assertion(tool, key_pem=other_key),
        "wrong audience": _assertion(tool, aud="https://elsewhere.example/token"),
        "unknown client": _assertion(tool, iss="unknown-client", sub="unknown-client"),
        "wrong issuer": _assertion(tool, iss="someone-else"),
        "expired": _assertion(tool, iat=int(time.time()) - 3600, exp=int(time.time()) - 600),
        "no jti": _assertion(tool, jti=None),
    }
    for name, assertion in cases.items():
        answer = _token(tool, assertion)
        assert answer.status_code == 401, (name, answer.status_code, answer.text)
        assert "access_token" not in answer.text
    assert _nonces(app) == before
    good = _assertion(tool)
    assert _token(tool, good).status_code == 200
    replay = _token(tool, good)
    assert replay.status_code == 409 and "access_token" not in replay.text


def _expired_access_token(app: Flask, tool: Tool) -> str:
    """An access token the platform signed, an hour past its expiry."""
    past = int(time.time()) - 7200
    with app.app_context():
        key = keys.signing_key(db.session)
        db.session.commit()
        db.session.remove()
    issuer = tool.settings.registration["issuer"]
    claims = {"iss": issuer, "aud": issuer, "sub": tool.settings.registration["client_id"]}
    return tokens.sign({**claims, "iat": past, "exp": past + 3600, "scope": AGS_SCORE}, key)


def test_scores_out_of_range_or_without_a_valid_token_are_refused_and_nothing_is_stored(
    app: Flask, platform: str, tool: Tool, setup: dict[str, Any]
) -> None:
    course, learner, browser = setup["course"], setup["learner"], setup["browser"]
    tool.settings.score = None
    action, fields = autopost(_launch_page(browser, platform, course).text)
    assert browser.post(action, data=fields, timeout=20).status_code == 200
    sub = tool.settings.launches[-1]["sub"]
    lineitem = tool.settings.launches[-1]["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"][
        "lineitem"
    ]
    token = _token(tool, _assertion(tool)).json()["access_token"]

    def post(
        score: Any, bearer: str | None = token, content_type: str = "application/vnd.ims.lis.v1.score+json"
    ) -> int:
        headers = {"Content-Type": content_type}
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        body = score if isinstance(score, bytes) else json.dumps(score).encode()
        return requests.post(f"{lineitem}/scores", data=body, headers=headers, timeout=10).status_code

    score = {
        "userId": sub,
        "scoreGiven": 5,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2026-12-04T10:00:00+00:00",
    }
    assert post({**score, "scoreGiven": 11}) == 400
    assert post({**score, "scoreGiven": -1}) == 400
    assert post({**score, "scoreMaximum": 0}) == 400
    assert post({**score, "scoreGiven": "5"}) == 400
    assert post({**score, "userId": "not-a-learner"}) == 404
    assert post(b"{not json") == 400
    assert post(score, bearer=None) == 401
    assert post(score, bearer="forged.token.value") == 401
    assert post(score, content_type="text/plain") == 415
    assert post(score, bearer=_expired_access_token(app, tool)) == 401
    other = lineitem.replace("block@lti1", "block@lti2")
    assert other != lineitem
    foreign = requests.post(
        f"{other}/scores",
        data=json.dumps(score),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/vnd.ims.lis.v1.score+json"},
        timeout=10,
    )
    assert foreign.status_code == 401
    assert _grade(app, learner.id, course.usage("lti_consumer", "lti1")) is None
    assert post(score) == 200
    assert _grade(app, learner.id, course.usage("lti_consumer", "lti1")) == (5.0, 10.0)
    # The learner sees the score and the tool's comment (text, never markup) on the unit page.
    assert post({**score, "scoreGiven": 6, "comment": "<b>Bien</b> joué"}) == 200
    page = browser.get(platform + course.unit_url(), headers={"Accept-Language": "fr"}, timeout=10).text
    assert "Votre note : 6 sur 10." in page and "&lt;b&gt;Bien&lt;/b&gt; joué" in page


def test_an_anonymous_visitor_cannot_start_a_launch(platform: str, setup: dict[str, Any]) -> None:
    course = setup["course"]
    url = platform + course.handler_url("lti_consumer", "lti1", "launch")
    assert requests.get(url, allow_redirects=False, timeout=10).status_code == 401


def test_a_tool_known_by_its_keyset_url_gets_a_token(
    app: Flask,
    platform: str,
    tool: Tool,
    olx_course: Callable[..., OlxCourse],
    lti13_olx: Callable[..., str],
    trainer: Any,
) -> None:
    course = olx_course(
        lti13_olx(
            lti_1p3_tool_key_mode="keyset_url",
            lti_1p3_tool_keyset_url=f"{tool.url}/jwks",
            lti_1p3_tool_public_key="",
        )
    )
    tool.settings.registration = registration_of(signed_in(platform, trainer.email), platform, course)
    # PyLTI1p3 names its key (kid) in the assertion, as keysets need.
    kid = tool.settings.config().get_jwks()["keys"][0]["kid"]
    header_kid = _assertion(tool, kid=kid)
    answer = _token(tool, header_kid)
    assert answer.status_code == 200, answer.text
    assert answer.json()["scope"] == AGS_SCORE
