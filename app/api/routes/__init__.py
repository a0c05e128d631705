"""The ``/api/v1`` blueprint: its views live in one module per resource, registered here."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, g, request
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import HTTPException

from app.api import problems
from app.core.extensions import csrf

PREFIX = "/api/v1"

blueprint = Blueprint(
    "api",
    __name__,
    url_prefix=PREFIX,
    template_folder=str(Path(__file__).resolve().parent.parent / "templates"),
)


@blueprint.before_request
def _no_cookie_session() -> None:
    # The API authenticates by bearer token only: a browser's session cookie, which another site can make
    # a browser send, counts for nothing here (Flask-Login reads ``g._login_user`` before the cookie).
    g._login_user = AnonymousUserMixin()


@blueprint.errorhandler(problems.ApiProblem)
def _problem(error: problems.ApiProblem) -> Response:
    return problems.response(error, request.path)


def init_app(app: Flask) -> None:
    """Register the API's views, exempt them from the cookie-form CSRF check (no cookie authenticates
    them), and answer errors under the prefix as problem documents."""
    from app.api import models  # noqa: F401 (tables)
    from app.api.routes import cohorts, courses, docs, organisations, people, progress, tokens, vista  # noqa: F401

    csrf.exempt(blueprint)
    app.register_blueprint(blueprint)
    app.register_blueprint(tokens.blueprint)
    fallback = app.error_handler_spec[None].get(None, {}).get(HTTPException)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        # Addresses under the prefix that match no view (404, 405) answer problems like the views do.
        if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
            return problems.response(problems.from_http(error), request.path)
        assert fallback is not None
        return fallback(error)
