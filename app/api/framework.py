"""How an API view runs: the bearer token, its scope, the query and body checked, errors as problems.

Every view of ``/api/v1`` is declared with :func:`operation`, which records what the OpenAPI document
says of it and wraps it: the token is checked (a cookie session counts for nothing here, so the API
cannot be driven cross-site), then its scope, then the query string and the JSON body against their
schemas; the view gets the token's user and the loaded values. A write is committed once, after the
view returned; any refusal rolls everything back and answers a problem document.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, g, request
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError

from app.accounts.models import User
from app.accounts.services.errors import Forbidden, ServiceError
from app.api import tokens
from app.api.problems import ApiProblem
from app.api.scopes import Level, Resource, allows
from app.core.database import MAX_ROW_ID, start_writing
from app.core.extensions import db

MAX_BODY = 64 * 1024  # bytes: the largest write body (one cohort, one enrolment)

_REFUSALS = {
    tokens.Refusal.MALFORMED: ("invalid-token", _l("The access token is malformed.")),
    tokens.Refusal.UNKNOWN: ("invalid-token", _l("The access token is not valid.")),
    tokens.Refusal.EXPIRED: ("expired-token", _l("The access token has expired.")),
    tokens.Refusal.REVOKED: ("revoked-token", _l("The access token has been revoked.")),
    tokens.Refusal.INACTIVE: ("invalid-token", _l("The account of this access token is deactivated.")),
}


@dataclass(frozen=True)
class Meta:
    """What the OpenAPI document says of a view."""

    summary: str
    resource: Resource
    level: Level
    tag: str
    query: type[Schema] | None
    body: type[Schema] | None
    response: type[Schema] | None
    many: bool
    status: int


def _unauthorised(code: str, detail: Any) -> ApiProblem:
    return ApiProblem(401, code, detail, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def authenticate() -> Any:
    """The live token of the request's ``Authorization: Bearer`` header, or a 401 problem."""
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if not header:
        raise _unauthorised(
            "missing-token", _l("Send a personal access token in the header Authorization: Bearer.")
        )
    if scheme.lower() != "bearer" or not raw.strip():
        raise _unauthorised("invalid-token", _l("The Authorization header must read: Bearer <token>."))
    checked = tokens.check(raw.strip())
    if checked.token is None:
        assert checked.refusal is not None
        raise _unauthorised(*_REFUSALS[checked.refusal])
    return checked.token


def _load(schema: type[Schema], data: Any, status: int, code: str, detail: Any) -> Any:
    try:
        return schema().load(data)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        raise ApiProblem(status, code, detail, errors=messages) from None


def _json_body() -> Any:
    if request.mimetype != "application/json":
        raise ApiProblem(415, "unsupported-media-type", _l("Send the body as application/json."))
    if (request.content_length or 0) > MAX_BODY:
        raise ApiProblem(413, "body-too-large", _l("The request body is too large."))
    data = request.get_json(silent=True)
    if data is None:
        raise ApiProblem(400, "invalid-json", _l("The request body is not valid JSON."))
    return data


def _query_args() -> dict[str, Any]:
    # Each parameter once: a repeated one is refused rather than one of its values picked.
    args = request.args
    repeated = sorted(k for k in args if len(args.getlist(k)) > 1)
    if repeated:
        raise ApiProblem(
            400,
            "invalid-query",
            _l("A query parameter is repeated."),
            errors={k: ["repeated"] for k in repeated},
        )
    return args.to_dict()


def operation(
    summary: str,
    resource: Resource,
    *,
    level: Level = Level.READ,
    tag: str | None = None,
    query: type[Schema] | None = None,
    body: type[Schema] | None = None,
    response: type[Schema] | None = None,
    many: bool = False,
    status: int = 200,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an API view: it gets ``user`` (the token's), and ``args`` / ``data`` when declared."""

    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def run(**kwargs: Any) -> Any:
            try:
                token = authenticate()
                if not allows(token.scopes, resource, level):
                    raise ApiProblem(
                        403,
                        "insufficient-scope",
                        _l("This access token's scopes do not allow this request."),
                    )
                user: User = token.user
                g.api_user = user
                if _beyond_keys(kwargs):
                    raise not_found()
                if query is not None:
                    kwargs["args"] = _load(
                        query, _query_args(), 400, "invalid-query", _l("The query parameters are not valid.")
                    )
                if body is not None:
                    kwargs["data"] = _load(
                        body, _json_body(), 422, "invalid-body", _l("The request body is not valid.")
                    )
                    _check_keys(kwargs["data"])
                if level == Level.WRITE or tokens.due_for_touch(token):
                    # Reads take the write lock only when the token's last use is due to be recorded.
                    start_writing(db.session)
                    token = db.session.get(type(token), token.id)
                    tokens.touch(token)
                    user = token.user
                result = view(user=user, **kwargs)
                db.session.commit()
                return _json(result)
            except Forbidden as error:
                db.session.rollback()
                raise ApiProblem(403, "forbidden", error.message) from None
            except ServiceError as error:
                db.session.rollback()
                errors = {error.field: [error.message]} if error.field else None
                raise ApiProblem(422, "refused", error.message, errors=errors) from None
            except ApiProblem:
                db.session.rollback()
                raise

        run.api_meta = Meta(  # type: ignore[attr-defined]
            summary, resource, level, tag or resource.value, query, body, response, many, status
        )
        # The view reads as a reader, then takes the write lock itself (``start_writing``) if it writes.
        run.reads_first = True  # type: ignore[attr-defined]
        return run

    return wrap


def _json(result: Any) -> Any:
    """A view's dict (or dict and status) as a JSON response; keys unsorted, unlike Flask's default,
    since sorting a thousand rows' keys costs as much as reading them."""
    body, status = result if isinstance(result, tuple) else (result, 200)
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text, status=status, mimetype="application/json")


def _beyond_keys(values: dict[str, Any]) -> bool:
    """Whether an id of the address is beyond every row's (looked up, it would overflow the column)."""
    return any(isinstance(v, int) and not isinstance(v, bool) and v > MAX_ROW_ID for v in values.values())


def _check_keys(data: Any) -> None:
    """A body naming one object by an id no row can have names nothing (404); a list of such ids is an
    invalid body (422), as a list naming an unknown object is."""
    if not isinstance(data, dict):
        return
    if _beyond_keys({k: v for k, v in data.items() if k.endswith("_id")}):
        raise not_found()
    for key, value in data.items():
        if key.endswith("_ids") and isinstance(value, list) and _beyond_keys(dict(enumerate(value))):
            raise ApiProblem(
                422, "invalid-body", _l("The request body is not valid."), errors={key: ["unknown id"]}
            )


def not_found() -> ApiProblem:
    """The problem for an id the user may not see (absent and foreign look alike)."""
    return ApiProblem(404, "not-found", _l("There is no such object, or you may not see it."))


def forbidden() -> ApiProblem:
    """The problem for an object the user sees but may not change."""
    return ApiProblem(403, "forbidden", _l("You are not allowed to do this."))
