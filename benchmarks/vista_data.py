"""Generated VISTA data at the network's scale: the shipped questionnaire (loaded by the real loader), 10
courses tagged with VISTA dimensions (imported from OLX), 20 Cybersites, ``companies`` companies across
NAF sections, size classes and départements, each with a submitted T0 assessment answered as a company of
its maturity would, about five staff each (≈ 250,000 accounts at 50,000 companies) enrolled in some of the
courses with their ``course_progress`` roll-ups (completed, passed, graded, some more than a year ago).

Rows are written with SQLAlchemy Core ``executemany`` in batches (the product's services would take hours
for millions of rows); the questionnaire and the courses go through the product's own loaders, so the
scores read what the product itself would have written. One signed-in account (a network administrator,
also a learner enrolled in a 10-block unit page) reads the pages the benchmark serves.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import insert, select

from app import create_app
from app.accounts.departements import DEPARTEMENTS
from app.accounts.models import Company, Cybersite, RoleGrant, User
from app.accounts.services.credentials import hash_password
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.progress.models import CourseProgress
from app.vista.models import Answer, Assessment, ItemKind, QuestionnaireItem
from app.vista.questionnaire_file import HEADCOUNT_CODE, SHIPPED
from benchmarks import site

COURSES = 10
SITES = 20
STAFF = (2, 8)  # staff per company, uniformly: 5 on average
ENROLLED = 0.4  # the chance that a member of staff is enrolled in a given course
BATCH = 20_000
# NAF codes of the sections small companies of the network work in (C, F, G, H, I, J, M, N, Q, S).
NAF_CODES = (
    "10.71C", "16.23Z", "25.62A", "31.09B", "43.22A", "43.21A", "45.20A", "47.11B", "47.76Z", "49.41A",
    "55.10Z", "56.10A", "62.01Z", "69.20Z", "71.12B", "81.21Z", "86.23Z", "96.02A",
)  # fmt: skip
# Each course trains for one dimension, some for a second one with half the weight.
TAGS = [
    {f"D{n % 6 + 1}": 1.0, **({f"D{(n + 2) % 6 + 1}": 0.5} if n % 3 == 0 else {})} for n in range(COURSES)
]
ADMIN_EMAIL = "admin@bench.example"


@dataclass
class VistaData:
    """The generated network: its application, database address, and what the benchmarks pick from."""

    app: Flask
    url: str
    secret: str
    company_ids: list[int]
    users: int
    answers: int
    progress_rows: int
    unit_course_key: str


def _courses(work: Path) -> list[Path]:
    folders = []
    for n in range(COURSES):
        folder = work / f"vista-course{n}"
        units = {f"u{u}": site.html_blocks(3, f"v{n}u{u}") for u in range(2)}
        site.write_course(folder, f"VISTA{n}", units)
        (folder / "policies" / "2026").mkdir(parents=True, exist_ok=True)
        (folder / "policies" / "2026" / "policy.json").write_text(
            json.dumps({"course/2026": {"cybermassif_vista": TAGS[n]}})
        )
        folders.append(folder)
    pages = work / "pages"
    site.write_course(pages, "PAGES", {"u10": site.html_blocks(10, "u10")})
    folders.append(pages)
    return folders


def _headcount(rng: random.Random) -> int:
    draw = rng.random()
    if draw < 0.6:
        return rng.randint(2, 9)
    if draw < 0.9:
        return rng.randint(10, 49)
    return rng.randint(50, 249)


def _value(item: QuestionnaireItem, level: float, headcount: int) -> float:
    if item.kind == ItemKind.FIGURE:
        if item.code == HEADCOUNT_CODE:
            return float(headcount)
        low, high = item.minimum or 0.0, item.maximum if item.maximum is not None else 100.0
        return float(round(low + (min(high, 1000.0) - low) * 0.1 * level))
    if item.kind == ItemKind.TICK:
        return 1.0 if level >= 0.5 else 0.0
    if item.kind in (ItemKind.INVEST, ItemKind.TRIPLE):
        return 2.0 if level >= 0.66 else 1.0 if level >= 0.4 else 0.0
    if item.kind == ItemKind.SCALE:
        return float(round(level * 5))
    return float(1 + round(level * 4))  # agree


def _insert(connection, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(table), rows[start : start + BATCH])


def build(work: Path, companies: int, url: str | None = None, seed: int = 11) -> VistaData:
    """Create the database (SQLite in ``work`` unless ``url`` names another) and fill it."""
    url = url or f"sqlite:///{work / 'vista.sqlite3'}"
    secret = secrets.token_urlsafe(40)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})
    rng = random.Random(seed)
    started = time.monotonic()
    now = datetime.now(UTC)
    with app.app_context():
        upgrade()
        runner = app.test_cli_runner()
        for folder in _courses(work):
            result = runner.invoke(args=["courses", "import", str(folder)])
            if result.exit_code != 0:
                raise RuntimeError(result.output)
        result = runner.invoke(args=["vista", "load-questionnaire", str(SHIPPED)])
        if result.exit_code != 0:
            raise RuntimeError(result.output)
        items = list(db.session.scalars(select(QuestionnaireItem).order_by(QuestionnaireItem.id)))
        questionnaire_id = items[0].questionnaire_id
        courses = {
            key: (ident, tree)
            for ident, key, tree in db.session.execute(
                select(Course.id, Course.course_key, Course.published_tree_id)
            )
        }
        tagged = [key for key in courses if "+VISTA" in key]
        unit_key = next(key for key in courses if "+PAGES+" in key)
        db.session.remove()
        with db.engine.begin() as connection:
            departements = [d.code for d in DEPARTEMENTS]
            _insert(
                connection,
                Cybersite.__table__,
                [
                    {"name": f"Cybersite {i}", "town": "Ville", "departement": departements[i * 5 % 96],
                     "active": True, "created_at": now}
                    for i in range(SITES)
                ],
            )  # fmt: skip
            site_ids = list(connection.scalars(select(Cybersite.id).order_by(Cybersite.id)))
            profiles = []
            for _ in range(companies):
                site_index = rng.randrange(SITES)
                # Most companies are in their Cybersite's département, some in a neighbouring one.
                dep = departements[(site_index * 5 + (rng.randrange(4) if rng.random() < 0.3 else 0)) % 96]
                profiles.append((rng.choice(NAF_CODES), _headcount(rng), dep, site_ids[site_index]))
            _insert(
                connection,
                Company.__table__,
                [
                    {"legal_name": f"Entreprise {i:06d}", "siret": f"8{i:013d}", "naf_code": naf,
                     "headcount": headcount, "departement": dep, "cybersite_id": site_id, "active": True,
                     "created_at": now}
                    for i, (naf, headcount, dep, site_id) in enumerate(profiles)
                ],
            )  # fmt: skip
            company_ids = list(connection.scalars(select(Company.id).order_by(Company.id)))
            _insert(
                connection,
                Assessment.__table__,
                [
                    {"company_id": cid, "questionnaire_id": questionnaire_id, "status": "submitted",
                     "wave": "T0", "headcount": profiles[i][1], "created_at": now, "updated_at": now,
                     "submitted_at": now - timedelta(days=rng.randint(1, 300))}
                    for i, cid in enumerate(company_ids)
                ],
            )  # fmt: skip
            assessment_of = dict(
                connection.execute(select(Assessment.company_id, Assessment.id)).tuples().all()
            )
            answers = []
            written = 0
            for i, cid in enumerate(company_ids):
                headcount = profiles[i][1]
                maturity = min(0.95, max(0.05, rng.gauss(0.35 + (0.1 if headcount >= 10 else 0), 0.18)))
                aid = assessment_of[cid]
                for item in items:
                    if item.allows_not_relevant and rng.random() < 0.06:
                        answers.append(
                            {"assessment_id": aid, "item_id": item.id, "value": None, "not_relevant": True,
                             "updated_at": now}
                        )  # fmt: skip
                        continue
                    level = min(
                        1.0, max(0.0, (1 - maturity if item.negative else maturity) + rng.gauss(0, 0.2))
                    )
                    answers.append(
                        {"assessment_id": aid, "item_id": item.id, "value": _value(item, level, headcount),
                         "not_relevant": False, "updated_at": now}
                    )  # fmt: skip
                if len(answers) >= BATCH:
                    _insert(connection, Answer.__table__, answers)
                    written += len(answers)
                    answers = []
            _insert(connection, Answer.__table__, answers)
            written += len(answers)
            staff = [rng.randint(*STAFF) for _ in company_ids]
            _insert(
                connection,
                User.__table__,
                [
                    {"email": f"p{i}.{n}@bench.example", "display_name": f"Personne {i}-{n}",
                     "language": "fr", "active": True, "session_token": secrets.token_hex(16),
                     "created_at": now}
                    for i in range(len(company_ids))
                    for n in range(staff[i])
                ],
            )  # fmt: skip
            user_ids = list(connection.scalars(select(User.id).order_by(User.id)))
            owners = [cid for cid, n in zip(company_ids, staff, strict=True) for _ in range(n)]
            grants = [
                {"user_id": u, "role": "learner", "company_id": c, "granted_at": now}
                for u, c in zip(user_ids, owners, strict=True)
            ]
            # The first of each company's staff also manages it.
            grants += [
                {"user_id": u, "role": "company_manager", "company_id": c, "granted_at": now}
                for index, (u, c) in enumerate(zip(user_ids, owners, strict=True))
                if index == 0 or owners[index - 1] != c
            ]
            _insert(connection, RoleGrant.__table__, grants)
            enrolments, progress = [], []
            for u in user_ids:
                for key in tagged:
                    if rng.random() >= ENROLLED:
                        continue
                    course_id, tree_id = courses[key]
                    enrolments.append(
                        {"user_id": u, "course_id": course_id, "active": True, "created_at": now,
                         "updated_at": now}
                    )  # fmt: skip
                    if rng.random() < 0.2:
                        continue  # enrolled, not started
                    started_at = now - timedelta(days=rng.randint(30, 700), seconds=rng.randint(0, 86_399))
                    done = rng.random() < 0.6
                    passed = done and rng.random() < 0.8
                    completed_at = started_at + timedelta(days=rng.randint(1, 29)) if done else None
                    progress.append(
                        {"user_id": u, "course_key": key, "tree_id": tree_id, "completed": 6 if done else 3,
                         "total": 6, "percent": 1.0 if done else 0.5,
                         "grade": round(rng.uniform(0.5, 1.0), 3) if passed else None, "passed": passed,
                         "started_at": started_at, "last_activity_at": completed_at or started_at,
                         "completed_at": completed_at, "passed_at": completed_at if passed else None,
                         "updated_at": completed_at or started_at}
                    )  # fmt: skip
            _insert(connection, Enrolment.__table__, enrolments)
            _insert(connection, CourseProgress.__table__, progress)
        admin = User(
            email=ADMIN_EMAIL, display_name="Administrateur", password_hash=hash_password(site.PASSWORD)
        )
        db.session.add(admin)
        db.session.flush()
        admin.roles.append(RoleGrant(role="network_admin"))
        admin.roles.append(RoleGrant(role="learner", company_id=company_ids[0]))
        db.session.add(Enrolment(user_id=admin.id, course_id=courses[unit_key][0]))
        db.session.commit()
        db.session.remove()
    print(
        f"# VISTA data: {companies} companies, {len(user_ids)} staff, {written} answers, "
        f"{len(enrolments)} enrolments, {len(progress)} course_progress rows; "
        f"generated in {time.monotonic() - started:.0f} s",
        flush=True,
    )
    return VistaData(app, url, secret, company_ids, len(user_ids), written, len(progress), unit_key)
