"""An API list of 1,000 enrolments against the same rows read with plain SQL.

- ``api_enrolments_list_vs_raw_sql``: ``GET /api/v1/enrolments?limit=1000`` as a network
  administrator's tool sends it (bearer token checked, scope, the policy's condition, one page, its
  signed cursor, JSON), through the application in process, against the same 1,000 rows selected with the
  bare sqlite3 driver and encoded as the same JSON; medians of interleaved rounds; goal ≤ 3.

Both read the same SQLite file, 5,000 enrolments in all, so the page is one slice of a bigger table.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert

from app import create_app
from app.accounts.models import Company, Cybersite, Role, RoleGrant, User
from app.api import tokens
from app.cohorts.models import Cohort
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from benchmarks.common import interleaved, report

ROWS = 5000
PAGE = 1000
ROUNDS = 15

RAW = """
SELECT id, user_id, course_id, cohort_id, active, created_at FROM enrolment
WHERE id > ? ORDER BY id LIMIT ?
"""


def _fill(app) -> str:
    """The network: one Cybersite, one company, ``ROWS`` learners each enrolled once; the admin's token."""
    with app.app_context():
        upgrade()
        site = Cybersite(name="Cybersite Bench", town="Clermont-Ferrand", departement="63")
        db.session.add(site)
        db.session.flush()
        company = Company(
            legal_name="Bench SA", siret="73282932000074", naf_code="62.01Z", headcount=10,
            departement="63", cybersite_id=site.id,
        )  # fmt: skip
        admin = User(email="admin@bench.example", display_name="Admin")
        admin.roles.append(RoleGrant(role=Role.NETWORK_ADMIN))
        db.session.add_all([company, admin])
        courses = [
            Course(
                course_key=f"course-v1:Bench+C{n}+2026",
                org="Bench",
                number=f"C{n}",
                run="2026",
                title=f"C{n}",
            )
            for n in range(5)
        ]
        db.session.add_all(courses)
        db.session.flush()
        cohort = Cohort(
            cybersite_id=site.id, name="Promo", starts_on=date(2026, 9, 1),
            ends_on=date(2026, 12, 1), capacity=ROWS,
        )  # fmt: skip
        db.session.add(cohort)
        db.session.flush()
        now = datetime.now(UTC)
        users = [{"email": f"l{n}@bench.example", "display_name": f"Learner {n}"} for n in range(ROWS)]
        db.session.execute(insert(User), users)
        ids = [u.id for u in db.session.query(User.id).filter(User.email.like("l%@bench.example"))]
        db.session.execute(
            insert(Enrolment),
            [
                {"user_id": uid, "course_id": courses[n % 5].id, "cohort_id": cohort.id, "created_at": now}
                for n, uid in enumerate(ids)
            ],
        )
        _token, secret = tokens.create_token(admin, "bench", ["read"], 30)
        db.session.commit()
    return secret


def run() -> None:
    """Build the database, then measure the API list against plain SQL."""
    with tempfile.TemporaryDirectory(prefix="cm-bench-api-") as tmp:
        database = Path(tmp) / "api.sqlite3"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": secrets.token_urlsafe(40)}
        )
        secret = _fill(app)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
        client.get("/api/v1/enrolments?limit=1", headers=headers)  # the token's first use, recorded once
        connection = sqlite3.connect(database)
        after = PAGE  # the second page: a cursor is read and checked too

        cursor = client.get(f"/api/v1/enrolments?limit={PAGE}", headers=headers).get_json()["next_cursor"]

        def ours() -> float:
            started = time.perf_counter()
            response = client.get(f"/api/v1/enrolments?limit={PAGE}&cursor={cursor}", headers=headers)
            items = response.get_json()["items"] if response.status_code == 200 else []
            elapsed = time.perf_counter() - started
            if len(items) != PAGE:
                raise RuntimeError(f"the API answered {response.status_code} with {len(items)} rows")
            return elapsed

        def raw() -> float:
            started = time.perf_counter()
            rows = connection.execute(RAW, (after, PAGE)).fetchall()
            body = json.dumps(
                {
                    "items": [
                        {"id": r[0], "user_id": r[1], "course_id": r[2], "cohort_id": r[3],
                         "active": bool(r[4]), "created_at": r[5]}
                        for r in rows
                    ]
                }
            )  # fmt: skip
            json.loads(body)
            elapsed = time.perf_counter() - started
            if len(rows) != PAGE:
                raise RuntimeError("plain SQL found too few rows")
            return elapsed

        medians = interleaved({"ours": ours, "raw": raw}, ROUNDS)
        connection.close()
        with app.app_context():
            db.engine.dispose()
    print(
        f"# API list of {PAGE} enrolments (of {ROWS}; median of {ROUNDS} interleaved rounds): "
        f"API {medians['ours'] * 1000:.2f} ms, plain SQL + JSON {medians['raw'] * 1000:.2f} ms"
    )
    report("api_enrolments_list_vs_raw_sql", medians["ours"] / medians["raw"], "<=", 3.0)
