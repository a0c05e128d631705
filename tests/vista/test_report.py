"""The VISTA report of a company (page and JSON): its figures against hand-computed scores, who may read
it, bad input, the page of a company that has submitted nothing, and a fixed number of SQL statements
whatever the number of staff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from app.accounts.models import Cybersite, Role
from app.core.extensions import db
from app.courses.models import Enrolment
from app.progress.models import CourseProgress
from app.vista.models import DIMENSIONS
from tests.conftest import sign_in
from tests.progress import conftest as progress_fixtures
from tests.vista import report_fixtures
from tests.vista.report_fixtures import tagged_policy, worked_example_answers

probe_block_type = progress_fixtures.probe_block_type
progress_course = progress_fixtures.progress_course
questionnaire = report_fixtures.questionnaire
submit = report_fixtures.submit

EN = {"Accept-Language": "en"}
PAGE = "/vista/entreprises/{}/rapport"
JSON = "/api/vista/companies/{}/report"
PDF = "/vista/entreprises/{}/rapport.pdf"
ROUTES = (PAGE, JSON)


def full(d, value=1, proficiency=5, impact=5):
    return {
        **{f"{d}A{i}": value for i in range(1, 5)},
        f"{d}U1": proficiency,
        f"{d}I1": impact,
        f"{d}I2": impact,
    }


def latest_answers():
    """D1, D2, D4 fully positive (M = 76); D3 the worked example (53, untrained); D5 insufficient; D6
    without impact answers (M = (0.5·100 + 0.3·20) / 0.8 = 70)."""
    answers = {**full("D1"), **full("D2"), **full("D4"), **worked_example_answers()}
    answers.update({"D5A1": "NR", "D5A2": "NR", "D5A3": "NR", "D5A4": 1, "D5U1": 5, "D5I1": 5, "D5I2": 5})
    answers.update({**{f"D6A{i}": 1 for i in range(1, 5)}, "D6U1": 5})
    answers.update({"F_HOURS": 6, "F_INCIDENTS": 1})
    return answers


def first_answers():
    answers = {}
    for d in DIMENSIONS:
        answers.update(full(d, value=0, proficiency=1, impact=1))
    answers.update({"F_HOURS": 2})
    return answers


@pytest.fixture
def assessed(make_company, submit):
    """A company with two submitted waves."""
    company = make_company(headcount=20)
    submit(company, first_answers(), wave="T0", submitted_at=datetime.now(UTC) - timedelta(days=200))
    submit(company, latest_answers(), wave="T1")
    return company


def client_for(app: Flask, user):
    client = app.test_client()
    sign_in(client, user.email)
    return client


def test_the_report_shows_scores_changes_notes_and_figures(app, assessed, make_user):
    manager = make_user(roles=[(Role.COMPANY_MANAGER, assessed)], language="en")
    page = client_for(app, manager).get(PAGE.format(assessed.id), headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Overall score: 70.2 / 100" in html
    assert "level: moderately advanced" in html
    assert "Change since wave T0: +70.2" in html
    assert "DMA-comparable score (mean of the adoption scores): 95.0" in html
    assert html.count("Insufficient data") == 2  # D5 only: in the table and on its card
    assert "Lens missing: Impact" in html
    assert "<strong>53.0</strong> (moderately advanced)" in html
    assert "<strong>76.0</strong> (advanced)" in html
    assert "Question F_HOURS (hours a week)</th><td>6.0</td><td>2.0</td><td>+4.0</td>" in html
    assert "How the score is made" in html


def test_the_json_gives_the_same_data(app, assessed, make_user):
    manager = make_user(roles=[(Role.COMPANY_MANAGER, assessed)], language="en")
    data = client_for(app, manager).get(JSON.format(assessed.id)).get_json()
    assert data["assessment"]["wave"] == "T1" and data["previous_assessment"]["wave"] == "T0"
    assert data["overall"]["score"] == pytest.approx(70.2)
    assert data["overall"]["level"] == "moderately advanced"
    assert data["overall"]["change"] == pytest.approx(70.2)
    assert data["overall"]["dma_comparable"] == pytest.approx(95)
    by = {d["dimension"]: d for d in data["dimensions"]}
    assert by["D3"]["adoption"] == pytest.approx(75) and by["D3"]["use"] == pytest.approx(10)
    assert by["D3"]["impact"] == pytest.approx(62.5) and by["D3"]["score"] == pytest.approx(53)
    assert by["D3"]["coverage"] == 0 and by["D3"]["change"] == pytest.approx(53)
    assert by["D5"]["insufficient_data"] and by["D5"]["score"] is None
    assert by["D6"]["missing_lenses"] == ["I"] and by["D6"]["score"] == pytest.approx(70)
    assert data["weights"] == {"adoption": 0.5, "use": 0.3, "impact": 0.2}
    figures = {f["code"]: f for f in data["figures"]}
    assert (figures["F_HOURS"]["value"], figures["F_HOURS"]["previous"]) == (6, 2)
    assert (figures["F_INCIDENTS"]["value"], figures["F_INCIDENTS"]["previous"]) == (1, None)


def test_the_training_summary_counts_staff_per_course(app, assessed, make_user, progress_course):
    course = progress_course(number="TAG", extra_files=tagged_policy({"D3": 1.0}))
    now = datetime.now(UTC)
    learners = [make_user(roles=[(Role.LEARNER, assessed)]) for _ in range(3)]
    with app.app_context():
        for n, learner in enumerate(learners):
            db.session.add(Enrolment(user_id=learner.id, course_id=course.course_id))
            if n < 2:
                db.session.add(_progress(learner.id, course, now, passed=n == 0))
        db.session.commit()
    manager = make_user(roles=[(Role.COMPANY_MANAGER, assessed)], language="en")
    data = client_for(app, manager).get(JSON.format(assessed.id)).get_json()
    assert data["training"]["courses"] == [
        {
            "course_key": course.course_key,
            "title": "Formation test",
            "enrolled": 3,
            "completed": 2,
            "passed": 1,
        }
    ]
    by = {d["dimension"]: d for d in data["dimensions"]}
    assert by["D3"]["coverage"] == pytest.approx(2 / 20)  # two completers of 20 declared staff


def _progress(user_id, course, now, passed=True):
    return CourseProgress(
        user_id=user_id,
        course_key=course.course_key,
        tree_id=course.tree_id,
        completed=6,
        total=6,
        percent=1.0,
        grade=0.9,
        passed=passed,
        started_at=now,
        last_activity_at=now,
        completed_at=now,
        passed_at=now if passed else None,
        updated_at=now,
    )


@pytest.mark.parametrize("route", [*ROUTES, PDF])
def test_who_may_read_the_report(app, route, assessed, make_company, make_user, make_cybersite):
    other = make_company(cybersite_id=assessed.cybersite_id)
    with app.app_context():
        site = db.session.get(Cybersite, assessed.cybersite_id)
    readers = [
        make_user(roles=[(Role.COMPANY_MANAGER, assessed)]),
        make_user(roles=[(Role.CYBERSITE_MANAGER, site)]),
        make_user(roles=[(Role.NETWORK_ADMIN, None)]),
    ]
    refused = [
        make_user(roles=[(Role.LEARNER, assessed)]),
        make_user(roles=[(Role.COMPANY_MANAGER, other)]),
        make_user(roles=[(Role.CYBERSITE_MANAGER, make_cybersite())]),
        make_user(roles=[(Role.TRAINER, site)]),
        make_user(),
    ]
    for user in readers:
        assert client_for(app, user).get(route.format(assessed.id)).status_code == 200, user.email
    for user in refused:
        response = client_for(app, user).get(route.format(assessed.id))
        assert response.status_code == 404, user.email
        assert b"70.2" not in response.data


def test_anonymous_readers_are_sent_to_sign_in_or_get_404(app, assessed):
    client = app.test_client()
    page = client.get(PAGE.format(assessed.id))
    assert page.status_code == 302 and "/compte/connexion" in page.headers["Location"]
    assert client.get(JSON.format(assessed.id)).status_code == 404


@pytest.mark.parametrize("route", [*ROUTES, PDF])
@pytest.mark.parametrize("company_id", ["0", "999999", str(2**40), "-1", "abc"])
def test_ids_naming_nothing_are_404(app, route, company_id, make_user):
    admin = make_user(roles=[(Role.NETWORK_ADMIN, None)])
    assert client_for(app, admin).get(route.format(company_id)).status_code == 404


def test_a_company_that_submitted_nothing_gets_a_page_saying_so(app, make_company, make_user, submit):
    company = make_company()
    manager = make_user(roles=[(Role.COMPANY_MANAGER, company)], language="en")
    client = client_for(app, manager)
    page = client.get(PAGE.format(company.id), headers=EN)
    assert page.status_code == 200
    assert "has not submitted a VISTA self-assessment yet" in page.get_data(as_text=True)
    data = client.get(JSON.format(company.id)).get_json()
    assert data["assessment"] is None and data["overall"] is None and data["dimensions"] == []


def test_the_report_is_in_french(app, assessed, make_user):
    manager = make_user(roles=[(Role.COMPANY_MANAGER, assessed)], language="fr")
    html = client_for(app, manager).get(PAGE.format(assessed.id)).get_data(as_text=True)
    assert "Score global" in html and "Données insuffisantes" in html
    assert "Question F_HOURS (heures par semaine)" in html


def _staff(app, company, course, count, make_user):
    now = datetime.now(UTC)
    with app.app_context():
        for n in range(count):
            learner = make_user(roles=[(Role.LEARNER, company)])
            db.session.add(Enrolment(user_id=learner.id, course_id=course.course_id))
            db.session.add(_progress(learner.id, course, now, passed=n % 2 == 0))
        db.session.commit()


def test_the_report_costs_the_same_statements_with_2_or_20_staff(
    app, make_company, make_user, submit, progress_course, count_statements
):
    course = progress_course(number="TAG", extra_files=tagged_policy({"D3": 1.0, "D2": 0.5}))
    small, large = make_company(), make_company()
    for company in (small, large):
        submit(company, first_answers(), wave="T0", submitted_at=datetime.now(UTC) - timedelta(days=30))
        submit(company, latest_answers(), wave="T1")
    _staff(app, small, course, 2, make_user)
    _staff(app, large, course, 20, make_user)
    admin = make_user(roles=[(Role.NETWORK_ADMIN, None)])
    client = client_for(app, admin)
    for route in ROUTES:
        counts = []
        for company in (small, large):
            client.get(route.format(company.id))  # warm: the session's user and caches
            response, statements = count_statements(lambda c=company, r=route: client.get(r.format(c.id)))
            assert response.status_code == 200
            counts.append(len(statements))
        # 10 for the report (with the catalogue's tagged courses and the company's training requests),
        # 1 for the network's stored scores its peer figures are computed from.
        assert counts[0] == counts[1] == 11, (route, counts)


def test_the_access_tests_cover_every_report_route(app):
    rules = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("vista_report.")}
    assert rules == {r.replace("{}", "<int:company_id>") for r in (*ROUTES, PDF)}


def test_the_report_draws_the_radar_against_peers_with_their_group(
    app, make_company, make_cybersite, make_user, submit
):
    """Ten similar companies (same sector, size and region): the radar shows the peer band, the page names
    the group, the JSON gives the same statistics; below ten, no peer figure at all."""
    from app.core.extensions import db as database
    from app.vista import scores as stored

    site = make_cybersite()
    companies = [
        make_company(cybersite=site, naf_code="10.71C", headcount=5, departement="63") for _ in range(10)
    ]
    for n, company in enumerate(companies):
        submit(company, {f"D{d}A{i + 1}": 1 if i <= n % 4 else 0 for d in range(1, 7) for i in range(4)})
    with app.app_context():
        stored.recompute(database.session, [c.id for c in companies[:9]])
        database.session.commit()
    admin = client_for(app, make_user(roles=[(Role.NETWORK_ADMIN, None)], language="en"))
    lonely = admin.get(f"/vista/entreprises/{companies[0].id}/rapport").get_data(as_text=True)
    assert "no group: fewer than 10 assessed companies" in lonely and "radar-band" not in lonely
    with app.app_context():
        stored.recompute(database.session, [companies[9].id])
        database.session.commit()
    page = admin.get(f"/vista/entreprises/{companies[0].id}/rapport").get_data(as_text=True)
    assert "Peer group: same sector, same size, same region (10 companies)." in page
    assert 'class="radar-band"' in page and 'class="radar-company"' in page and "<title" in page
    data = admin.get(f"/api/vista/companies/{companies[0].id}/report").get_json()
    assert data["peers"]["group"] == "sector_size_region" and data["peers"]["group_size"] == 10
    assert (
        data["peers"]["dimensions"]["D1"]["count"] == 10
        and data["peers"]["dimensions"]["D1"]["median"] is not None
    )
