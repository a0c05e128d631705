"""``/healthz``: 200 when the application can reach its database, 503 otherwise (for load balancers)."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.core.extensions import db, limiter

log = logging.getLogger("cybermassif.health")


def init_app(app: Flask) -> None:
    """Register the health endpoint."""

    @app.get("/healthz")
    @limiter.exempt
    def healthz() -> tuple[object, int]:
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError as error:
            log.error("health check failed: %s", error)
            return jsonify(status="error", database="unreachable"), 503
        return jsonify(status="ok", database="ok"), 200
