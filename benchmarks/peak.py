"""The region's peak on one small machine (issue 16, item 5): gunicorn with 2 workers serving the demo
grown to 50,000 companies (``benchmarks.peak_data``), on SQLite and again on PostgreSQL, under the load of
``benchmarks.peak_driver`` run as a process of its own on loopback.

At peak 2,500 learners are active at once, each opening a page every 30 s on average: about 83 requests a
second. Simulated learners, each signed in on their own, open units of the demo courses, answer their
problems, watch their videos (progress posts) and post in their forums; company and Cybersite managers open
their dashboards and exports (one request in ten). Reported, per backend:

- ``peak_<backend>_p99_ms``: the 99th percentile of every page type at the peak rate (goal < 250 ms), with
  requests a second, median and errors per page type printed (goal 0 errors);
- ``peak_<backend>_warmup_p99_ms``: the same for the first 30 s after the server starts (goal < 250 ms);
- ``peak_<backend>_memory_growth``: the workers' resident memory after the whole run against after the
  warm-up (goal ≤ 1.10);
- ``peak_<backend>_headroom``: the largest rate that still meets p99 < 250 ms with no error, as a multiple
  of the peak (goal ≥ 5).

``BENCH_PEAK_COMPANIES``, ``BENCH_PEAK_LEARNERS``, ``BENCH_PEAK_SECONDS`` and ``BENCH_PEAK_BACKENDS``
(``sqlite,postgresql``) change the scale; PostgreSQL is skipped, said so, where no server answers.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

from app import create_app
from app.accounts.demo import DEMO_PASSWORD
from app.accounts.models import User
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.runtime.models import StoredBlock
from benchmarks import peak_data
from benchmarks.common import ROOT, fetch, free_port, report
from benchmarks.site import unit_path

PEAK_LEARNERS = 2_500
PEAK_RATE = PEAK_LEARNERS / 30  # a page every 30 s each
GOAL_MS = 250.0
PG_URL = os.environ.get("CI_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# The sign-out form of every page carries the session's token (unit pages also have it in a meta tag).
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _env(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


class Server:
    """gunicorn as ``make run`` starts it (2 sync workers, the product's hooks: the embedded queue's consumer,
    each worker's warm-up) on a free loopback port, with its workers' memory readable."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        log = log_path.open("ab")  # the server's own log (tracking events at INFO), not the bench's output
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "python:app.jobs.gunicorn_hooks", "--workers", "2",
             "--bind", self.host, "--log-level", "warning",
             "--timeout", "120", "wsgi:app"],
            cwd=ROOT, env={**os.environ, **env}, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                fetch(self.host, "/compte/connexion")
                return
            except (OSError, RuntimeError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def memory_kib(self) -> int:
        """The resident memory of the web workers, in KiB."""
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            # The web workers only: the queue's consumer is a child of the master too.
            if fields.get("PPid", "").strip() == str(self.process.pid) and b"gunicorn" in command:
                total += int(fields.get("VmRSS", "0 kB").split()[0])
        return total

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)


def _sign_in(host: str, email: str) -> dict[str, str]:
    """Sign in through the real form; the session cookie and the CSRF token of its pages."""
    import http.client

    connection = http.client.HTTPConnection(host, timeout=60)
    connection.request("GET", "/compte/connexion")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    connection = http.client.HTTPConnection(host, timeout=60)
    connection.request(
        "POST", "/compte/connexion", body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )  # fmt: skip
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"sign-in of {email} answered {response.status}")
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    home = fetch(host, "/", {"Cookie": cookie}).decode()
    return {"cookie": cookie, "csrf": _CSRF.search(home).group(1)}


def _sign_in_all(host: str, emails: list[str]) -> dict[str, dict[str, str]]:
    signed: dict[str, dict[str, str]] = {}
    pending = list(emails)
    guard = threading.Lock()

    def work() -> None:
        while True:
            with guard:
                if not pending:
                    return
                email = pending.pop()
            found = _sign_in(host, email)
            with guard:
                signed[email] = found

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return signed


def _handler(usage_id: str, name: str) -> str:
    return f"/xblock/{urllib.parse.quote(usage_id)}/handler/{name}"


def _segments(page: str) -> dict[str, str]:
    """The page's HTML per block, by usage id."""
    parts = re.split(r'data-usage-id="([^"]+)"', page)
    return {html.unescape(parts[i]): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _answer(segment: str) -> dict[str, Any]:
    """An answer to every question of a problem's HTML (the first choice, or a number)."""
    answers: dict[str, Any] = {}
    for escaped, kind in re.findall(r'data-input-id="([^"]+)" data-kind="([^"]+)"', segment):
        input_id = html.unescape(escaped)
        values = re.findall(rf'name="{re.escape(input_id)}"[^>]*value="([^"]*)"', segment)
        options = re.findall(r'<option value="([^"]+)"', segment.split(f'id="{input_id}"', 1)[-1])
        if kind == "checkboxes" and values:
            answers[input_id] = [html.unescape(values[0])]
        elif values:
            answers[input_id] = html.unescape(values[0])
        elif options:
            answers[input_id] = html.unescape(options[0])
        else:
            answers[input_id] = "42"
    return answers


def _course_actions(host: str, session: dict[str, str], key: str, blocks: list[Any]) -> dict[str, Any]:
    """A course's units, and the handlers a learner posts to, with a body each accepts."""
    units = [
        unit_path(key, "x").rsplit("/", 1)[0] + "/" + urllib.parse.quote(u)
        for u, t, _, _ in blocks
        if t == "vertical"
    ]
    headers = {
        "Cookie": session["cookie"],
        "X-CSRFToken": session["csrf"],
        "Content-Type": "application/json",
    }
    pages: dict[str, dict[str, str]] = {}
    problems, videos, forums = [], [], []
    for usage_id, block_type, parent, settings in blocks:
        if block_type not in ("problem", "video", "discussion") or parent is None:
            continue
        if parent not in pages:
            path = unit_path(key, "x").rsplit("/", 1)[0] + "/" + urllib.parse.quote(parent)
            pages[parent] = _segments(fetch(host, path, {"Cookie": session["cookie"]}).decode())
        segment = pages[parent].get(usage_id, "")
        if block_type == "problem":
            answer = _answer(segment)
            if answer:
                attempts = int((settings or {}).get("max_attempts") or 3)
                problems.append({"url": _handler(usage_id, "submit"), "answer": answer, "attempts": attempts})
        elif block_type == "video":
            for name, body in (("watched", {"duration": 120, "ranges": [[0, 10]]}), ("mark_watched", {})):
                if _post(host, _handler(usage_id, name), headers, body) == 200:
                    videos.append({"url": _handler(usage_id, name), "handler": name, "body": body})
                    break
        else:
            forums.append(_handler(usage_id, "create_thread"))
    return {"units": units, "problems": problems, "videos": videos, "forums": forums}


def _post(host: str, path: str, headers: dict[str, str], body: Any) -> int:
    import http.client

    connection = http.client.HTTPConnection(host, timeout=60)
    connection.request("POST", path, body=json.dumps(body).encode(), headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def _plan(app: Any, host: str, data: peak_data.PeakData, learners: int) -> dict[str, Any]:
    """Sign everybody in and gather what each may open and post."""
    rng = random.Random(3)
    chosen = rng.sample(data.learners, min(learners, len(data.learners)))
    started = time.monotonic()
    signed = _sign_in_all(
        host, chosen + [e for e, _ in data.company_managers] + [e for e, _ in data.site_managers]
    )
    signing = time.monotonic() - started
    with app.app_context():
        enrolled: dict[str, list[str]] = {}
        for email, key in db.session.execute(
            select(User.email, Course.course_key)
            .join(Enrolment, Enrolment.user_id == User.id)
            .join(Course, Course.id == Enrolment.course_id)
            .where(User.email.in_(chosen))
        ):
            enrolled.setdefault(email, []).append(key)
        blocks: dict[str, list[Any]] = {}
        for key, usage_id, block_type, parent, settings in db.session.execute(
            select(Course.course_key, StoredBlock.usage_id, StoredBlock.block_type,
                   StoredBlock.parent_usage_id,
                   StoredBlock.settings)
            .join(StoredBlock, StoredBlock.tree_id == Course.published_tree_id)
            .order_by(StoredBlock.id)
        ):  # fmt: skip
            blocks.setdefault(key, []).append((usage_id, block_type, parent, settings))
        db.session.rollback()  # no transaction held while the server works (SQLite has one writer)
    actions: dict[str, dict[str, Any]] = {}
    for email in chosen:
        for key in enrolled.get(email, []):
            if key not in actions:
                actions[key] = _course_actions(host, signed[email], key, blocks[key])
    sessions = []
    for email in chosen:
        keys = enrolled.get(email, [])
        if not keys:
            continue
        units = [u for k in keys for u in actions[k]["units"]]
        sessions.append(
            {"kind": "learner", **signed[email],
             "pages": {"units": units, "progress": ["/progression/"]},
             "problems": [p for k in keys for p in actions[k]["problems"]],
             "videos": [v for k in keys for v in actions[k]["videos"]],
             "forums": [f for k in keys for f in actions[k]["forums"]]}
        )  # fmt: skip
    for email, company in data.company_managers:
        base = f"/progression/entreprises/{company}"
        sessions.append(
            {"kind": "company manager", **signed[email],
             "pages": {"dashboards": [base], "exports": [f"{base}/export/personnel.csv"]}}
        )  # fmt: skip
    for email, site in data.site_managers:
        base = f"/progression/cybersites/{site}"
        sessions.append(
            {"kind": "Cybersite manager", **signed[email],
             "pages": {"dashboards": [base], "exports": [f"{base}/export/apprenants.csv"]}}
        )  # fmt: skip
    counts = {k: sum(len(a[k]) for a in actions.values()) for k in ("units", "problems", "videos", "forums")}
    print(
        f"# peak plan: {len(sessions)} signed-in sessions ({len(chosen)} learners) in {signing:.0f} s; "
        f"demo courses: {counts}",
        flush=True,
    )
    return {"host": host, "sessions": sessions, "manager_share": 0.1}


def _drive(work: Path, plan: dict[str, Any], rate: float, seconds: float) -> dict[str, Any]:
    plan_file, out = work / "plan.json", work / f"load-{secrets.token_hex(4)}.json"
    plan_file.write_text(json.dumps(plan))
    subprocess.run(
        [sys.executable, "-m", "benchmarks.peak_driver", str(plan_file), str(rate), str(seconds), str(out)],
        cwd=ROOT, check=True,
    )  # fmt: skip
    result = json.loads(out.read_text())
    for session, attempts in zip(plan["sessions"], result.pop("attempts"), strict=True):
        session["attempts"] = attempts  # a problem's attempts are used up across runs
    return result


def _print(label: str, result: dict[str, Any]) -> None:
    print(
        f"# {label}: {result['achieved']:.0f} req/s asked {result['rate']:.0f}, p99 {result['p99']:.0f} ms, "
        f"{result['errors']} errors",
        flush=True,
    )
    for name, page in result["pages"].items():
        print(
            f"#   {name:<26} {page['rate']:7.1f} req/s  p50 {page['p50']:6.0f} ms  "
            f"p99 {page['p99']:6.0f} ms  "
            f"errors {page['errors']}"
            + (f"  e.g. {page['first_errors'][0]}" if page["first_errors"] else ""),
            flush=True,
        )


def _worst(result: dict[str, Any]) -> float:
    return max((page["p99"] for page in result["pages"].values()), default=0.0)


def _backend(name: str, work: Path) -> None:
    if name == "postgresql":
        try:
            engine = create_engine(PG_URL)
            schema = f"bench_peak_{secrets.token_hex(4)}"
            with engine.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
        except Exception as error:  # any failure to reach the server: say so, go on
            print(f"# peak on PostgreSQL skipped: no server ({error.__class__.__name__})", flush=True)
            return
        url = f"{PG_URL}?options={urllib.parse.quote(f'-csearch_path={schema}')}"
    else:
        engine, schema, url = None, None, f"sqlite:///{work / 'peak.sqlite3'}"
    secret = secrets.token_urlsafe(40)
    env = {
        "DATABASE_URL": url,
        "CYBERMASSIF_SECRET_KEY": secret,
        "CYBERMASSIF_QUEUE_URL": f"sqlite:///{work / 'queue.sqlite3'}",
        # Every simulated person signs in from the loopback address.
        "CYBERMASSIF_LOGIN_RATE_LIMIT_PER_ADDRESS": "1000000 per minute",
        "CYBERMASSIF_LOGIN_RATE_LIMIT": "1000 per minute",
    }
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "QUEUE_URL": env["CYBERMASSIF_QUEUE_URL"]}
    )
    try:
        data = peak_data.build(app, companies=int(_env("BENCH_PEAK_COMPANIES", peak_data.COMPANIES)))
        seconds = _env("BENCH_PEAK_SECONDS", 60)
        setup = Server(env, work / "server.log")
        try:
            plan = _plan(app, setup.host, data, int(_env("BENCH_PEAK_LEARNERS", PEAK_LEARNERS)))
        finally:
            setup.stop()
        server = Server(
            env, work / "server.log"
        )  # a fresh start: the warm-up is measured as a restart or deploy gives it
        try:
            plan["host"] = server.host
            started_kib = server.memory_kib()
            warm = _drive(work, plan, PEAK_RATE, 30)
            warm_kib = server.memory_kib()
            steady = _drive(work, plan, PEAK_RATE, seconds)
            _print(f"{name} warm-up, the first 30 s after a start", warm)
            _print(f"{name} at the peak ({PEAK_RATE:.0f} req/s, {seconds:.0f} s)", steady)
            headroom, multiple = 1.0 if _worst(steady) < GOAL_MS and not steady["errors"] else 0.0, 2.0
            while headroom >= multiple - 1 and multiple <= 10:
                step = _drive(work, plan, PEAK_RATE * multiple, 20)
                _print(f"{name} at {multiple:.0f}× the peak", step)
                if _worst(step) >= GOAL_MS or step["errors"]:
                    break
                headroom = multiple
                multiple += 1
            end_kib = server.memory_kib()
        finally:
            server.stop()
    finally:
        if engine is not None:
            with engine.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            engine.dispose()
    print(
        f"# {name} workers' memory: {started_kib // 1024} MiB at start, "
        f"{warm_kib // 1024} MiB after the warm-up, "
        f"{end_kib // 1024} MiB at the end",
        flush=True,
    )
    report(f"peak_{name}_errors", float(steady["errors"] + warm["errors"]), "<=", 0)
    report(f"peak_{name}_p99_ms", _worst(steady), "<=", GOAL_MS)
    report(f"peak_{name}_warmup_p99_ms", _worst(warm), "<=", GOAL_MS)
    report(f"peak_{name}_memory_growth", end_kib / max(warm_kib, 1), "<=", 1.10)
    report(f"peak_{name}_headroom", headroom, ">=", 5)


def run() -> None:
    """Measure and report the peak figures on each backend."""
    for name in os.environ.get("BENCH_PEAK_BACKENDS", "sqlite,postgresql").split(","):
        with tempfile.TemporaryDirectory(prefix="cm-peak-") as tmp:
            _backend(name.strip(), Path(tmp))
