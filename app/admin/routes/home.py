"""The administration home page: links to what the signed-in user may manage."""

from __future__ import annotations

from flask import render_template

from app.accounts import queries
from app.accounts.policy import Action, can
from app.admin.routes.base import actor, blueprint


@blueprint.route("/")
def index() -> str:
    """The administration home: what the user may manage."""
    user = actor()
    sections = {
        "cybersites": can(user, Action.CREATE_CYBERSITE) or queries.exists(queries.visible_cybersites(user)),
        "companies": True,
        "users": True,
        "invitations": bool(queries.assignable_roles(user)),
        "outbox": can(user, Action.ADMINISTER_NETWORK),
        "jobs": can(user, Action.ADMINISTER_NETWORK),
        "block_types": can(user, Action.ADMINISTER_NETWORK),
        "courses": can(user, Action.ADMINISTER_NETWORK),
    }
    return render_template("admin/index.html", sections=sections)
