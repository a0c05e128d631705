"""Crash safety of progress: gunicorn with several workers, learners posting completion and grade events
through the real handler endpoint (each event sent twice, and again whenever no answer came), a random
worker killed with SIGKILL every few hundred milliseconds, the master stopped with SIGTERM at the end.

Afterwards every acknowledged event is stored, none is counted twice, every roll-up equals a recomputation
from the block records, and SQLite's integrity check passes — on whichever database the run uses. The same
run against a deliberately non-idempotent write path (``tests/progress/crash_server.py``) must fail
those checks: it shows they can fail."""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.progress.models import BlockCompletion, CourseProgress, ProgressRollup
from app.progress.rollups import rebuild_course
from tests.conftest import sign_in

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
LEARNERS = 6
PROBES = 16
MIN_KILLS = 30
KILL_EVERY = (0.2, 0.45)  # seconds between two kills, drawn at random
DEADLINE = 90.0  # seconds for the whole load, kills included


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _workers(master: int) -> list[int]:
    """The worker processes of a gunicorn master (Linux: its children, from /proc)."""
    try:
        text = Path(f"/proc/{master}/task/{master}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in text.split()]


@dataclass
class Learner:
    """One signed-in learner's session, and the events the server acknowledged."""

    email: str
    cookie: str
    token: str
    acknowledged: set[str] = field(default_factory=set)
    retries: int = 0


def _grade(index: int) -> float:
    return 1.0 if index % 2 == 0 else 0.5


def _post(host: str, learner: Learner, usage: str, grade: float) -> bool:
    """One attempt at posting an event; True when the server answered 200."""
    body = json.dumps({"completion": 1.0, "grade": grade, "max": 1.0})
    connection = http.client.HTTPConnection(host, timeout=10)
    try:
        connection.request(
            "POST",
            f"/xblock/{usage}/handler/report",
            body=body,
            headers={
                "Cookie": learner.cookie,
                "X-CSRFToken": learner.token,
                "Content-Type": "application/json",
            },
        )
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        return False  # no answer: the worker died, or the master is restarting it
    finally:
        connection.close()
    if response.status == 200:
        return True
    if response.status in (500, 502, 503, 504):
        return False
    raise AssertionError(f"POST {usage} answered {response.status}")


def _run_learner(host: str, learner: Learner, probes: list[str], stop: threading.Event) -> None:
    order = list(enumerate(probes))
    rng = random.Random(learner.email)
    while not stop.is_set():
        rng.shuffle(order)
        for index, usage in order:
            for _replay in range(2):  # each event is sent twice: a replay must change nothing
                while not _post(host, learner, usage, _grade(index)):
                    learner.retries += 1
                    if stop.is_set():
                        return
                    time.sleep(0.05)
                learner.acknowledged.add(usage)
            if stop.is_set():
                return


def _load(app, database, course, users, *, broken: bool) -> tuple[list[Learner], int]:
    """Serve, post and kill; returns the learners (with what was acknowledged) and the number of kills."""
    learners = []
    unit = course.usage("vertical", "u0")
    cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
    for user in users:
        client = app.test_client()
        sign_in(client, user.email)
        page = client.get(f"/formations/{course.course_key}/unite/{unit}").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        cookie = client.get_cookie(cookie_name)
        learners.append(Learner(user.email, f"{cookie_name}={cookie.value}", token))
    settings = {k: v for k, v in database.items() if k != "TEST_SCHEMA"}
    env = {**os.environ, "CRASH_TEST_SETTINGS": json.dumps(settings)}
    if broken:
        env["CRASH_TEST_BROKEN"] = "1"
    port = _free_port()
    host = f"127.0.0.1:{port}"
    master = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", host,
         "--log-level", "warning", "--preload", "tests.progress.crash_server:app"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    kills = 0
    stop = threading.Event()
    threads: list[threading.Thread] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(_workers(master.pid)) < WORKERS:
            time.sleep(0.1)
        probes = [course.usage("probe", f"p{i}") for i in range(PROBES)]
        threads = [
            threading.Thread(target=_run_learner, args=(host, learner, probes, stop)) for learner in learners
        ]
        for thread in threads:
            thread.start()
        rng = random.Random(7)
        seen: dict[int, float] = {}
        ends_at = time.monotonic() + DEADLINE
        next_kill = time.monotonic() + 1.0
        while time.monotonic() < ends_at:
            now = time.monotonic()
            alive = _workers(master.pid)
            for pid in alive:
                seen.setdefault(pid, now)
            # Kill only workers that have booted (a worker killed while importing proves nothing).
            ready = [pid for pid in alive if now - seen[pid] > 0.3]
            if now >= next_kill and ready:
                try:
                    os.kill(rng.choice(ready), signal.SIGKILL)
                    kills += 1
                except ProcessLookupError:
                    pass
                next_kill = now + rng.uniform(*KILL_EVERY)
            enough = all(len(learner.acknowledged) == PROBES for learner in learners)
            if kills >= MIN_KILLS and enough:
                break
            time.sleep(0.02)
        stop.set()
        for thread in threads:
            thread.join(30)
    finally:
        stop.set()
        os.kill(master.pid, signal.SIGTERM)  # the master, once: it stops its workers gracefully
        master.wait(timeout=60)
    return learners, kills


def _problems(app, database, course, users, learners) -> list[str]:
    """What the stored progress gets wrong: lost or doubled events, roll-ups that disagree with a
    recomputation from the block records, a damaged SQLite file."""
    found = []
    ids = {user.email: user.id for user in users}
    with app.app_context():
        for learner in learners:
            user_id = ids[learner.email]
            stored = {
                row.usage_id: row
                for row in db.session.scalars(
                    select(BlockCompletion).where(BlockCompletion.user_id == user_id)
                )
            }
            for usage in learner.acknowledged:
                row = stored.get(usage)
                index = int(usage.rsplit("p", 1)[-1])
                if row is None or row.completion != 1.0 or row.earned != _grade(index):
                    found.append(f"{learner.email}: acknowledged {usage} is not stored as sent")
            progress = db.session.scalar(
                select(CourseProgress).where(
                    CourseProgress.user_id == user_id, CourseProgress.course_key == course.course_key
                )
            )
            done = sum(1 for row in stored.values() if row.completion >= 1.0)
            if progress is None or progress.completed != done:
                counted = None if progress is None else progress.completed
                found.append(f"{learner.email}: {counted} completions counted for {done} blocks completed")

        def figures() -> dict[Any, Any]:
            rollups = {
                ("rollup", r.user_id, r.usage_id): (r.completed, r.total, r.earned, r.possible)
                for r in db.session.scalars(select(ProgressRollup))
            }
            courses = {
                ("course", c.user_id, c.course_key): (c.completed, c.total, c.grade, c.passed)
                for c in db.session.scalars(select(CourseProgress))
            }
            return {**rollups, **courses}

        before = figures()
        rebuild_course(db.session, course.course_key)
        db.session.flush()
        db.session.expire_all()
        after = figures()
        db.session.rollback()
        wrong = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
        found.extend(f"{key}: stored {before.get(key)} != recomputed {after.get(key)}" for key in wrong[:10])
    uri = database["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///"):
        with sqlite3.connect(uri.removeprefix("sqlite:///")) as connection:
            (result,) = connection.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            found.append(f"SQLite integrity check: {result}")
    return found


@pytest.fixture
def crash_course(progress_course, enrolled_learner):
    units = [(f"u{i}", [("probe", f"p{i}", 1.0)]) for i in range(PROBES)]
    spec = [("ch1", [("s1", {"graded": "true", "format": "Quiz"}, units[: PROBES // 2])]),
            ("ch2", [("s2", {"graded": "true", "format": "Quiz"}, units[PROBES // 2 :])])]  # fmt: skip
    course = progress_course(spec=spec, policy={"GRADER": [{"type": "Quiz", "weight": 1.0}]})
    users = [enrolled_learner(course)[0] for _ in range(LEARNERS)]
    return course, users


@pytest.mark.slow
def test_killed_workers_lose_no_acknowledged_event_and_count_none_twice(app, database, crash_course):
    course, users = crash_course
    learners, kills = _load(app, database, course, users, broken=False)
    assert kills >= MIN_KILLS, f"only {kills} workers were killed"
    assert all(len(learner.acknowledged) == PROBES for learner in learners), [
        len(learner.acknowledged) for learner in learners
    ]
    assert _problems(app, database, course, users, learners) == []
    print(f"crash safety: {kills} workers killed, {sum(x.retries for x in learners)} retries")


@pytest.mark.slow
def test_the_same_checks_catch_a_write_path_that_counts_replays(app, database, crash_course):
    course, users = crash_course
    learners, kills = _load(app, database, course, users, broken=True)
    assert kills >= MIN_KILLS
    problems = _problems(app, database, course, users, learners)
    assert any("completions counted" in problem for problem in problems), problems
    assert any("recomputed" in problem for problem in problems), problems
