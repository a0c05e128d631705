"""The problem block in real headless Chromium: answering with the keyboard and the mouse, feedback
without reloading the page, the saved state on reload, messages for bad answers, hints, the answer and a
reset on demand; and the editor saving through the studio."""

from __future__ import annotations

import urllib.parse

import pytest

from tests.conftest import PASSWORD
from tests.plugins.problem.conftest import QUIZ, P, recorded, user_state

pytestmark = pytest.mark.browser

SHORT = """<problem url_name="short" display_name="Court" max_attempts="1" show_reset_button="true"
  showanswer="finished">
  <multiplechoiceresponse><label>Un choix ?</label><choicegroup>
    <choice correct="false">Non</choice><choice correct="true">Oui</choice></choicegroup>
  </multiplechoiceresponse>
  <solution><p>Parce que oui.</p></solution>
</problem>"""


def sign_in(page, user) -> None:
    page.goto("/compte/connexion")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/connexion" not in url)


@pytest.fixture
def learner_page(page, olx_course, enrolled):
    course = olx_course(QUIZ + SHORT)
    learner = enrolled(course, language="fr")
    sign_in(page, learner)
    page.goto(urllib.parse.quote(course.unit_url(), safe="/"))
    page.wait_for_selector(".problem-form")
    return course, learner


def _id(input_id: str) -> str:
    return "#" + input_id


def test_answering_shows_feedback_without_reloading_and_the_state_stays(app, page, learner_page):
    course, learner = learner_page
    page.evaluate("window.notReloaded = true")
    quiz = page.locator(f'.problem[data-problem-id="{P}"]')
    page.locator(f'label[for="{P}_2_1-choice_1"]').click()
    page.check(_id(f"{P}_3_1-choice_0"))
    page.focus(_id(f"{P}_3_1-choice_1"))
    page.keyboard.press("Space")  # a checkbox ticked from the keyboard
    page.select_option(_id(f"{P}_4_1"), "20 %")
    page.fill(_id(f"{P}_5_1"), "12,9")
    page.fill(_id(f"{P}_6_1"), "chorus pro")
    page.keyboard.press("Enter")  # submits the form
    status = quiz.locator(".problem-status")
    status.locator("strong").wait_for(timeout=10_000)
    assert status.inner_text().strip() == "Correct (10/10 points)"
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("document.activeElement.classList.contains('problem-status')")
    assert quiz.locator(f"#{P}_2_1-feedback").inner_text().startswith("Correct")
    assert "Oui, en septembre." in quiz.locator(f"#{P}_2_1-feedback").inner_text()
    assert recorded(app, learner.id, course) == (10.0, 10.0, 1.0)

    page.reload()
    page.wait_for_selector(".problem-form")
    assert page.is_checked(_id(f"{P}_2_1-choice_1")) and page.is_checked(_id(f"{P}_3_1-choice_1"))
    assert page.input_value(_id(f"{P}_5_1")) == "12,9"
    assert page.input_value(_id(f"{P}_4_1")) == "20 %"
    assert "Vous avez utilisé 1 tentative sur 2." in quiz.inner_text()
    # Changing an answer hides the feedback that no longer applies to it.
    page.fill(_id(f"{P}_5_1"), "13")
    assert not quiz.locator(f"#{P}_5_1-feedback").is_visible()
    assert page.errors == []


def test_a_bad_number_is_explained_where_the_learner_looks(app, page, learner_page):
    course, learner = learner_page
    quiz = page.locator(f'.problem[data-problem-id="{P}"]')
    page.fill(_id(f"{P}_5_1"), "douze")
    quiz.locator(".problem-submit").click()
    alert = quiz.locator(".problem-error[role=alert]")
    alert.wait_for(state="visible", timeout=10_000)
    assert alert.inner_text().startswith("« douze » n’est pas un nombre.")
    assert user_state(app, learner.id, course) == {}
    assert page.errors == []


def test_hints_then_the_answer_then_a_reset(app, page, learner_page):
    quiz = page.locator(f'.problem[data-problem-id="{P}"]')
    quiz.locator(".problem-hint-button").click()
    hints = quiz.locator(".problem-hints")
    hints.locator(".problem-hint-notice").wait_for(timeout=10_000)
    assert hints.inner_text().startswith("Indice (1 sur 2) :")
    quiz.locator(".problem-hint-button").click()
    page.wait_for_function("() => document.querySelector('.problem-hints').textContent.includes('2 sur 2')")
    assert "C’est en 2026." in hints.inner_text()

    short = page.locator('.problem[data-problem-id="block-problem-short"]')
    page.check("#block-problem-short_2_1-choice_0")
    short.locator(".problem-submit").click()
    short = page.locator('.problem[data-problem-id="block-problem-short"]')
    short.locator(".problem-show-answer").wait_for(timeout=10_000)
    assert "Parce que oui." not in page.content()
    short.locator(".problem-show-answer").click()
    page.wait_for_selector(".problem-solution")
    assert "Parce que oui." in page.locator(".problem-solution").inner_text()
    marked = page.locator(".problem-choice.is-answer")
    assert marked.count() == 1 and "Oui (bonne réponse)" in marked.inner_text()
    # One attempt, used: closed, so no reset (as Open edX).
    assert page.locator('.problem[data-problem-id="block-problem-short"] .problem-reset').count() == 0
    assert page.errors == []


def test_the_editor_saves_and_explains_what_is_wrong(app, page, olx_course, trainer):
    course = olx_course(SHORT)
    sign_in(page, trainer)
    usage = course.usage("vertical", "u1")
    page.goto(urllib.parse.quote(f"/studio/formations/{course.course_key}/unite/{usage}", safe="/"))
    editor = page.locator(".problem-editor-form")
    editor.wait_for(timeout=10_000)
    page.fill("textarea[name=data]", "<problem>\n<p>oops</problem>")
    editor.locator("button[type=submit]").click()
    error = editor.locator(".problem-editor-error")
    error.wait_for(state="visible", timeout=10_000)
    assert error.inner_text().startswith("Le XML du problème ne peut pas être enregistré : Ligne 2 :")
    page.fill(
        "textarea[name=data]",
        '<problem><p>Nouveau</p><stringresponse answer="a"><textline/></stringresponse></problem>',
    )
    page.fill("input[name=display_name]", "Renommé")
    editor.locator("button[type=submit]").click()
    page.wait_for_function(
        "() => document.querySelector('.problem-editor-warnings').textContent.includes('Enregistré')"
    )
    assert not error.is_visible()
    assert page.errors == []
    assert QUIZ  # the shared sample stays untouched by this test


def test_a_refused_save_after_a_good_one_shows_no_saved_notice(app, page, olx_course, trainer):
    course = olx_course(SHORT)
    sign_in(page, trainer)
    usage = course.usage("vertical", "u1")
    page.goto(urllib.parse.quote(f"/studio/formations/{course.course_key}/unite/{usage}", safe="/"))
    editor = page.locator(".problem-editor-form")
    editor.wait_for(timeout=10_000)
    warnings = editor.locator(".problem-editor-warnings")
    editor.locator("button[type=submit]").click()
    page.wait_for_function(
        "() => document.querySelector('.problem-editor-warnings').textContent.includes('Enregistré')"
    )
    page.fill("textarea[name=data]", "<problem><multiplechoiceresponse>")
    editor.locator("button[type=submit]").click()
    error = editor.locator(".problem-editor-error")
    error.wait_for(state="visible", timeout=10_000)
    assert "multiplechoiceresponse" in error.inner_text() and "Premature" not in error.inner_text()
    assert not warnings.is_visible() and "Enregistré" not in warnings.inner_text()
    assert "Enregistré" not in page.locator("body").inner_text()
    assert page.errors == []
