"""Large exports as background jobs: every learner of a cohort can be tens of thousands of rows, too many
to write while a request waits. The requester follows the job's progress and downloads the file when it
is ready; the job checks the requester's right again when it runs (it may have changed meanwhile)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.policy import Action, can
from app.cohorts.models import Cohort
from app.core.extensions import db
from app.jobs import tracking
from app.jobs.enqueue import enqueue
from app.jobs.models import Job
from app.jobs.registry import task
from app.jobs.tracking import JobRun
from app.progress import dashboards, exports
from app.progress.queries import staff as staff_queries
from app.progress.queries.staff import StaffFilters

COHORT_LEARNERS = "progress.cohort_learners_export"
# Progress is written every this many rows (each write is a short transaction of its own).
PROGRESS_EVERY = 500


def request_cohort_learners(user: User, cohort: Cohort, fmt: str, locale: str) -> Job:
    """Ask for every learner of ``cohort`` as ``fmt``; the job runs once the caller commits."""
    job = tracking.create("export", user.id, _("Export of the learners of %(cohort)s", cohort=cohort.name))
    enqueue(COHORT_LEARNERS, job.id, cohort.id, fmt, locale)
    return job


def _counted(rows: Iterable[Sequence[Any]], run: JobRun, total: int) -> Iterator[Sequence[Any]]:
    for done, row in enumerate(rows, 1):
        yield row
        if done % PROGRESS_EVERY == 0:
            run.progress(done, total)


@task(COHORT_LEARNERS, tracked=True, writes=False)
def cohort_learners_export(run: JobRun, cohort_id: int, fmt: str, locale: str) -> None:
    """Write every learner of the cohort into the job's file, in the requester's language."""
    user = db.session.get(User, run.owner_id)
    cohort = db.session.get(Cohort, cohort_id)
    if fmt not in exports.FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    # The dashboard's rows carry links to pages (built with url_for, left out of files): a request
    # context of the site's root lets them be built outside a request.
    with current_app.test_request_context("/"), force_locale(locale):
        if user is None or cohort is None or not can(user, Action.VIEW_COHORT_PROGRESS, cohort):
            raise PermissionError(_("You may no longer see this cohort's progress."))
        query = staff_queries.cohort_learners(cohort.id, None, StaffFilters())
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        table = dashboards.cohort_learners(cohort, None, StaffFilters(), stream=True)
        table = replace(table, rows=_counted(table.rows, run, total))
        name = exports.filename(f"progression-{cohort.name}-apprenants", fmt)
        mimetype = exports.CSV_TYPE if fmt == "csv" else exports.XLSX_TYPE
        with run.result_file(name, mimetype) as stream:
            if fmt == "csv":
                for chunk in exports.csv_chunks(table):
                    stream.write(chunk.encode("utf-8"))
            else:
                exports.write_xlsx([table], stream)
