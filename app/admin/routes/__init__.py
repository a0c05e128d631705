"""Administration pages (one blueprint, one module per subject), each guarded by the access policy."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.accounts.policy import Action, can
from app.admin.routes import (
    block_types,
    companies,
    courses,
    cybersites,
    home,
    invitations,
    jobs,
    outbox,
    roles,
    users,
)
from app.admin.routes.base import blueprint
from app.core import navigation

__all__ = [
    "block_types",
    "blueprint",
    "companies",
    "courses",
    "cybersites",
    "home",
    "invitations",
    "jobs",
    "outbox",
    "roles",
    "users",
]


@blueprint.record_once
def _navigation(state: object) -> None:
    app: Flask = state.app  # type: ignore[attr-defined]
    navigation.register(
        app,
        navigation.NavEntry(
            _l("Administration"), "admin.index", lambda user: can(user, Action.VIEW_ADMIN), order=90
        ),
    )
