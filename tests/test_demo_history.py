"""``demo load``'s history and ``--size``, through Flask's CLI runner and the pages each demo role opens."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.accounts.demo import COMPANIES, CYBERSITES, DEMO_PASSWORD
from app.accounts.models import Company, Cybersite, RoleGrant, User
from app.cohorts.models import Cohort, CohortMember
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.demo.history import HISTORY_END
from app.demo.network import GENERATED_SIRET_PREFIX, MAX_SIZE
from app.forum.models import ForumPost, ForumThread
from app.progress.models import BlockCompletion, Certificate, CourseProgress, ProgressRollup
from app.progress.rollups import rebuild_course
from app.runtime.models import FieldValue
from app.runtime.tree import forget_shared_trees
from app.vista.demo import PEER_COUNT
from app.vista.models import Assessment
from tests.conftest import sign_in

COUNTED = (
    Cybersite,
    Company,
    User,
    RoleGrant,
    Cohort,
    CohortMember,
    Enrolment,
    BlockCompletion,
    ProgressRollup,
    CourseProgress,
    Certificate,
    ForumThread,
    ForumPost,
    FieldValue,
    Assessment,
)


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED
        }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _load(app, *args: str):
    result = app.test_cli_runner().invoke(args=["demo", "load", *args])
    assert result.exit_code == 0, result.output
    return result


def _empty(app) -> None:
    """Every table emptied, as before a first start."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
    forget_shared_trees()


def _rollups(app) -> tuple[list[tuple], list[tuple]]:
    with app.app_context():
        courses = db.session.execute(
            select(
                CourseProgress.user_id,
                CourseProgress.course_key,
                CourseProgress.completed,
                CourseProgress.total,
                CourseProgress.percent,
                CourseProgress.grade,
                CourseProgress.passed,
                CourseProgress.completed_at,
                CourseProgress.started_at,
            ).order_by(CourseProgress.user_id, CourseProgress.course_key)
        ).all()
        containers = db.session.execute(
            select(
                ProgressRollup.user_id,
                ProgressRollup.usage_id,
                ProgressRollup.completed,
                ProgressRollup.total,
                ProgressRollup.earned,
                ProgressRollup.possible,
                ProgressRollup.completed_at,
            ).order_by(ProgressRollup.user_id, ProgressRollup.usage_id)
        ).all()
    return [tuple(r) for r in courses], [tuple(r) for r in containers]


def _export_weeks(client, cohort_id: int) -> list[list[str]]:
    response = client.get(f"/progression/promotions/{cohort_id}/export/semaines.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    if len(rows[0]) == 1:  # a comma-separated export
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return rows[1:]


def test_demo_load_writes_months_of_history_that_the_roll_ups_agree_with(app):
    first = _load(app)
    assert re.search(r"Demo loaded in \d+\.\d s", first.output)
    assert "Demo history: 7 cohort(s)" in first.output
    counts = _counts(app)
    with app.app_context():
        # Two cohorts at each demo Cybersite (Clermont-Ferrand's spring one is the demo cohort).
        sites_with_cohorts = db.session.scalar(select(func.count(func.distinct(Cohort.cybersite_id))))
        assert counts["Cohort"] == 2 * len(CYBERSITES) and sites_with_cohorts == len(CYBERSITES)
        assert counts["CohortMember"] >= 40 and counts["Enrolment"] >= 100
        completions = [
            _aware(moment)
            for moment in db.session.scalars(
                select(CourseProgress.completed_at).where(CourseProgress.completed_at.is_not(None))
            )
        ]
        assert len(completions) >= 40
        assert all(moment <= HISTORY_END for moment in completions)
        months = {(moment.year, moment.month) for moment in completions}
        assert len(months) >= 6, months
        # Learners at different speeds: some finished everything, some are halfway, some have not started.
        percents = list(db.session.scalars(select(CourseProgress.percent)))
        assert any(p == 1.0 for p in percents) and any(0 < p < 0.9 for p in percents)
        started = set(db.session.scalars(select(CourseProgress.user_id)))
        members = set(db.session.scalars(select(CohortMember.user_id)))
        assert started < members
        assert counts["Certificate"] >= 10
        # Quiz and case-study grades, the case answers graded by trainers through staff_grading.
        graded = db.session.execute(
            select(BlockCompletion.block_type, func.count())
            .where(BlockCompletion.earned.is_not(None))
            .group_by(BlockCompletion.block_type)
        ).all()
        assert dict(graded).get("problem", 0) >= 50 and dict(graded).get("case_study", 0) >= 10
        case_grades = db.session.scalars(
            select(BlockCompletion.graded_at).where(BlockCompletion.block_type == "case_study")
        ).all()
        assert all(_aware(moment) <= HISTORY_END for moment in case_grades if moment is not None)
        comments = db.session.scalar(
            select(func.count()).select_from(FieldValue).where(FieldValue.field_name == "staff_comment")
        )
        submitted = db.session.scalar(
            select(func.count()).select_from(FieldValue).where(FieldValue.field_name == "submitted")
        )
        assert 10 <= comments < submitted  # some answers are still waiting for the trainer
        stamps = db.session.scalars(
            select(FieldValue.value).where(FieldValue.field_name.in_(("submitted_at", "staff_graded_at")))
        ).all()
        assert len(stamps) == submitted + comments
        assert all(_aware(datetime.fromisoformat(str(stamp))) <= HISTORY_END for stamp in stamps)
        # Forum threads with replies, dated over the months.
        assert counts["ForumThread"] >= 8 and counts["ForumPost"] >= counts["ForumThread"]
        assert db.session.scalar(select(func.min(ForumThread.reply_count))) >= 1
        thread_days = {_aware(t).date() for t in db.session.scalars(select(ForumThread.created_at))}
        assert len(thread_days) >= 5
        # Some companies answered VISTA's self-assessment.
        assert counts["Assessment"] >= len(COMPANIES)

    # The roll-ups are those a recomputation from the records gives.
    before = _rollups(app)
    with app.app_context():
        for key in db.session.scalars(select(Course.course_key)):
            rebuild_course(db.session, key)
        db.session.commit()
    assert _rollups(app) == before

    # Loading again changes nothing.
    second = _load(app)
    assert "Demo history: 0 cohort(s), 0 enrolment(s), 0 learner(s)" in second.output
    assert _counts(app) == counts


def test_every_demo_role_sees_figures_on_its_dashboards(app):
    _load(app)
    with app.app_context():
        clermont = db.session.scalar(select(Cybersite).where(Cybersite.town == "Clermont-Ferrand"))
        spring = db.session.scalar(
            select(Cohort).where(
                Cohort.cybersite_id == clermont.id, Cohort.name == "Promotion printemps 2026"
            )
        )
        bakery = db.session.scalar(select(Company).where(Company.siret == "41295260181596"))
        course_key = db.session.scalar(select(Course.course_key).where(Course.course_key.like("%CYBER%")))
        ids = (clermont.id, spring.id, bakery.id)

    def signed_in(email: str):
        client = app.test_client()
        sign_in(client, email, DEMO_PASSWORD)
        return client

    # The Cybersite manager: the cohort's completions over time have points on several weeks.
    manager = signed_in("responsable.clermont@demo.cybermassif.fr")
    page = manager.get(f"/progression/promotions/{ids[1]}").get_data(as_text=True)
    assert "completions-chart" in page
    weeks = _export_weeks(manager, ids[1])
    assert len([row for row in weeks if int(row[1]) > 0]) >= 3
    assert int(weeks[-1][2]) >= 10
    site_page = manager.get(f"/progression/cybersites/{ids[0]}")
    assert site_page.status_code == 200 and "Promotion automne 2026" in site_page.get_data(as_text=True)

    # The company manager: their staff, with their progress.
    boss = signed_in("gerant@demo.cybermassif.fr")
    staff_page = boss.get(f"/progression/entreprises/{ids[2]}").get_data(as_text=True)
    with app.app_context():
        names = db.session.scalars(
            select(User.display_name)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.company_id == ids[2], User.email.like("%@apprenants.demo.cybermassif.fr"))
        ).all()
    assert names and all(name in staff_page for name in names)
    assert re.search(r"[1-9]\d?\s?%", staff_page)

    # The trainer: their course's funnel counts learners at each step.
    trainer = signed_in("formateur@demo.cybermassif.fr")
    funnel = trainer.get(f"/progression/formations/{course_key}")
    assert funnel.status_code == 200
    assert re.search(r"[1-9]\d?\s?%", funnel.get_data(as_text=True))

    # The learner: courses under way with their progress.
    learner = signed_in("apprenant@demo.cybermassif.fr")
    own = learner.get("/progression/").get_data(as_text=True)
    assert re.search(r"[1-9]\d?\s?%", own)

    # The administrator: any Cybersite's figures.
    admin = signed_in("admin@demo.cybermassif.fr")
    with app.app_context():
        other = db.session.scalar(select(Cohort).where(Cohort.cybersite_id != ids[0]).order_by(Cohort.id))
        other_id = other.id
    assert len([row for row in _export_weeks(admin, other_id) if int(row[1]) > 0]) >= 2


def _digest(app) -> list[tuple]:
    with app.app_context():
        progress = db.session.execute(
            select(User.email, CourseProgress.course_key, CourseProgress.completed_at, CourseProgress.grade)
            .join(User, User.id == CourseProgress.user_id)
            .order_by(User.email, CourseProgress.course_key)
        ).all()
        threads = db.session.execute(
            select(ForumThread.title, ForumThread.created_at, ForumThread.reply_count).order_by(
                ForumThread.created_at, ForumThread.title
            )
        ).all()
    return [tuple(r) for r in progress] + [tuple(r) for r in threads]


def test_the_same_seed_writes_the_same_history(app):
    _load(app)
    first = _digest(app)
    _empty(app)
    _load(app)
    assert _digest(app) == first and len(first) > 50


def test_size_multiplies_the_network_and_prints_the_time(app):
    result = _load(app, "--size", "2")
    assert re.search(r"Demo loaded in \d+\.\d s", result.output)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Cybersite)) == 2 * len(CYBERSITES)
        companies = db.session.scalar(select(func.count()).select_from(Company))
        assert companies == 2 * len(COMPANIES) + PEER_COUNT
        assert db.session.scalar(select(func.count()).select_from(Cohort)) == 2 * 2 * len(CYBERSITES)
        started_sites = db.session.scalar(
            select(func.count(func.distinct(Cohort.cybersite_id)))
            .join(Enrolment, Enrolment.cohort_id == Cohort.id)
            .join(CourseProgress, CourseProgress.user_id == Enrolment.user_id)
        )
        assert started_sites == 2 * len(CYBERSITES)
        # Half of the copies' companies answered VISTA too.
        assessed = db.session.scalar(
            select(func.count(func.distinct(Assessment.company_id)))
            .join(Company, Company.id == Assessment.company_id)
            .where(Company.siret.like(f"{GENERATED_SIRET_PREFIX}%"))
        )
        assert assessed == len(COMPANIES) // 2
    counts = _counts(app)
    _load(app, "--size", "2")
    assert _counts(app) == counts


@pytest.mark.parametrize("size", ["0", "-3", str(MAX_SIZE + 1), "1000000000", "ten", "2.5", ""])
def test_size_refuses_bad_input_and_changes_nothing(app, size):
    before = _counts(app)
    result = app.test_cli_runner().invoke(args=["demo", "load", "--size", size])
    assert result.exit_code == 2
    assert "--size" in result.output
    assert _counts(app) == before
