"""The sent-mail page: every message the platform sent or tried to send (network administrators)."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from app.accounts import queries
from app.accounts.policy import Action
from app.admin.routes.base import blueprint, page_number, require
from app.core.mail import OutboxMessage


@blueprint.route("/courriels")
def outbox() -> str:
    """Sent mail, newest first."""
    require(Action.ADMINISTER_NETWORK)
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    return render_template("admin/outbox.html", page=queries.page(query, page_number()))
