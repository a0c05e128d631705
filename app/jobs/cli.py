"""``cybermassif jobs worker``: a consumer of the queue, the command to run on each worker machine (or
beside the web server when the queue is embedded: ``make run`` starts one through gunicorn's hooks)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.jobs.queue import current

jobs = AppGroup("jobs", help="The task queue.")


@jobs.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
def worker(workers: int) -> None:
    """Run tasks from the queue until stopped (SIGINT or SIGTERM finish the running tasks first)."""
    # An idle worker polls the SQLite queue at most a second apart (Huey's default backs off to ten);
    # on Redis it blocks on the list instead of polling.
    consumer = current().huey.create_consumer(workers=workers, worker_type="thread", max_delay=1.0)
    consumer.run()
