"""The managers' pages: a company's staff × courses (company managers, and their Cybersite's managers),
a Cybersite's cohorts, a cohort's companies and a company's learners in a cohort (Cybersite managers), each
with its exports."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import exists, select

from app.accounts.models import Company, Cybersite
from app.accounts.policy import Action
from app.cohorts.models import Cohort, CohortCompany, CohortMember
from app.core.extensions import db
from app.progress import dashboards, export_jobs, exports
from app.progress.queries.staff import MAX_SEARCH, STATUS_FILTERS, StaffFilters
from app.progress.routes.base import BadRequest, actor, blueprint, export, get, permitted
from app.progress.tables import Table


def staff_filters(courses: list[tuple[str, str]]) -> StaffFilters:
    """The filters of the query string, checked: a course of the list, a known status, a short search."""
    args = request.args
    course = args.get("formation", "").strip() or None
    status = args.get("statut", "").strip() or None
    search = args.get("recherche", "")
    if course is not None and course not in {key for key, _title in courses}:
        raise BadRequest(_("This course is not one of the list: choose a course from the filter."))
    if status is not None and status not in STATUS_FILTERS:
        raise BadRequest(_("This status is not one of the list: choose a status from the filter."))
    if len(search) > MAX_SEARCH:
        raise BadRequest(_("Search for at most %(max)d characters.", max=MAX_SEARCH))
    search = "".join(ch for ch in search if ch.isprintable()).strip() or None
    return StaffFilters(course, status, search)


# Company ---------------------------------------------------------------------------------------------------


def _company(company_id: int) -> Company:
    return permitted(Company, company_id, Action.VIEW_COMPANY_PROGRESS)


@blueprint.route("/entreprises/<int:company_id>")
def company(company_id: int) -> str:
    """A company's staff × courses, with filters (course, status, name)."""
    found = _company(company_id)
    courses = dashboards.company_courses(found)
    filters = staff_filters(courses)
    return render_template(
        "progress/company.html",
        company=found,
        courses=courses,
        filters=filters,
        statuses=STATUS_FILTERS,
        staff=dashboards.company_staff(found, filters),
        query=request.query_string.decode(),
    )


@blueprint.route("/entreprises/<int:company_id>/export/<name>.<fmt>")
def company_export(company_id: int, name: str, fmt: str) -> Response:
    """The company's table (filtered as on the page) as CSV or XLSX."""
    found = _company(company_id)
    filters = staff_filters(dashboards.company_courses(found))
    tables = {"personnel": lambda: dashboards.company_staff(found, filters, stream=True)}
    return export(tables, name, fmt, f"progression-{found.legal_name}")


# Cybersite -------------------------------------------------------------------------------------------------


def _site(site_id: int) -> Cybersite:
    return permitted(Cybersite, site_id, Action.VIEW_CYBERSITE_PROGRESS)


@blueprint.route("/cybersites/<int:site_id>")
def cybersite(site_id: int) -> str:
    """A Cybersite's cohorts with their figures, and completions over time."""
    site = _site(site_id)
    weeks, chart = dashboards.completions_over_time(site=site)
    return render_template(
        "progress/cybersite.html", site=site, cohorts=dashboards.site_cohorts(site), weeks=weeks, chart=chart
    )


def _site_tables(site: Cybersite) -> dict[str, Callable[[], Table]]:
    return {
        "promotions": lambda: dashboards.site_cohorts(site),
        "semaines": lambda: dashboards.completions_over_time(site=site)[0],
        "apprenants": lambda: dashboards.site_learners(site),
    }


@blueprint.route("/cybersites/<int:site_id>/export/<name>.<fmt>")
def cybersite_export(site_id: int, name: str, fmt: str) -> Response:
    """One of the Cybersite's tables (or every learner of its cohorts) as CSV or XLSX."""
    site = _site(site_id)
    return export(_site_tables(site), name, fmt, f"progression-{site.name}")


# Cohort ----------------------------------------------------------------------------------------------------


def _cohort(cohort_id: int) -> Cohort:
    return permitted(Cohort, cohort_id, Action.VIEW_COHORT_PROGRESS)


@blueprint.route("/promotions/<int:cohort_id>")
def cohort(cohort_id: int) -> str:
    """A cohort's companies with their figures, and completions over time."""
    found = _cohort(cohort_id)
    weeks, chart = dashboards.completions_over_time(cohort=found)
    return render_template(
        "progress/cohort.html",
        cohort=found,
        companies=dashboards.cohort_companies(found),
        weeks=weeks,
        chart=chart,
    )


@blueprint.route("/promotions/<int:cohort_id>/export/<name>.<fmt>")
def cohort_export(cohort_id: int, name: str, fmt: str) -> Response:
    """One of the cohort's tables (or all its learners) as CSV or XLSX."""
    found = _cohort(cohort_id)
    tables = {
        "entreprises": lambda: dashboards.cohort_companies(found),
        "semaines": lambda: dashboards.completions_over_time(cohort=found)[0],
        "apprenants": lambda: dashboards.cohort_learners(found, None, StaffFilters(), stream=True),
    }
    return export(tables, name, fmt, f"progression-{found.name}")


@blueprint.post("/promotions/<int:cohort_id>/export-apprenants")
def cohort_export_job(cohort_id: int) -> Response:
    """Every learner of the cohort, written by a background job: the requester follows it on its page."""
    found = _cohort(cohort_id)
    fmt = request.form.get("fmt", "")
    if fmt not in exports.FORMATS:
        raise BadRequest(_("Choose CSV or Excel."))
    job = export_jobs.request_cohort_learners(actor(), found, fmt, str(get_locale() or "fr"))
    db.session.commit()
    return redirect(url_for("jobs.status", job_id=job.id), code=303)


def _cohort_company(cohort_id: int, company_id: int) -> tuple[Cohort, Company]:
    found = _cohort(cohort_id)
    company_found = get(Company, company_id)
    if company_found is None:
        abort(404)
    # The company must take part in the cohort (accepted, or with members in it).
    part_of = db.session.scalar(
        select(
            exists().where(CohortCompany.cohort_id == found.id, CohortCompany.company_id == company_id)
            | exists().where(CohortMember.cohort_id == found.id, CohortMember.company_id == company_id)
        )
    )
    if not part_of:
        abort(404)
    return found, company_found


def _cohort_company_courses(found: Cohort) -> list[tuple[str, str]]:
    return [(course.course_key, course.title) for course in found.courses]


@blueprint.route("/promotions/<int:cohort_id>/entreprises/<int:company_id>")
def cohort_company(cohort_id: int, company_id: int) -> str:
    """A company's learners in a cohort × the cohort's courses, with filters."""
    found, company_found = _cohort_company(cohort_id, company_id)
    courses = _cohort_company_courses(found)
    filters = staff_filters(courses)
    return render_template(
        "progress/cohort_company.html",
        cohort=found,
        company=company_found,
        courses=courses,
        filters=filters,
        statuses=STATUS_FILTERS,
        staff=dashboards.cohort_learners(found, company_found, filters),
        query=request.query_string.decode(),
    )


@blueprint.route("/promotions/<int:cohort_id>/entreprises/<int:company_id>/export/<name>.<fmt>")
def cohort_company_export(cohort_id: int, company_id: int, name: str, fmt: str) -> Response:
    """That table as CSV or XLSX."""
    found, company_found = _cohort_company(cohort_id, company_id)
    filters = staff_filters(_cohort_company_courses(found))
    tables = {"apprenants": lambda: dashboards.cohort_learners(found, company_found, filters, stream=True)}
    return export(tables, name, fmt, f"progression-{found.name}-{company_found.legal_name}")
