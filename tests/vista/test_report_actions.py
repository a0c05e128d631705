"""What a company manager does from the VISTA report, through the routes they use: each dimension's
largest gaps, the courses that train for it, a one-click training request that reaches the Cybersite's
managers (mail and VISTA page) and that they mark as handled, the trends of every wave, and the report as a
PDF — with foreign, malformed and hostile requests refused and nothing changed."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.accounts.models import Cybersite, Role
from app.core.extensions import db
from app.core.mail import OutboxMessage
from app.courses.models import Enrolment
from app.vista.models import TrainingRequest
from tests.conftest import csrf_token, sign_in
from tests.progress import conftest as progress_fixtures
from tests.vista import report_fixtures
from tests.vista.report_fixtures import tagged_policy
from tests.vista.test_report import _progress, first_answers, latest_answers

probe_block_type = progress_fixtures.probe_block_type
progress_course = progress_fixtures.progress_course
questionnaire = report_fixtures.questionnaire
submit = report_fixtures.submit

EN = {"Accept-Language": "en"}
JSON = "/api/vista/companies/{}/report"
PAGE = "/vista/entreprises/{}/rapport"
PDF = "/vista/entreprises/{}/rapport.pdf"
ASK = "/vista/entreprises/{}/formations/{}/demande"
HANDLE = "/vista/demandes/{}/traitee"


@pytest.fixture
def assessed(make_company, submit):
    company = make_company(headcount=20)
    submit(company, first_answers(), wave="T0", submitted_at=datetime.now(UTC) - timedelta(days=200))
    submit(company, latest_answers(), wave="T1")
    return company


@pytest.fixture
def tagged(progress_course):
    """A published course that trains for D3 (and a little D2)."""
    return progress_course(
        number="TAG", title="Gérer ses données", extra_files=tagged_policy({"D3": 1.0, "D2": 0.5})
    )


@pytest.fixture
def people(app, assessed, make_user):
    with app.app_context():
        site = db.session.get(Cybersite, assessed.cybersite_id)
    return {
        "manager": make_user(roles=[(Role.COMPANY_MANAGER, assessed)], language="en"),
        "site_manager": make_user(roles=[(Role.CYBERSITE_MANAGER, site)], language="fr"),
        "admin": make_user(roles=[(Role.NETWORK_ADMIN, None)]),
    }


def client_for(app, user):
    client = app.test_client()
    sign_in(client, user.email)
    return client


def post_form(client, url, form, page):
    token = csrf_token(client, page)
    return client.post(url, data={"csrf_token": token, **form}, headers=EN)


def requests_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(TrainingRequest))


def mails_to(app, email):
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)))


def test_each_dimension_shows_its_three_largest_weighted_gaps(app, assessed, people):
    data = client_for(app, people["manager"]).get(JSON.format(assessed.id)).get_json()
    by = {d["dimension"]: d for d in data["dimensions"]}
    # D3: tick D3A4 not done (shortfall 1), self-rating 3 of 5 and impact 3 of 5 (0.5 each, in the
    # questionnaire's order), impact 4 of 5 (0.25) left out as the fourth.
    assert [(g["code"], g["lens"], g["achieved"]) for g in by["D3"]["gaps"]] == [
        ("D3A4", "A", 0.0),
        ("D3U1", "U", 0.5),
        ("D3I2", "I", 0.5),
    ]
    assert by["D1"]["gaps"] == []  # every answer at its best
    # D5: three items "not relevant" are never gaps; its other answers are at their best.
    assert by["D5"]["gaps"] == []


def test_the_trend_gives_every_wave_scored_as_of_its_submission(app, assessed, people):
    data = client_for(app, people["manager"]).get(JSON.format(assessed.id)).get_json()
    assert [p["wave"] for p in data["trend"]] == ["T0", "T1"]
    assert data["trend"][0]["overall"] == pytest.approx(0)
    assert data["trend"][1]["overall"] == pytest.approx(70.2)
    assert data["trend"][1]["dimensions"]["D3"] == pytest.approx(53)
    assert data["trend"][1]["dimensions"]["D5"] is None  # insufficient data
    page = client_for(app, people["manager"]).get(PAGE.format(assessed.id), headers=EN).get_data(as_text=True)
    assert "Trends across waves" in page and "<strong>70.2</strong>" in page


def test_the_catalogue_courses_of_a_dimension_count_the_staff_who_completed_them(
    app, assessed, people, tagged, make_user
):
    learner = make_user(roles=[(Role.LEARNER, assessed)])
    with app.app_context():
        db.session.add(Enrolment(user_id=learner.id, course_id=tagged.course_id))
        db.session.add(_progress(learner.id, tagged, datetime.now(UTC)))
        db.session.commit()
    data = client_for(app, people["manager"]).get(JSON.format(assessed.id)).get_json()
    by = {d["dimension"]: d for d in data["dimensions"]}
    assert [(c["course_key"], c["weight"], c["staff_completed"]) for c in by["D3"]["courses"]] == [
        (tagged.course_key, 1.0, 1)
    ]
    assert [c["weight"] for c in by["D2"]["courses"]] == [0.5]
    assert by["D1"]["courses"] == []
    page = client_for(app, people["manager"]).get(PAGE.format(assessed.id), headers=EN).get_data(as_text=True)
    assert "Gérer ses données" in page and "1 of your staff completed it" in page
    assert "Ask my Cybersite to enrol my staff" in page
    assert "The catalogue has no course for this dimension yet." in page


def test_a_request_reaches_the_cybersite_managers_and_is_handled_there(app, assessed, people, tagged):
    manager, site_manager = people["manager"], people["site_manager"]
    client = client_for(app, manager)
    url = ASK.format(assessed.id, tagged.course_id)
    response = post_form(client, url, {"dimension": "D3"}, PAGE.format(assessed.id))
    assert response.status_code == 302 and response.headers["Location"].endswith("#dimension-D3")
    page = client.get(PAGE.format(assessed.id), headers=EN).get_data(as_text=True)
    assert "Your request has been sent to your Cybersite" in page and "Requested on" in page
    mails = mails_to(app, site_manager.email)
    assert len(mails) == 1 and "Demande de formation" in mails[0].subject  # in the manager's language
    assert (
        "Gérer ses données" in mails[0].body and f"/vista/cybersites/{assessed.cybersite_id}" in mails[0].body
    )
    # Asking again while it is open changes nothing and sends nothing.
    again = post_form(client, url, {"dimension": "D3"}, PAGE.format(assessed.id))
    assert (
        again.status_code == 302 and requests_count(app) == 1 and len(mails_to(app, site_manager.email)) == 1
    )
    assert "already been requested" in client.get(PAGE.format(assessed.id), headers=EN).get_data(as_text=True)
    # The Cybersite's VISTA page lists it; its manager marks it handled.
    site_client = client_for(app, site_manager)
    site_page = f"/vista/cybersites/{assessed.cybersite_id}"
    listed = site_client.get(site_page).get_data(as_text=True)  # the site manager reads French
    assert "Demandes de formation" in listed and "Gérer ses données" in listed
    assert manager.display_name in listed
    with app.app_context():
        request_id = db.session.scalar(select(TrainingRequest.id))
    done = post_form(site_client, HANDLE.format(request_id), {}, site_page)
    assert done.status_code == 302
    with app.app_context():
        row = db.session.get(TrainingRequest, request_id)
        assert row.handled_at is not None and row.handled_by_id == site_manager.id
    after = site_client.get(site_page).get_data(as_text=True)
    assert "Aucune demande de formation en cours." in after and "Marquer comme traitée" not in after
    # Once handled, the company may ask again: the same row opens again, and the managers are told again.
    reopened = post_form(client, url, {"dimension": "D3"}, PAGE.format(assessed.id))
    assert reopened.status_code == 302 and requests_count(app) == 1
    with app.app_context():
        assert db.session.get(TrainingRequest, request_id).handled_at is None
    assert len(mails_to(app, site_manager.email)) == 2


@pytest.mark.parametrize(
    ("who", "status"), [("site_manager", 403), ("admin", 403), ("learner", 404), ("other_manager", 404)]
)
def test_only_the_company_managers_may_ask(
    app, assessed, people, tagged, make_user, make_company, who, status
):
    users = {
        **people,
        "learner": make_user(roles=[(Role.LEARNER, assessed)]),
        "other_manager": make_user(roles=[(Role.COMPANY_MANAGER, make_company())]),
    }
    client = client_for(app, users[who])
    page = "/" if who in {"learner", "other_manager"} else PAGE.format(assessed.id)
    response = post_form(client, ASK.format(assessed.id, tagged.course_id), {"dimension": "D3"}, page)
    assert response.status_code == status
    assert requests_count(app) == 0 and mails_to(app, people["site_manager"].email) == []


@pytest.mark.parametrize(
    ("course", "form", "status", "message"),
    [
        ("tagged", {"dimension": "D9"}, 400, "Unknown dimension."),
        ("tagged", {}, 400, "Unknown dimension."),
        ("tagged", {"dimension": "<script>alert(1)</script>" * 50}, 400, "Unknown dimension."),
        ("tagged", {"dimension": "D1"}, 404, "not one of the catalogue"),  # not tagged with D1
        ("untagged", {"dimension": "D3"}, 404, "not one of the catalogue"),
        ("missing", {"dimension": "D3"}, 404, "not one of the catalogue"),
    ],
)
def test_bad_requests_are_refused_with_a_message(
    app, assessed, people, tagged, progress_course, course, form, status, message
):
    untagged = progress_course(number="PLAIN")
    course_id = {"tagged": tagged.course_id, "untagged": untagged.course_id, "missing": 999999}[course]
    client = client_for(app, people["manager"])
    response = post_form(client, ASK.format(assessed.id, course_id), form, PAGE.format(assessed.id))
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert "<script>alert(1)" not in response.get_data(as_text=True)
    assert requests_count(app) == 0


@pytest.mark.parametrize(
    "path", [ASK.format(2**40, 1), ASK.format(1, 2**40), HANDLE.format(2**40), HANDLE.format(0)]
)
def test_ids_out_of_range_are_404(app, people, path):
    client = client_for(app, people["manager"])
    assert post_form(client, path, {"dimension": "D3"}, "/").status_code == 404


def test_a_request_without_csrf_token_is_refused(app, assessed, people, tagged):
    client = client_for(app, people["manager"])
    response = client.post(ASK.format(assessed.id, tagged.course_id), data={"dimension": "D3"})
    assert response.status_code == 400 and requests_count(app) == 0


def test_another_cybersite_cannot_handle_a_request(app, assessed, people, tagged, make_user, make_cybersite):
    post_form(
        client_for(app, people["manager"]),
        ASK.format(assessed.id, tagged.course_id),
        {"dimension": "D3"},
        PAGE.format(assessed.id),
    )
    with app.app_context():
        request_id = db.session.scalar(select(TrainingRequest.id))
    for stranger in (
        make_user(roles=[(Role.CYBERSITE_MANAGER, make_cybersite())]),
        people["manager"],
        make_user(roles=[(Role.LEARNER, assessed)]),
    ):
        client = client_for(app, stranger)
        assert post_form(client, HANDLE.format(request_id), {}, "/").status_code == 404
    with app.app_context():
        assert db.session.get(TrainingRequest, request_id).handled_at is None
    # The network's administrator may close it.
    assert post_form(client_for(app, people["admin"]), HANDLE.format(request_id), {}, "/").status_code == 302


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_report_downloads_as_a_pdf_with_its_figures(app, assessed, people, tagged):
    response = client_for(app, people["manager"]).get(PDF.format(assessed.id), headers=EN)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="vista-{assessed.id}-T1.pdf"'
    text = _pdf_text(response.data)
    assert assessed.legal_name in text
    assert "Overall score: 70.2 / 100" in text and "Change since wave T0: +70.2" in text
    assert "Largest gaps" in text and "Question D3A4" in text
    assert "Gérer ses données" in text  # the course tagged D3
    assert "Trends across waves" in text and "T0" in text
    assert "Question F_HOURS (hours a week)" in text
    page = client_for(app, people["manager"]).get(PAGE.format(assessed.id), headers=EN).get_data(as_text=True)
    assert f'href="/vista/entreprises/{assessed.id}/rapport.pdf"' in page


def test_the_pdf_is_in_the_reader_language(app, assessed, people):
    response = client_for(app, people["site_manager"]).get(PDF.format(assessed.id))
    text = _pdf_text(response.data)
    assert "Score global" in text and "Données insuffisantes" in text


def test_there_is_no_pdf_before_a_first_wave(app, make_company, make_user):
    company = make_company()
    manager = make_user(roles=[(Role.COMPANY_MANAGER, company)])
    assert client_for(app, manager).get(PDF.format(company.id)).status_code == 404


def test_the_cybersite_manager_sees_no_request_button(app, assessed, people, tagged):
    page = (
        client_for(app, people["site_manager"])
        .get(PAGE.format(assessed.id), headers=EN)
        .get_data(as_text=True)
    )
    assert "Gérer ses données" in page and "/demande" not in page


def test_cybersite_managers_and_administrators_find_vista_from_the_menu(
    app, assessed, people, tagged, make_user, make_cybersite
):
    """The menu leads Cybersite managers to their Cybersites' VISTA page (with its open requests) and
    administrators to every Cybersite's and to the observatory; a learner sees no VISTA entry."""
    other_site = make_cybersite(name="Cybersite d’ailleurs")
    post_form(
        client_for(app, people["manager"]),
        ASK.format(assessed.id, tagged.course_id),
        {"dimension": "D3"},
        PAGE.format(assessed.id),
    )
    site_client = client_for(app, people["site_manager"])
    home = site_client.get("/").get_data(as_text=True)
    assert 'href="/vista/"' in home
    index = site_client.get("/vista/").get_data(as_text=True)
    assert f'href="/vista/cybersites/{assessed.cybersite_id}"' in index
    assert "1 demande de formation en cours" in index
    assert f"/vista/cybersites/{other_site.id}" not in index and "/vista/observatoire" not in index
    assert "Vous ne répondez à VISTA pour aucune entreprise" not in index
    admin_index = client_for(app, people["admin"]).get("/vista/", headers=EN).get_data(as_text=True)
    assert f"/vista/cybersites/{other_site.id}" in admin_index and 'href="/vista/observatoire"' in admin_index
    learner = make_user(roles=[(Role.LEARNER, assessed)])
    assert 'href="/vista/"' not in client_for(app, learner).get("/").get_data(as_text=True)
