"""Progress pages (one blueprint, one module per audience): the learner's own progress and certificates,
the managers' company, Cybersite and cohort tables, the trainers' course figures, and the exports of every
table. Every view asks the access policy first."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.core import navigation
from app.progress.cli import progress as progress_commands
from app.progress.routes import certificates, courses, formatting, learner, organisations
from app.progress.routes.base import blueprint

__all__ = ["blueprint", "certificates", "courses", "formatting", "learner", "organisations"]


@blueprint.record_once
def _register(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    navigation.register(
        app,
        navigation.NavEntry(_l("Progress"), "progress.index", lambda user: user.is_authenticated, order=30),
    )
    app.cli.add_command(progress_commands)
