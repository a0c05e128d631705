"""Tasks leave for the queue only once the transaction that asked for them has committed.

Why on commit rather than an outbox table for every task: a task is enqueued with the ids of rows the
same transaction wrote, so it never runs before its data is visible, and a rolled-back request enqueues
nothing. What must survive a queue that is down at that moment keeps its own rows as the outbox (the
mail outbox, ``Job`` records), so it can be enqueued again from the database.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.core.extensions import db
from app.jobs import registry
from app.jobs.models import Job
from app.jobs.queue import EXTENSION, current

log = logging.getLogger("cybermassif.jobs")

_PENDING_KEY = "cybermassif.jobs.pending"


def enqueue(name: str, *args: Any, session: Session | None = None) -> None:
    """Queue the task ``name`` with ``args`` once the transaction of ``session`` (by default the
    application's) commits; dropped on rollback. The arguments must be plain data (ids, strings): the
    task reads its rows itself."""
    target = session if session is not None else db.session
    target.info.setdefault(_PENDING_KEY, []).append((name, args))
    if registry.spec(name).tracked:
        # The job keeps what to queue again should the worker running it die (app.jobs.recovery).
        job = target.get(Job, args[0])
        if job is not None:
            job.task_name, job.task_args = name, list(args)


def enqueue_now(name: str, *args: Any) -> None:
    """Queue the task at once, outside any request transaction (CLI commands, tests, other tasks)."""
    current().tasks[name](*args)


def _after_commit(session: Session) -> None:
    pending: list[tuple[str, tuple[Any, ...]]] = session.info.pop(_PENDING_KEY, [])
    if not pending or EXTENSION not in current_app.extensions:
        return
    tasks = current().tasks
    for name, args in pending:
        try:
            tasks[name](*args)
        except Exception:
            # The request's data is committed: failing its response now would tell the user otherwise.
            # What was asked for stays in the database (an unsent outbox row, a queued job) to be queued
            # again.
            log.exception("could not queue %s%r after the commit", name, args)


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    # A savepoint's rollback keeps the outer transaction and what it asked for.
    if not previous.nested:
        session.info.pop(_PENDING_KEY, None)


def init_app() -> None:
    """Listen to every session's commits and rollbacks (registered once per process)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)
