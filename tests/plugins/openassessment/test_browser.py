"""The openassessment block in real Chromium: a learner submits and assesses (themselves and a peer) with
the block's forms, and a trainer grades in the page. What depends on the browser is checked here: the
block's script, the ids its forms carry, the CSRF header, the confirmation and the parts replaced."""

from __future__ import annotations

import urllib.parse

import pytest

from plugins.openassessment.block import STAFF_PAGE
from tests.plugins.conftest import sign_in_tab
from tests.plugins.openassessment.conftest import completion_row, make_cohort, ora_xml, stored_state
from tests.plugins.openassessment.test_staff import _add_submitted_learners

pytestmark = pytest.mark.browser


def _open(tab, course) -> None:
    tab.goto(urllib.parse.quote(course.unit_url(), safe="/"))


def _choose(form, idees: str, clarte: str) -> None:
    form.locator('[data-criterion="idees"]').get_by_label(idees).check()
    form.locator('[data-criterion="clarte"]').get_by_label(clarte).check()


def _respond(block, page) -> None:
    block.get_by_label("Réponse à la question 1").fill("Un agenda en ligne.\nPartagé.")
    block.get_by_label("Réponse à la question 2").fill("Moins d’appels.")
    page.once("dialog", lambda dialog: dialog.accept())
    block.get_by_role("button", name="Envoyer votre réponse").click()
    block.locator(".ora-submitted").wait_for()


def test_a_learner_assesses_a_peer_then_themselves(page, app, olx_course, cohort_member, site, as_user):
    course = olx_course(
        ora_xml(
            assessments='<assessment name="peer-assessment" must_grade="1" must_be_graded_by="1"/>'
            '<assessment name="self-assessment"/>'
        )
    )
    cohort = make_cohort(app, site, "Promotion")
    learner, peer = (cohort_member(course, site, cohort, name) for name in ("Léa", "Paul"))
    answer = {"responses": ["La réponse de Paul", "Sa mesure"]}
    assert as_user(peer, course).call("openassessment", "ora", "submit", answer).status_code == 200

    sign_in_tab(page, learner)
    _open(page, course)
    block = page.locator(".ora")
    _respond(block, page)
    assert stored_state(app, learner, course)["responses"] == [
        "Un agenda en ligne.\nPartagé.",
        "Moins d’appels.",
    ]

    block.get_by_role("button", name="Évaluer une réponse").click()
    peer_form = block.locator('form.ora-assessment[data-kind="peer"]')
    peer_form.wait_for()
    assert "La réponse de Paul" in block.locator(".ora-peer").inner_text()
    _choose(peer_form, "Quelques-unes", "Clair")
    peer_form.get_by_role("button", name="Envoyer l’évaluation").click()
    block.get_by_text("Réponses évaluées : 1 sur 1.").wait_for()

    self_form = block.locator('form.ora-assessment[data-kind="self"]')
    self_form.get_by_role("button", name="Envoyer l’évaluation").click()
    self_form.locator(".ora-status").filter(has_text="Choisissez une option pour « Idées ».").wait_for()
    _choose(self_form, "Riches", "Clair")
    self_form.get_by_role("button", name="Envoyer l’évaluation").click()
    block.get_by_text("Fait le ").wait_for()
    assert stored_state(app, learner, course)["self_assessment"]["choices"] == {
        "idees": "riches",
        "clarte": "clair",
    }
    assert completion_row(app, peer, course) == (1.0, None, None)  # Paul has not assessed anyone yet
    assert page.errors == []


def test_a_trainer_grades_with_the_rubric_in_the_page(
    page, app, olx_course, cohort_member, site, site_trainer, as_user
):
    course = olx_course(ora_xml("self", "staff"))
    learner = cohort_member(course, site, None, "Léa Apprenante")
    client = as_user(learner, course)
    assert (
        client.call("openassessment", "ora", "submit", {"responses": ["Un site", "Des ventes"]}).status_code
        == 200
    )

    sign_in_tab(page, site_trainer)
    _open(page, course)
    work = page.locator('[data-part="work"]').filter(has_text="Léa Apprenante")
    form = work.locator("form.ora-assessment")
    _choose(form, "Riches", "Confus")
    form.get_by_label("Un conseil pour l’auteur ?").fill("Précisez la mesure.")
    form.get_by_role("button", name="Enregistrer la note").click()
    page.locator('[data-part="work"]').get_by_text("Noté 5 sur 7 par Claire Formatrice").wait_for()
    assert completion_row(app, learner, course) == (1.0, 5.0, 7.0)
    assert stored_state(app, learner, course)["staff_comment"] == "Précisez la mesure."
    assert page.errors == []


def test_a_trainer_opens_the_next_page_and_grades_there(
    page, app, olx_course, make_user, make_company, site, site_trainer
):
    course = olx_course(ora_xml("self", "staff"))
    learners = _add_submitted_learners(app, course, make_user, make_company(cybersite=site), STAFF_PAGE + 1)
    sign_in_tab(page, site_trainer)
    _open(page, course)
    works = page.locator('[data-part="work"]')
    assert works.count() == STAFF_PAGE
    page.get_by_role("button", name="Afficher la réponse suivante (encore 1)").click()
    last = works.nth(STAFF_PAGE)
    last.wait_for()
    assert page.locator('[data-part="more"]').count() == 0
    assert page.evaluate("document.activeElement.getAttribute('data-part')") == "work"
    name = last.locator("h4").inner_text()
    learner = next(user for user in learners if user.display_name == name)
    form = last.locator("form.ora-assessment")
    _choose(form, "Quelques-unes", "Clair")
    form.get_by_role("button", name="Enregistrer la note").click()
    page.locator('[data-part="work"]').filter(has_text=name).get_by_text("Noté 5 sur 7").wait_for()
    assert completion_row(app, learner, course)[1:] == (5.0, 7.0)  # stored directly: not "submitted" here
    assert page.errors == []
