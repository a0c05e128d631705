"""The region at its real scale for the peak-load benchmark: the demo (its courses, accounts and months of
history, written by ``demo load`` through the product's own paths) grown to 50,000 companies with their
staff and a year of progress in the demo courses, on SQLite or PostgreSQL.

The demo's own records come from ``demo load --size 20``; the companies beyond them, their staff, cohort
memberships, enrolments and block-completion records are written with plain ``executemany`` through
SQLAlchemy Core (the product's services would take hours for this many), then every learner's roll-ups
are rebuilt by the product's own job (``rebuild_course``), so that each page reads what the product would
have written. One password hash serves every generated account, as in the demo.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Table, func, insert, select
from werkzeug.security import generate_password_hash

from app.accounts.demo import DEMO_PASSWORD
from app.accounts.models import Company, Cybersite, Role, RoleGrant, User
from app.cohorts.models import Cohort, CohortCompany, CohortMember
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.progress.models import BlockCompletion
from app.progress.rollups import rebuild_course
from app.runtime.models import StoredBlock

COMPANIES = 50_000
STRUCTURE = ("course", "chapter", "sequential", "vertical")
GENERATED_DOMAIN = "peak.bench.example"
SIRET_PREFIX = "980"  # the demo's generated companies use 970, VISTA's peers 990
CHUNK = 20_000
MANAGED = 300  # generated companies whose manager follows them on the platform


@dataclass
class PeakData:
    """What the load driver picks its people and pages from."""

    learners: list[str]  # e-mail addresses of generated learners (password: the demo's)
    company_managers: list[tuple[str, int]]  # (e-mail, company id) from the demo
    site_managers: list[tuple[str, int]]  # (e-mail, Cybersite id) from the demo
    courses: dict[str, list[str]]  # course key → its unit usage ids
    companies: int
    learner_count: int
    completions: int


def _insert(table: Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start : start + CHUNK])


def build(app: Flask, companies: int = COMPANIES, staff: int = 2, seed: int = 11) -> PeakData:
    """Migrate the application's database, load the demo and grow it; prints how long each step took."""
    started = time.monotonic()
    rng = random.Random(seed)
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "load", "--size", "20"])
        if result.exit_code != 0:
            raise RuntimeError(result.output)
        demo_done = time.monotonic()
        now = datetime.now(UTC)
        sites = db.session.execute(select(Cybersite.id)).scalars().all()
        cohorts = _group(db.session.execute(select(Cohort.cybersite_id, Cohort.id)).all())
        course_rows = db.session.execute(select(Course.id, Course.course_key, Course.published_tree_id)).all()
        cohort_courses = _group(
            db.session.execute(
                select(Cohort.id, Course.id).join(Cohort.courses)  # type: ignore[arg-type]
            ).all()
        )
        existing = db.session.scalar(select(func.count()).select_from(Company)) or 0
        extra = max(0, companies - existing)
        _insert(
            Company.__table__,
            [
                {
                    "legal_name": f"Entreprise {i:05d}",
                    "siret": f"{SIRET_PREFIX}{i:011d}",
                    "naf_code": "62.01Z",
                    "headcount": 3 + i % 40,
                    "departement": "63",
                    "cybersite_id": sites[i % len(sites)],
                    "active": True,
                    "created_at": now,
                }
                for i in range(extra)
            ],
        )
        new_companies = db.session.execute(
            select(Company.id, Company.cybersite_id).where(Company.siret.like(f"{SIRET_PREFIX}%"))
        ).all()
        # Scrypt at an eighth of the product's cost for the generated accounts: signing thousands of people in
        # is the benchmark's set-up, not the load it measures (no sign-in happens then).
        password = generate_password_hash(DEMO_PASSWORD, method="scrypt:4096:8:1")
        emails = [f"p{c}.{n}@{GENERATED_DOMAIN}" for c, _ in new_companies for n in range(staff)]
        managed = [c for c, _ in new_companies[:: max(1, len(new_companies) // MANAGED)]][:MANAGED]
        emails += [f"m{c}@{GENERATED_DOMAIN}" for c in managed]
        _insert(
            User.__table__,
            [
                {
                    "email": e,
                    "display_name": f"Personne {i:06d}",
                    "language": "fr",
                    "active": True,
                    "password_hash": password,
                    "session_token": f"{rng.getrandbits(128):032x}",
                    "created_at": now,
                }
                for i, e in enumerate(emails)
            ],
        )
        ids = dict(
            db.session.execute(
                select(User.email, User.id).where(User.email.like(f"%@{GENERATED_DOMAIN}"))
            ).all()
        )
        people = [(ids[f"p{c}.{n}@{GENERATED_DOMAIN}"], c, s) for c, s in new_companies for n in range(staff)]
        _insert(
            RoleGrant.__table__,
            [{"user_id": u, "role": Role.LEARNER, "company_id": c, "granted_at": now} for u, c, _ in people]
            + [
                {
                    "user_id": ids[f"m{c}@{GENERATED_DOMAIN}"],
                    "role": Role.COMPANY_MANAGER,
                    "company_id": c,
                    "granted_at": now,
                }
                for c in managed
            ],
        )
        placed = {c: rng.choice(cohorts[s]) for c, s in new_companies if s in cohorts}
        _insert(CohortCompany.__table__, [{"cohort_id": k, "company_id": c} for c, k in placed.items()])
        _insert(
            CohortMember.__table__,
            [
                {"cohort_id": placed[c], "user_id": u, "company_id": c, "created_at": now}
                for u, c, _ in people
                if c in placed
            ],
        )
        by_id = {course_id: (key, tree) for course_id, key, tree in course_rows}
        _insert(
            Enrolment.__table__,
            [
                {
                    "user_id": u,
                    "course_id": course,
                    "active": True,
                    "cohort_id": placed[c],
                    "created_at": now,
                    "updated_at": now,
                }
                for u, c, _ in people
                if c in placed
                for course in cohort_courses.get(placed[c], ())
            ],
        )
        leaves = {
            key: db.session.execute(
                select(StoredBlock.usage_id, StoredBlock.block_type)
                .where(StoredBlock.tree_id == tree, StoredBlock.block_type.not_in(STRUCTURE))
                .order_by(StoredBlock.id)
            ).all()
            for key, tree in by_id.values()
        }
        completions: list[dict[str, Any]] = []
        written = 0
        for u, c, _ in people:
            for course in cohort_courses.get(placed.get(c, -1), ()):
                key = by_id[course][0]
                # A year of work: each learner got through a random share of each course.
                for usage_id, block_type in leaves[key][: rng.randint(0, len(leaves[key]))]:
                    at = now - timedelta(days=rng.randint(1, 365), seconds=rng.randint(0, 86_400))
                    graded = block_type == "problem"
                    completions.append(
                        {
                            "user_id": u,
                            "course_key": key,
                            "usage_id": usage_id,
                            "block_type": block_type,
                            "completion": 1.0,
                            "earned": rng.choice((0.0, 0.5, 1.0)) if graded else None,
                            "possible": 1.0 if graded else None,
                            "completed_at": at,
                            "graded_at": at if graded else None,
                            "updated_at": at,
                        }
                    )
            if len(completions) >= CHUNK:
                _insert(BlockCompletion.__table__, completions)
                written += len(completions)
                completions = []
        _insert(BlockCompletion.__table__, completions)
        written += len(completions)
        db.session.commit()
        generated = time.monotonic()
        for _course_id, key, _tree in course_rows:
            rebuild_course(db.session, key)
            db.session.commit()
        managers = db.session.execute(
            select(User.email, RoleGrant.role, RoleGrant.company_id, RoleGrant.cybersite_id)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role.in_((Role.COMPANY_MANAGER, Role.CYBERSITE_MANAGER)))
            .order_by(User.id)
        ).all()
        units = {
            key: db.session.execute(
                select(StoredBlock.usage_id)
                .where(StoredBlock.tree_id == tree, StoredBlock.block_type == "vertical")
                .order_by(StoredBlock.id)
            )
            .scalars()
            .all()
            for key, tree in by_id.values()
        }
        total_companies = db.session.scalar(select(func.count()).select_from(Company)) or 0
    enrolled = [e for (u, c, _), e in zip(people, emails, strict=False) if c in placed]
    print(
        f"# peak data: {total_companies} companies, {len(people)} generated learners "
        f"({len(enrolled)} enrolled), "
        f"{written} block-completion rows; demo in {demo_done - started:.0f} s, generated in "
        f"{generated - demo_done:.0f} s, roll-ups rebuilt in {time.monotonic() - generated:.0f} s",
        flush=True,
    )
    return PeakData(
        learners=enrolled,
        company_managers=[(e, c) for e, r, c, _ in managers if r == Role.COMPANY_MANAGER and c is not None],
        site_managers=[(e, s) for e, r, _, s in managers if r == Role.CYBERSITE_MANAGER and s is not None],
        courses={key: list(found) for key, found in units.items()},
        companies=total_companies,
        learner_count=len(enrolled),
        completions=written,
    )


def _group(pairs: Any) -> dict[Any, list[Any]]:
    found: dict[Any, list[Any]] = {}
    for key, value in pairs:
        found.setdefault(key, []).append(value)
    return found
