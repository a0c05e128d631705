"""Invitations: invite someone by e-mail to a role, see the pending invitations and withdraw them."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.accounts import queries
from app.accounts.models import Invitation, RoleGrant
from app.accounts.policy import Action
from app.accounts.services import invitations
from app.accounts.services.roles import check_scope
from app.accounts.submitting import submit
from app.admin.forms import InvitationForm
from app.admin.routes.base import act, actor, blueprint, done, page_number, require
from app.core.extensions import db


def _invite(form: InvitationForm) -> Invitation | RoleGrant:
    # The scope is checked first so that a role without its company or Cybersite gets a message, not a 403.
    check_scope(form.role.data, form.company_id.data, form.cybersite_id.data)
    return invitations.invite(
        actor(),
        form.email.data,
        form.role.data,
        company_id=form.company_id.data,
        cybersite_id=form.cybersite_id.data,
        language=form.language.data,
    )


@blueprint.route("/invitations", methods=["GET", "POST"])
def invitations_page() -> str | Response | tuple[str, int]:
    """The invitation form and the pending invitations the user may withdraw."""
    user = actor()
    form = InvitationForm()
    form.offer(
        queries.assignable_roles(user),
        list(db.session.scalars(queries.assignable_companies(user))),
        list(db.session.scalars(queries.manageable_cybersites(user))),
    )
    if form.validate_on_submit():
        ok, result = submit(form, lambda: _invite(form))
        if ok:
            message = (
                _("%(email)s already had an account: the role is given.", email=form.email.data)
                if isinstance(result, RoleGrant)
                else _("An invitation is sent to %(email)s.", email=form.email.data)
            )
            return done(message, ".invitations_page")
    return render_template(
        "admin/invitations.html",
        form=form,
        page=queries.page(queries.pending_invitations(user), page_number()),
    ), 400 if form.is_submitted() else 200


@blueprint.route("/invitations/<int:invitation_id>/retirer", methods=["POST"])
def revoke_invitation(invitation_id: int) -> Response:
    """Withdraw a pending invitation; its link stops working."""
    invitation = db.get_or_404(Invitation, invitation_id)
    require(Action.REVOKE_INVITATION, invitation)
    act(
        lambda: invitations.revoke(actor(), invitation),
        _("The invitation to %(email)s is withdrawn.", email=invitation.email),
    )
    return redirect(url_for(".invitations_page"))
