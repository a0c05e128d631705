"""Running a tracked task: its ``Job`` record goes from queued to running to done or failed, with its
warnings and result file; its progress meanwhile is kept in the queue's storage, where the status page
reads it.

A run first *claims* its job (queued → running, with a token of its own, in a short transaction apart
from the work) and keeps a heartbeat in the queue's storage while it works; only the run holding the claim
records the job's end. A task that writes records "done" in the same transaction as its work, so that a
worker killed at any moment leaves either nothing or the whole work and its "done": the job is run again
(``app.jobs.recovery``) or not at all, never recorded twice. A task that only reads (an export) records its
end after its work; run again, it writes its file again.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from flask import current_app
from huey.api import Huey, Task
from sqlalchemy import select, update

from app.core.extensions import db
from app.jobs.models import Job, JobStatus
from app.jobs.registry import TaskSpec

log = logging.getLogger("cybermassif.jobs")

# How long a job's file is kept for its requester to download.
FILE_DAYS = 7


def files_dir() -> Path:
    """The folder of the jobs' result files (in the instance folder unless configured)."""
    configured = current_app.config.get("JOB_FILES_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "job_files"
    path.mkdir(parents=True, exist_ok=True)
    return path


def progress_key(job_id: str) -> str:
    """Where a running job's progress is kept in the queue's own storage."""
    return f"cybermassif.job-progress.{job_id}"


def lease_key(job_id: str) -> str:
    """Where the heartbeat of the run holding a job is kept in the queue's storage: its claim and when it
    last beat (``{"claim": token, "at": epoch seconds}``; a claim of None: queued again at that time)."""
    return f"cybermassif.job-lease.{job_id}"


def lease_seconds() -> float:
    """How long a run may go without a heartbeat before its job is taken as abandoned."""
    return float(current_app.config.get("JOB_LEASE_SECONDS", 60.0))


class _Heartbeat:
    """Beats for a run, from a thread of its own, a few times per lease, until stopped."""

    def __init__(self, huey: Huey, job_id: str, claim: str, every: float) -> None:
        self._huey, self._key, self._claim, self._every = huey, lease_key(job_id), claim, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def beat(self) -> None:
        self._huey.put(self._key, {"claim": self._claim, "at": time.time()})

    def start(self) -> None:
        self.beat()
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self.beat()
            except Exception:  # storage unreachable for a moment: the next beat tries again
                log.warning("could not record the heartbeat of %s", self._key, exc_info=True)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._huey.get(self._key)  # a destructive read: the run is over


def _claim(job_id: str, token: str) -> bool:
    """Take the job up (queued → running) for the run ``token``; False when another run holds it or it
    has ended."""
    with db.engine.begin() as connection:
        taken = connection.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
            .values(status=JobStatus.RUNNING, claim=token, attempts=Job.attempts + 1)
        )
    return taken.rowcount == 1


def _write_held(job_id: str, token: str, **values: Any) -> bool:
    """Record on the job, on a connection of its own, if the run ``token`` still holds it."""
    with db.engine.begin() as connection:
        written = connection.execute(update(Job).where(Job.id == job_id, Job.claim == token).values(**values))
    return written.rowcount == 1


class JobRun:
    """What a tracked task's function is handed: report progress and warnings, write the result file.

    Progress goes to the queue's key-value storage (the SQLite file or Redis), not to the database: a
    task that writes holds, on SQLite, the only write lock until it commits, and its requester must
    still see it move. Warnings and the result file are recorded on the job when it ends.
    """

    def __init__(self, job: Job, huey: Huey) -> None:
        self.job_id = job.id
        self.owner_id = job.owner_id
        self.warnings: list[str] = list(job.warnings)
        self.held: dict[str, Any] = {}
        self._huey = huey
        self._last = -1

    def progress(self, done: int, total: int) -> None:
        """Record ``done`` out of ``total`` (a whole percentage; written only when it moves)."""
        percent = 100 if total <= 0 else max(0, min(100, done * 100 // total))
        if percent != self._last:
            self._last = percent
            self._huey.put(progress_key(self.job_id), percent)

    def warn(self, message: str) -> None:
        """Add a warning the requester reads once the job is over."""
        self.warnings.append(message)
        self.held["warnings_json"] = json.dumps(self.warnings, ensure_ascii=False)

    @contextmanager
    def result_file(self, download_name: str, mimetype: str) -> Iterator[IO[bytes]]:
        """A binary file to write the job's result into; offered to the requester once the job is done."""
        path = files_dir() / f"{self.job_id}.part"
        try:
            with path.open("wb") as stream:
                yield stream
        except BaseException:
            path.unlink(missing_ok=True)  # a half-written file is never offered
            raise
        final = path.with_suffix(".result")
        path.replace(final)
        self.held.update(result_path=final.name, result_name=download_name, result_type=mimetype)


def live_progress(job: Job, huey: Huey) -> int:
    """The progress of the job: while it runs, as its task last reported it."""
    if job.status != JobStatus.RUNNING:
        return job.progress
    value = huey.get(progress_key(job.id), peek=True)
    return int(value) if isinstance(value, int) else job.progress


def run_tracked(
    spec: TaskSpec, task: Task | None, args: tuple[Any, ...], kwargs: dict[str, Any], huey: Huey
) -> None:
    """Run a tracked task on its job (the first argument is the job id); record how it ended."""
    job_id = str(args[0])
    job = db.session.get(Job, job_id)
    if job is None or job.finished:
        # Deleted meanwhile, or already run to its end by another worker: nothing more to do.
        return
    run = JobRun(job, huey)
    db.session.rollback()  # the job row was only read; the function starts its own transaction
    token = uuid.uuid4().hex
    heartbeat = _Heartbeat(huey, job_id, token, every=max(0.05, lease_seconds() / 4))
    heartbeat.beat()  # before the claim: a claimed job always has a heartbeat, unless its worker died
    if not _claim(job_id, token):
        huey.get(lease_key(job_id))
        log.info("job %s is held by another run or over: not run again", job_id)
        return
    heartbeat.start()
    try:
        _run_claimed(run, token, spec=spec, task=task, args=args, kwargs=kwargs, huey=huey)
    finally:
        heartbeat.stop()


def _run_claimed(
    run: JobRun,
    token: str,
    *,
    spec: TaskSpec,
    task: Task | None,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    huey: Huey,
) -> None:
    job_id = run.job_id
    try:
        spec.func(run, *args[1:], **kwargs)
        if spec.writes:
            # "Done" in the work's own transaction, and only by the run that holds the job.
            done = db.session.execute(
                update(Job)
                .where(Job.id == job_id, Job.claim == token, Job.status == JobStatus.RUNNING)
                .values(**run.held, status=JobStatus.DONE, progress=100, finished_at=_now())
            )
            if done.rowcount != 1:
                db.session.rollback()
                log.warning("job %s was taken over by another run: this run's work is dropped", job_id)
                return
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        last_attempt = task is None or not task.retries
        if last_attempt:
            log.exception("job %s (%s) failed", job_id, spec.name)
            failure = str(error) or type(error).__name__
            # Warnings said before the failure help to understand it; a result file is not offered.
            held = {k: v for k, v in run.held.items() if k == "warnings_json"}
            _write_held(job_id, token, **held, status=JobStatus.FAILED, error=failure, finished_at=_now())
        else:
            _write_held(job_id, token, status=JobStatus.QUEUED, claim=None)  # for Huey's next attempt
        huey.get(progress_key(job_id))  # a destructive read: forget the running progress
        raise
    if not spec.writes:
        _write_held(job_id, token, **run.held, status=JobStatus.DONE, progress=100, finished_at=_now())
    huey.get(progress_key(job_id))


def _now() -> datetime:
    return datetime.now(UTC)


def create(kind: str, owner_id: int, title: str) -> Job:
    """A new job record in the current transaction (its task is enqueued with its id on commit)."""
    job = Job(
        kind=kind, owner_id=owner_id, title=title, status=JobStatus.QUEUED, progress=0, warnings_json="[]"
    )
    db.session.add(job)
    db.session.flush()
    return job


def result_path(job: Job) -> Path | None:
    """The job's result file on disk, if the job is done and its file still kept."""
    if job.result_path is None or job.status != JobStatus.DONE:
        return None
    path = files_dir() / Path(job.result_path).name
    return path if path.is_file() else None


def remove_expired_files(now: datetime) -> int:
    """Delete the result files of jobs finished more than ``FILE_DAYS`` ago; return how many."""
    cutoff = now - timedelta(days=FILE_DAYS)
    expired = db.session.scalars(
        select(Job).where(Job.finished_at < cutoff, Job.result_path.is_not(None))
    ).all()
    for job in expired:
        path = files_dir() / Path(job.result_path or "").name
        path.unlink(missing_ok=True)
        job.result_path = None
    db.session.commit()
    # Files no job names any more (an upload whose request rolled back, a job deleted) go as well.
    removed = len(expired)
    for path in files_dir().iterdir():
        if path.is_file() and datetime.fromtimestamp(path.stat().st_mtime, UTC) < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
