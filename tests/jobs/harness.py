"""A second application on the test run's database with a real queue (a SQLite file, or Redis), and a
real Huey consumer run in threads of the test process while a test needs it."""

from __future__ import annotations

import secrets
import signal
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app import create_app
from app.jobs.queue import EXTENSION, Queue

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_reachable() -> bool:
    """True when a Redis server answers on the loopback port the tests use."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def queue_url(kind: str, tmp_path: Path) -> str:
    """The queue URL of one backend; Redis tests are skipped where no server answers."""
    if kind == "redis":
        if not redis_reachable():
            pytest.skip("no Redis server on 127.0.0.1:6379")
        return REDIS_URL
    return f"sqlite:///{tmp_path / 'jobs.sqlite3'}"


def make_queue_app(database: dict[str, Any], tmp_path: Path, url: str, **config: Any) -> Flask:
    """An application on the run's database whose tasks go to a real queue named for this test alone."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "RATELIMIT_STORAGE_URI": "memory://",
            "QUEUE_URL": url,
            # Its own name: other runs may share the Redis server.
            "QUEUE_NAME": f"test-{secrets.token_hex(6)}",
            "JOB_FILES_DIR": str(tmp_path / "job-files"),
            "MAIL_RETRIES": 3,
            "MAIL_RETRY_DELAY": 0.1,
            **database,
            **config,
        }
    )


def queue_of(app: Flask) -> Queue:
    """The application's queue."""
    found: Queue = app.extensions[EXTENSION]
    return found


@contextmanager
def consuming(app: Flask, workers: int = 2) -> Iterator[None]:
    """A real Huey consumer (worker threads and its scheduler) for the duration of the block."""
    huey = queue_of(app).huey
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = huey.create_consumer(
        workers=workers, worker_type="thread", periodic=False, check_worker_health=False, max_delay=0.05
    )
    consumer.start()
    try:
        yield
    finally:
        consumer.stop(graceful=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        huey.flush()


def wait_for(check: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Poll ``check`` until it returns something true (its value), failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not reached within {timeout} s: {check}")
