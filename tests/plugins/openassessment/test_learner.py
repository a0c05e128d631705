"""A learner's response and self-assessment, through the real handler endpoint: drafts, one submission
within the dates, a self-assessment against the rubric, the grade, and every refusal with nothing stored."""

from __future__ import annotations

import pytest

from tests.plugins.openassessment.conftest import completion_row, ora_xml, stored_state

RESPONSES = ["Une boutique en ligne <b>simple</b>.", "Compter les commandes\r\nchaque mois."]
SELF = {"choices": {"idees": "quelques", "clarte": "clair"}, "criterion_feedback": {"idees": "Peut mieux."}}


@pytest.fixture
def course(olx_course):
    """A course whose unit holds an ORA with a self-assessment step only."""
    return olx_course(ora_xml("self"))


@pytest.fixture
def learner(enrolled, course):
    return enrolled(course, display_name="Léa Apprenante")


def _call(client, handler, data=None, **kwargs):
    return client.call("openassessment", "ora", handler, data, **kwargs)


def test_the_learner_sees_the_prompts_and_the_form(course, learner, as_user):
    page = as_user(learner, course).page()
    assert "Un outil pour la boulangerie" in page
    assert "Quel outil numérique proposeriez-vous à la boulangerie ?" in page
    assert "Comment mesurer son effet ?" in page
    assert "Réponse à la question 2" in page and "Enregistrer un brouillon" in page


def test_a_draft_is_kept_then_the_response_submitted_once(app, course, learner, as_user):
    client = as_user(learner, course)
    response = _call(client, "save_draft", {"responses": ["Brouillon", ""]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["message"].startswith("Brouillon enregistré le ")
    assert stored_state(app, learner, course)["responses"] == ["Brouillon", ""]
    assert ">Brouillon</textarea>" in client.page()

    response = _call(client, "submit", {"responses": RESPONSES})
    assert response.status_code == 200, response.get_data(as_text=True)
    state = stored_state(app, learner, course)
    assert state["submitted"] is True
    assert state["responses"] == [
        "Une boutique en ligne <b>simple</b>.",
        "Compter les commandes\nchaque mois.",
    ]
    assert completion_row(app, learner, course) == (1.0, None, None)
    page = client.page()
    assert "Une boutique en ligne &lt;b&gt;simple&lt;/b&gt;." in page  # escaped, never markup
    assert "Évaluez votre propre réponse" in page

    again = _call(client, "submit", {"responses": ["Autre", "Autre"]})
    assert again.status_code == 409
    assert again.json["error"].startswith("Votre réponse a été envoyée le ")
    assert _call(client, "save_draft", {"responses": ["Autre", ""]}).status_code == 409
    assert stored_state(app, learner, course)["responses"][0] == RESPONSES[0]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"responses": ["Seule", ""]},
            "Répondez à chaque question avant d’envoyer : la question 2 n’a pas de réponse.",
        ),
        (
            {"responses": ["  ", "\n"]},
            "Répondez à chaque question avant d’envoyer : la question 1 n’a pas de réponse.",
        ),
        (
            {"responses": ["x" * 10_001, "y"]},
            "Votre réponse à la question 1 compte 10001 caractères ; la limite est de 10000.",
        ),
        (
            {"responses": ["une seule"]},
            "La réponse n’a pas été envoyée sous la forme attendue. Veuillez recharger la page.",
        ),
        (
            {"responses": "texte"},
            "La réponse n’a pas été envoyée sous la forme attendue. Veuillez recharger la page.",
        ),
        ([1, 2], "La réponse n’a pas été envoyée sous la forme attendue. Veuillez recharger la page."),
    ],
)
def test_a_bad_submission_is_refused_in_french_and_nothing_is_stored(
    app, course, learner, as_user, body, message
):
    response = _call(as_user(learner, course), "submit", body)
    assert response.status_code == 400
    assert response.json["error"] == message
    assert stored_state(app, learner, course) == {}


def test_malformed_json_is_refused_in_english_for_an_english_speaker(app, course, enrolled, as_user):
    learner = enrolled(course, language="en")
    response = _call(as_user(learner, course, language="en"), "submit", raw=b"{not json")
    assert response.status_code == 400
    assert response.json["error"] == "The request could not be read (it is not valid JSON)."
    assert stored_state(app, learner, course) == {}


def test_no_submission_outside_the_dates(app, olx_course, enrolled, as_user):
    course = olx_course(
        ora_xml("self", attributes='submission_start="2020-01-01" submission_due="2021-01-01"')
    )
    learner = enrolled(course)
    client = as_user(learner, course)
    assert "Cette étape a fermé le " in client.page()
    response = _call(client, "submit", {"responses": RESPONSES})
    assert response.status_code == 403 and response.json["error"].startswith("Cette étape a fermé le ")
    assert stored_state(app, learner, course) == {}


def test_the_self_assessment_gives_the_grade(app, course, learner, as_user):
    client = as_user(learner, course)
    early = _call(client, "self_assess", SELF)
    assert early.status_code == 409 and early.json["error"] == "Envoyez d’abord votre réponse."
    assert _call(client, "submit", {"responses": RESPONSES}).status_code == 200
    response = _call(client, "self_assess", {**SELF, "feedback": "Je ferai mieux."})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Votre note : 5 sur 7." in response.json["html"]
    state = stored_state(app, learner, course)
    assert state["self_assessment"] == {
        "choices": {"idees": "quelques", "clarte": "clair"},
        "criterion_feedback": {"idees": "Peut mieux."},
        "feedback": "Je ferai mieux.",
    }
    assert completion_row(app, learner, course) == (1.0, 5.0, 7.0)
    twice = _call(client, "self_assess", {"choices": {"idees": "riches", "clarte": "clair"}})
    assert twice.status_code == 409 and twice.json["error"] == "Vous avez déjà évalué votre propre réponse."
    assert completion_row(app, learner, course) == (1.0, 5.0, 7.0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"choices": {"idees": "parfaites", "clarte": "clair"}},
            "« parfaites » n’est pas une option de « Idées ».",
        ),
        ({"choices": {"idees": "riches"}}, "Choisissez une option pour « Clarté »."),
        (
            {"choices": {"idees": "riches", "clarte": "clair", "style": "beau"}},
            "Cette grille n’a pas de critère « style ».",
        ),
        ({"choices": {"idees": 5, "clarte": "clair"}}, "« 5 » n’est pas une option de « Idées »."),
        ({"choices": {"idees": "riches", "clarte": "clair"}, "criterion_feedback": {"clarte": "x"}}, None),
        (
            {"choices": ["riches"]},
            "L’évaluation n’a pas été envoyée sous la forme attendue. Veuillez recharger la page.",
        ),
        (
            {"choices": {"idees": "riches", "clarte": "clair"}, "feedback": "x" * 5001},
            "Un commentaire compte 5001 caractères ; la limite est de 5000.",
        ),
    ],
)
def test_a_self_assessment_outside_the_rubric_is_refused(app, course, learner, as_user, body, message):
    client = as_user(learner, course)
    assert _call(client, "submit", {"responses": RESPONSES}).status_code == 200
    response = _call(client, "self_assess", body)
    if message is None:
        # Feedback on a criterion whose comments are disabled is dropped, not stored.
        assert response.status_code == 200
        assert stored_state(app, learner, course)["self_assessment"]["criterion_feedback"] == {}
        return
    assert response.status_code == 400
    assert response.json["error"] == message
    assert "self_assessment" not in stored_state(app, learner, course)
    assert completion_row(app, learner, course) == (1.0, None, None)


def test_html_prompts_are_shown_cleaned(olx_course, enrolled, as_user):
    prompts = (
        '<prompts><prompt><description>&lt;p onclick="steal()"&gt;Lisez &lt;strong&gt;le cas&lt;/strong&gt;'
        "&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description></prompt></prompts>"
    )
    course = olx_course(
        ora_xml("self", prompts=prompts).replace('prompts_type="text"', 'prompts_type="html"')
    )
    page = as_user(enrolled(course), course).page()
    assert "<p>Lisez <strong>le cas</strong></p>" in page
    assert "steal()" not in page and "alert(1)" not in page


def test_text_prompts_are_shown_as_text(olx_course, enrolled, as_user):
    prompts = "<prompts><prompt><description>Un &lt;b&gt;gras&lt;/b&gt; ?</description></prompt></prompts>"
    course = olx_course(ora_xml("self", prompts=prompts))
    page = as_user(enrolled(course), course).page()
    assert "Un &lt;b&gt;gras&lt;/b&gt; ?" in page
