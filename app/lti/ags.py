"""LTI Advantage Assignment and Grade Services: the token endpoint (OAuth 2 client credentials with a JWT
signed by the tool's key) and the line item's score service, whose scores become the learner's grade."""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from joserfc.jwk import KeySet
from xblock.fields import Scope
from xblock.runtime import KeyValueStore

from app.core.extensions import db
from app.lti import deadlines, keys, learners, nonces, tokens
from app.lti.errors import LtiRefused
from app.lti.launch13 import AGS_SCOPES, client_id, issuer, registration
from app.runtime import events
from app.runtime.store import FieldStore

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_LIFETIME = 3600
SCORE_MAX_BYTES = 64 * 1024
SCORE_TYPES = ("application/vnd.ims.lis.v1.score+json", "application/json")
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def access_token(runtime: Any, block: Any, form: Mapping[str, str]) -> dict[str, Any]:
    """An access token for the tool of ``block``, once its signed client assertion is checked."""
    if not block.has_score:
        raise LtiRefused("this component takes no scores", 403)
    if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != ASSERTION_TYPE:
        raise LtiRefused("expected grant_type client_credentials with a JWT client assertion")
    tool = tokens.tool_keys(block.lti_1p3_tool_public_key or "", _keyset_url(block))
    ours = client_id(block)
    claims = tokens.verify(
        form.get("client_assertion", ""),
        tool,
        issuer=ours,
        subject=ours,
        # The token endpoint, as PyLTI1p3 and most tools say, or the platform's identifier (IMS security
        # framework: the authorisation server's).
        audience=[registration(runtime, block)["auth_token_url"], issuer()],
    )
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise LtiRefused("the client assertion has no jti", 401)
    nonces.use(db.session, f"jti:{ours}:{jti}")
    asked = str(form.get("scope", "")).split()
    granted = [scope for scope in asked if scope in AGS_SCOPES]
    if not granted:
        raise LtiRefused("none of the scopes asked for is offered", 400)
    now = int(time.time())
    token = tokens.sign(
        {
            "iss": issuer(),
            "sub": ours,
            "aud": issuer(),
            "iat": now,
            "exp": now + TOKEN_LIFETIME,
            "jti": str(uuid.uuid4()),
            "scope": " ".join(granted),
        },
        keys.signing_key(db.session),
    )
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME,
        "scope": " ".join(granted),
    }


def _keyset_url(block: Any) -> str:
    if getattr(block, "lti_1p3_tool_key_mode", "public_key") == "keyset_url":
        return (block.lti_1p3_tool_keyset_url or "").strip()
    return ""


def _check_bearer(block: Any, authorization: str, scope: str) -> None:
    kind, _, token = (authorization or "").partition(" ")
    if kind.lower() != "bearer" or not token:
        raise LtiRefused("an access token is required (Authorization: Bearer)", 401)
    ours = KeySet.import_key_set(keys.public_jwks(db.session))
    claims = tokens.verify(token.strip(), ours, issuer=issuer(), audience=issuer(), subject=client_id(block))
    if scope not in str(claims.get("scope", "")).split():
        raise LtiRefused("the access token does not grant this scope", 403)


def lineitem(runtime: Any, block: Any, authorization: str) -> dict[str, Any]:
    """The block's one line item, as the tool reads it."""
    _check_bearer(block, authorization, AGS_SCOPES[0])
    return {
        "id": registration(runtime, block)["lineitem_url"],
        "scoreMaximum": float(block.weight),
        "label": block.display_name,
        "resourceLinkId": str(block.scope_ids.usage_id),
    }


def record_score(
    runtime: Any, block: Any, authorization: str, content_type: str, body: bytes
) -> float | None:
    """Take a score the tool posts to the line item: the learner's grade (out of the block's weight),
    recorded in the caller's transaction. Returns the grade, None when the score carries none yet."""
    if not block.has_score:
        raise LtiRefused("this component takes no scores", 403)
    _check_bearer(block, authorization, SCORE_SCOPE)
    if content_type.split(";", maxsplit=1)[0].strip().lower() not in SCORE_TYPES:
        raise LtiRefused("a score is sent as application/vnd.ims.lis.v1.score+json", 415)
    if len(body) > SCORE_MAX_BYTES:
        raise LtiRefused("the score is too large", 413)
    try:
        score = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise LtiRefused("the score is not JSON") from error
    if not isinstance(score, dict) or not isinstance(score.get("userId"), str):
        raise LtiRefused("the score names no userId")
    user_id = learners.learner_of(db.session, str(runtime.course_id), score["userId"])
    if user_id is None:
        raise LtiRefused("the score's userId is no learner launched from this course", 404)
    given, maximum = score.get("scoreGiven"), score.get("scoreMaximum")
    if given is None:
        return None  # an activity or grading progress report without a score: nothing to record
    if not all(_is_number(value) for value in (given, maximum)):
        raise LtiRefused("scoreGiven and scoreMaximum must be numbers")
    if maximum <= 0 or not 0 <= given <= maximum:
        raise LtiRefused("the score must be between 0 and scoreMaximum, and scoreMaximum above 0")
    deadlines.check_accepts_scores(runtime, block)
    weight = float(block.weight)
    if weight <= 0:
        return None
    grade = given / maximum * weight
    comment = score.get("comment")
    publish_grade(runtime, block, user_id, grade, weight, comment=comment if isinstance(comment, str) else "")
    return grade


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def publish_grade(
    runtime: Any, block: Any, user_id: int, grade: float, weight: float, *, comment: str = ""
) -> None:
    """The learner's grade, recorded by progress in this same transaction (the tool's call has no
    session: the grade is the learner's, not the caller's); also kept in the learner's ``module_score``
    and ``score_comment`` fields of the block when it declares them (Open edX's), for the learner to see."""
    _keep_score(runtime, block, user_id, grade, comment)
    try:
        event = events.interpret(
            block, "grade", {"value": grade, "max_value": weight}, user_id, datetime.now(UTC)
        )
    except events.EventRefused as error:
        raise LtiRefused(str(error)) from error
    if event is not None:
        events.progress_recorded.send(runtime, events=[event])


def _keep_score(runtime: Any, block: Any, user_id: int, grade: float, comment: str) -> None:
    updates = {}
    for name, value in (("module_score", grade), ("score_comment", comment[:10_000])):
        declared = block.fields.get(name)
        if declared is not None and declared.scope == Scope.user_state:
            key = KeyValueStore.Key(Scope.user_state, user_id, block.scope_ids.usage_id, name)
            updates[key] = declared.to_json(value)
    if updates:
        store = FieldStore(db.session, runtime.tree, user_id)
        store.set_many(updates)
        store.flush()
