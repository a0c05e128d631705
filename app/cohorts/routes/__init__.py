"""Cohort pages (one blueprint, one module per subject): the cohorts list, a cohort's page and form, its
members, and enrolment from a file. Every view asks the access policy; lists are limited in SQL."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.cohorts.routes import cohorts, imports, members
from app.cohorts.routes.base import blueprint
from app.core import navigation

__all__ = ["blueprint", "cohorts", "imports", "members"]


@blueprint.record_once
def _navigation(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    navigation.register(
        app, navigation.NavEntry(_l("Cohorts"), "cohorts.index", lambda user: user.is_authenticated, order=20)
    )
