"""Trainers grade with the rubric: the staff grade is the learner's and overrides the self score; a
required staff step holds the grade until a trainer gives it; another Cybersite's trainer is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from app.accounts.models import Role
from app.core.extensions import db
from app.courses.models import Enrolment
from app.runtime.models import FieldValue
from plugins.openassessment.block import STAFF_PAGE
from tests.plugins.openassessment.conftest import completion_row, ora_xml, stored_state

RESPONSES = ["Un agenda partagé.", "Moins d’appels manqués."]
STAFF = {"choices": {"idees": "riches", "clarte": "confus"}, "feedback": "Bonnes idées, à clarifier."}


def _call(client, handler, data=None):
    return client.call("openassessment", "ora", handler, data)


@pytest.fixture
def course(olx_course):
    """An ORA whose steps are a self-assessment and a required staff assessment."""
    return olx_course(ora_xml("self", "staff"))


@pytest.fixture
def learner(cohort_member, course, site):
    return cohort_member(course, site, None, "Léa Apprenante")


def _respond(as_user, learner, course, self_choices=None):
    client = as_user(learner, course)
    assert _call(client, "submit", {"responses": RESPONSES}).status_code == 200
    if self_choices:
        assert _call(client, "self_assess", {"choices": self_choices}).status_code == 200
    return client


def test_a_required_staff_step_holds_the_grade_until_the_trainer_grades(
    app, course, learner, site_trainer, as_user
):
    _respond(as_user, learner, course, {"idees": "aucune", "clarte": "clair"})
    assert completion_row(app, learner, course) == (1.0, None, None)
    assert "En attente de votre formateur." in as_user(learner, course).page()

    trainer = as_user(site_trainer, course)
    panel = trainer.page()
    assert "Les réponses de vos apprenants" in panel and "Réponses envoyées : 1 sur 1." in panel
    assert "Léa Apprenante" in panel and "Un agenda partagé." in panel
    response = _call(trainer, "staff_assess", {"learner_id": learner.id, **STAFF})
    assert response.status_code == 200, response.get_data(as_text=True)
    graded = response.json["html"]
    assert "Noté 5 sur 7 par Claire Formatrice le " in graded
    # The form shows the trainer's options and comment again, to change them.
    assert 'value="riches" required checked>' in graded and 'value="confus" required checked>' in graded
    assert graded.count(" checked>") == 2 and ">Bonnes idées, à clarifier.</textarea>" in graded
    assert completion_row(app, learner, course) == (1.0, 5.0, 7.0)
    assert completion_row(app, site_trainer, course) is None
    state = stored_state(app, learner, course)
    assert state["staff_grade"] == 5.0 and state["staff_comment"] == "Bonnes idées, à clarifier."
    assert state["staff_assessment"]["choices"] == {"idees": "riches", "clarte": "confus"}
    page = as_user(learner, course).page()
    assert "Votre note : 5 sur 7." in page and "Bonnes idées, à clarifier." in page
    results = page[page.index('<section class="ora-results"') :]
    results = results[: results.index("</section>")]
    assert '<th scope="col">Formateur</th>' in results and '<th scope="col">Vous</th>' in results
    assert "Pairs" not in results
    row = results[results.index('<th scope="row">Idées</th>') :]
    assert row.index("Riches (5 points)") < row.index("Aucune (0 point)")  # the trainer's, then her own


def test_the_staff_grade_overrides_the_self_score(
    app, olx_course, cohort_member, site, site_trainer, as_user
):
    course = olx_course(ora_xml("self", "staff-optional"))
    learner = cohort_member(course, site, None, "Léa")
    _respond(as_user, learner, course, {"idees": "riches", "clarte": "clair"})
    assert completion_row(app, learner, course) == (1.0, 7.0, 7.0)
    trainer = as_user(site_trainer, course)
    assert _call(trainer, "staff_assess", {"learner_id": learner.id, **STAFF}).status_code == 200
    assert completion_row(app, learner, course) == (1.0, 5.0, 7.0)


def test_a_trainer_of_another_cybersite_cannot_grade(app, course, learner, other_trainer, as_user):
    _respond(as_user, learner, course)
    stranger = as_user(other_trainer, course)
    page = stranger.page()
    assert "Léa Apprenante" not in page and "Un agenda partagé." not in page
    response = _call(stranger, "staff_assess", {"learner_id": learner.id, **STAFF})
    assert response.status_code == 403
    assert response.json["error"] == "Cet apprenant ne fait pas partie des apprenants que vous suivez."
    assert "staff_grade" not in stored_state(app, learner, course)
    assert completion_row(app, learner, course) == (1.0, None, None)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (
            {"choices": {"idees": "riches", "clarte": "brillant"}},
            400,
            "« brillant » n’est pas une option de « Clarté ».",
        ),
        (
            {"choices": {"idees": "riches", "clarte": "clair"}, "learner_id": "7"},
            400,
            "Indiquez l’apprenant à noter.",
        ),
        (
            {"choices": {"idees": "riches", "clarte": "clair"}, "learner_id": 2**40},
            400,
            "Indiquez l’apprenant à noter.",
        ),
        (
            {"choices": {"idees": "riches", "clarte": "clair"}, "learner_id": 999_999},
            403,
            "Cet apprenant ne fait pas partie des apprenants que vous suivez.",
        ),
    ],
)
def test_a_bad_staff_assessment_is_refused(
    app, course, learner, site_trainer, as_user, body, status, message
):
    _respond(as_user, learner, course)
    response = _call(as_user(site_trainer, course), "staff_assess", {"learner_id": learner.id, **body})
    assert response.status_code == status
    assert response.json["error"] == message
    assert "staff_grade" not in stored_state(app, learner, course)


def test_a_learner_cannot_grade_and_a_response_not_sent_cannot_be_graded(
    app, course, learner, cohort_member, site, site_trainer, as_user
):
    other = cohort_member(course, site, None, "Paul")
    _respond(as_user, other, course)
    response = _call(as_user(learner, course), "staff_assess", {"learner_id": other.id, **STAFF})
    assert (
        response.status_code == 403
        and response.json["error"] == "Seuls les formateurs du cours peuvent faire cela."
    )
    response = _call(as_user(site_trainer, course), "staff_assess", {"learner_id": learner.id, **STAFF})
    assert response.status_code == 409
    assert response.json["error"] == "Cet apprenant n’a pas encore envoyé sa réponse."
    assert stored_state(app, learner, course) == {} and "staff_grade" not in stored_state(app, other, course)


def _add_submitted_learners(app, course, make_user, company, count):
    """``count`` learners of ``company``, enrolled, whose submitted responses are stored."""
    users = [
        make_user(roles=[(Role.LEARNER, company)], display_name=f"Apprenant {n:02d}") for n in range(count)
    ]
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    usage = course.usage("openassessment", "ora")
    with app.app_context():
        db.session.execute(
            insert(Enrolment), [{"user_id": u.id, "course_id": course.course_id} for u in users]
        )
        db.session.execute(
            insert(FieldValue),
            [
                {
                    "scope": "user_state",
                    "user_id": u.id,
                    "scope_key": usage,
                    "field_name": name,
                    "value": value,
                    "updated_at": datetime.now(UTC),
                }
                for n, u in enumerate(users)
                for name, value in (
                    ("responses", [f"Texte {n}", "."]),
                    ("submitted", True),
                    ("submitted_at", now),
                )
            ],
        )
        db.session.commit()
    return users


def test_a_trainer_sees_the_responses_a_page_at_a_time(
    app, course, make_user, make_company, site, site_trainer, as_user
):
    _add_submitted_learners(app, course, make_user, make_company(cybersite=site), STAFF_PAGE + 5)
    trainer = as_user(site_trainer, course)
    page = trainer.page()
    assert f"Réponses envoyées : {STAFF_PAGE + 5} sur {STAFF_PAGE + 5}." in page
    assert page.count('data-part="work"') == STAFF_PAGE
    assert f'data-action="more" data-offset="{STAFF_PAGE}">Afficher les réponses suivantes (encore 5)' in page
    response = _call(trainer, "staff_works", {"offset": STAFF_PAGE})
    assert response.status_code == 200
    assert response.json["html"].count('data-part="work"') == 5
    assert response.json["next"] is None and response.json["more"] == ""
    for offset in (-1, "20", 10**9, None):
        bad = _call(trainer, "staff_works", {"offset": offset})
        assert bad.status_code == 400
        assert bad.json["error"] == "La page de réponses demandée n’existe pas. Veuillez recharger la page."


def test_a_learner_cannot_list_the_responses(course, learner, as_user):
    response = _call(as_user(learner, course), "staff_works", {"offset": 0})
    assert (
        response.status_code == 403
        and response.json["error"] == "Seuls les formateurs du cours peuvent faire cela."
    )
