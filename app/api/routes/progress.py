"""Progress per learner, company, cohort and course: the progress pages' own queries, as JSON."""

from __future__ import annotations

from typing import Any

from app.accounts.models import Company, User
from app.accounts.policy import Action, can, is_admin, managed_cybersite_ids, trained_cybersite_ids
from app.api import schemas
from app.api.framework import forbidden, not_found, operation
from app.api.routes import blueprint
from app.api.scopes import Resource
from app.cohorts.models import Cohort
from app.core.extensions import db
from app.courses.models import Course
from app.progress.queries import course as course_queries
from app.progress.queries import learner as learner_queries
from app.progress.queries import staff as staff_queries


@blueprint.get("/progress/learners/<int:user_id>")
@operation(
    "A learner's progress in each course", Resource.PROGRESS, tag="progress", response=schemas.LearnerProgress
)
def learner_progress(user: User, user_id: int) -> dict[str, Any]:
    """The courses the learner follows and where they stand (``Action.VIEW_LEARNER_PROGRESS``)."""
    person = db.session.get(User, user_id)
    if person is None or not can(user, Action.VIEW_LEARNER_PROGRESS, person):
        raise not_found()
    lines = learner_queries.learner_courses(person.id, can(person, Action.STAFF_COURSES))
    courses = [
        {
            "course_key": line.course_key,
            "title": line.title,
            "status": str(line.status),
            "percent": line.percent,
            "grade": line.grade,
            "passed": line.passed,
            "last_activity_at": line.last_activity_at,
            "completed_at": line.completed_at,
        }
        for line in lines
    ]
    return schemas.LearnerProgress().dump({"user_id": person.id, "courses": courses})


def _lines(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "user_id": r[0],
            "display_name": r[1],
            "course_key": r[3],
            "enrolled": r[5] is not None,
            "percent": r[7],
            "grade": r[8],
            "passed": r[9],
            "last_activity_at": r[10],
            "completed_at": r[11],
        }
        for r in rows
    ]


@blueprint.get("/progress/companies/<int:company_id>")
@operation("A company's staff × courses", Resource.PROGRESS, tag="progress", response=schemas.GroupProgress)
def company_progress(user: User, company_id: int) -> dict[str, Any]:
    """Everyone who works for the company with each course they follow (``VIEW_COMPANY_PROGRESS``)."""
    company = db.session.get(Company, company_id)
    if company is None or not can(user, Action.VIEW_COMPANY, company):
        raise not_found()
    if not can(user, Action.VIEW_COMPANY_PROGRESS, company):
        raise forbidden()  # a company one works for, whose figures only its managers read
    rows = db.session.execute(staff_queries.company_staff(company.id, staff_queries.StaffFilters())).all()
    return schemas.GroupProgress().dump({"id": company.id, "lines": _lines(rows)})


@blueprint.get("/progress/cohorts/<int:cohort_id>")
@operation("A cohort's learners × courses", Resource.PROGRESS, tag="progress", response=schemas.GroupProgress)
def cohort_progress(user: User, cohort_id: int) -> dict[str, Any]:
    """The cohort's learners with each of its courses (``Action.VIEW_COHORT_PROGRESS``)."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not can(user, Action.VIEW_COHORT_PROGRESS, cohort):
        raise not_found()
    query = staff_queries.cohort_learners(cohort.id, None, staff_queries.StaffFilters())
    rows = db.session.execute(query).all()
    return schemas.GroupProgress().dump({"id": cohort.id, "lines": _lines(rows)})


@blueprint.get("/progress/courses/<int:course_id>")
@operation("A course's completion funnel", Resource.PROGRESS, tag="progress", response=schemas.CourseProgress)
def course_progress(user: User, course_id: int) -> dict[str, Any]:
    """The funnel over the learners of your Cybersites' cohorts (all, for administrators)."""
    course = db.session.get(Course, course_id)
    if course is None or course.published_tree_id is None:
        raise not_found()
    following = course_queries.following_sites(course.id)
    own = None if is_admin(user) else frozenset(trained_cybersite_ids(user) | managed_cybersite_ids(user))
    target = course_queries.CourseAudience(course, following, None if own is None else following & own)
    if not can(user, Action.VIEW_COURSE_PROGRESS, target):
        raise not_found()
    found = course_queries.funnel(target)
    return schemas.CourseProgress().dump(
        {
            "course_id": course.id,
            "enrolled": found.enrolled,
            "started": found.started,
            "completed": found.completed,
            "passed": found.passed,
            "chapters": found.chapters,
        }
    )
