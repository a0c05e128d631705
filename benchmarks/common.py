"""Measuring helpers: interleaved rounds, medians, gunicorn servers on loopback, a small HTTP load client.

Machines here are shared and noisy, so every figure is a ratio against a reference measured in the same
run, interleaved (A B A B …) over several rounds, and the median is reported (docs/quality.md).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS: list[bool] = []


def report(name: str, value: float, op: str, goal: float) -> bool:
    """Print one ``BENCH`` line and remember whether the goal was met."""
    passed = value >= goal if op == ">=" else value <= goal
    print(f"BENCH {name} value={value:.3f} goal={op}{goal} {'PASS' if passed else 'FAIL'}", flush=True)
    RESULTS.append(passed)
    return passed


def interleaved(measures: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Run each measure once per round, in turn, and return each one's median."""
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(rounds):
        for name, measure in measures.items():
            samples[name].append(measure())
    return {name: statistics.median(values) for name, values in samples.items()}


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int = 2) -> Iterator[str]:
    """Serve ``app`` with gunicorn (sync workers) on a free loopback port; yields the base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app],
        cwd=ROOT,
        env={**os.environ, **env},
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn did not start for {app}")
        yield f"127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def fetch(host: str, path: str, headers: dict[str, str] | None = None) -> bytes:
    """GET a page; raise unless it answers 200."""
    connection = http.client.HTTPConnection(host, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}")
        return body
    finally:
        connection.close()


def throughput(host: str, path: str, headers: dict[str, str], seconds: float, concurrency: int = 4) -> float:
    """Requests per second that ``concurrency`` clients get for ``seconds`` (each waits for its answer)."""
    done = [0] * concurrency
    stop_at = time.monotonic() + seconds

    def client(index: int) -> None:
        while time.monotonic() < stop_at:
            fetch(host, path, headers)
            done[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)
