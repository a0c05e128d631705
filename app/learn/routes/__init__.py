"""Learner-facing pages (one blueprint, one module per subject): home, catalogue, courseware, XBlock
endpoints (handlers, block resources, course assets)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.core import navigation
from app.learn import warmup
from app.learn.routes import about, catalogue, home, unit, xblocks
from app.learn.routes.base import blueprint

__all__ = ["about", "blueprint", "catalogue", "home", "unit", "xblocks"]


@blueprint.record_once
def _navigation(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    # What gunicorn's workers run before their first request (app.jobs.gunicorn_hooks.post_worker_init).
    app.extensions[warmup.WARM_UP] = lambda: warmup.warm_up(app)
    navigation.register(app, navigation.NavEntry(_l("Home"), "learn.home", lambda user: True, order=0))
    navigation.register(
        app, navigation.NavEntry(_l("Courses"), "learn.catalogue", lambda user: True, order=10)
    )
