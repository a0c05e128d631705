"""Answering VISTA through its pages: a company manager answers page by page (the draft kept across
sign-outs), reviews, submits a wave and reads the report; delegated staff answer too; every kind of bad
input is refused with a clear message, a 4xx and nothing written."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.core.extensions import db
from app.vista.models import Answer, Assessment, CompanyScore, Delegation, QuestionnaireVersion, Status
from tests.conftest import csrf_token, sign_in
from tests.vista import report_fixtures

questionnaire = report_fixtures.questionnaire
EN = {"Accept-Language": "en"}
DIMENSIONS = ("D1", "D2", "D3", "D4", "D5", "D6")


@pytest.fixture
def people(app, make_cybersite, make_company, make_user, questionnaire):
    site = make_cybersite()
    company = make_company(cybersite=site, legal_name="Menuiserie Martin")
    foreign = make_company(legal_name="Scierie Étrangère")
    return {
        "company": company,
        "foreign": foreign,
        "manager": make_user(roles=[(Role.COMPANY_MANAGER, company)]),
        "manager_en": make_user(roles=[(Role.COMPANY_MANAGER, company)], language="en"),
        "learner": make_user(roles=[(Role.LEARNER, company)], email="lea@menuiserie.example"),
        "site_manager": make_user(roles=[(Role.CYBERSITE_MANAGER, site)]),
        "admin": make_user(roles=[(Role.NETWORK_ADMIN, None)]),
        "foreign_manager": make_user(roles=[(Role.COMPANY_MANAGER, foreign)]),
    }


def _client(app, user, headers=None):
    client = app.test_client()
    sign_in(client, user.email)
    return client


def _page_url(company, position):
    return f"/vista/entreprises/{company.id}/questionnaire/{position}"


def _post(client, url, data, token=True):
    form = dict(data)
    if token:
        form["csrf_token"] = csrf_token(client, "/vista/")
    return client.post(url, data=form)


def _dimension_answers(d, ticks=3, agree="4"):
    found = {f"{d}A{i + 1}": "1" if i < ticks else "0" for i in range(4)}
    found |= {f"{d}U1": agree, f"{d}I1": agree, f"{d}I2": "3"}
    return found


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _answer_everything(client, company):
    for position, d in enumerate(DIMENSIONS):
        response = _post(client, _page_url(company, position), {**_dimension_answers(d), "action": "next"})
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    response = _post(client, _page_url(company, 9), {"F_HOURS": "4,5", "F_INCIDENTS": "0", "action": "next"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/relecture")


def test_a_manager_answers_page_by_page_keeps_the_draft_and_submits(app, people):
    company, manager = people["company"], people["manager"]
    client = _client(app, manager)
    home = client.get("/vista/").get_data(as_text=True)
    assert "Menuiserie Martin" in home and "Répondre à VISTA" in home
    start = client.get(f"/vista/entreprises/{company.id}/questionnaire").get_data(as_text=True)
    assert "0 sur 7 répondues" in start or "0 sur 7" in start
    page = client.get(_page_url(company, 0)).get_data(as_text=True)
    assert "Page 1 sur 7" in page and "<fieldset" in page and "<legend>" in page
    assert "Pas concerné par mon activité" in page  # the adoption ticks allow it
    response = _post(
        client, _page_url(company, 0), {**_dimension_answers("D1"), "D1A4": "nr", "action": "stay"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/questionnaire/0")
    assert _count(app, Answer) == 7
    # Signing out and in again: the draft is kept, the answers shown checked.
    client.get("/compte/deconnexion")
    client = _client(app, manager)
    again = client.get(_page_url(company, 0)).get_data(as_text=True)
    assert re.search(r'name="D1A1" value="1" checked', again) and re.search(
        r'name="D1A4" value="nr" checked', again
    )
    _answer_everything(client, company)
    review = client.get(f"/vista/entreprises/{company.id}/questionnaire/relecture").get_data(as_text=True)
    assert "Non répondue (obligatoire)" not in review and "T0 – avant la formation" in review
    response = _post(client, f"/vista/entreprises/{company.id}/questionnaire/remise", {"wave": "T0"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/vista/entreprises/{company.id}/rapport"
    )
    with app.app_context():
        (assessment,) = db.session.scalars(select(Assessment)).all()
        assert (assessment.status, assessment.wave, assessment.submitted_by_id) == (
            Status.SUBMITTED,
            "T0",
            manager.id,
        )
    assert _count(app, CompanyScore, CompanyScore.company_id == company.id) == 7  # six dimensions and overall
    report = client.get(f"/vista/entreprises/{company.id}/rapport")
    assert report.status_code == 200 and "Rapport VISTA" in report.get_data(as_text=True)


def test_a_delegated_member_of_staff_answers_too(app, people):
    company = people["company"]
    learner_client = _client(app, people["learner"])
    assert learner_client.get(f"/vista/entreprises/{company.id}/questionnaire").status_code == 404
    manager = _client(app, people["manager"])
    response = _post(
        manager, f"/vista/entreprises/{company.id}/delegations", {"email": "LEA@menuiserie.example"}
    )
    assert response.status_code == 302 and _count(app, Delegation) == 1
    assert learner_client.get(f"/vista/entreprises/{company.id}/questionnaire").status_code == 200
    response = _post(learner_client, _page_url(company, 0), {**_dimension_answers("D1"), "action": "next"})
    assert response.status_code == 302
    # A stranger's address, and the learner's own attempt to delegate, are refused.
    stranger = _post(manager, f"/vista/entreprises/{company.id}/delegations", {"email": "x@ailleurs.example"})
    assert stranger.status_code == 400 and "Personne du personnel" in stranger.get_data(as_text=True)
    assert learner_client.get(f"/vista/entreprises/{company.id}/delegations").status_code == 404
    assert _count(app, Delegation) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("D1A1", "3", "Choisissez l’une des réponses proposées."),
        ("D1U1", "0", "Choisissez l’une des réponses proposées."),
        ("D1U1", "nr", "ne peut pas recevoir « pas concerné »"),
        ("D1A2", "<script>", "Choisissez l’une des réponses proposées."),
    ],
)
def test_answers_outside_their_scale_are_refused_and_nothing_is_saved(app, people, field, value, message):
    company = people["company"]
    client = _client(app, people["manager"])
    client.get(f"/vista/entreprises/{company.id}/questionnaire")
    response = _post(
        client, _page_url(company, 0), {**_dimension_answers("D1"), field: value, "action": "next"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page, page[-3000:]
    assert "Vos réponses n’ont pas été enregistrées" in page and "<script>" not in page.split("</header>")[-1]
    assert _count(app, Answer) == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-3", "entre 0 et 1e+09"),
        ("1e400", "Écrivez un nombre"),
        ("beaucoup", "Écrivez un nombre"),
        ("nan", "Écrivez un nombre"),
    ],
)
def test_negative_or_absurd_figures_are_refused(app, people, value, message):
    company = people["company"]
    client = _client(app, people["manager"])
    client.get(f"/vista/entreprises/{company.id}/questionnaire")
    response = _post(client, _page_url(company, 9), {"F_HOURS": value, "F_INCIDENTS": "0"})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _count(app, Answer) == 0


def test_an_unknown_item_code_or_an_oversized_form_is_refused(app, people):
    company = people["company"]
    client = _client(app, people["manager"])
    client.get(f"/vista/entreprises/{company.id}/questionnaire")
    response = _post(client, _page_url(company, 0), {**_dimension_answers("D1"), "D9A1": "1"})
    assert response.status_code == 400 and "pas sur cette page" in response.get_data(as_text=True)
    huge = _post(client, _page_url(company, 0), {**_dimension_answers("D1"), "D1A1": "1" * 5000})
    assert huge.status_code == 400
    assert _count(app, Answer) == 0


def test_required_items_missing_at_submission_are_listed_and_nothing_is_submitted(app, people):
    company = people["company"]
    client = _client(app, people["manager_en"])
    client.get(f"/vista/entreprises/{company.id}/questionnaire")
    _post(client, _page_url(company, 0), _dimension_answers("D1"))
    response = _post(client, f"/vista/entreprises/{company.id}/questionnaire/remise", {"wave": "T0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "required questions are not answered yet" in page
    assert "Not answered (required)" in page
    assert _count(app, Assessment, Assessment.status == Status.SUBMITTED.value) == 0


def test_a_closed_wave_cannot_be_submitted_twice(app, people):
    company = people["company"]
    client = _client(app, people["manager"])
    client.get(f"/vista/entreprises/{company.id}/questionnaire")
    _answer_everything(client, company)
    assert (
        _post(client, f"/vista/entreprises/{company.id}/questionnaire/remise", {"wave": "T0"}).status_code
        == 302
    )
    client.get(f"/vista/entreprises/{company.id}/questionnaire")  # a new draft
    _answer_everything(client, company)
    again = _post(client, f"/vista/entreprises/{company.id}/questionnaire/remise", {"wave": "T0"})
    assert again.status_code == 409 and "La vague T0 a déjà été remise" in again.get_data(as_text=True)
    bogus = _post(client, f"/vista/entreprises/{company.id}/questionnaire/remise", {"wave": "T9"})
    assert bogus.status_code == 400
    assert _count(app, Assessment, Assessment.status == Status.SUBMITTED.value) == 1
    assert (
        _post(client, f"/vista/entreprises/{company.id}/questionnaire/remise", {"wave": "T1"}).status_code
        == 302
    )


def test_a_questionnaire_changed_while_the_draft_was_open(app, people):
    company = people["company"]
    client = _client(app, people["manager"])
    client.get(f"/vista/entreprises/{company.id}/questionnaire")
    _answer_everything(client, company)
    with app.app_context():
        old_id = db.session.scalar(select(QuestionnaireVersion.id))
        newer = QuestionnaireVersion(
            code="vista", version="t2", title_fr="V2", title_en="V2", digest="1" * 64
        )
        db.session.add(newer)
        db.session.commit()
    refused = _post(client, f"/vista/entreprises/{company.id}/questionnaire/remise", {"wave": "T0"})
    assert refused.status_code == 409 and "Le questionnaire a changé" in refused.get_data(as_text=True)
    assert _count(app, Assessment, Assessment.status == Status.SUBMITTED.value) == 0
    moved = _post(client, f"/vista/entreprises/{company.id}/questionnaire/mise-a-jour", {})
    assert moved.status_code == 302
    with app.app_context():
        draft = db.session.scalar(select(Assessment))
        assert draft.questionnaire_id != old_id  # on the new version (whose items share no code here)


def test_without_the_csrf_token_nothing_is_saved(app, people):
    company = people["company"]
    client = _client(app, people["manager"])
    client.get(f"/vista/entreprises/{company.id}/questionnaire")
    response = _post(client, _page_url(company, 0), _dimension_answers("D1"), token=False)
    assert response.status_code == 400 and _count(app, Answer) == 0


@pytest.mark.parametrize(
    ("who", "answer", "read"),
    [
        ("manager", 200, 200),
        ("learner", 404, 404),
        ("foreign_manager", 404, 404),
        ("site_manager", 404, 200),
        ("admin", 404, 200),
    ],
)
def test_who_answers_and_who_reads(app, people, who, answer, read):
    company = people["company"]
    client = _client(app, people[who])
    assert client.get(f"/vista/entreprises/{company.id}/questionnaire").status_code == answer
    assert client.get(f"/vista/entreprises/{company.id}/rapport").status_code == read
    assert client.get(f"/vista/entreprises/{company.id}/questionnaire/relecture").status_code in (answer, 302)
    for url in ("/vista/entreprises/999999/questionnaire", "/vista/entreprises/99999999999/questionnaire"):
        assert client.get(url).status_code == 404


def test_visitors_are_sent_to_sign_in(app, people):
    response = app.test_client().get(f"/vista/entreprises/{people['company'].id}/questionnaire")
    assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]


def test_page_and_review_statement_counts_do_not_grow_with_the_answers(app, people, count_statements):
    company = people["company"]
    client = _client(app, people["manager"])
    client.get(f"/vista/entreprises/{company.id}/questionnaire")
    _post(client, _page_url(company, 0), {"D1A1": "1"})
    _, page_few = count_statements(lambda: client.get(_page_url(company, 0)))
    _, review_few = count_statements(
        lambda: client.get(f"/vista/entreprises/{company.id}/questionnaire/relecture")
    )
    _answer_everything(client, company)
    response, page_many = count_statements(lambda: client.get(_page_url(company, 0)))
    assert response.status_code == 200
    _, review_many = count_statements(
        lambda: client.get(f"/vista/entreprises/{company.id}/questionnaire/relecture")
    )
    assert len(page_many) == len(page_few), page_many
    assert len(review_many) == len(review_few), review_many
