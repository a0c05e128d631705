"""Jobs whose worker died are run again: the queue's periodic ``jobs.recover`` task.

Huey takes a task off the queue when a worker starts it; a worker killed then (a crash, an out-of-memory
kill, a machine lost) takes the task with it. A tracked job keeps what to queue (its task and arguments)
and, while a run holds it, a heartbeat in the queue's storage (``app.jobs.tracking``). A job running with
no heartbeat for a lease, or queued for a lease without any run taking it (its queueing lost with a queue
that was down), is queued again; the claim a run takes first makes a second queue entry harmless. After
``MAX_ATTEMPTS`` runs that never ended, the job fails with a message saying so.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from huey.api import Huey
from sqlalchemy import select, update

from app.core.extensions import db
from app.jobs.models import Job, JobStatus
from app.jobs.tracking import lease_key, lease_seconds

log = logging.getLogger("cybermassif.jobs")

MAX_ATTEMPTS = 3
ABANDONED = _l(
    "The job was stopped %(count)d times before its end (its worker stopped); it is not tried again."
)


def _beat(huey: Huey, job_id: str) -> dict[str, Any] | None:
    value = huey.get(lease_key(job_id), peek=True)
    return value if isinstance(value, dict) else None


def recover(huey: Huey, tasks: dict[str, Callable[..., Any]], now: float | None = None) -> int:
    """Queue again the jobs that lost their worker or their queue entry; return how many."""
    now = time.time() if now is None else now
    lease = lease_seconds()
    waited = datetime.fromtimestamp(now, UTC) - timedelta(seconds=lease)
    candidates = db.session.execute(
        select(Job.id, Job.status, Job.claim, Job.attempts, Job.task_name, Job.task_args, Job.created_at)
        .where(Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)), Job.task_name.is_not(None))
        .order_by(Job.created_at)
    ).all()
    db.session.rollback()
    queued = 0
    for job_id, status, claim, attempts, task_name, task_args, created_at in candidates:
        beat = _beat(huey, job_id)
        if status == JobStatus.RUNNING:
            if beat is not None and beat.get("claim") == claim and beat.get("at", 0) >= now - lease:
                continue  # its run is alive
        else:
            created = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
            last_queued = beat.get("at", 0) if beat is not None and beat.get("claim") is None else None
            if (last_queued is not None and last_queued >= now - lease) or (
                last_queued is None and created >= waited
            ):
                continue  # waiting its turn
        if not _requeue(job_id, status, claim, attempts):
            continue
        task = tasks.get(task_name or "")
        if task is None:
            log.error("job %s names the task %s, which no longer exists", job_id, task_name)
            continue
        huey.put(lease_key(job_id), {"claim": None, "at": now})
        task(*(task_args or [job_id]))
        queued += 1
        log.warning("job %s (%s) queued again: its run was lost", job_id, task_name)
    return queued


def _requeue(job_id: str, status: str, claim: str | None, attempts: int) -> bool:
    """Put the job back to queued (or fail it after too many lost runs), unless it moved meanwhile."""
    where = [Job.id == job_id, Job.status == status]
    where.append(Job.claim == claim if claim is not None else Job.claim.is_(None))
    with db.engine.begin() as connection:
        if status == JobStatus.RUNNING and attempts >= MAX_ATTEMPTS:
            connection.execute(
                update(Job)
                .where(*where)
                .values(
                    status=JobStatus.FAILED,
                    claim=None,
                    error=str(ABANDONED % {"count": attempts}),
                    finished_at=datetime.now(UTC),
                )
            )
            return False
        moved = connection.execute(update(Job).where(*where).values(status=JobStatus.QUEUED, claim=None))
    return moved.rowcount == 1
