"""Giving someone a role and taking one back, from their detail page."""

from __future__ import annotations

from flask import redirect, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from app.accounts.models import RoleGrant, User
from app.accounts.policy import Action
from app.accounts.services import roles
from app.accounts.services.roles import scope_label
from app.accounts.submitting import submit
from app.admin.forms import GrantRoleForm
from app.admin.routes.base import act, actor, blueprint, done, require
from app.admin.routes.users import render_user
from app.core.extensions import db


@blueprint.route("/utilisateurs/<int:user_id>/roles", methods=["POST"])
def grant_role(user_id: int) -> Response | tuple[str, int]:
    """Give the person a role over a company or a Cybersite the actor may staff."""
    person = db.get_or_404(User, user_id)
    require(Action.VIEW_USER, person)
    form = GrantRoleForm()
    if form.validate_on_submit():
        ok, grant = submit(
            form,
            lambda: roles.grant_role(
                actor(),
                person,
                form.role.data,
                company_id=form.company_id.data,
                cybersite_id=form.cybersite_id.data,
            ),
        )
        if ok and grant is not None:
            return done(_("The role is given."), ".user", user_id=person.id)
    return render_user(person, form, 400)


@blueprint.route("/utilisateurs/<int:user_id>/roles/<int:grant_id>/retirer", methods=["POST"])
def revoke_role(user_id: int, grant_id: int) -> Response:
    """Take a role back from the person."""
    grant = db.get_or_404(RoleGrant, grant_id)
    if grant.user_id != user_id:
        raise NotFound()
    require(Action.REVOKE_ROLE, grant)
    where = scope_label(grant)
    act(lambda: roles.revoke_role(actor(), grant), _("The role is taken back (%(scope)s).", scope=where))
    return redirect(url_for(".user", user_id=user_id))
