"""The company report over a million block-completion rows, and the memory of the report job.

- ``progress_company_report_vs_raw_sql``: the company manager's staff × courses table, as the product
  builds it (its query on the roll-ups, then the rows it shows), against a hand-written SQL aggregate of
  the same figures over the raw records (``block_completion`` grouped by learner and course, on the same
  database, through the bare sqlite3 driver); median over the same random companies, interleaved; goal
  ≤ 2.
- ``progress_report_job_peak_mib``: the peak of Python memory while the largest export is written (every
  learner of the Cybersite holding half the companies × their courses, as XLSX); goal ≤ 64 MiB.

About 1,000,000 rows by default; ``BENCH_PROGRESS_ROWS=10000000 make bench`` for ten million.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import select

from app.accounts.models import Company, Cybersite
from app.core.extensions import db
from app.progress import dashboards, exports
from app.progress.queries.staff import StaffFilters
from benchmarks import progress_data
from benchmarks.common import report

ROUNDS = 7
SAMPLE = 200

RAW_REPORT = """
SELECT u.id, u.display_name, u.email, c.course_key, c.title,
       sum(CASE WHEN bc.completion >= 1.0 THEN 1 ELSE 0 END) AS done, max(bc.updated_at) AS last_activity
FROM user_account u
JOIN role_grant g ON g.user_id = u.id AND g.company_id = ?
JOIN enrolment e ON e.user_id = u.id AND e.active = 1
JOIN course c ON c.id = e.course_id
LEFT JOIN block_completion bc ON bc.user_id = u.id AND bc.course_key = c.course_key
GROUP BY u.id, c.id
ORDER BY u.display_name, u.id, c.title
"""


def _ours(data: progress_data.ProgressData, companies: list[int]) -> float:
    with data.app.test_request_context():
        # The page has the company already (it asked the policy about it): not part of the report.
        loaded = db.session.scalars(select(Company).where(Company.id.in_(companies))).all()
        started = time.perf_counter()
        for company in loaded:
            table = dashboards.company_staff(company, StaffFilters())
            if not table.rows:
                raise RuntimeError(f"company {company.id} has no staff")
        elapsed = time.perf_counter() - started
        db.session.remove()
    return elapsed / len(companies)


def _raw(connection: sqlite3.Connection, companies: list[int]) -> float:
    started = time.perf_counter()
    for company_id in companies:
        if not connection.execute(RAW_REPORT, (company_id,)).fetchall():
            raise RuntimeError(f"company {company_id} has no staff")
    return (time.perf_counter() - started) / len(companies)


def _job_peak(data: progress_data.ProgressData) -> tuple[float, int]:
    """Peak Python memory (MiB) of writing the largest export, and its rows."""
    with data.app.test_request_context():
        site = db.session.get(Cybersite, data.big_site_id)
        tracemalloc.start()
        table = dashboards.site_learners(site)
        source, counted = table.rows, []

        def rows():
            for row in source:
                counted.append(1)
                yield row

        table.rows = rows()
        spool = exports.export_file(table, "xlsx")
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        spool.close()
        db.session.remove()
    return peak / 2**20, len(counted)


def run() -> None:
    """Generate the data, then measure the report and the export job."""
    rows = int(os.environ.get("BENCH_PROGRESS_ROWS", "1000000"))
    with tempfile.TemporaryDirectory(prefix="cm-bench-report-") as tmp:
        data = progress_data.build(Path(tmp), rows)
        connection = sqlite3.connect(data.database)
        rng = random.Random(11)
        ours_samples, raw_samples = [], []
        for _ in range(ROUNDS):
            companies = rng.sample(data.company_ids, SAMPLE)
            ours_samples.append(_ours(data, companies))
            raw_samples.append(_raw(connection, companies))
        connection.close()
        peak, exported = _job_peak(data)
        with data.app.app_context():
            db.engine.dispose()
    ours, raw = statistics.median(ours_samples), statistics.median(raw_samples)
    print(
        f"# company report over {data.rows} rows (median of {ROUNDS} rounds of {SAMPLE} companies): "
        f"product {ours * 1000:.2f} ms, raw SQL aggregate {raw * 1000:.2f} ms; "
        f"largest export: {exported} rows, peak {peak:.1f} MiB"
    )
    report("progress_company_report_vs_raw_sql", ours / raw, "<=", 2.0)
    report("progress_report_job_peak_mib", peak, "<=", 64.0)
