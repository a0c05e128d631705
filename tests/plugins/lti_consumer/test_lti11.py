"""LTI 1.1 with the old ``lti`` block (and ``lti_consumer`` in 1.1): a launch signed with OAuth 1
HMAC-SHA1 that the tool side verifies with Authlib, the key and secret from the course's ``lti_passports``,
and Basic Outcomes whose signed ``replaceResult`` becomes the learner's grade; forged, tampered, replayed
and out-of-range outcomes refused with nothing stored."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from authlib.oauth1.rfc5849 import signature
from authlib.oauth1.rfc5849.client_auth import ClientAuth
from authlib.oauth1.rfc5849.models import ClientMixin
from authlib.oauth1.rfc5849.wrapper import OAuth1Request
from flask import Flask
from sqlalchemy import select

from app.core.extensions import db
from app.progress.models import BlockCompletion
from tests.plugins.conftest import OlxCourse
from tests.plugins.lti_consumer.conftest import autopost, signed_in

pytestmark = pytest.mark.slow

KEY, SECRET = "cle-outil", "secret-partagé"
TOOL_URL = "http://127.0.0.1:9/lti11"  # never reached: the browser's post is checked by the test's tool
OUTCOME = """<?xml version="1.0" encoding="UTF-8"?>
<imsx_POXEnvelopeRequest xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0">
  <imsx_POXHeader><imsx_POXRequestHeaderInfo><imsx_version>V1.0</imsx_version>
    <imsx_messageIdentifier>{message}</imsx_messageIdentifier></imsx_POXRequestHeaderInfo></imsx_POXHeader>
  <imsx_POXBody><replaceResultRequest><resultRecord>
    <sourcedGUID><sourcedId>{sourced}</sourcedId></sourcedGUID>
    <result><resultScore><language>en</language><textString>{score}</textString></resultScore></result>
  </resultRecord></replaceResultRequest></imsx_POXBody>
</imsx_POXEnvelopeRequest>"""


@pytest.fixture(autouse=True)
def _plain_http(monkeypatch: pytest.MonkeyPatch) -> None:
    # The tool side's Authlib refuses http:// unless told it is a test on loopback.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def course11(olx_course: Callable[..., OlxCourse]) -> OlxCourse:
    """A course with an old ``lti`` block, its passport in the course policy."""
    unit = (
        f'<lti url_name="old1" display_name="Quiz externe" lti_id="quiz" launch_url="{TOOL_URL}"'
        ' has_score="true" weight="4.0" open_in_a_new_page="false" custom_parameters="[&quot;a=1&quot;]"/>'
    )
    policy = json.dumps({"course/2026": {"lti_passports": ["autre:k:s", f"quiz:{KEY}:{SECRET}"]}})
    return olx_course(unit, {"policies/2026/policy.json": policy})


def _grade(app: Flask, user_id: int, usage_id: str) -> tuple[Any, Any] | None:
    with app.app_context():
        row = db.session.execute(
            select(BlockCompletion.earned, BlockCompletion.possible).where(
                BlockCompletion.user_id == user_id, BlockCompletion.usage_id == usage_id
            )
        ).first()
        db.session.remove()
    return None if row is None else (row[0], row[1])


class _ToolClient(ClientMixin):
    """The tool's record of this platform as an OAuth 1 client: its shared secret."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def get_client_secret(self) -> str:
        return self.secret


def _verified_by_tool(action: str, fields: dict[str, str], secret: str = SECRET) -> bool:
    """What the tool does with the posted launch: check the signature with Authlib."""
    request = OAuth1Request(
        "POST", action, body=urlencode(fields), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    request.client = _ToolClient(secret)
    return signature.verify_hmac_sha1(request)


def _outcome(
    url: str, sourced: str, score: str, secret: str = SECRET, tamper: bool = False
) -> requests.Response:
    body = OUTCOME.format(message=uuid.uuid4().hex, sourced=sourced, score=score).encode()
    auth = ClientAuth(KEY, secret, signature_method="HMAC-SHA1", signature_type="HEADER")
    _, headers, body = auth.sign("POST", url, {"Content-Type": "application/xml"}, body)
    if tamper:
        body = body.replace(f">{score}<".encode(), b">1.0<")
    return requests.post(url, data=body, headers=headers, timeout=10)


def test_a_signed_launch_and_a_signed_outcome_grade_the_learner(
    app: Flask, platform: str, course11: OlxCourse, enrolled: Callable[..., Any]
) -> None:
    learner = enrolled(course11)
    browser = signed_in(platform, learner.email)
    page = browser.get(platform + course11.unit_url(), timeout=10).text
    assert 'class="lti-consumer-frame"' in page
    launch = browser.get(platform + course11.handler_url("lti", "old1", "launch"), timeout=10)
    assert launch.status_code == 200, launch.text[:500]
    action, fields = autopost(launch.text)
    assert action == TOOL_URL
    assert _verified_by_tool(action, fields)
    assert not _verified_by_tool(action, fields, secret="wrong")
    assert fields["oauth_consumer_key"] == KEY and fields["lti_message_type"] == "basic-lti-launch-request"
    assert fields["roles"] == "Student" and fields["custom_a"] == "1"
    assert fields["context_id"] == course11.course_key
    assert learner.email not in fields.values()
    url, sourced = fields["lis_outcome_service_url"], fields["lis_result_sourcedid"]
    usage = course11.usage("lti", "old1")

    assert _outcome(url, sourced, "0.75", secret="forged").status_code == 401
    assert _outcome(url, sourced, "0.75", tamper=True).status_code == 401
    assert _outcome(url, sourced, "1.5").status_code == 400
    assert _outcome(url, sourced, "abc").status_code == 400
    assert _outcome(url, "forged-sourced-id", "0.5").status_code == 400
    assert requests.post(url, data=b"<x/>", timeout=10).status_code == 401
    assert _grade(app, learner.id, usage) is None

    answer = _outcome(url, sourced, "0.75")
    assert answer.status_code == 200 and "<imsx_codeMajor>success</imsx_codeMajor>" in answer.text
    assert _grade(app, learner.id, usage) == (3.0, 4.0)


def test_a_replayed_outcome_is_refused(
    app: Flask, platform: str, course11: OlxCourse, enrolled: Callable[..., Any]
) -> None:
    learner = enrolled(course11)
    browser = signed_in(platform, learner.email)
    _, fields = autopost(
        browser.get(platform + course11.handler_url("lti", "old1", "launch"), timeout=10).text
    )
    url = fields["lis_outcome_service_url"]
    body = OUTCOME.format(message="m1", sourced=fields["lis_result_sourcedid"], score="0.5").encode()
    auth = ClientAuth(KEY, SECRET, signature_method="HMAC-SHA1", signature_type="HEADER")
    _, headers, body = auth.sign("POST", url, {"Content-Type": "application/xml"}, body)
    assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 200
    assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 409


def test_a_launch_whose_passport_is_missing_says_so(
    platform: str, olx_course: Callable[..., OlxCourse], enrolled: Callable[..., Any]
) -> None:
    course = olx_course(f'<lti url_name="old1" lti_id="absent" launch_url="{TOOL_URL}"/>')
    browser = signed_in(platform, enrolled(course, language="fr").email)
    browser.headers["Accept-Language"] = "fr"
    answer = browser.get(platform + course.handler_url("lti", "old1", "launch"), timeout=10)
    assert answer.status_code == 409 and "oauth_signature" not in answer.text
    assert "pas encore entièrement configuré dans la formation" in answer.text
    assert "no LTI passport named &#39;absent&#39;" in answer.text


def test_lti_consumer_in_lti_1p1_launches_course_staff_as_instructors(
    platform: str, olx_course: Callable[..., OlxCourse], trainer: Any
) -> None:
    unit = (
        f'<lti_consumer url_name="c11" lti_version="lti_1p1" lti_id="quiz" launch_url="{TOOL_URL}"'
        ' launch_target="new_window" ask_to_send_email="true"/>'
    )
    policy = json.dumps({"course/2026": {"lti_passports": [f"quiz:{KEY}:{SECRET}"]}})
    course = olx_course(unit, {"policies/2026/policy.json": policy})
    browser = signed_in(platform, trainer.email)
    answer = browser.get(platform + course.handler_url("lti_consumer", "c11", "launch"), timeout=10)
    action, fields = autopost(answer.text)
    assert _verified_by_tool(action, fields)
    assert fields["roles"] == "Instructor" and fields["launch_presentation_document_target"] == "window"
    # The e-mail goes to the tool only because the component asks for it; no score, no outcome service.
    assert fields["lis_person_contact_email_primary"] == trainer.email
    assert "lis_outcome_service_url" not in fields


@pytest.mark.parametrize(("accept", "status"), [("false", 403), ("true", 200)])
def test_a_late_outcome_counts_only_where_late_grades_are_accepted(
    app: Flask,
    platform: str,
    olx_course: Callable[..., OlxCourse],
    enrolled: Callable[..., Any],
    accept: str,
    status: int,
) -> None:
    unit = (
        f'<lti url_name="late" lti_id="quiz" launch_url="{TOOL_URL}" has_score="true"'
        f' due="2020-06-30T12:00:00+00:00" accept_grades_past_due="{accept}"/>'
    )
    policy = json.dumps({"course/2026": {"lti_passports": [f"quiz:{KEY}:{SECRET}"]}})
    course = olx_course(unit, {"policies/2026/policy.json": policy})
    learner = enrolled(course)
    browser = signed_in(platform, learner.email)
    _, fields = autopost(browser.get(platform + course.handler_url("lti", "late", "launch"), timeout=10).text)
    answer = _outcome(fields["lis_outcome_service_url"], fields["lis_result_sourcedid"], "1.0")
    assert answer.status_code == status, answer.text
    expected = None if status == 403 else (1.0, 1.0)
    assert _grade(app, learner.id, course.usage("lti", "late")) == expected


def test_a_late_outcome_is_refused_when_the_sequence_was_due(
    app: Flask, platform: str, olx_course: Callable[..., OlxCourse], enrolled: Callable[..., Any]
) -> None:
    # The component's due date is its sequence's, as Open edX inherits it.
    course_xml = (
        '<course display_name="Cours" cybermassif_open_enrolment="true"><chapter url_name="ch1">'
        '<sequential url_name="s1" due="2020-06-30T12:00:00+00:00"><vertical url_name="u1">'
        f'<lti url_name="late" lti_id="quiz" launch_url="{TOOL_URL}" has_score="true"'
        ' accept_grades_past_due="false"/></vertical></sequential></chapter></course>'
    )
    policy = json.dumps({"course/2026": {"lti_passports": [f"quiz:{KEY}:{SECRET}"]}})
    course = olx_course("", {"course/2026.xml": course_xml, "policies/2026/policy.json": policy})
    learner = enrolled(course)
    browser = signed_in(platform, learner.email)
    _, fields = autopost(browser.get(platform + course.handler_url("lti", "late", "launch"), timeout=10).text)
    answer = _outcome(fields["lis_outcome_service_url"], fields["lis_result_sourcedid"], "1.0")
    assert answer.status_code == 403 and "takes no late score" in answer.text
    assert _grade(app, learner.id, course.usage("lti", "late")) is None


def test_a_launch_url_that_would_add_a_policy_directive_posts_nowhere(
    platform: str, olx_course: Callable[..., OlxCourse], enrolled: Callable[..., Any]
) -> None:
    unit = '<lti url_name="odd" lti_id="quiz" launch_url="https://outil.example;script-src *;/lti"/>'
    policy = json.dumps({"course/2026": {"lti_passports": [f"quiz:{KEY}:{SECRET}"]}})
    course = olx_course(unit, {"policies/2026/policy.json": policy})
    browser = signed_in(platform, enrolled(course).email)
    answer = browser.get(platform + course.handler_url("lti", "odd", "launch"), timeout=10)
    policy_header = answer.headers["Content-Security-Policy"]
    assert "form-action 'none'" in policy_header and "script-src *" not in policy_header
