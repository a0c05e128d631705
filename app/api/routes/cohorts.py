"""Cohorts, their members and course enrolments; opening a cohort and enrolling a person in it.

Reads follow ``Action.VIEW_COHORT`` / ``VIEW_COHORT_MEMBER`` / ``VIEW_LEARNER_PROGRESS``; writes go
through ``app.cohorts.services``, which ask ``can`` themselves (``CREATE_COHORT``, ``ENROL_IN_COHORT``).
An id the user may not see is a 404; one they see but may not change, a 403.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from app.accounts.models import Company, Cybersite, User
from app.accounts.policy import Action, can, is_admin, managed_company_ids, managed_cybersite_ids
from app.api import queries, schemas
from app.api.framework import not_found, operation
from app.api.pagination import paginate
from app.api.routes import blueprint
from app.api.scopes import Level, Resource
from app.cohorts import services
from app.cohorts.models import Cohort, CohortCompany, CohortCourse, CohortMember
from app.core.extensions import db
from app.courses.models import Enrolment


def _filters(args: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in args.items() if k not in ("limit", "cursor")}


def _cohort_out(cohorts: list[Cohort]) -> list[dict[str, Any]]:
    """The cohorts with their course and company ids (two statements for the whole page)."""
    ids = [c.id for c in cohorts]
    courses: dict[int, list[int]] = {i: [] for i in ids}
    companies: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for cohort_id, course_id in db.session.execute(
            select(CohortCourse.cohort_id, CohortCourse.course_id)
            .where(CohortCourse.cohort_id.in_(ids))
            .order_by(CohortCourse.course_id)
        ):
            courses[cohort_id].append(course_id)
        for cohort_id, company_id in db.session.execute(
            select(CohortCompany.cohort_id, CohortCompany.company_id)
            .where(CohortCompany.cohort_id.in_(ids))
            .order_by(CohortCompany.company_id)
        ):
            companies[cohort_id].append(company_id)
    dumped = schemas.dump_rows(schemas.Cohort, cohorts, exclude=("course_ids", "company_ids"))
    for row in dumped:
        row["course_ids"] = courses[row["id"]]
        row["company_ids"] = companies[row["id"]]
    return dumped


def _visible_cohort(user: User, cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not can(user, Action.VIEW_COHORT, cohort):
        raise not_found()
    return cohort


@blueprint.get("/cohorts")
@operation(
    "List the cohorts you may see",
    Resource.COHORTS,
    query=schemas.CohortQuery,
    response=schemas.page_of(schemas.Cohort),
)
def list_cohorts(user: User, args: dict[str, Any]) -> dict[str, Any]:
    """Cohorts, by id, filtered by Cybersite or by a course they follow."""
    query = select(Cohort).where(queries.cohorts(user))
    if "cybersite_id" in args:
        query = query.where(Cohort.cybersite_id == args["cybersite_id"])
    if "course_id" in args:
        query = query.where(
            exists().where(CohortCourse.cohort_id == Cohort.id, CohortCourse.course_id == args["course_id"])
        )
    page = paginate(
        db.session,
        query,
        key=Cohort.id,
        endpoint="cohorts",
        filters=_filters(args),
        limit=args["limit"],
        cursor=args["cursor"],
        entities=True,
    )
    return {"items": _cohort_out(page.rows), "next_cursor": page.next_cursor}


@blueprint.get("/cohorts/<int:cohort_id>")
@operation("Read one cohort", Resource.COHORTS, response=schemas.Cohort)
def get_cohort(user: User, cohort_id: int) -> dict[str, Any]:
    """One cohort you may see."""
    return _cohort_out([_visible_cohort(user, cohort_id)])[0]


@blueprint.post("/cohorts")
@operation(
    "Open a cohort at a Cybersite you manage",
    Resource.COHORTS,
    level=Level.WRITE,
    body=schemas.CohortCreate,
    response=schemas.Cohort,
    status=201,
)
def create_cohort(user: User, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Open a cohort (the same checks as the cohort form: name, dates, capacity, published courses)."""
    site = db.session.get(Cybersite, data["cybersite_id"])
    if site is None or not can(user, Action.VIEW_CYBERSITE, site):
        raise not_found()
    details = services.CohortDetails(
        name=data["name"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        capacity=data["capacity"],
        forum_within_cohort=data["forum_within_cohort"],
        course_ids=list(dict.fromkeys(data["course_ids"])),
    )
    cohort = services.create_cohort(user, site, details)
    return _cohort_out([cohort])[0], 201


def _visible_seats(user: User, cohort: Cohort) -> Any:
    """``Action.VIEW_COHORT_MEMBER`` in SQL: all of a cohort one runs; else one's managed companies'."""
    if is_admin(user) or cohort.cybersite_id in managed_cybersite_ids(user):
        return CohortMember.cohort_id == cohort.id
    accepted = {c.id for c in cohort.companies}
    return CohortMember.company_id.in_(sorted(managed_company_ids(user) & accepted))


@blueprint.get("/cohorts/<int:cohort_id>/members")
@operation(
    "List a cohort's members you may see",
    Resource.COHORTS,
    query=schemas.MemberQuery,
    response=schemas.page_of(schemas.Member),
)
def list_members(user: User, cohort_id: int, args: dict[str, Any]) -> dict[str, Any]:
    """The cohort's learners you may see, by id, filtered by company."""
    cohort = _visible_cohort(user, cohort_id)
    query = select(CohortMember).where(CohortMember.cohort_id == cohort.id, _visible_seats(user, cohort))
    if "company_id" in args:
        query = query.where(CohortMember.company_id == args["company_id"])
    endpoint = f"cohorts/{cohort.id}/members"
    page = paginate(
        db.session,
        query,
        key=CohortMember.id,
        endpoint=endpoint,
        filters=_filters(args),
        limit=args["limit"],
        cursor=args["cursor"],
        entities=True,
    )
    return {"items": schemas.dump_rows(schemas.Member, page.rows), "next_cursor": page.next_cursor}


@blueprint.post("/cohorts/<int:cohort_id>/members")
@operation(
    "Enrol a person in a cohort (and its courses)",
    Resource.COHORTS,
    level=Level.WRITE,
    body=schemas.MemberCreate,
    response=schemas.Member,
    status=201,
)
def enrol_member(user: User, cohort_id: int, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Enrol an existing person, who works for a company the cohort accepts."""
    cohort = _visible_cohort(user, cohort_id)
    person = db.session.get(User, data["user_id"])
    company = db.session.get(Company, data["company_id"])
    if person is None or not can(user, Action.VIEW_USER, person):
        raise not_found()
    if company is None or not can(user, Action.VIEW_COMPANY, company):
        raise not_found()
    member = services.add_member(user, cohort, person, company.id)
    return schemas.Member().dump(member), 201


@blueprint.get("/enrolments")
@operation(
    "List course enrolments of the people you may see",
    Resource.COHORTS,
    tag="enrolments",
    query=schemas.EnrolmentQuery,
    response=schemas.page_of(schemas.Enrolment),
)
def list_enrolments(user: User, args: dict[str, Any]) -> dict[str, Any]:
    """Enrolments, by id, filtered by learner, course, cohort or active state."""
    query = select(
        Enrolment.id,
        Enrolment.user_id,
        Enrolment.course_id,
        Enrolment.cohort_id,
        Enrolment.active,
        Enrolment.created_at,
    ).where(queries.people(user, Enrolment.user_id))
    for name in ("user_id", "course_id", "cohort_id"):
        if name in args:
            query = query.where(getattr(Enrolment, name) == args[name])
    if "active" in args:
        query = query.where(Enrolment.active.is_(args["active"]))
    page = paginate(
        db.session,
        query,
        key=Enrolment.id,
        endpoint="enrolments",
        filters=_filters(args),
        limit=args["limit"],
        cursor=args["cursor"],
    )
    return {"items": schemas.dump_rows(schemas.Enrolment, page.rows), "next_cursor": page.next_cursor}
