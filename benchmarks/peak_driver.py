"""The load of the peak benchmark, run as a process of its own (``python -m benchmarks.peak_driver PLAN
RATE SECONDS OUT``): signed-in learners and managers open pages and post to handlers at ``RATE`` requests
a second for ``SECONDS``, as an open loop (arrivals drawn in advance, Poisson; each request's time counts
from its planned start, so a server that falls behind shows its queue in the figures instead of slowing
the load down). Writes, per page type, the requests done, their median and 99th percentile in
milliseconds and the errors, to the JSON file ``OUT``.
"""

from __future__ import annotations

import http.client
import json
import queue
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

THREADS = 96
TIMEOUT = 30.0


class Session:
    """One signed-in person and what they may do (prepared by ``benchmarks.peak``)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.kind: str = raw["kind"]
        self.headers = {"Cookie": raw["cookie"]}
        self.post_headers = {**self.headers, "X-CSRFToken": raw["csrf"], "Content-Type": "application/json"}
        self.pages: dict[str, list[str]] = raw["pages"]
        self.problems: list[dict[str, Any]] = raw.get("problems", [])
        self.videos: list[dict[str, Any]] = raw.get("videos", [])
        self.forums: list[str] = raw.get("forums", [])
        self.attempts: dict[str, int] = dict(raw.get("attempts", {}))  # used in earlier runs
        self.lock = threading.Lock()


def _learner_action(rng: random.Random, session: Session) -> tuple[str, str, str, bytes | None]:
    roll = rng.random()
    if roll < 0.16 and session.videos:
        video = rng.choice(session.videos)
        start = rng.randint(0, 100)
        body = (
            video["body"]
            if video["handler"] == "mark_watched"
            else {"duration": 120, "ranges": [[start, start + 20]]}
        )
        return "video progress", "POST", video["url"], json.dumps(body).encode()
    if roll < 0.25 and session.problems:
        problem = rng.choice(session.problems)
        with session.lock:
            used = session.attempts.get(problem["url"], 0)
            if used < problem["attempts"]:
                session.attempts[problem["url"]] = used + 1
                return "problem answer", "POST", problem["url"], json.dumps(problem["answer"]).encode()
    if roll < 0.27 and session.forums:
        body = {
            "title": f"Question {rng.getrandbits(32):08x}",
            "body": "Bonjour, une question sur ce module.",
        }
        return "forum post", "POST", rng.choice(session.forums), json.dumps(body).encode()
    if roll < 0.36:
        return "my progress", "GET", session.pages["progress"][0], None
    if roll < 0.41:
        return "home", "GET", "/", None
    return "unit page", "GET", rng.choice(session.pages["units"]), None


def _manager_action(rng: random.Random, session: Session) -> tuple[str, str, str, bytes | None]:
    if rng.random() < 0.2:
        return f"{session.kind} export", "GET", rng.choice(session.pages["exports"]), None
    return f"{session.kind} dashboard", "GET", rng.choice(session.pages["dashboards"]), None


def run(plan: dict[str, Any], rate: float, seconds: float, seed: int = 5) -> dict[str, Any]:
    """Drive the load; the figures per page type."""
    rng = random.Random(seed)
    host = plan["host"]
    sessions = [Session(s) for s in plan["sessions"]]
    learners = [s for s in sessions if s.kind == "learner"]
    managers = [s for s in sessions if s.kind != "learner"]
    manager_share = plan.get("manager_share", 0.1)
    by_kind: dict[str, list[Session]] = {}
    for session in managers:
        by_kind.setdefault(session.kind, []).append(session)
    kinds = sorted(by_kind)
    arrivals: list[tuple[float, tuple[str, str, str, bytes | None], Session]] = []
    at = 0.0
    while at < seconds:
        at += rng.expovariate(rate)
        if managers and rng.random() < manager_share:
            # Half the managers' requests from each kind, however many of each there are.
            kind = rng.choice(kinds)
            session = rng.choice(by_kind[kind])
            arrivals.append((at, _manager_action(rng, session), session))
        else:
            session = rng.choice(learners)
            arrivals.append((at, _learner_action(rng, session), session))
    work: queue.Queue[Any] = queue.Queue()
    results: dict[str, list[float]] = {}
    errors: dict[str, list[str]] = {}
    guard = threading.Lock()

    def worker() -> None:
        while True:
            item = work.get()
            if item is None:
                return
            planned, (name, method, path, body), session = item
            error = None
            try:
                connection = http.client.HTTPConnection(host, timeout=TIMEOUT)
                headers = session.post_headers if method == "POST" else session.headers
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                connection.close()
                if response.status != 200:
                    error = f"{method} {path} answered {response.status}"
            except OSError as failure:
                error = f"{method} {path}: {failure}"
            elapsed = (time.monotonic() - planned) * 1000
            with guard:
                results.setdefault(name, []).append(elapsed)
                if error:
                    errors.setdefault(name, []).append(error)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    origin = time.monotonic() + 0.2
    for offset, action, session in arrivals:
        delay = origin + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        work.put((origin + offset, action, session))
    for _ in threads:
        work.put(None)
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - origin
    figures = {}
    for name, times in sorted(results.items()):
        ordered = sorted(times)
        figures[name] = {
            "requests": len(ordered),
            "rate": len(ordered) / elapsed,
            "p50": statistics.median(ordered),
            "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
            "errors": len(errors.get(name, [])),
            "first_errors": errors.get(name, [])[:3],
        }
    everything = sorted(t for times in results.values() for t in times)
    return {
        "rate": rate,
        "achieved": len(everything) / elapsed,
        "p99": everything[min(len(everything) - 1, int(len(everything) * 0.99))] if everything else 0.0,
        "errors": sum(len(e) for e in errors.values()),
        "pages": figures,
        "attempts": [s.attempts for s in sessions],
    }


def main() -> int:
    """Command line: PLAN RATE SECONDS OUT."""
    plan_path, rate, seconds, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    plan = json.loads(Path(plan_path).read_text())
    Path(out).write_text(json.dumps(run(plan, rate, seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
