"""Several processes posting completions at once, through the real handler endpoint, for the same learner:
nothing is lost, nothing is counted twice, and the roll-ups agree with the records (SQLite and PostgreSQL,
whichever the run uses)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.progress.models import BlockCompletion, CourseProgress, ProgressRollup

POSTER = r"""
import json, sys, time
from app import create_app
from app.runtime.registry import get_registry
from tests.conftest import sign_in
from tests.progress.conftest import ProbeBlock

settings, email, course_key, unit, plan = json.loads(sys.argv[1])
registry = get_registry()
original = registry.load_block_class
registry.load_block_class = lambda name: ProbeBlock if name == "probe" else original(name)
app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-" + "x" * 32,
                  "RATELIMIT_STORAGE_URI": "memory://", **settings})
client = app.test_client()
sign_in(client, email)
page = client.get(f"/formations/{course_key}/unite/{unit}").get_data(as_text=True)
token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
statuses = []
for at, usage in plan:
    time.sleep(max(0.0, at - time.time()))
    body = json.dumps({"completion": 1.0, "grade": 1.0})
    response = client.post(f"/xblock/{usage}/handler/report", data=body,
                           headers={"X-CSRFToken": token, "Content-Type": "application/json"})
    statuses.append(response.status_code)
print(json.dumps(statuses))
"""

PROBES = 24
WRITERS = 6
ROUNDS = 8
ROUND_SECONDS = 0.5


@pytest.mark.slow
def test_processes_posting_at_once_lose_nothing_and_count_nothing_twice(
    app, database, progress_course, enrolled_learner
):
    units = [(f"u{i}", [("probe", f"p{i}", 1.0)]) for i in range(PROBES)]
    spec = [("ch1", [("s1", {"graded": "true", "format": "Quiz"}, units[: PROBES // 2])]),
            ("ch2", [("s2", {"graded": "true", "format": "Quiz"}, units[PROBES // 2 :])])]  # fmt: skip
    course = progress_course(spec=spec, policy={"GRADER": [{"type": "Quiz", "weight": 1.0}]})
    user, _client = enrolled_learner(course)
    settings = {k: v for k, v in database.items() if k != "TEST_SCHEMA"}
    probes = [course.usage("probe", f"p{i}") for i in range(PROBES)]
    # Every round, all writers post at the same instant; two writers post each block (a replay at once).
    # The learner is the same for all: their roll-ups are what concurrent requests could get wrong.
    start_at = time.time() + 10.0
    per_round = WRITERS // 2
    plans: list[list[tuple[float, str]]] = [[] for _ in range(WRITERS)]
    for r in range(ROUNDS):
        for w in range(WRITERS):
            block = (r * per_round + w // 2) % PROBES
            plans[w].append((start_at + r * ROUND_SECONDS, probes[block]))
    writers = []
    for plan in plans:
        arguments = [settings, user.email, course.course_key, course.usage("vertical", "u0"), plan]
        writers.append(
            subprocess.Popen(
                [sys.executable, "-c", POSTER, json.dumps(arguments)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=Path(__file__).resolve().parents[2],
            )
        )
    for writer in writers:
        out, err = writer.communicate(timeout=240)
        assert writer.returncode == 0, err[-3000:]
        assert set(json.loads(out.strip().splitlines()[-1])) == {200}
    with app.app_context():
        rows = db.session.scalars(select(BlockCompletion).where(BlockCompletion.user_id == user.id)).all()
        assert sorted(r.usage_id for r in rows) == sorted(probes)
        assert all(r.completion == 1.0 and r.earned == 1.0 for r in rows)
        course_row = db.session.scalar(select(CourseProgress).where(CourseProgress.user_id == user.id))
        assert (course_row.completed, course_row.total, course_row.grade) == (PROBES, PROBES, 1.0)
        assert course_row.completed_at is not None and course_row.passed
        rollups = {
            r.usage_id.rsplit("@", 1)[-1]: (r.completed, r.total, r.earned, r.possible)
            for r in db.session.scalars(select(ProgressRollup).where(ProgressRollup.user_id == user.id))
        }
    half = PROBES // 2
    assert rollups["ch1"] == rollups["s1"] == rollups["ch2"] == rollups["s2"] == (half, half, half, half)
    assert all(rollups[f"u{i}"] == (1, 1, 1.0, 1.0) for i in range(PROBES))


def test_a_second_writer_of_the_same_learner_waits_and_sees_the_first(app, progress_course, enrolled_learner):
    """Deterministic: while one transaction holds a learner's events uncommitted, another for the same
    learner waits, then counts both (on SQLite the write lock, on PostgreSQL the learner's lock)."""
    import threading
    from datetime import UTC, datetime

    from app.progress.rollups import apply
    from app.runtime.events import ProgressEvent

    spec = [("ch", [("s", {}, [("u1", [("probe", "p1", 1.0)]), ("u2", [("probe", "p2", 1.0)])])])]
    course = progress_course(spec=spec, policy={"GRADER": []})
    user, _client = enrolled_learner(course)

    def event(name: str) -> ProgressEvent:
        return ProgressEvent(
            user.id, course.course_key, course.usage("probe", name), "probe", 1.0, at=datetime.now(UTC)
        )

    finished = threading.Event()
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with app.app_context():  # a session of its own (sessions are per application context)
                apply(db.session, [event("p2")])
                db.session.commit()
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            finished.set()

    with app.app_context():
        apply(db.session, [event("p1")])
        thread = threading.Thread(target=second)
        thread.start()
        assert not finished.wait(1.0), "the second writer did not wait for the first"
        db.session.commit()
        thread.join(30)
        assert finished.is_set() and not errors, errors
        row = db.session.scalar(select(CourseProgress).where(CourseProgress.user_id == user.id))
        assert (row.completed, row.total) == (2, 2) and row.completed_at is not None
