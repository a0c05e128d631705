"""The dashboards' tables, built from the progress queries: what each page shows and each export writes.

Each function runs a fixed number of queries, whatever the number of learners, companies or blocks, and
returns :class:`~app.progress.tables.Table` objects whose extra row fields hold the links of the cells.
Callers have asked the access policy first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from flask import url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from app.accounts.models import Company, Cybersite
from app.cohorts.models import Cohort
from app.core.database import read_columns
from app.core.extensions import db
from app.progress.charts import Point, Words, bar_chart, cumulative_chart
from app.progress.queries import cohorts as cohort_queries
from app.progress.queries import course as course_queries
from app.progress.queries import staff as staff_queries
from app.progress.structure import CHAPTER, CourseStructure
from app.progress.tables import LOCAL_TIME, Column, Kind, Table, status_of

FIGURE_COLUMNS = (
    Column(_l("Enrolments"), Kind.COUNT),
    Column(_l("Started"), Kind.COUNT),
    Column(_l("Completed"), Kind.COUNT),
    Column(_l("Passed"), Kind.COUNT),
    Column(_l("Average completion"), Kind.PERCENT),
)


def link_template(endpoint: str, **values: Any) -> Callable[..., str]:
    """A fast way to the URL of ``endpoint`` for many rows: ``url_for`` once, then text substitution.

    Each value names a placeholder integer argument (``user_id=0`` → ``template(user_id=42)``).
    """
    marker = 987654321
    url = url_for(endpoint, **{name: marker + i for i, name in enumerate(values)})
    names = list(values)

    def build(**given: Any) -> str:
        out = url
        for i, name in enumerate(names):
            out = out.replace(str(marker + i), str(int(given[name])), 1)
        return out

    return build


def _staff_rows(rows: Any) -> Iterator[tuple[Any, ...]]:
    learner_url = link_template("progress.learner", user_id=0)
    for (
        user_id,
        name,
        email,
        _key,
        title,
        enrolment_id,
        progress_id,
        percent,
        grade,
        passed,
        last,
        done,
    ) in rows:
        status = status_of(enrolment_id is not None, progress_id is not None, done)
        yield (
            name,
            email,
            title,
            status.value,
            percent if progress_id is not None else (0.0 if enrolment_id is not None else None),
            grade,
            bool(passed) if progress_id is not None else None,
            last,
            learner_url(user_id=user_id),
        )


STAFF_COLUMNS = (
    Column(_l("Learner"), Kind.TEXT, link=8),
    Column(_l("E-mail address"), Kind.TEXT),
    Column(_l("Course"), Kind.TEXT),
    Column(_l("Status"), Kind.STATUS),
    Column(_l("Completion"), Kind.PERCENT),
    Column(_l("Grade"), Kind.PERCENT),
    Column(_l("Passed"), Kind.YESNO),
    Column(_l("Last activity"), Kind.DATE),
)


def company_staff(company: Company, filters: staff_queries.StaffFilters, *, stream: bool = False) -> Table:
    """The company's staff × courses (one query)."""
    if filters == staff_queries.StaffFilters():
        statement, params = staff_queries.COMPANY_STAFF, {"company_id": company.id}
    else:
        statement, params = staff_queries.company_staff(company.id, filters), {}
    result = read_columns(db.session, statement, params)
    return Table(
        _l("Staff progress"), STAFF_COLUMNS, _staff_rows(result) if stream else list(_staff_rows(result))
    )


def company_courses(company: Company) -> list[tuple[str, str]]:
    """The courses the company's staff follow (one query)."""
    return [(key, title) for key, title in db.session.execute(staff_queries.company_courses(company.id))]


def cohort_learners(
    cohort: Cohort, company: Company | None, filters: staff_queries.StaffFilters, *, stream: bool = False
) -> Table:
    """The cohort's learners × courses, of one company or all (one query)."""
    result = db.session.execute(
        staff_queries.cohort_learners(cohort.id, company.id if company else None, filters),
        execution_options={"yield_per": 1000} if stream else {},
    )
    return Table(_l("Learners"), STAFF_COLUMNS, _staff_rows(result) if stream else list(_staff_rows(result)))


def site_learners(site: Cybersite) -> Table:
    """Every learner of the Cybersite's cohorts × courses, with cohort and company (one query, streamed)."""
    result = db.session.execute(staff_queries.site_learners(site.id), execution_options={"yield_per": 1000})

    def rows() -> Iterator[tuple[Any, ...]]:
        prefix: list[Any] = []

        def learners() -> Iterator[list[Any]]:
            for cohort_name, company_name, *rest in result:
                prefix[:] = [cohort_name, company_name]
                yield rest

        # _staff_rows takes one row at a time: the prefix is the current row's.
        for row in _staff_rows(learners()):
            yield (*prefix, *row)

    plain_staff = [Column(c.label, c.kind) for c in STAFF_COLUMNS]  # no links in an export
    columns = (Column(_l("Cohort"), Kind.TEXT), Column(_l("Company"), Kind.TEXT), *plain_staff)
    return Table(_l("Learners"), columns, rows())


def site_cohorts(site: Cybersite) -> Table:
    """The Cybersite's cohorts and their figures (one query)."""
    rows = [
        (name, starts_on, ends_on, *figures, url_for("progress.cohort", cohort_id=cohort_id))
        for cohort_id, name, starts_on, ends_on, *figures in cohort_queries.site_cohorts(db.session, site.id)
    ]
    columns = (
        Column(_l("Cohort"), Kind.TEXT, link=8),
        Column(_l("Starts on"), Kind.DATE),
        Column(_l("Ends on"), Kind.DATE),
        *FIGURE_COLUMNS,
    )
    return Table(_l("Cohorts"), columns, rows)


def cohort_companies(cohort: Cohort) -> Table:
    """The cohort's companies and their figures (one query)."""
    rows = [
        (name, *figures, url_for("progress.cohort_company", cohort_id=cohort.id, company_id=company_id))
        for company_id, name, *figures in db.session.execute(cohort_queries.cohort_companies(cohort.id))
    ]
    return Table(_l("Companies"), (Column(_l("Company"), Kind.TEXT, link=6), *FIGURE_COLUMNS), rows)


def _week_label(week: date) -> str:
    return format_date(week, "d MMM")


def completions_over_time(
    *, site: Cybersite | None = None, cohort: Cohort | None = None
) -> tuple[Table, Any]:
    """Course completions week by week and in all, as a table and as a chart (one query)."""
    rows = cohort_queries.weekly_completions(
        db.session, cybersite_id=site.id if site else None, cohort_id=cohort.id if cohort else None
    )
    weeks = cohort_queries.cumulative_by_week(rows, datetime.now(LOCAL_TIME).date())
    table = Table(
        _l("Completions by week"),
        (
            Column(_l("Week of"), Kind.DATE),
            Column(_l("Completions that week"), Kind.COUNT),
            Column(_l("Completions so far"), Kind.COUNT),
        ),
        weeks,
    )
    total = weeks[-1][2] if weeks else 0
    words = Words(
        x_axis=str(_l("Week (Monday)")),
        y_axis=str(_l("Completions")),
        legend=str(_l("Courses completed so far")),
        empty=str(_l("No course completed yet")),
        empty_hint=str(
            _l("The chart fills as the cohort's learners complete their courses: one step per completion.")
            if cohort is not None
            else _l("The chart fills as the learners of the Cybersite's cohorts complete their courses.")
        ),
    )
    description = (
        _l(
            "Course completions so far, week by week, from %(start)s to %(end)s: %(total)d in all.",
            start=format_date(weeks[0][0], "long"),
            end=format_date(weeks[-1][0], "long"),
            total=total,
        )
        if weeks
        else f"{_l('No course completed yet.')} {words.empty_hint}"
    )
    chart = cumulative_chart(
        [Point(week, so_far) for week, _, so_far in weeks],
        str(_l("Completions over time")),
        str(description),
        _week_label,
        "completions-chart",
        words=words,
    )
    return table, chart


def course_funnel(target: course_queries.CourseAudience, structure: CourseStructure) -> tuple[Table, Any]:
    """Enrolled → started → each chapter completed → course completed → passed (two queries)."""
    figures = course_queries.funnel(target)
    steps: list[tuple[str, int]] = [
        (str(_l("Enrolled")), figures.enrolled),
        (str(_l("Started")), figures.started),
    ]
    for chapter in structure.of_type(CHAPTER):
        steps.append(
            (
                str(_l("Completed: %(chapter)s", chapter=chapter.title)),
                figures.chapters.get(chapter.usage_id, 0),
            )
        )
    steps += [(str(_l("Completed the course")), figures.completed), (str(_l("Passed")), figures.passed)]
    rows = [(label, count, count / figures.enrolled if figures.enrolled else None) for label, count in steps]
    table = Table(
        _l("Completion funnel"),
        (
            Column(_l("Step"), Kind.TEXT),
            Column(_l("Learners"), Kind.COUNT),
            Column(_l("Share of enrolled"), Kind.PERCENT),
        ),
        rows,
    )
    description = _l(
        "%(enrolled)d learners enrolled, %(started)d started, %(completed)d completed the course "
        "and %(passed)d passed.",
        enrolled=figures.enrolled,
        started=figures.started,
        completed=figures.completed,
        passed=figures.passed,
    )
    words = Words(
        x_axis=str(_l("Share of the learners enrolled")),
        y_axis="",
        legend=str(_l("Learners at each step (share of the enrolled)")),
        empty=str(_l("No learner enrolled yet")),
        empty_hint=str(
            _l("The funnel fills once a cohort of your Cybersites follows the course and its learners start.")
        ),
    )
    chart = bar_chart(
        steps, figures.enrolled, str(_l("Completion funnel")), str(description), "funnel-chart", words=words
    )
    return table, chart


def course_exercises(target: course_queries.CourseAudience, structure: CourseStructure) -> Table:
    """Each scored block (problems, case studies…): answered, success rate, full marks, mean attempts."""
    scored = [u for u in structure.block_types if u in structure.points]
    figures = course_queries.problems(target, scored)
    rows = [
        (
            structure.titles.get(usage_id, usage_id),
            structure.block_types.get(usage_id, ""),
            figures[usage_id].answered,
            figures[usage_id].success_rate,
            figures[usage_id].full_marks,
            round(figures[usage_id].mean_attempts, 2)
            if figures[usage_id].mean_attempts is not None
            else None,
        )
        for usage_id in scored
    ]
    columns = (
        Column(_l("Exercise"), Kind.TEXT),
        Column(_l("Type"), Kind.TEXT),
        Column(_l("Learners graded"), Kind.COUNT),
        Column(_l("Success rate"), Kind.PERCENT),
        Column(_l("Full marks"), Kind.COUNT),
        Column(_l("Mean attempts"), Kind.NUMBER),
    )
    return Table(_l("Exercises"), columns, rows)
