"""A tiny real LTI 1.3 tool (PyLTI1p3, a tool-side library) in Flask, for the tests to run on loopback.

``/login`` is its OIDC login initiation, ``/launch`` its launch URL: it validates the platform's
``id_token`` (signature against the platform's JWKS, issuer, audience, nonce, deployment, message) and,
when the test set ``score`` in its settings, sends that score back through Assignment and Grade Services.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.tool_config import ToolConfDict


class ToolSettings:
    """What the tool's administrator entered (the platform's registration) and the tool's key pair."""

    def __init__(self) -> None:
        key = RSAKey.generate_key(2048)
        self.private_pem = key.as_pem(private=True).decode()
        self.public_pem = key.as_pem(private=False).decode()
        self.registration: dict[str, str] = {}
        self.score: tuple[float, float] | None = None
        self.launches: list[dict[str, Any]] = []
        self.grade_answers: list[Any] = []

    def config(self) -> ToolConfDict:
        """The tool's configuration of the one platform it knows."""
        reg = self.registration
        conf = ToolConfDict(
            {
                reg["issuer"]: [
                    {
                        "default": True,
                        "client_id": reg["client_id"],
                        "auth_login_url": reg["auth_login_url"],
                        "auth_token_url": reg["auth_token_url"],
                        "auth_audience": None,
                        "key_set_url": reg["keyset_url"],
                        "key_set": None,
                        "deployment_ids": [reg["deployment_id"]],
                    }
                ]
            }
        )
        conf.set_private_key(reg["issuer"], self.private_pem, client_id=reg["client_id"])
        conf.set_public_key(reg["issuer"], self.public_pem, client_id=reg["client_id"])
        return conf


def tool_app(settings: ToolSettings) -> Flask:
    """The tool's Flask application."""
    app = Flask("lti_test_tool")
    app.secret_key = "tool-secret"
    # Both servers are on 127.0.0.1, where cookies do not tell ports apart: the tool's has its own name.
    app.config["SESSION_COOKIE_NAME"] = "tool_session"

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        oidc = FlaskOIDCLogin(FlaskRequest(), settings.config())
        target = request.values.get("target_link_uri", "")
        return oidc.redirect(target)

    @app.route("/jwks")
    def jwks() -> Any:
        return jsonify(settings.config().get_jwks())

    @app.route("/launch", methods=["POST"])
    def launch() -> Any:
        try:
            message = FlaskMessageLaunch(FlaskRequest(), settings.config())
            data = message.get_launch_data()
        except LtiException as error:
            return jsonify(error=str(error)), 403
        settings.launches.append(data)
        answer: Any = None
        if settings.score is not None and message.has_ags():
            given, maximum = settings.score
            grade = (
                Grade()
                .set_score_given(given)
                .set_score_maximum(maximum)
                .set_timestamp("2026-12-04T10:00:00+00:00")
                .set_activity_progress("Completed")
                .set_grading_progress("FullyGraded")
                .set_user_id(data["sub"])
            )
            answer = message.get_ags().put_grade(grade)
            settings.grade_answers.append(answer)
        return jsonify(launched=data["sub"], graded=answer is not None)

    return app
