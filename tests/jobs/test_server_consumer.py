"""``make run``'s server: gunicorn with two web workers starts exactly one consumer of the embedded queue
(from its master, not from each worker it forks), that consumer runs what the web side queues, and it
stops with the server. Run for real: gunicorn, the consumer subprocess, the queue's SQLite file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from app.core import mail
from app.core.extensions import db
from tests.jobs.harness import make_queue_app, wait_for

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _children(parent: int) -> list[tuple[int, str]]:
    """The processes whose parent is ``parent``, with their command lines (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        # The parent id is the 2nd field after the command name in parentheses.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent:
            found.append((int(entry.name), cmdline))
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.slow
def test_the_server_starts_one_consumer_that_runs_the_queue(app, database, tmp_path):
    if "TEST_SCHEMA" in database or not Path("/proc/self/stat").exists():
        pytest.skip("runs on the SQLite test database, on Linux")
    queue = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": database["SQLALCHEMY_DATABASE_URI"],
        "CYBERMASSIF_QUEUE_URL": queue,
        "CYBERMASSIF_SECRET_KEY": "s" * 40,
    }
    env.pop("FLASK_APP", None)
    command = [str(GUNICORN), "--config", "python:app.jobs.gunicorn_hooks", "--workers", "2"]
    server = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{_free_port()}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def started() -> Any:
            children = _children(server.pid)
            consumers = [pid for pid, cmd in children if "app.cli jobs worker" in cmd]
            return (consumers, children) if consumers and len(children) >= 3 else None

        consumers, children = wait_for(started, timeout=60)
        assert len(consumers) == 1, children  # one consumer beside the two web workers
        time.sleep(0.5)
        assert [pid for pid, cmd in _children(server.pid) if "jobs worker" in cmd] == consumers

        # Started in a loaded machine's time: loading the application takes seconds there.
        # The name the server uses (its queue file is this test's own).
        queue_app = make_queue_app(database, tmp_path, queue, QUEUE_NAME="cybermassif")
        with queue_app.app_context():
            message = mail.queue("learner@example.fr", "Bienvenue", "Bonjour")
            db.session.commit()
            message_id = message.id

        def delivered() -> Any:
            with queue_app.app_context():
                row = db.session.get(mail.OutboxMessage, message_id)
                return row if row is not None and row.sent_at is not None else None

        assert wait_for(delivered, timeout=30).transport == "log"
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C on make run
        server.wait(timeout=60)
    assert (
        not Path(f"/proc/{consumers[0]}").exists()
        or "zombie" in Path(f"/proc/{consumers[0]}/status").read_text()
    )
