"""VISTA at the network's scale (50,000 companies, ≈ 250,000 staff, 10 tagged courses; see
:mod:`benchmarks.vista_data`).

- ``vista_recompute_vs_sql``: the product's recompute of every company's stored scores
  (``scores.recompute_all``, what ``flask vista recompute-scores`` runs) and of every company's peer
  statistics (``peers.benchmark_all`` over the stored scores, as ``benchmarks.peer_rows`` reads them),
  against the same computation written as plain SQL aggregates (GROUP BY and window functions over the
  same tables, through the bare sqlite3 driver: answers normalised per item kind, the not-relevant rule,
  the use lens from ``course_progress`` and the courses' tags, the lenses re-normalised, then each peer
  group's size, median, P25, P75 and every company's percentile, the group chosen by the fall-back
  order); interleaved, median of ``ROUNDS``; the two must agree on a sample of companies to 1e-6 (scores
  and peer figures); goal ≤ 2.
- ``vista_report_vs_unit_page``: the company report page (``/vista/entreprises/<id>/rapport``, read by a
  network administrator) on that database under gunicorn (2 sync workers), against the 10-block unit
  page served by the same server, interleaved; goal ≥ 0.25.

``python -m benchmarks vista_scale`` runs it alone; ``BENCH_VISTA_COMPANIES=5000`` (or
``python -m benchmarks.vista_scale --companies 5000``) for a smaller network. SQLite only (the SQL
reference reads the courses' tags with SQLite's JSON functions).

Measured here (2 cores, SQLite, 2026-12-04, 50,000 companies, 250,144 staff, 3.15 M answers, data made in
72 s): recompute 57.2 s against 36.3 s of plain SQL, ``vista_recompute_vs_sql`` 1.58; unit page 544 req/s,
report page 168 req/s, ``vista_report_vs_unit_page`` 0.31 (0.015 before the report's peer index followed
the stored scores instead of counting them per report); the first report of a process 2.7 s (it gathers
the index).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.accounts.departements import DEPARTEMENTS
from app.core.extensions import db
from app.vista import benchmarks as vista_benchmarks
from app.vista import peers, scores
from app.vista.peers import FALLBACK, K_FLOOR
from app.vista.queries import RECENT
from benchmarks import site, vista_data
from benchmarks.common import fetch, gunicorn, interleaved, report, throughput

ROUNDS = 3
PAGE_ROUNDS = 5
SECONDS = 2.0
SAMPLE = 200
SQL_TIME = "%Y-%m-%d %H:%M:%S.%f"


def _sections_case() -> str:
    ranges = peers._SECTION_RANGES  # the same table, written as SQL
    whens = " ".join(f"WHEN d BETWEEN {low} AND {high} THEN '{letter}'" for letter, low, high in ranges)
    return f"CASE {whens} END"


def _regions_values() -> str:
    return ", ".join(f"('{d.code}', '{d.region.replace(chr(39), chr(39) * 2)}')" for d in DEPARTEMENTS)


NORMALISED = """
CASE WHEN an.not_relevant OR an.value IS NULL THEN NULL ELSE
  CASE i.kind
    WHEN 'tick' THEN CASE WHEN an.value >= 1 THEN 1.0 WHEN an.value = 0 THEN 0.0 END
    WHEN 'invest' THEN CASE an.value WHEN 2 THEN 1.0 WHEN 1 THEN 0.5 WHEN 0 THEN 0.0 END
    WHEN 'triple' THEN CASE an.value WHEN 2 THEN 1.0 WHEN 1 THEN 0.5 WHEN 0 THEN 0.0 END
    WHEN 'scale' THEN CASE WHEN an.value BETWEEN 0 AND 5 THEN an.value / 5.0 END
    WHEN 'agree' THEN CASE WHEN an.value BETWEEN 1 AND 5 THEN (an.value - 1) / 4.0 END
  END
END
"""

SCORES_SQL = f"""
CREATE TEMP TABLE s_score AS
WITH latest AS (
  SELECT id, company_id, questionnaire_id, headcount FROM (
    SELECT a.id, a.company_id, a.questionnaire_id, coalesce(a.headcount, c.headcount) AS headcount,
           row_number() OVER (PARTITION BY a.company_id ORDER BY a.submitted_at DESC, a.id DESC) AS n
    FROM vista_assessment a JOIN company c ON c.id = a.company_id
    WHERE a.status = 'submitted')
  WHERE n = 1
),
normalised AS (
  SELECT l.company_id, i.dimension, i.lens, i.weight, coalesce(an.not_relevant, 0) AS nr,
         CASE WHEN i.negative THEN 1.0 - ({NORMALISED}) ELSE ({NORMALISED}) END AS x
  FROM latest l
  JOIN vista_item i ON i.questionnaire_id = l.questionnaire_id AND i.kind <> 'figure'
       AND i.dimension IS NOT NULL
  LEFT JOIN vista_answer an ON an.assessment_id = l.id AND an.item_id = i.id
),
lenses AS (
  SELECT company_id, dimension, count(*) AS items, sum(nr) AS not_relevant,
         100.0 * sum(CASE WHEN lens = 'A' THEN weight * x END)
               / sum(CASE WHEN lens = 'A' AND x IS NOT NULL THEN weight END) AS adoption,
         100.0 * sum(CASE WHEN lens = 'U' THEN weight * x END)
               / sum(CASE WHEN lens = 'U' AND x IS NOT NULL THEN weight END) AS proficiency,
         100.0 * avg(CASE WHEN lens = 'I' THEN x END) AS impact
  FROM normalised GROUP BY company_id, dimension
),
tags AS (
  SELECT co.course_key, t.key AS dimension, t.value AS weight
  FROM course co
  JOIN block_tree bt ON bt.id = co.published_tree_id
  JOIN block b ON b.tree_id = bt.id AND b.usage_id = bt.root_usage_id,
       json_each(coalesce(json_extract(b.settings, '$.cybermassif_vista'),
                          json_extract(b.settings, '$.xml_attributes.cybermassif_vista'))) t
),
staff AS (
  SELECT DISTINCT g.company_id, g.user_id FROM role_grant g
  JOIN user_account u ON u.id = g.user_id AND u.active
  WHERE g.company_id IN (SELECT company_id FROM latest)
),
training AS (
  SELECT s.company_id, t.dimension,
         count(DISTINCT CASE WHEN cp.completed_at IS NOT NULL THEN cp.user_id END) AS completers,
         sum(CASE WHEN cp.passed AND cp.grade IS NOT NULL THEN t.weight * cp.grade END)
           / sum(CASE WHEN cp.passed AND cp.grade IS NOT NULL THEN t.weight END) AS mastery,
         sum(CASE WHEN cp.completed_at >= :recent THEN t.weight ELSE 0 END)
           / sum(CASE WHEN cp.completed_at IS NOT NULL THEN t.weight END) AS recency
  FROM staff s
  JOIN course_progress cp ON cp.user_id = s.user_id AND (cp.completed_at IS NOT NULL OR cp.passed)
  JOIN tags t ON t.course_key = cp.course_key
  GROUP BY s.company_id, t.dimension
),
used AS (
  SELECT l.company_id, l.dimension, l.adoption, l.impact, l.items, l.not_relevant,
         CASE WHEN h.headcount > 0 THEN 100.0 * (
              0.5 * min(1.0, coalesce(tr.completers, 0) * 1.0 / h.headcount)
            + 0.3 * coalesce(tr.mastery, 0) + 0.2 * coalesce(tr.recency, 0)) END AS training,
         l.proficiency
  FROM lenses l JOIN latest h ON h.company_id = l.company_id
  LEFT JOIN training tr ON tr.company_id = l.company_id AND tr.dimension = l.dimension
),
starred AS (
  -- More than 30 % of a dimension's scored items not relevant: insufficient data, no lens at all.
  SELECT company_id, dimension,
         CASE WHEN NOT insufficient THEN adoption END AS adoption,
         CASE WHEN NOT insufficient THEN impact END AS impact,
         CASE WHEN insufficient THEN NULL
              WHEN training IS NOT NULL AND proficiency IS NOT NULL THEN 0.8 * training + 0.2 * proficiency
              ELSE coalesce(training, proficiency) END AS use
  FROM (SELECT *, items > 0 AND not_relevant * 1.0 / items > 0.3 AS insufficient FROM used)
)
SELECT company_id, dimension, adoption, use, impact,
       (coalesce(0.5 * adoption, 0) + coalesce(0.3 * use, 0) + coalesce(0.2 * impact, 0))
       / nullif(0.5 * (adoption IS NOT NULL) + 0.3 * (use IS NOT NULL) + 0.2 * (impact IS NOT NULL), 0)
       AS score
FROM starred
"""

PEERS_SQL = [
    f"""CREATE TEMP TABLE s_profile AS
    WITH r(code, region) AS (VALUES {_regions_values()})
    SELECT c.id AS company_id,
           (SELECT {_sections_case()} FROM (SELECT CAST(substr(c.naf_code, 1, 2) AS INTEGER) AS d))
             AS section,
           CASE WHEN c.headcount <= 9 THEN 'micro' WHEN c.headcount <= 49 THEN 'small' ELSE 'medium' END
             AS size_class,
           r.region
    FROM company c
    LEFT JOIN r ON r.code = c.departement
    WHERE c.active AND c.id IN (SELECT company_id FROM s_score)""",
    """CREATE TEMP TABLE s_member AS
    SELECT company_id, 0 AS level, section || '|' || size_class || '|' || region AS key FROM s_profile
      WHERE section IS NOT NULL AND region IS NOT NULL
    UNION ALL SELECT company_id, 1, section || '|' || size_class FROM s_profile WHERE section IS NOT NULL
    UNION ALL SELECT company_id, 2, section FROM s_profile WHERE section IS NOT NULL
    UNION ALL SELECT company_id, 3, region FROM s_profile WHERE region IS NOT NULL
    UNION ALL SELECT company_id, 4, '' FROM s_profile""",
    f"""CREATE TEMP TABLE s_choice AS
    SELECT m.company_id, min(m.level) AS level FROM s_member m
    JOIN (SELECT level, key, count(*) AS n FROM s_member GROUP BY level, key HAVING count(*) >= {K_FLOOR}) g
      ON g.level = m.level AND g.key = m.key
    GROUP BY m.company_id""",
    """CREATE TEMP TABLE s_value AS
    SELECT m.level, m.key, s.dimension, s.company_id, s.score AS v,
           row_number() OVER w - 1 AS rn, rank() OVER w - 1 AS below,
           count(*) OVER (PARTITION BY m.level, m.key, s.dimension) AS n,
           count(*) OVER (PARTITION BY m.level, m.key, s.dimension, s.score) AS equal
    FROM s_member m JOIN s_score s ON s.company_id = m.company_id
    WHERE s.score IS NOT NULL
    WINDOW w AS (PARTITION BY m.level, m.key, s.dimension ORDER BY s.score)""",
    """CREATE TEMP TABLE s_stat AS
    SELECT level, key, dimension, n,
           max(CASE WHEN rn = CAST(0.5 * (n - 1) AS INTEGER) THEN v END) AS m_lo,
           max(CASE WHEN rn = min(CAST(0.5 * (n - 1) AS INTEGER) + 1, n - 1) THEN v END) AS m_hi,
           max(CASE WHEN rn = CAST(0.25 * (n - 1) AS INTEGER) THEN v END) AS q1_lo,
           max(CASE WHEN rn = min(CAST(0.25 * (n - 1) AS INTEGER) + 1, n - 1) THEN v END) AS q1_hi,
           max(CASE WHEN rn = CAST(0.75 * (n - 1) AS INTEGER) THEN v END) AS q3_lo,
           max(CASE WHEN rn = min(CAST(0.75 * (n - 1) AS INTEGER) + 1, n - 1) THEN v END) AS q3_hi
    FROM s_value GROUP BY level, key, dimension""",
]

PEERS_RESULT = f"""
SELECT ch.company_id, ch.level, g.n AS size, st.dimension, st.n,
       CASE WHEN st.n >= {K_FLOOR} THEN st.m_lo + (st.m_hi - st.m_lo) * (0.5 * (st.n - 1) - CAST(0.5 * (st.n - 1) AS INTEGER)) END,
       CASE WHEN st.n >= {K_FLOOR} THEN st.q1_lo + (st.q1_hi - st.q1_lo) * (0.25 * (st.n - 1) - CAST(0.25 * (st.n - 1) AS INTEGER)) END,
       CASE WHEN st.n >= {K_FLOOR} THEN st.q3_lo + (st.q3_hi - st.q3_lo) * (0.75 * (st.n - 1) - CAST(0.75 * (st.n - 1) AS INTEGER)) END,
       CASE WHEN st.n >= {K_FLOOR} THEN 100.0 * (v.below + 0.5 * v.equal) / v.n END
FROM s_choice ch
JOIN s_member m ON m.company_id = ch.company_id AND m.level = ch.level
JOIN (SELECT level, key, count(*) AS n FROM s_member GROUP BY level, key) g ON g.level = m.level AND g.key = m.key
JOIN s_stat st ON st.level = m.level AND st.key = m.key
LEFT JOIN s_value v ON v.level = m.level AND v.key = m.key AND v.dimension = st.dimension
     AND v.company_id = ch.company_id
"""  # noqa: E501


def _sql(connection: sqlite3.Connection, now: datetime) -> tuple[dict, dict]:
    """Scores and peer figures by plain SQL; (scores by (company, dimension), peers by company)."""
    for table in ("s_score", "s_profile", "s_member", "s_choice", "s_value", "s_stat"):
        connection.execute(f"DROP TABLE IF EXISTS {table}")
    recent = (now - RECENT).astimezone(UTC).replace(tzinfo=None).strftime(SQL_TIME)
    connection.execute(SCORES_SQL, {"recent": recent})
    found = {(c, d): (a, u, i, s) for c, d, a, u, i, s in connection.execute("SELECT * FROM s_score")}
    overall = connection.execute(
        "SELECT company_id, avg(score), avg(adoption) FROM s_score GROUP BY company_id"
    ).fetchall()
    for company_id, score, dma in overall:
        found[(company_id, None)] = (dma, None, None, score)
    # Peer statistics over the scores just computed.
    for statement in PEERS_SQL:
        connection.execute(statement)
    figures: dict[int, dict] = {}
    for company_id, level, size, dimension, n, median, p25, p75, percentile in connection.execute(
        PEERS_RESULT
    ):
        entry = figures.setdefault(company_id, {"group": FALLBACK[level].value, "size": size, "dims": {}})
        entry["dims"][dimension] = (n, median, p25, p75, percentile)
    connection.commit()
    return found, figures


def _product(data: vista_data.VistaData, now: datetime) -> dict:
    with data.app.app_context():
        count = scores.recompute_all(db.session, now)
        db.session.commit()
        everyone, _newest = vista_benchmarks.peer_rows(db.session)
        found = peers.benchmark_all(everyone)
        db.session.remove()
    if count != len(data.company_ids) or len(found) != count:
        raise RuntimeError(f"recomputed {count} companies, benchmarked {len(found)}")
    return found


def _close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-6)


def _agree(data: vista_data.VistaData, sql_scores: dict, sql_peers: dict, benchmarks_: dict) -> int:
    """Check the product's stored scores and peer figures against the SQL ones on a sample."""
    from sqlalchemy import select

    from app.vista.models import CompanyScore

    sample = random.Random(5).sample(data.company_ids, min(SAMPLE, len(data.company_ids)))
    with data.app.app_context():
        stored = db.session.execute(
            select(
                CompanyScore.company_id,
                CompanyScore.dimension,
                CompanyScore.adoption,
                CompanyScore.use,
                CompanyScore.impact,
                CompanyScore.score,
            ).where(CompanyScore.company_id.in_(sample))
        ).all()
        db.session.remove()
    checked = 0
    for company_id, dimension, *values in stored:
        theirs = sql_scores.get((company_id, dimension), (None, None, None, None))
        if not all(_close(a, b) for a, b in zip(values, theirs, strict=True)):
            raise RuntimeError(f"company {company_id} {dimension}: product {values}, SQL {theirs}")
        checked += 1
    for company_id in sample:
        mine, theirs = benchmarks_[company_id], sql_peers[company_id]
        if mine.group.value != theirs["group"] or mine.size != theirs["size"]:
            raise RuntimeError(f"company {company_id}: group {mine.group} {mine.size}, SQL {theirs}")
        for dimension, standing in mine.standings.items():
            other = theirs["dims"].get(dimension, (0, None, None, None, None))
            values = (standing.count, standing.median, standing.p25, standing.p75, standing.percentile)
            if not all(_close(a, b) for a, b in zip(values, other, strict=True)):
                raise RuntimeError(f"company {company_id} {dimension}: product {values}, SQL {other}")
            checked += 1
    return checked


def _time(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def run(companies: int | None = None) -> None:
    """Generate the network, then measure the recompute and the report page."""
    companies = companies or int(os.environ.get("BENCH_VISTA_COMPANIES", "50000"))
    with tempfile.TemporaryDirectory(prefix="cm-bench-vista-") as tmp:
        data = vista_data.build(Path(tmp), companies)
        connection = sqlite3.connect(data.url.removeprefix("sqlite:///"))
        now = datetime.now(UTC) - timedelta(seconds=1)
        results: dict = {}

        def ours() -> float:
            return _time(lambda: results.__setitem__("product", _product(data, now)))

        def theirs() -> float:
            return _time(lambda: results.__setitem__("sql", _sql(connection, now)))

        samples = {"product": [], "sql": []}
        for _ in range(ROUNDS):
            samples["product"].append(ours())
            samples["sql"].append(theirs())
        checked = _agree(data, *results["sql"], results["product"])
        connection.close()
        product, sql = statistics.median(samples["product"]), statistics.median(samples["sql"])
        print(
            f"# VISTA recompute of {companies} companies (median of {ROUNDS}): product {product:.2f} s, "
            f"plain SQL {sql:.2f} s; {checked} figures agree to 1e-6",
            flush=True,
        )
        report("vista_recompute_vs_sql", product / sql, "<=", 2.0)
        env = {"DATABASE_URL": data.url, "CYBERMASSIF_SECRET_KEY": data.secret}
        with gunicorn("wsgi:app", env) as host:
            cookie = site.sign_in(host, vista_data.ADMIN_EMAIL)
            unit = site.unit_path(data.unit_course_key, "u10")
            page = f"/vista/entreprises/{data.company_ids[len(data.company_ids) // 2]}/rapport"
            started = time.perf_counter()
            fetch(host, page, cookie)
            first = time.perf_counter() - started
            fetch(host, unit, cookie)
            medians = interleaved(
                {
                    "unit": lambda: throughput(host, unit, cookie, SECONDS),
                    "report": lambda: throughput(host, page, cookie, SECONDS),
                },
                PAGE_ROUNDS,
            )
        with data.app.app_context():
            db.engine.dispose()
    print(
        f"# requests/s at {companies} companies (median of {PAGE_ROUNDS}): 10-block unit page "
        f"{medians['unit']:.1f}, report page {medians['report']:.1f} (first report {first * 1000:.0f} ms)"
    )
    report("vista_report_vs_unit_page", medians["report"] / medians["unit"], ">=", 0.25)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=None)
    run(parser.parse_args().companies)
    sys.exit(0)
