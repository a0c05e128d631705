"""Importing a big course archive as a background job: the upload is kept in the jobs' folder, the
import runs in the queue (its stages shown to the administrator as progress), and its warnings (and, for
a refused archive, every problem with its file and line) are listed on the job's page at the end."""

from __future__ import annotations

from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from app.accounts.models import User
from app.accounts.policy import Action, can
from app.core.extensions import db
from app.courses.importing import ImportFailed, import_course
from app.jobs import tracking
from app.jobs.enqueue import enqueue
from app.jobs.models import Job
from app.jobs.registry import task
from app.jobs.tracking import JobRun
from app.runtime.olx_import import Problem

IMPORT_ARCHIVE = "courses.import_archive"


class ArchiveRefused(Exception):
    """The archive cannot be imported; the job's warnings list why."""


def request_import(user: User, upload: FileStorage, locale: str) -> Job:
    """Keep the uploaded archive and queue its import; the job runs once the caller commits."""
    job = tracking.create("import", user.id, _("Import of %(name)s", name=upload.filename or "course.tar.gz"))
    upload.save(tracking.files_dir() / f"{job.id}.upload.tar.gz")
    enqueue(IMPORT_ARCHIVE, job.id, locale)
    return job


def _located(problem: Problem) -> str:
    where = f"{problem.file}:{problem.line}" if problem.line else problem.file
    return f"{where}: {problem.translated(_)}"


@task(IMPORT_ARCHIVE, tracked=True)
def import_archive(run: JobRun, locale: str) -> None:
    """Import the job's archive as its requester (whose right is checked again), then drop the upload."""
    path: Path = tracking.files_dir() / f"{run.job_id}.upload.tar.gz"
    try:
        with force_locale(locale):
            user = db.session.get(User, run.owner_id)
            if user is None or not can(user, Action.ADMINISTER_NETWORK):
                raise PermissionError(_("You may no longer import courses."))
            try:
                result = import_course(path, actor=user, progress=run.progress)
            except ImportFailed as error:
                for problem in error.problems:
                    run.warn(_located(problem))
                raise ArchiveRefused(
                    _(
                        "The archive is refused: %(count)d problem(s), listed below.",
                        count=len(error.problems),
                    )
                ) from error
            for warning in result.warnings:
                run.warn(_located(warning))
    finally:
        path.unlink(missing_ok=True)
