"""The Huey queue an application uses, chosen by ``CYBERMASSIF_QUEUE_URL``: by default a SQLite file in
the instance folder (nothing to start: ``make run`` starts one consumer beside the web server), or Redis
with any number of worker processes (``cybermassif jobs worker``) when the URL is ``redis://…``.

Huey was chosen because it covers both ends with one API and no broker to run by default (its SQLite
storage), is maintained, small, and has retries, delays and periodic tasks built in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import Huey, Task

from app.core import database, mail
from app.core.extensions import db
from app.jobs import recovery, registry, tracking

log = logging.getLogger("cybermassif.jobs")

EXTENSION = "cybermassif.jobs"


@dataclass
class Queue:
    """An application's queue: the Huey instance and its bound tasks by name."""

    huey: Huey
    tasks: dict[str, Any]

    @property
    def embedded(self) -> bool:
        """True when the queue lives in this machine's files (one consumer, started with the server)."""
        return isinstance(self.huey, SqliteHuey)


def _huey(app: Flask) -> Huey:
    url: str = app.config.get("QUEUE_URL", "")
    name: str = app.config.get("QUEUE_NAME", "cybermassif")
    if app.config.get("QUEUE_IMMEDIATE"):
        # Only for tests that are not about the queue: each task runs when enqueued, after the commit.
        return MemoryHuey(name, immediate=True, results=False)
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey(name, url=url, results=False)
    path = url.removeprefix("sqlite:///") if url else str(Path(app.instance_path) / "jobs.sqlite3")
    return SqliteHuey(name, filename=path, results=False)


def _bind(huey: Huey, app: Flask, spec: registry.TaskSpec) -> Any:
    """The Huey task that runs ``spec`` in an application context of ``app``."""

    def run(*args: Any, task: Task | None = None, **kwargs: Any) -> None:
        with app.app_context():
            intent = database.set_write_intent(spec.writes)
            try:
                if spec.tracked:
                    tracking.run_tracked(spec, task, args, kwargs, huey)
                else:
                    spec.func(*args, **kwargs)
                    db.session.commit()  # a task commits once, as a route does
            except Exception:
                db.session.rollback()
                if task is not None and task.retries:
                    # Backoff: Huey keeps the delay on the task it requeues, so set the next one here.
                    attempt = spec.retries - task.retries
                    task.retry_delay = spec.retry_delay * 2**attempt
                raise
            finally:
                db.session.remove()
                database.reset_write_intent(intent)

    return huey.task(name=spec.name, retries=spec.retries, retry_delay=spec.retry_delay, context=True)(run)


def init_app(app: Flask) -> Queue:
    """Build the application's queue and bind every registered task (and the housekeeping) to it."""
    huey = _huey(app)
    tasks = {spec.name: _bind(huey, app, spec) for spec in registry.registered()}

    def sweep() -> None:
        with app.app_context():
            removed = tracking.remove_expired_files(datetime.now(UTC))
            if removed:
                log.info("removed %d expired job files", removed)

    def recover() -> None:
        with app.app_context():
            try:
                recovery.recover(huey, tasks)
            finally:
                db.session.remove()

    def resend_mail() -> None:
        with app.app_context():
            ids, given_up = mail.stranded(datetime.now(UTC))
            if ids and "mail.deliver" in tasks:
                log.warning("handing %d stranded message(s) to the queue again", len(ids))
                tasks["mail.deliver"](ids)
            if given_up:
                log.error("gave up %d message(s) not delivered within %s", given_up, mail.GIVE_UP_AFTER)

    huey.periodic_task(crontab(minute="*/15"), name="jobs.sweep")(sweep)
    # Every ten minutes: mail the queue never got (or gave up retrying) is handed over again.
    huey.periodic_task(crontab(minute="*/10"), name="mail.resend")(resend_mail)
    # Every minute: a job whose worker died waits at most a lease and a minute to be run again.
    huey.periodic_task(crontab(minute="*"), name="jobs.recover")(recover)
    queue = Queue(huey, tasks)
    app.extensions[EXTENSION] = queue
    return queue


def current() -> Queue:
    """The current application's queue."""
    found: Queue = current_app.extensions[EXTENSION]
    return found
