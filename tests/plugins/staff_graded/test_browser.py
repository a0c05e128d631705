"""Staff-graded assignments in real Chromium: the block's script sends the learner's file (multipart, with
the CSRF header), refuses an oversized one before sending, and sends a trainer's grade; the answers show
in place."""

from __future__ import annotations

import urllib.parse

import pytest

from tests.plugins.conftest import sign_in_tab
from tests.plugins.staff_graded.conftest import grade_row, kept_files

pytestmark = pytest.mark.browser


def test_a_learner_hands_in_a_file_and_the_trainer_grades_it(
    page, browser, live_server, app, course, site_learner, site_trainer, tmp_path
):
    sign_in_tab(page, site_learner)
    page.goto(urllib.parse.quote(course.unit_url(), safe="/"))
    block = page.locator('[data-block-type="edx_sga"]')

    big = tmp_path / "gros.pdf"
    big.write_bytes(b"x" * 1_000_001)
    block.locator('input[name="assignment"]').set_input_files(str(big))
    block.get_by_role("button", name="Rendre").click()
    block.locator(".staff-graded-form-status").filter(has_text="Ce fichier est trop volumineux").wait_for()
    assert kept_files(app) == []

    wrong = tmp_path / "page.html"
    wrong.write_bytes(b"<p>x</p>")
    block.locator('input[name="assignment"]').set_input_files(str(wrong))
    block.get_by_role("button", name="Rendre").click()
    block.locator(".staff-graded-form-status").filter(has_text="ne sont pas acceptés").wait_for()

    plan = tmp_path / "plan été.pdf"
    plan.write_bytes(b"%PDF-1.4 plan")
    block.locator('input[name="assignment"]').set_input_files(str(plan))
    block.get_by_role("button", name="Rendre").click()
    block.locator(".staff-graded-status").filter(
        has_text="Votre fichier « plan été.pdf » est rendu."
    ).wait_for()
    assert kept_files(app) == [(site_learner.id, "submission", "plan été.pdf", b"%PDF-1.4 plan")]

    context = browser.new_context(base_url=live_server, locale="fr-FR")
    tab = context.new_page()
    sign_in_tab(tab, site_trainer)
    tab.goto(urllib.parse.quote(course.unit_url(), safe="/"))
    work = tab.locator('[data-block-type="edx_sga"] .staff-graded-work')
    assert work.get_by_role("link", name="plan été.pdf").is_visible()
    work.get_by_label("Note (de 0 à 20)").fill("25")
    work.get_by_role("button", name="Enregistrer la note").click()
    work.locator(".staff-graded-form-status").filter(
        has_text="La note doit être un nombre de 0 à 20."
    ).wait_for()
    work.get_by_label("Commentaire pour l’apprenant").fill("Bon travail.")
    work.get_by_label("Note (de 0 à 20)").fill("16")
    work.get_by_role("button", name="Enregistrer la note").click()
    tab.locator('[data-block-type="edx_sga"] .staff-graded-status').filter(
        has_text="La note est enregistrée."
    ).wait_for()
    assert grade_row(app, site_learner, course, "edx_sga", "sga") == (1.0, 1.6, 2.0)
    assert page.errors == []
    context.close()
