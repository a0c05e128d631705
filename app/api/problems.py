"""Errors of the API as ``application/problem+json`` (RFC 9457), titled in the request's language.

Every refusal is an :class:`ApiProblem`: its status, a short title that depends only on the kind of
problem, a detail about this occurrence, and a stable ``code`` (an extension member) that tools branch
on, since titles are translated. ``type`` stays ``about:blank``: the status and code say it all.
"""

from __future__ import annotations

from typing import Any

from flask import Response, json
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

MEDIA_TYPE = "application/problem+json"

TITLES: dict[int, LazyString] = {
    400: _l("Bad request"),
    401: _l("Authentication required"),
    403: _l("Forbidden"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Request too large"),
    415: _l("Unsupported media type"),
    422: _l("Invalid data"),
    429: _l("Too many requests"),
    500: _l("Internal error"),
}


class ApiProblem(Exception):
    """A refusal the API answers with a problem document."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str | LazyString,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(str(detail))
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def response(problem: ApiProblem, instance: str) -> Response:
    """The problem document of ``problem`` for the request at ``instance``."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": str(TITLES.get(problem.status, TITLES[500 if problem.status >= 500 else 400])),
        "status": problem.status,
        "detail": str(problem.detail),
        "instance": instance,
        "code": problem.code,
    }
    if problem.errors:
        body["errors"] = problem.errors
    answer = Response(json.dumps(body), status=problem.status, mimetype=MEDIA_TYPE)
    answer.headers.update(problem.headers)
    return answer


HTTP_DETAILS: dict[int, LazyString] = {
    404: _l("There is no such address in the API."),
    405: _l("This address does not accept this method."),
    413: _l("The request body is too large."),
    429: _l("Too many requests: wait a moment and try again."),
}


def from_http(error: HTTPException) -> ApiProblem:
    """The problem for an HTTP error Werkzeug raised (an unknown address, a wrong method…)."""
    status = error.code or 500
    detail = HTTP_DETAILS.get(status, TITLES.get(status, TITLES[500]))
    headers = {k: v for k, v in error.get_headers() if k.lower() in ("allow", "retry-after")}
    return ApiProblem(status, f"http-{status}", detail, headers=headers)
