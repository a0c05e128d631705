"""Generated progress data for the report benchmark: Cybersites, 5,000 companies with their staff, cohorts,
three courses (imported from OLX) and about ``rows`` block-completion records, then every learner's
roll-ups rebuilt by the product's own job (``rebuild_course``).

People, companies and records are written with plain ``executemany`` (the product's services would take
hours for a million rows); the courses go through the real importer and the roll-ups through the real
rebuild, so that the report reads what the product itself would have written.
"""

from __future__ import annotations

import math
import random
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from app import create_app
from app.core.extensions import db
from app.progress.rollups import rebuild_course
from app.runtime.keys import CourseKey, usage_key_for
from benchmarks.site import write_course

COMPANIES = 5_000
SITES = 10
COURSES = 3
CHAPTERS, UNITS, BLOCKS = 3, 2, 3  # per course: 3 chapters × 2 units × 3 texts = 18 blocks
SQL_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores datetimes in SQLite


@dataclass
class ProgressData:
    """The generated site: its application, database file, and what the benchmarks pick from."""

    app: Flask
    database: Path
    company_ids: list[int]
    big_site_id: int
    rows: int


def _course(folder: Path, number: str) -> str:
    units = {}
    for c in range(CHAPTERS):
        for u in range(UNITS):
            units[f"c{c}u{u}"] = "".join(
                f'<html url_name="{number}-c{c}u{u}b{b}"><p>Texte {b}</p></html>' for b in range(BLOCKS)
            )
    key = write_course(folder, number, units)
    # Three chapters of two units (``write_course`` makes one chapter: rewrite the course element).
    chapters = "".join(
        f'<chapter url_name="ch{c}" display_name="Chapitre {c}">'
        f'<sequential url_name="s{c}" display_name="S{c}">'
        + "".join(
            f'<vertical url_name="c{c}u{u}" display_name="Unité {u}">{units[f"c{c}u{u}"]}</vertical>'
            for u in range(UNITS)
        )
        + "</sequential></chapter>"
        for c in range(CHAPTERS)
    )
    (folder / "course" / "2026.xml").write_text(
        f'<course display_name="Bench {number}">{chapters}</course>\n'
    )
    return key


def build(work: Path, rows: int, seed: int = 7) -> ProgressData:
    """Create the database and fill it; prints how long each step took."""
    database = work / "report.sqlite3"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": secrets.token_urlsafe(40)}
    )
    random.seed(seed)
    started = time.monotonic()
    with app.app_context():
        upgrade()
        runner = app.test_cli_runner()
        keys = []
        for n in range(COURSES):
            folder = work / f"course{n}"
            keys.append(_course(folder, f"REP{n}"))
            result = runner.invoke(args=["courses", "import", str(folder)])
            if result.exit_code != 0:
                raise RuntimeError(result.output)
    blocks_per_course = CHAPTERS * UNITS * BLOCKS
    # Each learner has done a random share of each course: on average half of its blocks.
    staff = max(1, math.ceil(rows / (COMPANIES * COURSES * (blocks_per_course / 2))))
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("BEGIN")
    now = datetime.now(UTC).replace(tzinfo=None)
    stamp = now.strftime(SQL_TIME)
    course_ids = [r[0] for r in connection.execute("SELECT id FROM course ORDER BY course_key")]
    site_rows = [(f"Cybersite {i}", "Aurillac", "15", 1, stamp) for i in range(SITES)]
    connection.executemany(
        "INSERT INTO cybersite (name, town, departement, active, created_at) VALUES (?, ?, ?, ?, ?)",
        site_rows,
    )
    site_ids = [r[0] for r in connection.execute("SELECT id FROM cybersite ORDER BY id")]
    # Half the companies at the first Cybersite (the big export), the rest spread over the others.
    company_site = [site_ids[0] if i % 2 == 0 else site_ids[1 + i % (SITES - 1)] for i in range(COMPANIES)]
    connection.executemany(
        "INSERT INTO company (legal_name, siret, naf_code, headcount, departement, cybersite_id, active,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (f"Entreprise {i:05d}", f"{i:014d}", "62.01Z", 20, "15", company_site[i], 1, stamp)
            for i in range(COMPANIES)
        ],
    )
    company_ids = [r[0] for r in connection.execute("SELECT id FROM company ORDER BY id")]
    cohorts = {}
    for site_id in site_ids:
        connection.execute(
            "INSERT INTO cohort (cybersite_id, name, starts_on, ends_on, capacity, forum_within_cohort,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (site_id, f"Promotion {site_id}", "2026-01-05", "2026-12-18", 10**6, 1, stamp),
        )
        cohorts[site_id] = connection.execute("SELECT last_insert_rowid()").fetchone()[0]
        connection.executemany(
            "INSERT INTO cohort_course (cohort_id, course_id) VALUES (?, ?)",
            [(cohorts[site_id], c) for c in course_ids],
        )
    users = [
        (f"p{i}.{n}@bench.example", f"Personne {i:05d}-{n:03d}", "fr", 1, secrets.token_hex(16), stamp)
        for i in range(COMPANIES)
        for n in range(staff)
    ]
    connection.executemany(
        "INSERT INTO user_account (email, display_name, language, active, session_token, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        users,
    )
    user_ids = [r[0] for r in connection.execute("SELECT id FROM user_account ORDER BY id")]
    owner = [company_ids[i // staff] for i in range(len(user_ids))]
    site_of = dict(zip(company_ids, company_site, strict=True))
    connection.executemany(
        "INSERT INTO role_grant (user_id, role, company_id, granted_at) VALUES (?, 'learner', ?, ?)",
        [(u, c, stamp) for u, c in zip(user_ids, owner, strict=True)],
    )
    connection.executemany(
        "INSERT INTO cohort_member (cohort_id, user_id, company_id, created_at) VALUES (?, ?, ?, ?)",
        [(cohorts[site_of[c]], u, c, stamp) for u, c in zip(user_ids, owner, strict=True)],
    )
    connection.executemany(
        "INSERT INTO enrolment (user_id, course_id, active, cohort_id, created_at, updated_at)"
        " VALUES (?, ?, 1, ?, ?, ?)",
        [
            (u, course, cohorts[site_of[c]], stamp, stamp)
            for u, c in zip(user_ids, owner, strict=True)
            for course in course_ids
        ],
    )
    usages = {
        key: [
            str(usage_key_for(CourseKey.from_string(key), "html", f"{key.split('+')[1]}-c{c}u{u}b{b}"))
            for c in range(CHAPTERS)
            for u in range(UNITS)
            for b in range(BLOCKS)
        ]
        for key in keys
    }
    written = 0
    batch = []
    for user_id in user_ids:
        for key in keys:
            done = random.randint(0, blocks_per_course)
            for index in range(done):
                usage = usages[key][index]
                at = (now - timedelta(days=random.randint(0, 200), seconds=index)).strftime(SQL_TIME)
                batch.append((user_id, key, usage, "html", 1.0, None, None, at, None, at))
                written += 1
            if len(batch) >= 50_000:
                _insert_completions(connection, batch)
                batch = []
    _insert_completions(connection, batch)
    connection.execute("COMMIT")
    connection.close()
    generated = time.monotonic()
    with app.app_context():
        for key in keys:
            rebuild_course(db.session, key)
            db.session.commit()
    print(
        f"# report data: {len(user_ids)} learners in {COMPANIES} companies, {written} block-completion rows; "
        f"generated in {generated - started:.0f} s, roll-ups rebuilt in {time.monotonic() - generated:.0f} s",
        flush=True,
    )
    return ProgressData(app, database, company_ids, site_ids[0], written)


def _insert_completions(connection: sqlite3.Connection, rows: list[tuple]) -> None:
    connection.executemany(
        "INSERT INTO block_completion (user_id, course_key, usage_id, block_type, completion, earned,"
        " possible, completed_at, graded_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
