"""People: list with search, create, detail (with their roles), edit, deactivate and reactivate."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.accounts import queries
from app.accounts.models import User
from app.accounts.policy import Action, can
from app.accounts.services import people
from app.accounts.submitting import submit
from app.admin.forms import GrantRoleForm, UserForm
from app.admin.routes.base import act, actor, blueprint, done, page_number, require
from app.core.extensions import db


@blueprint.route("/utilisateurs")
def users() -> str:
    """The people the user may see, searched by name or e-mail address."""
    user = actor()
    search = (request.args.get("q") or "").strip()[:200]
    return render_template(
        "admin/users.html",
        page=queries.page(queries.visible_users(user, search), page_number()),
        search=search,
        may_create=can(user, Action.CREATE_USER),
        params={"q": search or None},
    )


@blueprint.route("/utilisateurs/nouveau", methods=["GET", "POST"])
def create_user() -> str | Response | tuple[str, int]:
    """Create an account; its holder receives a link to choose a password."""
    require(Action.CREATE_USER)
    form = UserForm()
    if form.validate_on_submit():
        ok, user = submit(
            form,
            lambda: people.create_user(actor(), form.email.data, form.display_name.data, form.language.data),
        )
        if ok and user is not None:
            message = _(
                "The account of %(name)s is created; an e-mail asks them to choose a password.",
                name=user.display_name,
            )
            return done(message, ".user", user_id=user.id)
    status = 400 if form.is_submitted() else 200
    return render_template("admin/user_form.html", form=form, person=None), status


def render_user(person: User, form: GrantRoleForm | None = None, status: int = 200) -> tuple[str, int]:
    """The detail page of ``person``: their account, their roles and the form to give one."""
    user = actor()
    form = form or GrantRoleForm()
    form.offer(
        queries.assignable_roles(user),
        list(db.session.scalars(queries.assignable_companies(user))),
        list(db.session.scalars(queries.manageable_cybersites(user))),
    )
    return render_template(
        "admin/user.html",
        person=person,
        form=form,
        may_edit=can(user, Action.EDIT_USER, person),
        may_deactivate=can(user, Action.DEACTIVATE_USER, person),
        revocable={g.id for g in person.roles if can(user, Action.REVOKE_ROLE, g)},
    ), status


@blueprint.route("/utilisateurs/<int:user_id>")
def user(user_id: int) -> tuple[str, int]:
    """Someone's account and roles."""
    person = db.get_or_404(User, user_id)
    require(Action.VIEW_USER, person)
    return render_user(person)


@blueprint.route("/utilisateurs/<int:user_id>/modifier", methods=["GET", "POST"])
def edit_user(user_id: int) -> str | Response | tuple[str, int]:
    """Change someone's name, e-mail address or language."""
    person = db.get_or_404(User, user_id)
    require(Action.EDIT_USER, person)
    form = UserForm(obj=person)
    if form.validate_on_submit():
        ok, _result = submit(
            form,
            lambda: people.update_user(
                actor(), person, form.email.data, form.display_name.data, form.language.data
            ),
        )
        if ok:
            return done(_("The account is saved."), ".user", user_id=person.id)
    status = 400 if form.is_submitted() else 200
    return render_template("admin/user_form.html", form=form, person=person), status


@blueprint.route("/utilisateurs/<int:user_id>/desactiver", methods=["POST"])
def deactivate_user(user_id: int) -> Response:
    """Deactivate an account; its sessions end."""
    person = db.get_or_404(User, user_id)
    require(Action.DEACTIVATE_USER, person)
    act(lambda: people.deactivate_user(actor(), person), _("The account is deactivated."))
    return redirect(url_for(".user", user_id=person.id))


@blueprint.route("/utilisateurs/<int:user_id>/reactiver", methods=["POST"])
def reactivate_user(user_id: int) -> Response:
    """Reactivate an account."""
    person = db.get_or_404(User, user_id)
    require(Action.DEACTIVATE_USER, person)
    act(lambda: people.reactivate_user(actor(), person), _("The account is active again."))
    return redirect(url_for(".user", user_id=person.id))
