"""The cohorts list, creating and editing a cohort, a cohort's page, its accepted companies, and the
export of its members."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response as FlaskResponse
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.accounts.labels import ROLE_LABELS
from app.accounts.models import Company, Cybersite
from app.accounts.policy import Action, can, managed_company_ids
from app.accounts.submitting import submit
from app.cohorts import csv_files, queries, services
from app.cohorts.forms import (
    CohortForm,
    CompanyForm,
    ContentGroupsForm,
    PersonForm,
    StaffForm,
    id_choices,
    optional_id,
)
from app.cohorts.models import Cohort, CohortCompany
from app.cohorts.routes.base import actor, blueprint, cohort_or_404, require, today
from app.core.extensions import db
from app.core.spreadsheets import Cell
from app.courses import queries as course_queries


def _details(form: CohortForm) -> services.CohortDetails:
    return services.CohortDetails(
        name=form.name.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        capacity=form.capacity.data,
        forum_within_cohort=bool(form.forum_within_cohort.data),
        course_ids=list(form.course_ids.data or []),
    )


def _offer_courses(form: CohortForm) -> None:
    form.course_ids.choices = [(c.id, c.title) for c in queries.published_courses()]


@blueprint.route("/cohortes")
def index() -> str:
    """The cohorts the user may reach: of their Cybersites, accepting their company, or their own."""
    user = actor()
    rows = db.session.execute(queries.visible_cohorts(user)).all()
    return render_template(
        "cohorts/index.html",
        rows=rows,
        may_create=bool(queries.runnable_cybersites(user)),
        today=today(),
    )


@blueprint.route("/cohortes/nouvelle", methods=["GET", "POST"])
def create() -> str | Response | tuple[str, int]:
    """Open a cohort at a Cybersite the user manages."""
    sites = queries.runnable_cybersites(actor())
    if not sites:
        abort(403)
    form = CohortForm(cybersite_id=sites[0].id if len(sites) == 1 else None)
    form.cybersite_id.choices = id_choices((s.id, s.name) for s in sites)
    _offer_courses(form)
    if form.validate_on_submit():
        site = db.session.get(Cybersite, form.cybersite_id.data) if form.cybersite_id.data else None
        if site is None:
            form.cybersite_id.errors = [_("Choose the Cybersite that runs this cohort.")]
        else:
            ok, cohort = submit(form, lambda: services.create_cohort(actor(), site, _details(form)))
            if ok and cohort is not None:
                flash(_("The cohort “%(name)s” is created.", name=cohort.name), "success")
                return redirect(url_for(".show", cohort_id=cohort.id))
    status = 400 if form.is_submitted() else 200
    return render_template("cohorts/form.html", form=form, cohort=None), status


@blueprint.route("/cohortes/<int:cohort_id>/modifier", methods=["GET", "POST"])
def edit(cohort_id: int) -> str | Response | tuple[str, int]:
    """Change a cohort's name, dates, capacity, forum setting or courses."""
    cohort = cohort_or_404(cohort_id)
    require(Action.EDIT_COHORT, cohort)
    form = CohortForm(obj=cohort)
    if not form.is_submitted():
        form.course_ids.data = [course.id for course in cohort.courses]
    form.cybersite_id.choices = id_choices([(cohort.cybersite_id, cohort.cybersite.name)])
    _offer_courses(form)
    if form.validate_on_submit():
        ok, _result = submit(form, lambda: services.update_cohort(actor(), cohort, _details(form)))
        if ok:
            flash(_("The cohort “%(name)s” is saved.", name=cohort.name), "success")
            return redirect(url_for(".show", cohort_id=cohort.id))
    status = 400 if form.is_submitted() else 200
    return render_template("cohorts/form.html", form=form, cohort=cohort), status


def _mode(cohort: Cohort) -> str:
    """How the user sees the cohort: ``manage`` (its Cybersite), ``company`` (a company it accepts) or
    ``member`` (themselves); 403 otherwise."""
    user = actor()
    if can(user, Action.EDIT_COHORT, cohort):
        return "manage"
    if can(user, Action.VIEW_COHORT, cohort):
        return "company"
    membership = queries.membership(cohort.id, user.id)
    if membership is not None and can(user, Action.VIEW_COHORT_MEMBER, membership):
        return "member"
    abort(403)


def _visible_companies(cohort: Cohort, mode: str) -> set[int] | None:
    """The companies whose people the user sees in the cohort (None: all)."""
    if mode == "manage":
        return None
    return managed_company_ids(actor()) & {c.id for c in cohort.companies}


def render_cohort(cohort: Cohort, status: int = 200, **forms: Any) -> tuple[str, int]:
    """A cohort's page as the user may see it, with the forms given (showing their errors) or fresh ones."""
    mode = _mode(cohort)
    context: dict[str, Any] = {"cohort": cohort, "mode": mode, "role_labels": ROLE_LABELS}
    if mode == "member":
        context["me"] = queries.membership(cohort.id, actor().id)
        return render_template("cohorts/show.html", **context), status
    companies = _visible_companies(cohort, mode)
    members = queries.members(cohort.id, companies)
    invited = queries.invited(cohort.id, companies)
    context.update(members=members, invited=invited, move_targets={}, move_errors={})
    if mode == "manage":
        groups = course_queries.course_content_groups([c.id for c in cohort.courses])
        context.update(
            content_groups=[(c, groups.get(c.id, [])) for c in cohort.courses if groups.get(c.id)],
            linked_groups=queries.linked_content_groups(cohort.id),
            groups_form=ContentGroupsForm(formdata=None),
        )
        taken = len(members) + sum(1 for seat in invited if seat.status == "pending")
        accepted = {c.id for c in cohort.companies}
        company_form = forms.get("company_form") or CompanyForm(formdata=None)
        company_form.company_id.choices = id_choices(
            (c.id, c.legal_name) for c in queries.site_companies(cohort.cybersite_id) if c.id not in accepted
        )
        person_form = forms.get("person_form") or PersonForm(formdata=None)
        person_form.company_id.choices = id_choices((c.id, c.legal_name) for c in cohort.companies)
        others = queries.other_cohorts(cohort)
        context.update(
            taken=taken,
            company_form=company_form,
            person_form=person_form,
            move_targets={
                member.id: [o for o in others if any(c.id == member.company_id for c in o.companies)]
                for member in members
            },
            move_errors=forms.get("move_errors", {}),
        )
    else:
        staff_form = forms.get("staff_form") or StaffForm(formdata=None)
        names = {c.id: c.legal_name for c in cohort.companies}
        staff_form.person.choices = id_choices(
            (f"{user.id}:{company_id}", f"{user.display_name} ({names.get(company_id, '')})")
            for user, company_id in queries.enrollable_staff(cohort.id, companies or set())
        )
        context.update(staff_form=staff_form)
    return render_template("cohorts/show.html", **context), status


@blueprint.route("/cohortes/<int:cohort_id>")
def show(cohort_id: int) -> tuple[str, int]:
    """A cohort: its details and courses, and the people the user may see and enrol."""
    return render_cohort(cohort_or_404(cohort_id))


@blueprint.route("/cohortes/<int:cohort_id>/groupes", methods=["POST"])
def content_groups(cohort_id: int) -> Response | tuple[str, int]:
    """Link the cohort to a content group of each course it follows (``group-<course id>`` fields)."""
    cohort = cohort_or_404(cohort_id)
    require(Action.EDIT_COHORT, cohort)
    form = ContentGroupsForm()
    if not form.validate_on_submit():
        return render_cohort(cohort, 400)
    chosen: dict[int, int | None] = {}
    for name, value in request.form.items():
        if not name.startswith("group-"):
            continue
        course_id, group_id = optional_id(name.removeprefix("group-")), optional_id(value)
        if course_id is None or (value != "" and group_id is None):
            abort(400)
        chosen[course_id] = group_id
    return press(
        cohort,
        lambda: services.link_content_groups(actor(), cohort, chosen),
        _("The content groups of the cohort are saved."),
    )


@blueprint.route("/cohortes/<int:cohort_id>/entreprises", methods=["POST"])
def accept_company(cohort_id: int) -> Response | tuple[str, int]:
    """Accept a company of the Cybersite into the cohort."""
    cohort = cohort_or_404(cohort_id)
    require(Action.EDIT_COHORT, cohort)
    form = CompanyForm()
    if form.validate_on_submit():
        ok, company = submit(form, lambda: services.accept_company(actor(), cohort, form.company_id.data))
        if ok and company is not None:
            flash(_("The cohort now accepts %(name)s.", name=company.legal_name), "success")
            return redirect(url_for(".show", cohort_id=cohort.id))
    return render_cohort(cohort, 400, company_form=form)


@blueprint.route("/cohortes/<int:cohort_id>/entreprises/<int:company_id>/retirer", methods=["POST"])
def remove_company(cohort_id: int, company_id: int) -> Response | tuple[str, int]:
    """Stop accepting a company (none of its staff may be enrolled or invited)."""
    cohort = cohort_or_404(cohort_id)
    require(Action.EDIT_COHORT, cohort)
    company = db.get_or_404(Company, company_id)
    if db.session.get(CohortCompany, (cohort.id, company.id)) is None:
        abort(404)
    return press(
        cohort,
        lambda: services.remove_company(actor(), cohort, company),
        _("The cohort no longer accepts %(name)s.", name=company.legal_name),
    )


def press(cohort: Cohort, change: Callable[[], object], done: str) -> Response | tuple[str, int]:
    """Run a button's change and commit it: back to the cohort with ``done``, or its page with the refusal
    (400; 403 when the policy refuses)."""
    ok, _result = submit(None, change)
    if not ok:
        return render_cohort(cohort, 400)
    flash(done, "success")
    return redirect(url_for(".show", cohort_id=cohort.id))


@blueprint.route("/cohortes/<int:cohort_id>/membres.csv")
def export(cohort_id: int) -> FlaskResponse:
    """The members and invited people the user sees, as CSV for a spreadsheet (formulas neutralised)."""
    cohort = cohort_or_404(cohort_id)
    require(Action.VIEW_COHORT, cohort)
    mode = "manage" if can(actor(), Action.EDIT_COHORT, cohort) else "company"
    companies = _visible_companies(cohort, mode)
    header = [_("E-mail address"), _("Name"), _("Company"), _("SIRET number"), _("Status"), _("Since")]
    rows = [
        [
            m.user.email,
            m.user.display_name,
            m.company.legal_name,
            m.company.siret,
            _("Enrolled"),
            m.created_at.date(),
        ]
        for m in queries.members(cohort.id, companies)
    ] + [
        [
            s.seat.email,
            s.seat.display_name,
            s.seat.company.legal_name,
            s.seat.company.siret,
            _("Invited"),
            s.seat.created_at.date(),
        ]
        for s in queries.invited(cohort.id, companies)
    ]
    filename = f"cohorte-{cohort.id}-{today().isoformat()}.csv"
    return FlaskResponse(
        csv_files.write(header, rows, [Cell.TEXT] * 5 + [Cell.DATE]),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
