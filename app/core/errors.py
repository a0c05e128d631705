"""Error pages: every HTTP error renders in the user's language with its status, never a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("cybermassif.errors")

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in to see this page."),
    403: _l("You are not allowed to do this."),
    404: _l("This page does not exist."),
    405: _l("This action is not allowed here."),
    410: _l("This page is no longer available."),
    413: _l("What you sent is too large."),
    429: _l("Too many attempts. Please wait a few minutes and try again."),
    500: _l("Something went wrong on our side. The team has been told."),
}
# For a status without its own message: Werkzeug's descriptions are English only.
OTHER_CLIENT_ERROR = _l("The request could not be completed.")
# Headers an error carries that its page must keep (Allow on 405, Retry-After on 429…).
_KEPT_HEADERS = {"allow", "retry-after", "www-authenticate"}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def render_error(error: HTTPException) -> Response:
    """The error page (or JSON for API clients) for an HTTP error."""
    code = error.code or 500
    message = MESSAGES.get(code, OTHER_CLIENT_ERROR if code < 500 else MESSAGES[500])
    if isinstance(error, CSRFError):
        message = _l(
            "This form has expired or was not sent from this site. Please reload the page and try again."
        )
    if _wants_json():
        response = make_response(jsonify(error=str(message), status=code), code)
    else:
        response = make_response(render_template("error.html", code=code, message=message), code)
    for name, value in error.get_headers():
        if name.lower() in _KEPT_HEADERS:
            response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        return render_error(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError())
