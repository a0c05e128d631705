"""The command line, through Flask's CLI runner and the installed ``cybermassif`` entry."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.accounts.demo import ACCOUNTS, COMPANIES, CYBERSITES, DEMO_PASSWORD
from app.accounts.models import Company, Cybersite, Role, RoleGrant, User
from app.cohorts.models import Cohort, CohortMember
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.demo.network import learner_count
from app.vista.demo import PEER_COUNT
from tests.conftest import sign_in


def _counts(app):
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Cybersite, Company, User, RoleGrant)
        )


def test_demo_load_is_idempotent_and_every_account_signs_in(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    counts = _counts(app)
    # VISTA's anonymous peer companies have no accounts; the history's learners, and a manager and a
    # trainer at each demo Cybersite without demo ones, have one each.
    generated = sum(learner_count(row[3]) for row in COMPANIES) + 2 * (len(CYBERSITES) - 1)
    accounts = len(ACCOUNTS) + generated
    assert counts == (len(CYBERSITES), len(COMPANIES) + PEER_COUNT, accounts, accounts)
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert _counts(app) == counts
    assert DEMO_PASSWORD in first.output
    for account in ACCOUNTS:
        assert account.email in first.output
        client = app.test_client()
        sign_in(client, account.email, DEMO_PASSWORD)
        assert account.display_name in client.get("/").get_data(as_text=True)
    with app.app_context():
        roles = {g.role for g in db.session.scalars(select(RoleGrant))}
    assert roles == set(Role)


def test_demo_load_puts_the_demo_learners_in_a_cohort_following_every_course(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    output = runner.invoke(args=["demo", "load"]).output
    assert "Demo cohort: Promotion printemps 2026" in output
    with app.app_context():
        cohort = db.session.scalar(
            select(Cohort)
            .where(Cohort.name == "Promotion printemps 2026")
            .join(Cybersite)
            .where(Cybersite.town == "Clermont-Ferrand")
        )
        followed = len(cohort.courses)
        members = {
            m.user.email
            for m in db.session.scalars(select(CohortMember).where(CohortMember.cohort_id == cohort.id))
            if m.user.email.endswith("@demo.cybermassif.fr")
        }
        courses = db.session.scalar(select(func.count()).select_from(Course))
        enrolled = db.session.scalars(
            select(Enrolment.course_id)
            .join(User, User.id == Enrolment.user_id)
            .where(User.email == "apprenant@demo.cybermassif.fr", Enrolment.cohort_id == cohort.id)
        ).all()
    # Loading twice made one such cohort (the history adds others: see tests/test_demo_history.py).
    with app.app_context():
        same = db.session.scalar(
            select(func.count())
            .select_from(Cohort)
            .join(Cybersite)
            .where(Cohort.name == "Promotion printemps 2026", Cybersite.town == "Clermont-Ferrand")
        )
    assert same == 1
    assert members == {"apprenant@demo.cybermassif.fr", "learner@demo.cybermassif.fr"}
    assert followed == courses == len(enrolled) >= 4


def test_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "Chef@Example.FR",
            "--name",
            "Chef",
            "--password",
            "a-long-secret",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "chef@example.fr"))
        assert [g.role for g in user.roles] == [Role.NETWORK_ADMIN]
    client = app.test_client()
    sign_in(client, "chef@example.fr", "a-long-secret")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not-an-address", "--name", "X", "--password", "a-long-secret"], "--email"),
        (["--email", "x@example.fr", "--name", "X", "--password", "short"], "--password"),
        (["--email", "x@example.fr", "--name", "X", "--password", "12345678901"], "--password"),
        (["--email", "x@example.fr", "--name", " ", "--password", "a-long-secret"], "--name"),
    ],
)
def test_create_admin_refuses_bad_input(app, args, message):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert _counts(app)[2] == 0


@pytest.mark.slow
def test_console_entry_offers_the_same_commands():
    entry = shutil.which("cybermassif", path=str(Path(sys.executable).parent))
    assert entry, "the cybermassif console entry is installed with the package"
    listing = subprocess.run([entry, "--help"], capture_output=True, text=True, timeout=60, check=True).stdout
    for command in ("db", "users", "demo"):
        assert command in listing
