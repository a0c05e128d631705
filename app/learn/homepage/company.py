"""The company manager's part of the home page: for each company they manage, their staff at a glance
(who finished, who is stalled, who has not started), the courses they follow and open courses nobody
follows yet. The staff figures are the rows of the company's progress dashboard (the same query): two
statements per company managed, whatever the number of staff or courses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.accounts.models import Company
from app.core.extensions import db
from app.courses.models import Course
from app.progress import dashboards
from app.progress.queries.staff import StaffFilters
from app.progress.tables import Status

# A learner with nothing done in a course for this long is "stalled" in it.
STALLED_AFTER = timedelta(days=14)
SUGGESTED = 3


@dataclass(frozen=True)
class StaffCourse:
    """One person × one course of the company's dashboard."""

    name: str
    course: str
    status: str
    percent: float | None
    last_activity_at: datetime | None
    url: str


@dataclass
class CompanyHome:
    """One company's glance."""

    company_id: int
    name: str
    staff: int = 0
    finished: list[StaffCourse] = field(default_factory=list)
    stalled: list[StaffCourse] = field(default_factory=list)
    not_started: list[StaffCourse] = field(default_factory=list)
    in_progress: int = 0
    courses: list[tuple[str, str]] = field(default_factory=list)
    suggestions: list[tuple[str, str]] = field(default_factory=list)


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back: they are UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _glance(company: Company, now: datetime) -> CompanyHome:
    table = dashboards.company_staff(company, StaffFilters())
    home = CompanyHome(company.id, company.legal_name)
    people = set()
    for name, _email, title, status, percent, _grade, _passed, last, url in table.rows:
        people.add(url)
        if title is None:
            continue
        line = StaffCourse(name, title, status, percent, last, url)
        if status == Status.COMPLETED:
            home.finished.append(line)
        elif status == Status.NOT_STARTED:
            home.not_started.append(line)
        elif (seen := _aware(last)) is not None and now - seen > STALLED_AFTER:
            home.stalled.append(line)
        else:
            home.in_progress += 1
    home.staff = len(people)
    home.courses = dashboards.company_courses(company)
    return home


def company_home(company_ids: set[int]) -> list[CompanyHome]:
    """The glance of each company the user manages, by name (one statement for the companies, one for the
    open courses, then two per company: the dashboard's staff table and courses)."""
    if not company_ids:
        return []
    companies = db.session.scalars(
        select(Company).where(Company.id.in_(sorted(company_ids))).order_by(Company.legal_name, Company.id)
    ).all()
    open_courses = db.session.execute(
        select(Course.course_key, Course.title)
        .where(Course.published_tree_id.is_not(None), Course.open_enrolment.is_(True))
        .order_by(Course.title, Course.id)
    ).all()
    now = datetime.now(UTC)
    homes = []
    for company in companies:
        home = _glance(company, now)
        followed = {key for key, _title in home.courses}
        home.suggestions = [(k, t) for k, t in open_courses if k not in followed][:SUGGESTED]
        homes.append(home)
    return homes
