"""A cohort's members: enrol someone by e-mail (or invite them), a company manager enrols their staff,
unenrol, move to another cohort, and give up the seat kept for an invited person."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.accounts.models import Role, User
from app.accounts.policy import Action
from app.accounts.submitting import submit
from app.cohorts import services
from app.cohorts.forms import MoveForm, PersonForm, StaffForm
from app.cohorts.models import Cohort, CohortInvitation, CohortMember
from app.cohorts.routes.base import actor, blueprint, cohort_or_404, require
from app.cohorts.routes.cohorts import press, render_cohort
from app.core.extensions import db


def _member_or_404(cohort: Cohort, member_id: int) -> CohortMember:
    member = db.session.get(CohortMember, member_id)
    if member is None or member.cohort_id != cohort.id:
        abort(404)
    return member


@blueprint.route("/cohortes/<int:cohort_id>/personnes", methods=["POST"])
def add_person(cohort_id: int) -> Response | tuple[str, int]:
    """Enrol someone by e-mail address: an existing account at once, a new person by invitation."""
    cohort = cohort_or_404(cohort_id)
    require(Action.EDIT_COHORT, cohort)
    form = PersonForm()
    form.company_id.choices = []
    if form.validate_on_submit():
        person = services.Person(
            email=form.email.data,
            first_name=form.first_name.data or "",
            last_name=form.last_name.data or "",
            company_id=form.company_id.data,
            role=Role(form.role.data),
        )
        ok, result = submit(form, lambda: services.add_person(actor(), cohort, person))
        if ok:
            if isinstance(result, CohortInvitation):
                message = _("%(email)s is invited; their seat is kept until they accept.", email=result.email)
            else:
                assert isinstance(result, CohortMember)
                message = _("%(name)s is enrolled.", name=result.user.display_name)
            flash(message, "success")
            return redirect(url_for(".show", cohort_id=cohort.id))
    return render_cohort(cohort, 400, person_form=form)


@blueprint.route("/cohortes/<int:cohort_id>/personnel", methods=["POST"])
def enrol_staff(cohort_id: int) -> Response | tuple[str, int]:
    """A company manager enrols one of their company's learners."""
    cohort = cohort_or_404(cohort_id)
    require(Action.VIEW_COHORT, cohort)
    form = StaffForm()
    form.person.choices = []
    if form.validate_on_submit():
        user_id, company_id = form.chosen()  # type: ignore[misc]
        user = db.session.get(User, user_id)
        if user is None:
            abort(404)
        ok, _member = submit(form, lambda: services.add_member(actor(), cohort, user, company_id))
        if ok:
            flash(_("%(name)s is enrolled.", name=user.display_name), "success")
            return redirect(url_for(".show", cohort_id=cohort.id))
    return render_cohort(cohort, 400, staff_form=form)


@blueprint.route("/cohortes/<int:cohort_id>/membres/<int:member_id>/desinscrire", methods=["POST"])
def unenrol(cohort_id: int, member_id: int) -> Response | tuple[str, int]:
    """Take a member out of the cohort (their courses' enrolments are suspended, their progress kept)."""
    cohort = cohort_or_404(cohort_id)
    member = _member_or_404(cohort, member_id)
    require(Action.ENROL_IN_COHORT, member)
    name = member.user.display_name
    return press(cohort, lambda: services.unenrol(actor(), member), _("%(name)s is unenrolled.", name=name))


@blueprint.route("/cohortes/<int:cohort_id>/membres/<int:member_id>/deplacer", methods=["POST"])
def move(cohort_id: int, member_id: int) -> Response | tuple[str, int]:
    """Move a member to another cohort of the same Cybersite."""
    cohort = cohort_or_404(cohort_id)
    require(Action.EDIT_COHORT, cohort)
    member = _member_or_404(cohort, member_id)
    form = MoveForm()
    if form.validate_on_submit():
        target = db.session.get(Cohort, form.target_id.data)
        if target is None:
            form.target_id.errors = [_("Choose the cohort to move this person to.")]
        else:
            name, target_name = member.user.display_name, target.name
            ok, _result = submit(form, lambda: services.move(actor(), member, target))
            if ok:
                flash(_("%(name)s is moved to %(cohort)s.", name=name, cohort=target_name), "success")
                return redirect(url_for(".show", cohort_id=cohort.id))
    return render_cohort(
        cohort, 400, move_errors={member_id: [str(e) for e in form.target_id.errors + form.form_errors]}
    )


@blueprint.route("/cohortes/<int:cohort_id>/invitations/<int:seat_id>/annuler", methods=["POST"])
def cancel_invitation(cohort_id: int, seat_id: int) -> Response | tuple[str, int]:
    """Give up the seat kept for an invited person."""
    cohort = cohort_or_404(cohort_id)
    seat = db.session.get(CohortInvitation, seat_id)
    if seat is None or seat.cohort_id != cohort.id:
        abort(404)
    require(Action.ENROL_IN_COHORT, seat)
    email = seat.email
    return press(
        cohort,
        lambda: services.cancel_invitation(actor(), seat),
        _("%(email)s no longer has a seat in this cohort.", email=email),
    )
