"""The case study's editor: the form shows every part of the case; a save is checked as a whole (every
problem listed, nothing changed) and, once right, is what learners see next and what export writes."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.runtime.models import StoredBlock
from tests.plugins.case_study.conftest import ANSWERS, stored_state


def _stored(app, course) -> tuple[dict[str, Any], dict[str, Any]]:
    with app.app_context():
        row = db.session.execute(
            select(StoredBlock.content, StoredBlock.settings).where(
                StoredBlock.tree_id == course.tree_id,
                StoredBlock.usage_id == course.usage("case_study", "cas"),
            )
        ).one()
        return copy.deepcopy(row[0]), copy.deepcopy(row[1])


EDIT = {
    "display_name": "Boulangerie Vidal, deux ans après",
    "weight": "2,5",
    "company_name": "Boulangerie Vidal & fils",
    "sector": "crafts_building",
    "size": "small",
    "headcount": "12",
    "departement": "2a",
    "profile": '<p onmouseover="x()">Une <em>boulangerie</em></p><script>alert(1)</script>',
    "situation": "<p>Avant</p>",
    "solution": "",
    "implementation": "<ol><li>Étape</li></ol>",
    "lessons": "<p>Leçon</p>",
    "figures": [{"label": "Coût", "value": "3 000 €", "kind": "cost"}],
    "images": [{"src": "/static/vidal-boutique.svg", "alt": "La boutique", "caption": ""}],
    "questions": [
        {"id": "q2", "text": "Quelle contrainte traduire en règle simple ?"},
        {"id": "", "text": "Une nouvelle question ?"},
    ],
}


def test_the_editor_shows_every_part_of_the_case(case_course, trainer, as_user):
    page = as_user(trainer, case_course).studio_page()
    editor = page[page.index('<form class="case-study-editor"') :]
    assert 'name="company_name" type="text" value="Boulangerie Vidal"' in editor
    assert '<option value="retail" selected>Commerce de détail</option>' in editor
    assert '<option value="micro" selected>Microentreprise (moins de 10 salariés)</option>' in editor
    assert 'name="headcount" type="number"' in editor and 'value="8"' in editor
    assert 'name="weight" type="text" inputmode="decimal" value="4"' in editor
    assert (
        "&lt;p&gt;Une boulangerie &lt;strong&gt;familiale&lt;/strong&gt; d’Aurillac.&lt;/p&gt;</textarea>"
        in editor
    )
    assert 'name="label" value="Coût de mise en place"' in editor
    assert '<option value="result" selected>Résultat</option>' in editor
    assert 'name="src" value="/static/vidal-boutique.svg"' in editor
    assert '<input type="hidden" name="question_id" value="q1">' in editor
    assert "Quels clients pourraient commander à distance ?</textarea>" in editor
    assert '<template data-template="question">' in editor and "Ajouter une question" in editor
    assert "/xblock/resource/case_study/public/case_study_studio.js" in page
    assert 'data-init="CaseStudyStudio"' in page


def test_a_saved_case_is_what_learners_see_next(app, case_course, trainer, site_learner, as_user):
    learner = as_user(site_learner, case_course)
    learner.call("case_study", "cas", "save_draft", {"answers": {"q2": "Mon brouillon"}})
    author = as_user(trainer, case_course)
    author.studio_page()
    response = author.studio_call("case_study", "cas", "studio_submit", EDIT)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {"result": "success"}
    content, settings = _stored(app, case_course)
    assert settings == {"display_name": "Boulangerie Vidal, deux ans après", "weight": 2.5}
    assert content["company_name"] == "Boulangerie Vidal & fils" and content["departement"] == "2A"
    assert (content["sector"], content["size"], content["headcount"]) == ("crafts_building", "small", 12)
    assert content["profile"] == "<p>Une <em>boulangerie</em></p>"  # cleaned when saved
    assert content["solution"] == ""
    # An existing question keeps its id (and the answers given to it); a new one gets a free id.
    assert content["questions"] == [
        {"id": "q2", "text": "Quelle contrainte traduire en règle simple ?"},
        {"id": "q1", "text": "Une nouvelle question ?"},
    ]
    page = learner.page()
    assert "Boulangerie Vidal, deux ans après" in page and "<dd>Artisanat et bâtiment</dd>" in page
    assert "<dd>12 salariés</dd>" in page and "La solution numérique retenue" not in page
    assert ">Mon brouillon</textarea>" in page
    assert stored_state(app, site_learner, case_course)["answers"] == {"q2": "Mon brouillon"}


def test_an_empty_title_goes_back_to_the_default(app, case_course, trainer, as_user):
    author = as_user(trainer, case_course)
    author.studio_page()
    response = author.studio_call("case_study", "cas", "studio_submit", {**EDIT, "display_name": "  "})
    assert response.status_code == 200
    assert "display_name" not in _stored(app, case_course)[1]


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"company_name": "", "sector": "pêche", "size": "géante"},
         ["Le nom de l’entreprise est obligatoire.", "Le secteur « pêche » ne fait pas partie de",
          "La taille « géante » ne fait pas partie de"]),
        ({"headcount": "3"}, ["Un effectif de 3 ne correspond pas à la taille « small » (10 à 49)."]),
        ({"headcount": "-2"}, ["L’effectif doit être un nombre entier de 0 à 249."]),
        ({"departement": "100"}, ["« 100 » n’est pas un numéro de département français"]),
        ({"weight": "0"}, ["Le barème doit être un nombre supérieur à 0"]),
        ({"weight": ""}, ["Le barème doit être un nombre supérieur à 0"]),
        ({"questions": []}, ["Une étude de cas doit comporter au moins une question de réflexion."]),
        ({"questions": [{"id": "q1", "text": "A"}, {"id": "q1", "text": ""}]},
         ["Question 2 : l’identifiant « q1 » est déjà utilisé.", "Question 2 : le texte de la question est"]),
        ({"questions": [{"id": "q1", "text": "x" * 2001}]}, ["Question 1 : le texte dépasse 2000"]),
        ({"figures": [{"label": "", "value": "", "kind": "autre"}]},
         ["Chiffre 1 : le libellé et la valeur sont obligatoires.", "Chiffre 1 : le type doit être"]),
        ({"images": [{"src": "http://ailleurs.example/a.png", "alt": ""}]},
         ["Image 1 : l’adresse doit être un fichier du cours", "Image 1 : une alternative textuelle (alt)"]),
        ({"profile": "<p>" + "x" * 100_001 + "</p>"}, ["« Profil de l’entreprise » dépasse 100000"]),
        ({"display_name": "t" * 256}, ["Le titre dépasse 255 caractères."]),
        ({"figures": [{"label": "a", "value": "b", "kind": "cost"}] * 51}, ["au plus 50 chiffres clés"]),
        ({"figures": "pas une liste"}, ["L’étude de cas est mal formée"]),
        ({"company_name": {"nom": "objet"}}, ["L’étude de cas est mal formée"]),
    ],
)  # fmt: skip
def test_a_wrong_case_is_refused_whole_with_every_reason(
    app, case_course, trainer, as_user, changes, messages
):
    before = _stored(app, case_course)
    author = as_user(trainer, case_course)
    author.studio_page()
    response = author.studio_call("case_study", "cas", "studio_submit", {**EDIT, **changes})
    assert response.status_code == 400
    errors = response.json["error"].split("\n")
    for message in messages:
        assert any(message in error for error in errors), errors
    assert _stored(app, case_course) == before


def test_a_body_that_is_not_a_case_is_refused(app, case_course, trainer, as_user):
    before = _stored(app, case_course)
    author = as_user(trainer, case_course)
    author.studio_page()
    response = author.studio_call("case_study", "cas", "studio_submit", ["liste"])
    assert response.status_code == 400
    assert response.json["error"] == "L’étude de cas n’est pas arrivée sous la forme attendue."
    assert _stored(app, case_course) == before


def test_learners_cannot_reach_the_editor(app, case_course, site_learner, as_user):
    client = as_user(site_learner, case_course)
    client.page()
    before = _stored(app, case_course)
    response = client.studio_call("case_study", "cas", "studio_submit", EDIT)
    assert response.status_code == 403
    assert _stored(app, case_course) == before


def test_the_editor_keeps_learners_answers_attached(app, case_course, trainer, site_learner, as_user):
    as_user(site_learner, case_course).call("case_study", "cas", "submit", {"answers": ANSWERS})
    author = as_user(trainer, case_course)
    author.studio_page()
    assert author.studio_call("case_study", "cas", "studio_submit", EDIT).status_code == 200
    page = as_user(site_learner, case_course).page()
    # q2 is still a question of the case: its answer is still shown; q1 is a new question now.
    assert "Expédier le mardi seulement." in page


def test_the_learners_endpoint_cannot_change_the_case_even_for_a_trainer(app, case_course, trainer, as_user):
    before = _stored(app, case_course)
    response = as_user(trainer, case_course).call("case_study", "cas", "studio_submit", EDIT)
    assert response.status_code == 400  # content and settings are read-only outside the studio
    assert _stored(app, case_course) == before
