"""LTI 1.1: launches signed with OAuth 1 HMAC-SHA1 (Authlib's signature functions), the key and secret
taken from the course's ``lti_passports`` (``"id:client_key:client_secret"``), and the Basic Outcomes
service (``replaceResult`` in XML, the signature and the body hash checked) whose score becomes a grade.

A block using it declares ``lti_id``, ``launch_url``, ``custom_parameters``, ``has_score``, ``weight``,
``display_name`` and the ``ask_to_send_*`` fields, and the third-party handler :data:`OUTCOME_HANDLER`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

from authlib.oauth1.rfc5849 import signature
from authlib.oauth1.rfc5849.util import unescape
from itsdangerous import BadSignature, URLSafeSerializer
from lxml import etree

from app.core.extensions import db
from app.lti import deadlines, learners, nonces
from app.lti.ags import publish_grade
from app.lti.errors import NOT_CONFIGURED, SIGN_IN, LtiRefused
from app.lti.launch13 import custom_parameters

OUTCOME_HANDLER = "outcome_service_handler"
TIMESTAMP_WINDOW = 300
OUTCOME_MAX_BYTES = 64 * 1024
IMS = "http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def passport(runtime: Any, lti_id: str) -> tuple[str, str]:
    """The key and secret of the course's passport named ``lti_id``."""
    root = runtime.get_block(runtime.tree.root_usage_id)
    raw: Any = getattr(root, "lti_passports", None)
    if raw is None:
        raw = getattr(root, "xml_attributes", {}).get("lti_passports", "[]")
    try:
        entries = json.loads(raw) if isinstance(raw, str) else list(raw or [])
    except ValueError:
        entries = []
    for entry in entries:
        name, _, rest = str(entry).partition(":")
        key, _, secret = rest.partition(":")
        if name.strip() == lti_id.strip() and key and secret:
            return key.strip(), secret.strip()
    raise LtiRefused(f"the course has no LTI passport named {lti_id!r}", 409, NOT_CONFIGURED)


def _sourced_ids(runtime: Any) -> URLSafeSerializer:
    return URLSafeSerializer(runtime.config.secret, salt="cybermassif.lti11.sourcedid")


def _sign(method: str, url: str, params: list[tuple[str, str]], secret: str) -> str:
    base = signature.construct_base_string(method, url, params)
    return signature.hmac_sha1_signature(base, secret, "")


def launch(runtime: Any, block: Any) -> tuple[str, dict[str, str]]:
    """The launch form's URL and signed fields."""
    learner = runtime.learner
    if learner.user_id is None:
        raise LtiRefused("sign in to open this tool", 401, SIGN_IN)
    url = (block.launch_url or "").strip()
    if not url.startswith(("https://", "http://")):
        raise LtiRefused("this tool has no launch URL", 409, NOT_CONFIGURED)
    key, secret = passport(runtime, block.lti_id or "")
    anonymous = runtime.anonymous_student_id
    learners.remember(db.session, str(runtime.course_id), anonymous, learner.user_id)
    usage_id = str(block.scope_ids.usage_id)
    fields: dict[str, str] = {
        "lti_message_type": "basic-lti-launch-request",
        "lti_version": "LTI-1p0",
        "resource_link_id": usage_id,
        "resource_link_title": block.display_name or "",
        "user_id": anonymous,
        "roles": "Instructor" if learner.is_staff else "Student",
        "context_id": str(runtime.course_id),
        "launch_presentation_locale": learner.language,
        "launch_presentation_document_target": "window" if _new_window(block) else "iframe",
        "tool_consumer_info_product_family_code": "cybermassif",
        "oauth_callback": "about:blank",
        "oauth_consumer_key": key,
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(int(time.time())),
        "oauth_nonce": secrets.token_hex(16),
        "oauth_version": "1.0",
    }
    if block.has_score:
        fields["lis_result_sourcedid"] = _sourced_ids(runtime).dumps([usage_id, anonymous])
        fields["lis_outcome_service_url"] = runtime.handler_url(block, OUTCOME_HANDLER, thirdparty=True)
    if getattr(block, "ask_to_send_username", False) and learner.username:
        fields["lis_person_sourcedid"] = learner.username
    if getattr(block, "ask_to_send_email", False) and learner.email:
        fields["lis_person_contact_email_primary"] = learner.email
    for name, value in custom_parameters(block.custom_parameters).items():
        fields[name if name.startswith("custom_") else f"custom_{name}"] = value
    fields["oauth_signature"] = _sign("POST", url, list(fields.items()), secret)
    return url, fields


def _new_window(block: Any) -> bool:
    if hasattr(block, "open_in_a_new_page"):
        return bool(block.open_in_a_new_page)
    return getattr(block, "launch_target", "iframe") == "new_window"


def _oauth_header(headers: Mapping[str, str]) -> dict[str, str]:
    value = headers.get("Authorization", "")
    scheme, _, rest = value.partition(" ")
    if scheme.lower() != "oauth":
        raise LtiRefused("the request is not signed (Authorization: OAuth)", 401)
    params: dict[str, str] = {}
    for part in rest.split(","):
        name, separator, quoted = part.strip().partition("=")
        if separator:
            params[unescape(name.strip())] = unescape(quoted.strip().strip('"'))
    return params


def _check_signature(runtime: Any, block: Any, url: str, headers: Mapping[str, str], body: bytes) -> None:
    key, secret = passport(runtime, block.lti_id or "")
    params = _oauth_header(headers)
    if params.get("oauth_consumer_key") != key or params.get("oauth_signature_method") != "HMAC-SHA1":
        raise LtiRefused("unknown consumer key or signature method", 401)
    try:
        stamp = int(params.get("oauth_timestamp", ""))
    except ValueError as error:
        raise LtiRefused("the request has no valid timestamp", 401) from error
    if abs(time.time() - stamp) > TIMESTAMP_WINDOW:
        raise LtiRefused("the request's timestamp is too old or in the future", 401)
    expected_hash = base64.b64encode(hashlib.sha1(body).digest()).decode()  # noqa: S324 (the protocol's)
    if not hmac.compare_digest(params.get("oauth_body_hash", ""), expected_hash):
        raise LtiRefused("the body hash does not match the body", 401)
    given = params.pop("oauth_signature", "")
    params.pop("realm", None)
    split = urllib.parse.urlsplit(url)
    signed = list(params.items()) + urllib.parse.parse_qsl(split.query, keep_blank_values=True)
    bare = urllib.parse.urlunsplit((split.scheme, split.netloc, split.path, "", ""))
    if not hmac.compare_digest(given, _sign("POST", bare, signed, secret)):
        raise LtiRefused("the signature is not valid", 401)
    nonces.use(db.session, f"oauth1:{key}:{params.get('oauth_nonce', '')}")


def outcome(runtime: Any, block: Any, url: str, headers: Mapping[str, str], body: bytes) -> str:
    """Check and carry out a Basic Outcomes request; returns the XML answer."""
    if not block.has_score:
        raise LtiRefused("this component takes no scores", 403)
    if len(body) > OUTCOME_MAX_BYTES:
        raise LtiRefused("the request is too large", 413)
    _check_signature(runtime, block, url, headers, body)
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as error:
        raise LtiRefused("the request is not XML") from error
    ns = {"i": IMS}
    message_id = root.findtext(".//i:imsx_messageIdentifier", default="", namespaces=ns)
    operation = root.find("i:imsx_POXBody/*", ns)
    if operation is None or etree.QName(operation).localname != "replaceResultRequest":
        return _answer(message_id, "unsupported", "", "only replaceResult is supported")
    sourced = operation.findtext(".//i:sourcedGUID/i:sourcedId", default="", namespaces=ns)
    text = operation.findtext(".//i:result/i:resultScore/i:textString", default="", namespaces=ns)
    try:
        usage_id, anonymous = _sourced_ids(runtime).loads(sourced)
    except (BadSignature, ValueError) as error:
        raise LtiRefused("unknown sourcedId") from error
    if usage_id != str(block.scope_ids.usage_id):
        raise LtiRefused("the sourcedId is another component's")
    user_id = learners.learner_of(db.session, str(runtime.course_id), anonymous)
    if user_id is None:
        raise LtiRefused("the sourcedId is no learner launched from this course", 404)
    try:
        score = float(text.strip())
    except ValueError as error:
        raise LtiRefused("the score is not a number") from error
    if not 0.0 <= score <= 1.0:
        raise LtiRefused("the score must be between 0.0 and 1.0")
    deadlines.check_accepts_scores(runtime, block)
    weight = float(block.weight)
    if weight > 0:
        publish_grade(runtime, block, user_id, score * weight, weight)
    return _answer(message_id, "success", "replaceResult", f"score {score:g} recorded")


def _answer(message_id: str, code: str, operation: str, description: str) -> str:
    """The imsx_POXEnvelopeResponse the tool expects."""
    envelope = etree.Element(f"{{{IMS}}}imsx_POXEnvelopeResponse", nsmap={None: IMS})
    header = etree.SubElement(
        etree.SubElement(envelope, f"{{{IMS}}}imsx_POXHeader"), f"{{{IMS}}}imsx_POXResponseHeaderInfo"
    )
    etree.SubElement(header, f"{{{IMS}}}imsx_version").text = "V1.0"
    etree.SubElement(header, f"{{{IMS}}}imsx_messageIdentifier").text = secrets.token_hex(8)
    status = etree.SubElement(header, f"{{{IMS}}}imsx_statusInfo")
    etree.SubElement(status, f"{{{IMS}}}imsx_codeMajor").text = code
    etree.SubElement(status, f"{{{IMS}}}imsx_severity").text = "status"
    etree.SubElement(status, f"{{{IMS}}}imsx_description").text = description
    etree.SubElement(status, f"{{{IMS}}}imsx_messageRefIdentifier").text = message_id
    etree.SubElement(status, f"{{{IMS}}}imsx_operationRefIdentifier").text = operation
    body = etree.SubElement(envelope, f"{{{IMS}}}imsx_POXBody")
    if operation:
        etree.SubElement(body, f"{{{IMS}}}{operation}Response")
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8").decode()
