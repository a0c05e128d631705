"""The case study in real Chromium: a learner drafts and submits, a trainer grades, an author edits.

What depends on the browser is checked here: the block's scripts, the CSRF header they send, the
confirmation before submitting, the messages shown in place, and the editor's rows.
"""

from __future__ import annotations

import urllib.parse

import pytest

from tests.plugins.case_study.conftest import ANSWERS, completion_row, stored_state
from tests.plugins.conftest import OlxCourse, sign_in_tab

pytestmark = pytest.mark.browser


def _quoted(url: str) -> str:
    return urllib.parse.quote(url, safe="/")


def test_a_learner_drafts_then_submits_their_answers(page, app, case_course: OlxCourse, site_learner):
    sign_in_tab(page, site_learner)
    page.goto(_quoted(case_course.unit_url()))
    block = page.locator(".case-study")
    block.get_by_label("Quels clients pourraient commander à distance ?").fill("Les touristes.\nLes voisins.")
    block.get_by_role("button", name="Enregistrer mon brouillon").click()
    status = block.locator(".case-study-form .case-study-status")
    status.filter(has_text="Brouillon enregistré le").wait_for()
    assert stored_state(app, site_learner, case_course)["answers"] == {
        "q1": "Les touristes.\nLes voisins.",
        "q2": "",
    }

    # The second question is empty: the server refuses, the message shows in place, the text stays.
    page.once("dialog", lambda dialog: dialog.accept())
    block.get_by_role("button", name="Envoyer mes réponses").click()
    status.filter(has_text="la question 2 n’a pas de réponse").wait_for()
    assert (
        block.get_by_label("Quels clients pourraient commander à distance ?").input_value().startswith("Les")
    )

    # Declining the confirmation sends nothing.
    block.get_by_label("Quelle contrainte traduire en règle simple ?").fill("Le mardi.")
    page.once("dialog", lambda dialog: dialog.dismiss())
    block.get_by_role("button", name="Envoyer mes réponses").click()
    assert stored_state(app, site_learner, case_course).get("submitted") is None

    page.once("dialog", lambda dialog: dialog.accept())
    block.get_by_role("button", name="Envoyer mes réponses").click()
    block.locator(".case-study-submitted").wait_for()
    assert block.locator("textarea").count() == 0
    assert block.locator(".case-study-answer").first.inner_text() == "Les touristes.\nLes voisins."
    assert completion_row(app, site_learner, case_course) == (1.0, None, None)
    assert page.errors == []


def test_a_trainer_grades_in_the_page(page, app, case_course: OlxCourse, site_trainer, site_learner, as_user):
    assert (
        as_user(site_learner, case_course)
        .call("case_study", "cas", "submit", {"answers": ANSWERS})
        .status_code
        == 200
    )
    sign_in_tab(page, site_trainer)
    page.goto(_quoted(case_course.unit_url()))
    row = page.locator(f'[data-part="submission"][data-learner="{site_learner.id}"]')
    assert "Les touristes de l’été." in row.inner_text()
    row.get_by_label("Note (de 0 à 4)").fill("5")
    row.get_by_role("button", name="Enregistrer la note").click()
    row.locator(".case-study-status").filter(has_text="La note doit être un nombre de 0 à 4.").wait_for()
    assert completion_row(app, site_learner, case_course) == (1.0, None, None)

    row.get_by_label("Commentaire pour l’apprenant").fill("Très concret.")
    row.get_by_label("Note (de 0 à 4)").fill("3.5")
    row.get_by_role("button", name="Enregistrer la note").click()
    row = page.locator(f'[data-part="submission"][data-learner="{site_learner.id}"]')
    row.locator(".case-study-status").filter(has_text="Noté 3,5 sur 4 par Claire Formatrice").wait_for()
    assert completion_row(app, site_learner, case_course) == (1.0, 3.5, 4.0)
    # The row was replaced by the server's: grading again works too.
    row.get_by_label("Note (de 0 à 4)").fill("4")
    row.get_by_role("button", name="Enregistrer la note").click()
    page.locator(".case-study-status", has_text="Noté 4 sur 4").wait_for()
    assert completion_row(app, site_learner, case_course) == (1.0, 4.0, 4.0)
    assert page.errors == []


def test_a_trainer_loads_the_next_answers_and_grades_one_of_them(
    page, app, case_course: OlxCourse, site_trainer, site_company, make_user
):
    from tests.plugins.case_study.test_grading import _add_submitted_learners

    learners = _add_submitted_learners(app, case_course, make_user, site_company, 23)
    sign_in_tab(page, site_trainer)
    page.goto(_quoted(case_course.unit_url()))
    rows = page.locator('[data-part="submission"]')
    assert rows.count() == 20
    page.get_by_role("button", name="Afficher les réponses suivantes (encore 3)").click()
    page.locator('[data-part="submission"]').nth(22).wait_for()
    assert rows.count() == 23 and page.locator('[data-action="more"]').count() == 0
    # Focus moved to the first answer loaded; its grading form works like the others.
    loaded = rows.nth(20)
    assert loaded.locator("h4").evaluate("node => node === document.activeElement")
    learner = next(u for u in learners if str(u.id) == loaded.get_attribute("data-learner"))
    loaded.get_by_label("Note (de 0 à 4)").fill("2")
    loaded.get_by_role("button", name="Enregistrer la note").click()
    page.locator(".case-study-status", has_text="Noté 2 sur 4").wait_for()
    assert completion_row(app, learner, case_course)[1:] == (2.0, 4.0)
    assert page.errors == []


def test_an_author_edits_the_case_with_rows(page, app, case_course: OlxCourse, site_trainer):
    sign_in_tab(page, site_trainer)
    usage = case_course.usage("vertical", "u1")
    page.goto(_quoted(f"/studio/formations/{case_course.course_key}/unite/{usage}"))
    editor = page.locator("form.case-study-editor")
    editor.get_by_role("button", name="Ajouter une question").click()
    editor.locator('[data-rows="question"] [data-row="question"]').last.locator("textarea").fill(
        "Et chez vous ?"
    )
    editor.locator('[data-rows="figure"] [data-row="figure"]').first.get_by_role(
        "button", name="Retirer"
    ).click()
    editor.get_by_role("button", name="Enregistrer l’étude de cas").click()
    editor.locator(".case-study-status", has_text="Enregistré.").wait_for()
    with app.app_context():
        from sqlalchemy import select

        from app.core.extensions import db
        from app.runtime.models import StoredBlock

        content = db.session.scalar(
            select(StoredBlock.content).where(
                StoredBlock.tree_id == case_course.tree_id,
                StoredBlock.usage_id == case_course.usage("case_study", "cas"),
            )
        )
    assert [q["id"] for q in content["questions"]] == ["q1", "q2", "q3"]
    assert content["questions"][2]["text"] == "Et chez vous ?"
    assert [f["label"] for f in content["figures"]] == ["Ventes en ligne"]

    editor.get_by_label("Nom de l’entreprise").fill("")
    editor.get_by_label("Effectif (facultatif)").fill("40")
    editor.get_by_role("button", name="Enregistrer l’étude de cas").click()
    errors = editor.locator(".case-study-errors li")
    errors.first.wait_for()
    texts = errors.all_inner_texts()
    assert "Le nom de l’entreprise est obligatoire." in texts
    assert any(text.startswith("Un effectif de 40 ne correspond pas") for text in texts)
    assert page.errors == []
