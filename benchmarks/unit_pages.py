"""Unit pages of 10 and 50 of our simplest blocks under gunicorn, against a trivial route (same bytes)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks import site
from benchmarks.common import fetch, gunicorn, interleaved, report, throughput

SECONDS = 2.0
ROUNDS = 5


def run() -> None:
    """Measure and report the two unit-page ratios."""
    with tempfile.TemporaryDirectory(prefix="cm-bench-") as tmp:
        work = Path(tmp)
        key = site.write_course(
            work / "pages", "PAGES", {"u10": site.html_blocks(10, "u10"), "u50": site.html_blocks(50, "u50")}
        )
        built = site.build(work, [work / "pages"])
        with gunicorn("wsgi:app", built.env) as host:
            cookie = site.sign_in(host, built.email)
            path10, path50 = site.unit_path(key, "u10"), site.unit_path(key, "u50")
            body = fetch(host, path10, cookie)
            (work / "body.html").write_bytes(body)
            with gunicorn(
                "benchmarks.trivial_app:app", {"BENCH_BODY_FILE": str(work / "body.html")}
            ) as trivial:
                medians = interleaved(
                    {
                        "trivial": lambda: throughput(trivial, "/", {}, SECONDS),
                        "unit10": lambda: throughput(host, path10, cookie, SECONDS),
                        "unit50": lambda: throughput(host, path50, cookie, SECONDS),
                    },
                    ROUNDS,
                )
    print(
        f"# requests/s (median of {ROUNDS}): trivial {medians['trivial']:.0f}, "
        f"10-block unit {medians['unit10']:.0f}, 50-block unit {medians['unit50']:.0f}"
    )
    report("unit10_vs_trivial", medians["unit10"] / medians["trivial"], ">=", 0.25)
    report("unit50_vs_unit10", medians["unit50"] / medians["unit10"], ">=", 0.6)
