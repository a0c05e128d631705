"""A learner's side of the case study: the case shown in their language, drafts, the final submission,
and every kind of bad input refused with a clear message, a 4xx status and nothing stored."""

from __future__ import annotations

import json

import pytest
from markupsafe import escape

from app.accounts.models import Role
from tests.conftest import csrf_token
from tests.plugins.case_study.conftest import ANSWERS, completion_row, stored_state

HOSTILE = '</textarea><script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'


def _case_part(page: str) -> str:
    start = page.index('<div class="case-study"')
    return page[start : page.index("</script>", start)]


def test_the_case_is_shown_in_french_with_its_structure(case_course, site_learner, as_user):
    page = _case_part(as_user(site_learner, case_course).page())
    assert '<h2 class="case-study-title">Boulangerie Vidal</h2>' in page
    for heading in ("Profil de l’entreprise", "La situation de départ", "La solution numérique retenue",
                    "La mise en place", "Coûts et résultats en chiffres", "Les enseignements",
                    "Questions de réflexion"):  # fmt: skip
        assert f">{heading}</h3>" in page
    assert "<dt>Secteur</dt>" in page and "<dd>Commerce de détail</dd>" in page
    assert "<dd>Microentreprise (moins de 10 salariés)</dd>" in page and "<dd>8 salariés</dd>" in page
    assert "<dd>15</dd>" in page
    assert '<th scope="colgroup" colspan="2">Coûts</th>' in page
    assert '<tr><th scope="row">Coût de mise en place</th><td>2 400 €</td></tr>' in page
    assert '<th scope="colgroup" colspan="2">Résultats</th>' in page
    # The image comes from the course's assets, with its text alternative and caption.
    src = f"/formations/{case_course.course_key}/static/vidal-boutique.svg"
    assert f'<img src="{src}" alt="La boutique Vidal"' in page
    assert "<figcaption>La boutique en 2025</figcaption>" in page
    assert '<label class="case-study-question" for="' in page
    assert "Quels clients pourraient commander à distance ?</label>" in page
    assert "Enregistrer mon brouillon" in page and "Envoyer mes réponses" in page
    assert "Les réponses de vos apprenants" not in page  # no trainer panel for a learner


def test_an_english_speaking_learner_reads_the_labels_in_english(case_course, enrolled, as_user):
    learner = enrolled(case_course, language="en")
    page = _case_part(as_user(learner, case_course).page())
    assert ">Company profile</h3>" in page and "<dd>Retail</dd>" in page and "<dd>8 employees</dd>" in page
    assert "Save my draft" in page


def test_the_block_brings_its_script_and_style(case_course, site_learner, as_user, client):
    page = as_user(site_learner, case_course).page()
    assert '<script src="/xblock/resource/case_study/public/case_study.js"' in page
    assert 'data-init="CaseStudyBlock"' in page
    script = client.get("/xblock/resource/case_study/public/case_study.js")
    assert script.status_code == 200 and b"function CaseStudyBlock(runtime, element, args)" in script.data
    assert client.get("/xblock/resource/case_study/public/case_study.css").status_code == 200


def test_a_draft_is_kept_and_shown_again_until_submission(app, case_course, site_learner, as_user):
    learner = as_user(site_learner, case_course)
    response = learner.call("case_study", "cas", "save_draft", {"answers": {"q1": "Premier jet\r\nsuite"}})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["message"].startswith("Brouillon enregistré le ")
    response = learner.call("case_study", "cas", "save_draft", {"answers": {"q2": "Autre"}})
    assert response.status_code == 200
    state = stored_state(app, site_learner, case_course)
    assert state["answers"] == {"q1": "Premier jet\nsuite", "q2": "Autre"}
    assert state.get("submitted") is None
    assert completion_row(app, site_learner, case_course) is None  # a draft does not complete the block
    page = _case_part(learner.page())
    assert ">Premier jet\nsuite</textarea>" in page and "Brouillon enregistré le " in page


def test_submitting_keeps_the_answers_for_good_and_completes_the_block(
    app, case_course, site_learner, as_user
):
    learner = as_user(site_learner, case_course)
    response = learner.call("case_study", "cas", "submit", {"answers": ANSWERS})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Vous avez envoyé vos réponses le " in response.json["html"]
    state = stored_state(app, site_learner, case_course)
    assert state["answers"] == ANSWERS and state["submitted"] is True and state["submitted_at"]
    assert completion_row(app, site_learner, case_course) == (1.0, None, None)  # graded later, by a trainer
    page = _case_part(learner.page())
    assert "<textarea" not in page and "Envoyer mes réponses" not in page
    # Line breaks are kept (shown as typed, in an element that preserves them).
    assert '">Les touristes de l’été.\nEt les anciens clients.</div>' in page
    assert "Votre formateur n’a pas encore noté vos réponses." in page


def test_answers_with_markup_are_shown_as_text(app, case_course, site_learner, as_user):
    learner = as_user(site_learner, case_course)
    learner.call("case_study", "cas", "save_draft", {"answers": {"q1": HOSTILE}})
    draft_page = _case_part(learner.page())
    assert "<script>alert" not in draft_page and "<img src=x" not in draft_page
    assert escape(HOSTILE) in draft_page  # inside the textarea, escaped: it cannot close it
    response = learner.call("case_study", "cas", "submit", {"answers": {"q1": HOSTILE, "q2": HOSTILE}})
    assert response.status_code == 200
    for shown in (response.json["html"], _case_part(learner.page())):
        assert "<script>alert" not in shown and "<img src=x" not in shown
        assert escape(HOSTILE) in shown


@pytest.mark.parametrize(
    ("handler", "body", "status", "message"),
    [
        ("submit", {"answers": {"q1": "Réponse", "q2": "   \n "}}, 400,
         "Répondez à toutes les questions avant d’envoyer : la question 2 n’a pas de réponse."),
        ("submit", {"answers": {"q1": "Réponse"}}, 400, "la question 2 n’a pas de réponse"),
        ("submit", {"answers": {"q1": "x" * 5001, "q2": "ok"}}, 400,
         "Votre réponse à la question 1 compte 5001 caractères ; la limite est de 5000."),
        ("save_draft", {"answers": {"q2": "é" * 6000}}, 400, "question 2 compte 6000 caractères"),
        ("save_draft", {"answers": {"q9": "Hors sujet"}}, 400, "n’a pas de question « q9 »."),
        ("save_draft", {"answers": {"q1": ["liste"]}}, 400, "Chaque réponse doit être un texte."),
        ("save_draft", {"answers": "texte"}, 400, "Les réponses ne sont pas arrivées sous la forme"),
        ("submit", ["answers"], 400, "Les réponses ne sont pas arrivées sous la forme attendue."),
    ],
)  # fmt: skip
def test_bad_answers_are_refused_and_nothing_is_stored(
    app, case_course, site_learner, as_user, handler, body, status, message
):
    learner = as_user(site_learner, case_course)
    learner.call("case_study", "cas", "save_draft", {"answers": {"q1": "Brouillon d’avant"}})
    before = stored_state(app, site_learner, case_course)
    response = learner.call("case_study", "cas", handler, body)
    assert response.status_code == status
    assert message in response.json["error"]
    assert stored_state(app, site_learner, case_course) == before
    assert completion_row(app, site_learner, case_course) is None


def test_a_malformed_request_is_refused_in_the_learners_language(app, case_course, site_learner, as_user):
    learner = as_user(site_learner, case_course)
    response = learner.call("case_study", "cas", "submit", raw=b"{not json")
    assert response.status_code == 400
    assert response.json["error"] == "La requête n’a pas pu être lue (ce n’est pas du JSON valide)."
    response = learner.client.get(case_course.handler_url("case_study", "cas", "submit"))
    assert (
        response.status_code == 405
        and response.json["error"] == "Cette adresse ne répond qu’aux requêtes POST."
    )
    assert stored_state(app, site_learner, case_course) == {}


def test_an_oversized_request_is_refused(app, case_course, site_learner, as_user):
    learner = as_user(site_learner, case_course)
    body = json.dumps({"answers": {"q1": "x" * (2 * 1024 * 1024)}}).encode()
    response = learner.call("case_study", "cas", "save_draft", raw=body)
    assert response.status_code == 413
    assert stored_state(app, site_learner, case_course) == {}


def test_answers_cannot_change_after_submission(app, case_course, site_learner, as_user):
    learner = as_user(site_learner, case_course)
    assert learner.call("case_study", "cas", "submit", {"answers": ANSWERS}).status_code == 200
    before = stored_state(app, site_learner, case_course)
    for handler in ("save_draft", "submit"):
        response = learner.call("case_study", "cas", handler, {"answers": {"q1": "Changé", "q2": "Changé"}})
        assert response.status_code == 409
        assert response.json["error"].startswith("Vos réponses ont été envoyées le ")
        assert response.json["error"].endswith(" : elles ne peuvent plus être modifiées.")
    assert stored_state(app, site_learner, case_course) == before


def test_a_learner_cannot_call_the_trainers_handlers(
    app, case_course, site_learner, foreign_learner, as_user
):
    as_user(foreign_learner, case_course).call("case_study", "cas", "submit", {"answers": ANSWERS})
    before = stored_state(app, foreign_learner, case_course)
    learner = as_user(site_learner, case_course)
    for handler, body in (
        ("grade_learner", {"learner_id": foreign_learner.id, "comment": "Bien", "grade": 4}),
        ("studio_submit", {"company_name": "Piraté", "sector": "retail", "size": "micro"}),
    ):
        response = learner.call("case_study", "cas", handler, body)
        assert response.status_code == 403
        assert response.json["error"] == "Seuls les formateurs du cours peuvent faire cela."
    assert stored_state(app, foreign_learner, case_course) == before
    assert completion_row(app, foreign_learner, case_course) == (1.0, None, None)
    assert "Boulangerie Vidal" in learner.page()


def test_a_person_not_enrolled_cannot_answer(app, case_course, make_user, make_company, as_user):
    outsider = make_user(roles=[(Role.LEARNER, make_company())])
    client = as_user(outsider, case_course).client
    token = csrf_token(client, case_course.unit_url())  # the "not enrolled" page offers to enrol
    response = client.post(
        case_course.handler_url("case_study", "cas", "submit"),
        json={"answers": ANSWERS},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 403
    assert stored_state(app, outsider, case_course) == {}
    assert completion_row(app, outsider, case_course) is None
