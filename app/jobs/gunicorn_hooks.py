"""Gunicorn server hooks that start the embedded queue's one consumer, and warm each web worker up.

The consumer is started by gunicorn's master process once it is ready, before and apart from the web
workers it forks, so there is exactly one however many web workers run, and it is stopped with the
server. With Redis (``CYBERMASSIF_QUEUE_URL=redis://…``) nothing is started: worker processes are run
apart with ``cybermassif jobs worker``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

_started: dict[str, subprocess.Popen[bytes]] = {}


def when_ready(server: Any) -> None:
    """Start the consumer of the embedded queue."""
    if os.environ.get("CYBERMASSIF_QUEUE_URL", "").startswith(("redis://", "rediss://")):
        return
    consumer = subprocess.Popen([sys.executable, "-m", "app.cli", "jobs", "worker"])
    _started["consumer"] = consumer
    server.log.info("started the task queue consumer (pid %s)", consumer.pid)


def post_worker_init(worker: Any) -> None:
    """Warm the web worker up before its first request (``app.learn.warmup``): without it, the first pages
    of every worker after a start or a deploy each pay for a course tree, templates or a block's import."""
    warm = getattr(worker.wsgi, "extensions", {}).get("cybermassif.warm-up")
    if warm is not None:
        try:
            warm()
        except Exception:  # a failed warm-up only leaves the first pages slower
            worker.log.exception("warm-up failed")


def on_exit(server: Any) -> None:
    """Stop the consumer, letting it finish its running tasks."""
    consumer = _started.pop("consumer", None)
    if consumer is not None and consumer.poll() is None:
        consumer.terminate()
        try:
            consumer.wait(timeout=30)
        except subprocess.TimeoutExpired:
            consumer.kill()
