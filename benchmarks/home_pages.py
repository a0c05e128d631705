"""The learner's and the Cybersite manager's home pages under gunicorn, against a unit page (issue 15).

The site is the demo as ``make run`` loads it (its courses, accounts and months of history, written by
``demo load`` through the product's own paths): the demo learner's home page (their courses with progress
and where to resume, what is next, replies, comments, certificates) and the Clermont-Ferrand Cybersite
manager's (cohorts at a glance, companies without activity, cohorts starting or ending) are measured,
interleaved, against the unit page the learner would resume, each as requests a second over keep-alive-
less connections from four clients. Goal: each home page at least 0.8 of the unit page's rate.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from urllib.parse import quote

from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.accounts.demo import DEMO_PASSWORD
from app.accounts.models import User
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.runtime.tree import LoadedTree
from benchmarks import site
from benchmarks.common import fetch, gunicorn, interleaved, report, throughput

SECONDS = 2.0
ROUNDS = 5
LEARNER = "apprenant@demo.cybermassif.fr"
SITE_MANAGER = "responsable.clermont@demo.cybermassif.fr"


def _demo(work: Path) -> tuple[dict[str, str], str]:
    """The demo in a database of its own; the environment to serve it and the learner's unit page."""
    env = {
        "DATABASE_URL": f"sqlite:///{work / 'home.sqlite3'}",
        "CYBERMASSIF_SECRET_KEY": secrets.token_urlsafe(40),
    }
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["CYBERMASSIF_SECRET_KEY"]}
    )
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        if result.exit_code != 0:
            raise RuntimeError(result.output)
        learner = db.session.scalar(select(User).where(User.email == LEARNER))
        enrolment = db.session.scalars(
            select(Enrolment)
            .where(Enrolment.user_id == learner.id, Enrolment.active.is_(True))
            .order_by(Enrolment.id)
        ).first()
        course = db.session.get(Course, enrolment.course_id)
        tree = LoadedTree.load_structure(db.session, course.published_tree_id)
        unit = enrolment.last_usage_id or next(r.usage_id for r in tree.walk() if r.block_type == "vertical")
        return env, f"/formations/{quote(course.course_key)}/unite/{quote(unit)}"


def run() -> None:
    """Measure and report the two home-page ratios."""
    with tempfile.TemporaryDirectory(prefix="cm-bench-home-") as tmp:
        env, unit_path = _demo(Path(tmp))
        with gunicorn("wsgi:app", env) as host:
            learner = site.sign_in(host, LEARNER, DEMO_PASSWORD)
            manager = site.sign_in(host, SITE_MANAGER, DEMO_PASSWORD)
            for cookie in (learner, manager):
                fetch(host, "/", cookie)  # warm both workers' caches alike
            fetch(host, unit_path, learner)
            medians = interleaved(
                {
                    "unit": lambda: throughput(host, unit_path, learner, SECONDS),
                    "learner_home": lambda: throughput(host, "/", learner, SECONDS),
                    "site_home": lambda: throughput(host, "/", manager, SECONDS),
                },
                ROUNDS,
            )
    print(
        f"# requests/s (median of {ROUNDS}): unit page {medians['unit']:.0f}, "
        f"learner's home {medians['learner_home']:.0f}, Cybersite manager's home {medians['site_home']:.0f}"
    )
    report("learner_home_vs_unit", medians["learner_home"] / medians["unit"], ">=", 0.8)
    report("site_manager_home_vs_unit", medians["site_home"] / medians["unit"], ">=", 0.8)
