"""The background jobs page: every job users asked for (exports, imports), newest first, with how each
ended and why one failed (network administrators)."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from app.accounts import queries
from app.accounts.models import User
from app.accounts.policy import Action
from app.admin.routes.base import blueprint, page_number, require
from app.core.extensions import db
from app.jobs.models import Job


@blueprint.route("/taches")
def jobs() -> str:
    """Background jobs, newest first, with their requester."""
    require(Action.ADMINISTER_NETWORK)
    found = queries.page(select(Job).order_by(Job.created_at.desc(), Job.id.desc()), page_number())
    owner_ids = {job.owner_id for job in found.items}
    rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(owner_ids))).all()
    names = {row.id: row.display_name for row in rows}
    return render_template("admin/jobs.html", page=found, requesters=names)
