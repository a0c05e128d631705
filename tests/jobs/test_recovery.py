"""A job whose worker is killed mid-run is run again and recorded done exactly once (``app.jobs.recovery``
and the claim of ``app.jobs.tracking``): real worker processes (``cybermassif jobs worker``) on a real
queue file or Redis, SIGKILL, and the recovery sweep the queue runs every minute."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.core import mail
from app.core.database import reset_write_intent, set_write_intent
from app.core.extensions import db
from app.jobs import recovery, tracking
from app.jobs.enqueue import enqueue
from app.jobs.models import Job, JobStatus
from tests.jobs import slow_tasks
from tests.jobs.harness import consuming, make_queue_app, queue_of, wait_for

ROOT = Path(__file__).resolve().parents[2]
LEASE = 1
WORKER = "import tests.jobs.slow_tasks, runpy; runpy.run_module('app.cli', run_name='__main__')"


def _database_url(database: dict[str, Any]) -> str:
    url: str = database["SQLALCHEMY_DATABASE_URI"]
    schema = database.get("TEST_SCHEMA")
    if schema:  # the run's own schema, as the test process's engine options name it
        url += "?options=" + urllib.parse.quote(f"-csearch_path={schema}")
    return url


def _start_worker(database: dict[str, Any], queue: str, log: Path) -> subprocess.Popen[bytes]:
    """A worker process (``cybermassif jobs worker``) on the queue, its output in ``log``."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(database),
        "CYBERMASSIF_QUEUE_URL": queue,
        "CYBERMASSIF_SECRET_KEY": "s" * 40,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("FLASK_APP", None)
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, "jobs", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _owner(app: Any) -> int:
    with app.app_context():
        user = User(email=f"owner-{os.getpid()}-{id(app)}@recovery.example", display_name="Owner")
        db.session.add(user)
        db.session.commit()
        return user.id


def _request(app: Any, owner_id: int, steps: int, step_seconds: float, write_first: bool = True) -> str:
    with app.app_context():
        job = tracking.create("test", owner_id, "slow")
        enqueue(slow_tasks.SLOW_APPEND, job.id, steps, step_seconds, write_first)
        db.session.commit()
        return job.id


@contextmanager
def _reading(app: Any) -> Iterator[None]:
    """A reader's transaction: on SQLite it need not wait for a worker holding the write lock."""
    token = set_write_intent(False)
    try:
        with app.app_context():
            yield
    finally:
        reset_write_intent(token)


def _job(app: Any, job_id: str) -> Job:
    with _reading(app):
        job = db.session.get(Job, job_id)
        assert job is not None
        db.session.expunge(job)
        return job


def _rows(app: Any, job_id: str) -> int:
    with _reading(app):
        return db.session.scalar(
            select(func.count()).where(mail.OutboxMessage.recipient == slow_tasks.marker(job_id))
        )


def _recover(app: Any) -> int:
    with app.app_context():
        queue = queue_of(app)
        return recovery.recover(queue.huey, queue.tasks)


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGCONT)
        worker.kill()
    worker.wait(timeout=30)


def _queue_app(database: dict[str, Any], tmp_path: Path) -> tuple[Any, str]:
    url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    # The name worker processes use (the queue file is this test's own).
    return make_queue_app(database, tmp_path, url, QUEUE_NAME="cybermassif", JOB_LEASE_SECONDS=LEASE), url


def _running(app: Any, job_id: str) -> Any:
    return _job(app, job_id).status == JobStatus.RUNNING


@pytest.mark.slow
def test_a_job_whose_worker_is_killed_mid_run_is_run_again_and_recorded_once(app, database, tmp_path):
    app, url = _queue_app(database, tmp_path)
    owner = _owner(app)
    job_id = _request(app, owner, steps=30, step_seconds=0.1)
    first = _start_worker(database, url, tmp_path / "workers.log")
    try:
        wait_for(lambda: _running(app, job_id), timeout=60)
        time.sleep(0.3)  # inside its work: its row written, not committed
        first.kill()  # SIGKILL: no handler, no clean-up, as the out-of-memory killer does
        first.wait(timeout=30)
    finally:
        _stop(first)
    killed = _job(app, job_id)
    assert (killed.status, killed.attempts, _rows(app, job_id)) == (JobStatus.RUNNING, 1, 0)
    # Within its lease the job is still taken as alive.
    assert _recover(app) == 0
    time.sleep(LEASE + 0.3)
    assert _recover(app) == 1
    second = _start_worker(database, url, tmp_path / "workers.log")
    try:
        assert _job(app, job_id).status in (JobStatus.QUEUED, JobStatus.RUNNING)
        wait_for(lambda: _job(app, job_id).status == JobStatus.DONE, timeout=60)
    finally:
        _stop(second)
    done = _job(app, job_id)
    assert (done.attempts, done.progress, done.error) == (2, 100, None)
    assert _rows(app, job_id) == 1
    assert _recover(app) == 0  # over: never queued again


@pytest.mark.slow
def test_a_run_that_lost_its_claim_records_nothing(app, database, tmp_path):
    """A worker frozen past its lease (SIGSTOP: a swapped-out machine, a long pause) comes back after
    another run finished the job: its own work is dropped, the job's is recorded once."""
    app, url = _queue_app(database, tmp_path)
    owner = _owner(app)
    job_id = _request(app, owner, steps=20, step_seconds=0.1, write_first=False)
    frozen = _start_worker(database, url, tmp_path / "workers.log")
    second = None
    try:
        wait_for(lambda: _running(app, job_id), timeout=60)
        frozen.send_signal(signal.SIGSTOP)
        time.sleep(LEASE + 0.3)
        assert _recover(app) == 1
        second = _start_worker(database, url, tmp_path / "workers.log")
        wait_for(lambda: _job(app, job_id).status == JobStatus.DONE, timeout=60)
        assert _rows(app, job_id) == 1
        frozen.send_signal(signal.SIGCONT)
        # The frozen run ends its work (about 2 s) and finds the job no longer its own.
        time.sleep(3)
        assert frozen.poll() is None  # the worker itself carries on
    finally:
        _stop(frozen)
        if second is not None:
            _stop(second)
    done = _job(app, job_id)
    assert (done.status, done.attempts, _rows(app, job_id)) == (JobStatus.DONE, 2, 1)


def _lost(app: Any, owner_id: int, status: str, attempts: int, age: float) -> str:
    """A job as a worker that died left it: no heartbeat, no queue entry."""
    with app.app_context():
        job = tracking.create("test", owner_id, "lost")
        job.task_name, job.task_args = slow_tasks.SLOW_APPEND, [job.id, 1, 0.0, True]
        job.status, job.attempts = status, attempts
        job.claim = "dead-run" if status == JobStatus.RUNNING else None
        job.created_at = datetime.now(UTC) - timedelta(seconds=age)
        db.session.commit()
        return job.id


def test_a_job_lost_three_times_fails_with_a_message(app, database, tmp_path):
    app, _url = _queue_app(database, tmp_path)
    owner = _owner(app)
    job_id = _lost(app, owner, JobStatus.RUNNING, attempts=recovery.MAX_ATTEMPTS, age=10)
    assert _recover(app) == 0
    failed = _job(app, job_id)
    assert failed.status == JobStatus.FAILED and failed.finished_at is not None
    with app.app_context():  # the platform's language (French by default), naming the lost runs
        assert failed.error == str(recovery.ABANDONED % {"count": recovery.MAX_ATTEMPTS})
    assert "3" in failed.error
    assert _rows(app, job_id) == 0
    assert queue_of(app).huey.pending_count() == 0  # not queued again
    assert _recover(app) == 0


def test_a_job_whose_queue_entry_was_lost_is_queued_again_after_a_lease(app, database, tmp_path):
    app, _url = _queue_app(database, tmp_path)
    owner = _owner(app)
    waiting = _lost(app, owner, JobStatus.QUEUED, attempts=0, age=0)  # just queued: its turn will come
    lost = _lost(app, owner, JobStatus.QUEUED, attempts=0, age=LEASE + 5)
    assert _recover(app) == 1
    assert queue_of(app).huey.pending_count() == 1
    # Queued again just now: not queued a second time within the next lease.
    assert _recover(app) == 0
    with consuming(app):
        wait_for(lambda: _job(app, lost).status == JobStatus.DONE)
    assert (_job(app, lost).attempts, _rows(app, lost)) == (1, 1)
    assert _job(app, waiting).status == JobStatus.QUEUED and _rows(app, waiting) == 0


def test_a_running_job_with_a_live_heartbeat_is_left_alone(app, database, tmp_path):
    app, _url = _queue_app(database, tmp_path)
    owner = _owner(app)
    job_id = _lost(app, owner, JobStatus.RUNNING, attempts=1, age=LEASE + 5)
    huey = queue_of(app).huey
    huey.put(tracking.lease_key(job_id), {"claim": "dead-run", "at": time.time()})
    assert _recover(app) == 0
    # The same heartbeat, a lease later, is a dead run's.
    with app.app_context():
        queue = queue_of(app)
        assert recovery.recover(queue.huey, queue.tasks, now=time.time() + LEASE + 1) == 1
    assert _job(app, job_id).status == JobStatus.QUEUED and huey.pending_count() == 1


def test_the_queue_runs_the_recovery_every_minute(app, database, tmp_path):
    app, _url = _queue_app(database, tmp_path)
    periodic = {task.name for task in queue_of(app).huey._registry.periodic_tasks}
    assert "jobs.recover" in periodic
