"""Progress writes through the real handler endpoint under gunicorn (2 workers, SQLite), each request
recording the events and bringing the learner's roll-ups up to date in its transaction:

- ``progress_batch_vs_executemany``: rows per second when each request posts a batch of completions,
  against the same rows written by plain ``executemany`` into the same table (1 transaction per batch);
  goal ≥ 0.25.
- ``progress_single_vs_noop``: requests per second when each posts a single completion, against the same
  endpoint and server running a handler of the same block that records nothing (signed in, CSRF checked,
  runtime built alike); goal ≥ 0.8: recording and rolling up one event costs at most a quarter of the
  request. A trivial Flask route returning fixed bytes (no session, no database) is printed as a
  reference only.
"""

from __future__ import annotations

import http.client
import json
import re
import sqlite3
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from app.runtime.keys import CourseKey, usage_key_for
from benchmarks import site
from benchmarks.bench_blocks import register
from benchmarks.common import fetch, gunicorn, interleaved, report, throughput

BATCH = 1000
SECONDS = 2.0
ROUNDS = 5
CONCURRENCY = 4


def _post_throughput(host: str, path: str, headers: dict[str, str], body: bytes, seconds: float) -> float:
    """Requests per second that ``CONCURRENCY`` clients get POSTing ``body`` (keep-alive connections)."""
    done = [0] * CONCURRENCY
    stop_at = time.monotonic() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(host, timeout=30)
        try:
            while time.monotonic() < stop_at:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"POST {path} answered {response.status}")
                done[index] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CONCURRENCY)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


def _executemany_rate(database: Path, rows_per_batch: int, seconds: float) -> float:
    """Rows per second written by plain executemany into block_completion, one transaction per batch."""
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    user_id = connection.execute("SELECT id FROM user_account LIMIT 1").fetchone()[0]
    now = datetime.now(UTC).isoformat(sep=" ")
    written, serial = 0, int(time.time() * 1000)
    stop_at = time.monotonic() + seconds
    started = time.monotonic()
    while time.monotonic() < stop_at:
        serial += 1
        rows = [
            (user_id, "course-v1:Raw+R+2026", f"raw-{serial}-{i}", "html", 1.0, None, None, now, None, now)
            for i in range(rows_per_batch)
        ]
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO block_completion (user_id, course_key, usage_id, block_type, completion, earned, "
            "possible, completed_at, graded_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        connection.execute("COMMIT")
        written += rows_per_batch
    rate = written / (time.monotonic() - started)
    connection.execute("DELETE FROM block_completion WHERE course_key = 'course-v1:Raw+R+2026'")
    connection.close()
    return rate


SINGLE_COURSE_UNITS = 6  # a course of a usual size for the single-event figure: 6 units of 5 texts


def _handler_path(key: str) -> str:
    """The handler address of the course's bench block, ``{}`` for the handler name."""
    batch_block = urllib.parse.quote(str(usage_key_for(CourseKey.from_string(key), "benchbatch", "batch")))
    return f"/xblock/{batch_block}/handler/{{}}"


def run() -> None:
    """Measure and report the two write ratios."""
    with tempfile.TemporaryDirectory(prefix="cm-bench-") as tmp:
        work = Path(tmp)
        batch_key = site.write_course(
            work / "batch", "WBATCH", {"u": site.html_blocks(BATCH, "b") + '<benchbatch url_name="batch"/>'}
        )
        units = {f"u{i}": site.html_blocks(5, f"s{i}") for i in range(SINGLE_COURSE_UNITS)}
        units["u0"] += '<benchbatch url_name="batch"/>'
        single_key = site.write_course(work / "single", "WSINGLE", units)
        register()  # the importer must know the bench block too
        built = site.build(work, [work / "batch", work / "single"])
        batch_course, single_course = CourseKey.from_string(batch_key), CourseKey.from_string(single_key)
        blocks = [str(usage_key_for(batch_course, "html", f"b-h{i}")) for i in range(BATCH)]
        one = [str(usage_key_for(single_course, "html", "s0-h0"))]
        batch_handler, single_handler = _handler_path(batch_key), _handler_path(single_key)
        with gunicorn("benchmarks.progress_app:app", built.env) as host:
            cookie = site.sign_in(host, built.email)
            page = fetch(host, site.unit_path(single_key, "u1"), cookie).decode()
            token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
            headers = {**cookie, "X-CSRFToken": token, "Content-Type": "application/json"}
            batch_body = json.dumps({"blocks": blocks}).encode()
            single_body = json.dumps({"blocks": one}).encode()
            (work / "body.html").write_bytes(b'{"published": 0}')
            with gunicorn(
                "benchmarks.trivial_app:app", {"BENCH_BODY_FILE": str(work / "body.html")}
            ) as trivial:
                post = _post_throughput
                medians = interleaved(
                    {
                        "batch": lambda: (
                            BATCH * post(host, batch_handler.format("complete"), headers, batch_body, SECONDS)
                        ),
                        "raw": lambda: _executemany_rate(work / "bench.sqlite3", BATCH, SECONDS),
                        "single": lambda: post(
                            host, single_handler.format("complete"), headers, single_body, SECONDS
                        ),
                        "noop": lambda: post(host, single_handler.format("noop"), headers, b"{}", SECONDS),
                        "trivial": lambda: throughput(trivial, "/", {}, SECONDS),
                    },
                    ROUNDS,
                )
    print(
        f"# progress writes (median of {ROUNDS}): batches of {BATCH} through the endpoint "
        f"{medians['batch']:.0f} rows/s, plain executemany {medians['raw']:.0f} rows/s; "
        f"one completion a request {medians['single']:.0f} req/s, no-op handler {medians['noop']:.0f} req/s, "
        f"trivial Flask route {medians['trivial']:.0f} req/s "
        f"(single ÷ trivial route = {medians['single'] / medians['trivial']:.3f}, a reference)"
    )
    report("progress_batch_vs_executemany", medians["batch"] / medians["raw"], ">=", 0.25)
    report("progress_single_vs_noop", medians["single"] / medians["noop"], ">=", 0.8)
