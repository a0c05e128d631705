"""A tracked task for the recovery tests only (imported by them and by the worker processes they start):
it works in steps, reporting progress, then writes one mail outbox row naming its job, so that a test can
count how many times a job's work was recorded."""

from __future__ import annotations

import time

from app.core import mail
from app.core.extensions import db
from app.jobs.registry import task
from app.jobs.tracking import JobRun

SLOW_APPEND = "tests.slow-append"


def marker(job_id: str) -> str:
    """The recipient of the row a job's work writes."""
    return f"job-{job_id}@recovery.example"


@task(SLOW_APPEND, tracked=True)
def slow_append(run: JobRun, steps: int, step_seconds: float, write_first: bool = True) -> None:
    """Write the job's row, and work ``steps`` steps before (``write_first`` false) or after it: killed
    before its end, nothing is recorded."""
    if write_first:
        _write(run)
    for done in range(steps):
        run.progress(done, steps)
        time.sleep(step_seconds)
    if not write_first:
        _write(run)


def _write(run: JobRun) -> None:
    db.session.add(mail.OutboxMessage(recipient=marker(run.job_id), subject="recovery", body=""))
    db.session.flush()
