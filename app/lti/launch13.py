"""LTI 1.3 launches: the OIDC third-party login initiation to the tool, then the authorisation request the
tool sends back, checked and answered with a signed ``id_token`` (an ``LtiResourceLinkRequest``).

A block using it declares the settings fields of Open edX's ``lti_consumer`` that are read here
(``lti_1p3_launch_url``, ``lti_1p3_oidc_url``, ``lti_1p3_redirect_uris``, ``custom_parameters``,
``launch_target``, ``has_score``, ``weight``, ``display_name``, ``ask_to_send_*``) and the handlers named
in :data:`HANDLERS`.
"""

from __future__ import annotations

import time
import urllib.parse
import uuid
from collections.abc import Mapping
from typing import Any

from flask import url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.core.extensions import db
from app.lti import keys, learners, nonces, tokens
from app.lti.errors import NOT_CONFIGURED, SIGN_IN, LtiRefused

#: The block handlers the platform's URLs lead to.
HANDLERS = {
    "authorize": "lti_1p3_authorize",
    "token": "lti_1p3_access_token",
    "lineitem": "lti_1p3_lineitem",
}
DEPLOYMENT_ID = "1"
LOGIN_HINT_MAX_AGE = 600
ID_TOKEN_LIFETIME = 300
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
AGS_SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
)
ROLE_LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
ROLE_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def issuer() -> str:
    """The platform's issuer: its address, as tools are told it."""
    return url_for("learn.home", _external=True).rstrip("/")


def client_id(block: Any) -> str:
    """The client id of a block's tool registration: stable for the block (derived from its usage id)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, str(block.scope_ids.usage_id)))


def registration(runtime: Any, block: Any) -> dict[str, str]:
    """What the tool's administrator enters in the tool to register this block."""
    base = issuer()
    return {
        "issuer": base,
        "client_id": client_id(block),
        "deployment_id": DEPLOYMENT_ID,
        "keyset_url": url_for("lti.jwks", _external=True),
        "auth_login_url": urllib.parse.urljoin(base + "/", runtime.handler_url(block, HANDLERS["authorize"])),
        "auth_token_url": runtime.handler_url(block, HANDLERS["token"], thirdparty=True),
        "lineitem_url": runtime.handler_url(block, HANDLERS["lineitem"], thirdparty=True),
    }


def _hints(runtime: Any) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(runtime.config.secret, salt="cybermassif.lti13.login-hint")


def login_url(runtime: Any, block: Any) -> str:
    """Where the learner's browser goes to launch: the tool's OIDC login initiation URL with its
    parameters. Remembers the learner's anonymous id for the scores the tool will send."""
    user_id = runtime.learner.user_id
    if user_id is None:
        raise LtiRefused("sign in to open this tool", 401, SIGN_IN)
    oidc_url = (block.lti_1p3_oidc_url or "").strip()
    launch_url = (block.lti_1p3_launch_url or "").strip()
    if not oidc_url.startswith(("https://", "http://")) or not launch_url.startswith(("https://", "http://")):
        raise LtiRefused("this tool has no login or launch URL", 409, NOT_CONFIGURED)
    usage_id = str(block.scope_ids.usage_id)
    learners.remember(db.session, str(runtime.course_id), runtime.anonymous_student_id, user_id)
    params = {
        "iss": issuer(),
        "login_hint": _hints(runtime).dumps({"u": user_id, "b": usage_id}),
        "target_link_uri": launch_url,
        "lti_message_hint": usage_id,
        "client_id": client_id(block),
        "lti_deployment_id": DEPLOYMENT_ID,
    }
    separator = "&" if urllib.parse.urlsplit(oidc_url).query else "?"
    return f"{oidc_url}{separator}{urllib.parse.urlencode(params)}"


def _redirect_uris(block: Any) -> list[str]:
    uris = [str(uri).strip() for uri in (block.lti_1p3_redirect_uris or []) if str(uri).strip()]
    return uris or [(block.lti_1p3_launch_url or "").strip()]


def authorize(runtime: Any, block: Any, params: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """Check the tool's authorisation request (OIDC implicit flow, as LTI 1.3 defines it) and give the
    form to post to the tool: its action (the redirect URI) and fields (``id_token``, ``state``)."""
    user_id = runtime.learner.user_id
    if user_id is None:
        raise LtiRefused("sign in to open this tool", 401, SIGN_IN)
    if params.get("scope") != "openid" or params.get("response_type") != "id_token":
        raise LtiRefused("the request must ask for an id_token with scope openid")
    if params.get("response_mode", "form_post") != "form_post":
        raise LtiRefused("only response_mode form_post is supported")
    if params.get("client_id") != client_id(block):
        raise LtiRefused("unknown client_id for this component", 403)
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in _redirect_uris(block):
        raise LtiRefused("redirect_uri is not one registered for this tool", 403)
    try:
        hint = _hints(runtime).loads(params.get("login_hint", ""), max_age=LOGIN_HINT_MAX_AGE)
    except BadSignature as error:
        raise LtiRefused("login_hint is not one this platform gave, or it expired", 403) from error
    usage_id = str(block.scope_ids.usage_id)
    if hint != {"u": user_id, "b": usage_id} or params.get("lti_message_hint", usage_id) != usage_id:
        raise LtiRefused("login_hint names another learner or component", 403)
    nonce, state = params.get("nonce", ""), params.get("state", "")
    if not nonce or not state or len(nonce) > 200 or len(state) > 2000:
        raise LtiRefused("nonce and state are required")
    nonces.use(db.session, f"oidc:{client_id(block)}:{nonce}")
    id_token = tokens.sign(_claims(runtime, block, nonce), keys.signing_key(db.session))
    return redirect_uri, {"id_token": id_token, "state": state}


def custom_parameters(values: Any) -> dict[str, str]:
    """Open edX's ``custom_parameters`` (``["name=value", …]``) as a dictionary."""
    custom: dict[str, str] = {}
    for item in values or []:
        name, separator, value = str(item).partition("=")
        if separator and name.strip():
            custom[name.strip()] = value.strip()
    return custom


def _course_title(runtime: Any) -> str:
    root_id = runtime.tree.root_usage_id
    return str(getattr(runtime.get_block(root_id), "display_name", "") or "") if root_id else ""


def _claims(runtime: Any, block: Any, nonce: str) -> dict[str, Any]:
    now = int(time.time())
    learner = runtime.learner
    course_key = str(runtime.course_id)
    claims: dict[str, Any] = {
        "iss": issuer(),
        "aud": client_id(block),
        "azp": client_id(block),
        # The tool knows the learner only by an id of this course; never the e-mail unless asked for.
        "sub": runtime.anonymous_student_id,
        "iat": now,
        "exp": now + ID_TOKEN_LIFETIME,
        "nonce": nonce,
        LTI + "message_type": "LtiResourceLinkRequest",
        LTI + "version": "1.3.0",
        LTI + "deployment_id": DEPLOYMENT_ID,
        LTI + "target_link_uri": (block.lti_1p3_launch_url or "").strip(),
        LTI + "resource_link": {"id": str(block.scope_ids.usage_id), "title": block.display_name},
        LTI + "roles": [ROLE_INSTRUCTOR if learner.is_staff else ROLE_LEARNER],
        LTI + "context": {
            "id": course_key,
            "label": str(getattr(runtime.course_id, "course", course_key)),
            "title": _course_title(runtime),
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        },
        LTI + "tool_platform": {
            "guid": issuer(),
            "name": "Cybermassif",
            "product_family_code": "cybermassif",
        },
        LTI + "launch_presentation": {
            "document_target": "iframe" if block.launch_target == "iframe" else "window",
            "locale": learner.language,
        },
        LTI + "custom": custom_parameters(block.custom_parameters),
    }
    if getattr(block, "ask_to_send_username", False) and learner.username:
        claims["preferred_username"] = learner.username
    if getattr(block, "ask_to_send_full_name", False) and learner.full_name:
        claims["name"] = learner.full_name
    if getattr(block, "ask_to_send_email", False) and learner.email:
        claims["email"] = learner.email
    if block.has_score:
        claims[AGS] = {
            "scope": list(AGS_SCOPES),
            "lineitem": runtime.handler_url(block, HANDLERS["lineitem"], thirdparty=True),
        }
    return claims
