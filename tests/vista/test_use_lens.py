"""The "use" lens inputs (app.vista.queries): staff who completed a course tagged with a dimension, their
mean passed grade and the recency of their completions, moved by the real progress recording path, for
any number of companies in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.core.extensions import db
from app.progress.models import CourseProgress
from app.vista import queries, scores
from app.vista.models import DIMENSIONS, Assessment, CompanyScore
from app.vista.scoring import UseFigures
from tests.progress import conftest as progress_fixtures
from tests.runtime.olx_helpers import write_course
from tests.vista import report_fixtures
from tests.vista.report_fixtures import tagged_policy, worked_example_answers

# The progress package's fixtures: a course imported from OLX, a learner working through it for real.
probe_block_type = progress_fixtures.probe_block_type
progress_course = progress_fixtures.progress_course
learner_in = progress_fixtures.learner_in
enrolled_learner = progress_fixtures.enrolled_learner
questionnaire = report_fixtures.questionnaire
submit = report_fixtures.submit


def complete(learner, grade=1.0):
    for unit in ("u1", "u2", "u3", "u4"):
        learner.view(unit)
    for probe in ("p1", "p2", "p3"):
        assert learner.report(probe, grade=grade, max=1.0, completion=1.0).status_code == 200


def figures(app, company_ids, now=None):
    with app.app_context():
        return queries.use_figures(db.session, company_ids, now=now)


def test_use_lens_moves_when_staff_complete_a_tagged_course(
    app, progress_course, enrolled_learner, make_company
):
    tagged = progress_course(number="TAG", extra_files=tagged_policy({"D3": 1.0, "D4": 2.0}))
    untagged = progress_course(number="UNT")
    company, other = make_company(), make_company()
    assert figures(app, [company.id, other.id]) == {}
    user, learner = enrolled_learner(tagged, company=company)
    learner.view("u1")
    assert figures(app, [company.id]) == {}  # started is not completed
    complete(learner)
    found = figures(app, [company.id, other.id])
    assert found == {
        company.id: {"D3": UseFigures(1, 1.0, 1.0), "D4": UseFigures(1, 1.0, 1.0)},
    }
    # A second learner, completing with a lower grade; a learner of another company; an untagged course.
    _second, second = enrolled_learner(tagged, company=company)
    complete(second, grade=0.5)
    _third, third = enrolled_learner(tagged, company=other)
    complete(third)
    _u, fourth = enrolled_learner(untagged, company=company)
    complete(fourth)
    found = figures(app, [company.id, other.id])
    assert found[company.id]["D3"] == UseFigures(2, pytest.approx(0.75), 1.0)
    assert found[other.id] == {"D3": UseFigures(1, 1.0, 1.0), "D4": UseFigures(1, 1.0, 1.0)}
    # A completion 13 months ago is not recent; a learner's second role in the company counts once.
    with app.app_context():
        db.session.execute(
            update(CourseProgress)
            .where(CourseProgress.user_id == user.id)
            .values(completed_at=datetime.now(UTC) - timedelta(days=400))
        )
        db.session.commit()
    assert figures(app, [company.id])[company.id]["D3"].recency == pytest.approx(0.5)


def test_a_deactivated_learner_no_longer_counts(app, progress_course, enrolled_learner, make_company):
    tagged = progress_course(number="TAG", extra_files=tagged_policy({"D2": 1.0}))
    company = make_company()
    user, learner = enrolled_learner(tagged, company=company)
    complete(learner)
    assert figures(app, [company.id])[company.id]["D2"].completers == 1
    with app.app_context():
        db.session.get(type(user), user.id).active = False
        db.session.commit()
    assert figures(app, [company.id]) == {}


def test_figures_cost_the_same_queries_for_one_or_many_companies(
    app, progress_course, enrolled_learner, make_company, count_statements
):
    tagged = progress_course(number="TAG", extra_files=tagged_policy({"D1": 1.0}))
    companies = [make_company() for _ in range(6)]
    for company in companies:
        _user, learner = enrolled_learner(tagged, company=company)
        complete(learner)
    with app.app_context():
        one, few = count_statements(lambda: queries.use_figures(db.session, [companies[0].id]))
        many, lots = count_statements(lambda: queries.use_figures(db.session, [c.id for c in companies]))
    assert len(one) == 1 and len(many) == 6
    assert len(few) == len(lots) == 2, (few, lots)
    assert all(many[c.id]["D1"].completers == 1 for c in companies)


# Stored scores ---------------------------------------------------------------------------------------------


def stored(app, company_id):
    with app.app_context():
        rows = db.session.scalars(select(CompanyScore).where(CompanyScore.company_id == company_id)).all()
        return {r.dimension: (r.adoption, r.use, r.impact, r.score) for r in rows}


def test_recompute_stores_the_latest_wave_and_progress_keeps_it_fresh(
    app, progress_course, enrolled_learner, make_company, submit
):
    tagged = progress_course(number="TAG", extra_files=tagged_policy({"D3": 1.0}))
    company, untouched = make_company(headcount=20), make_company()
    submit(
        company,
        {"D3A1": 0, "D3A2": 0, "D3A3": 0, "D3A4": 0},
        wave="T0",
        submitted_at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    submit(company, worked_example_answers(), wave="T1")
    with app.app_context():
        result = scores.recompute(db.session, [company.id, untouched.id])
        db.session.commit()
    assert set(result) == {company.id}
    rows = stored(app, company.id)
    assert set(rows) == {*DIMENSIONS, None}
    # Nobody trained yet: U = 0, U* = 0.2 · 50; M = 0.5 · 75 + 0.3 · 10 + 0.2 · 62.5.
    assert rows["D3"] == pytest.approx((75, 10, 62.5, 37.5 + 3 + 12.5))
    # Nothing answered in D1 and nobody trained for it: its use is 0 (the declared headcount is known).
    assert rows["D1"] == (None, 0, None, 0)
    assert rows[None][3] == pytest.approx(53 / 6)
    assert stored(app, untouched.id) == {}
    # A learner of the company completes the tagged course: the stored D3 use moves in that transaction.
    _user, learner = enrolled_learner(tagged, company=company)
    complete(learner)
    use = 100 * (0.5 * 1 / 20 + 0.3 * 1 + 0.2 * 1)
    assert stored(app, company.id)["D3"][1] == pytest.approx(0.8 * use + 0.2 * 50)
    # A learner of a company never assessed moves nothing (and stores nothing).
    _other, other = enrolled_learner(tagged, company=untouched)
    complete(other)
    assert stored(app, untouched.id) == {}


def test_recompute_costs_the_same_statements_for_one_or_many_companies(
    app, make_company, submit, count_statements
):
    companies = [make_company() for _ in range(5)]
    for company in companies:
        submit(company, worked_example_answers())
    with app.app_context():
        _r, one = count_statements(lambda: scores.recompute(db.session, [companies[0].id]))
        _r, many = count_statements(lambda: scores.recompute(db.session, [c.id for c in companies]))
        db.session.commit()
    # Assessments, answers, completions; then the rows replaced (no completion: no course tags to read).
    assert len(one) == len(many) == 5, many
    assert all(stored(app, c.id)["D3"][0] == pytest.approx(75) for c in companies)


def test_a_new_version_of_a_course_with_other_tags_moves_the_stored_scores(
    app, progress_course, enrolled_learner, make_company, submit
):
    tagged = progress_course(number="TAG", extra_files=tagged_policy({"D3": 1.0}))
    company = make_company(headcount=20)
    submit(company, worked_example_answers())
    _user, learner = enrolled_learner(tagged, company=company)
    complete(learner)
    assert stored(app, company.id)["D3"][1] > 10
    # The course is re-imported tagged D4 instead: the rebuild in the import's transaction rescored it.
    write_course(tagged.root, tagged_policy({"D4": 1.0}))
    progress_fixtures.reimport(app, tagged, tagged.spec)
    rows = stored(app, company.id)
    assert rows["D3"][1] == pytest.approx(0.2 * 50)
    assert rows["D4"][1] == pytest.approx(100 * (0.5 / 20 + 0.3 + 0.2))


def test_progress_in_an_untagged_course_costs_no_vista_statement(
    app, progress_course, enrolled_learner, make_company, submit, count_statements
):
    tagged = progress_course(number="TAG", extra_files=tagged_policy({"D3": 1.0}))
    untagged = progress_course(number="UNT")
    company = make_company(headcount=20)
    submit(company, worked_example_answers())
    with app.app_context():
        scores.recompute(db.session, [company.id])
        db.session.commit()
    before = stored(app, company.id)
    _u, plain = enrolled_learner(untagged, company=company)
    _r, statements = count_statements(lambda: plain.view("u1"))
    assert not [s for s in statements if "vista_" in s], statements
    assert stored(app, company.id) == before
    # The same view in a tagged course asks whether the learner's company is assessed (and rescoring).
    _t, learner = enrolled_learner(tagged, company=company)
    _r, statements = count_statements(lambda: learner.view("u1"))
    assert [s for s in statements if "FROM vista_assessment" in s], statements


def _stale_draft(app, company_id):
    """Turn a company's submitted assessment back into a draft (its stored scores are now stale)."""
    with app.app_context():
        db.session.execute(
            update(Assessment).where(Assessment.company_id == company_id).values(status="draft", wave=None)
        )
        db.session.commit()


def test_recompute_all_scores_every_assessed_company_a_few_statements_a_batch(
    app, make_company, submit, count_statements
):
    companies = [make_company(headcount=10 + n) for n in range(5)]
    for n, company in enumerate(companies):
        submit(company, {**worked_example_answers(), "D3A4": n % 2})
    gone, never = make_company(), make_company()
    submit(gone, worked_example_answers())
    with app.app_context():
        scores.recompute(db.session, [gone.id])
        db.session.commit()
    _stale_draft(app, gone.id)
    with app.app_context():
        expected = {c.id: scores.recompute(db.session, [c.id]) for c in companies}
        db.session.rollback()
        counted, statements = count_statements(lambda: scores.recompute_all(db.session, batch=2))
        db.session.commit()
    assert counted == 5
    # Stale scores dropped, the companies' ids; then 5 statements for each batch of 2 companies.
    assert len(statements) == 2 + 3 * 5, statements
    for company in companies:
        result = expected[company.id][company.id].result
        rows = stored(app, company.id)
        assert rows["D3"] == pytest.approx(
            tuple(getattr(result.dimensions["D3"], f) for f in ("adoption", "use", "impact", "score"))
        )
        assert rows[None][3] == pytest.approx(result.overall)
    assert stored(app, gone.id) == {} and stored(app, never.id) == {}
    with app.app_context():
        _n, one_batch = count_statements(lambda: scores.recompute_all(db.session))
        db.session.rollback()
    assert len(one_batch) == 2 + 5


def test_the_cli_recomputes_every_company_and_commits(app, make_company, submit):
    companies = [make_company() for _ in range(3)]
    for company in companies:
        submit(company, worked_example_answers())
    result = app.test_cli_runner().invoke(args=["vista", "recompute-scores"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Recomputed the scores of 3 companies in ")
    assert all(stored(app, c.id)["D3"][0] == pytest.approx(75) for c in companies)
