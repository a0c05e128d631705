"""Third-party XBlocks from PyPI in real Chromium: the acid conformance blocks, poll, done, free text,
drag-and-drop v2."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.progress.models import BlockCompletion
from app.runtime.keys import CourseKey, usage_key_for
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

COURSE_KEY = "course-v1:PyPI+BLOCKS+2026"
UNITS = {
    "acid": "<acid url_name='test'/>",
    "acid_parent": "<acid_parent url_name='parent'><acid url_name='left-child'/>"
    "<acid url_name='right-child'/></acid_parent>",
    "poll": "<poll url_name='poll' question='Utilisez-vous la facture électronique ?'/>",
    "done": "<done url_name='done'/>",
    "freetext": "<freetextresponse url_name='freetext' min_word_count='2' max_attempts='3'/>",
    "dnd": "<drag-and-drop-v2 url_name='dnd'/>",
}


def _write_course(folder: Path) -> None:
    (folder / "course").mkdir(parents=True)
    (folder / "course.xml").write_text('<course url_name="2026" org="PyPI" course="BLOCKS"/>')
    units = "".join(
        f'<vertical url_name="{name}" display_name="{name}">{xml}</vertical>' for name, xml in UNITS.items()
    )
    (folder / "course" / "2026.xml").write_text(
        '<course display_name="Composants tiers"><chapter url_name="ch" display_name="Chapitre">'
        f'<sequential url_name="seq" display_name="Séquence">{units}</sequential></chapter></course>'
    )


@pytest.fixture
def learner_on_course(browser_app, make_user, tmp_path, page):
    """The course imported, a learner enrolled and signed in through the browser."""
    _write_course(tmp_path / "blocks")
    result = browser_app.test_cli_runner().invoke(args=["courses", "import", str(tmp_path / "blocks")])
    assert result.exit_code == 0, result.output
    user = make_user(language="fr")
    with browser_app.app_context():
        course = db.session.scalar(select(Course).where(Course.course_key == COURSE_KEY))
        db.session.add(Enrolment(user_id=user.id, course_id=course.id))
        db.session.commit()
    page.goto("/compte/connexion")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/connexion" not in url)
    return user


def _unit_url(name: str) -> str:
    usage = usage_key_for(CourseKey.from_string(COURSE_KEY), "vertical", name)
    return f"/formations/{urllib.parse.quote(COURSE_KEY)}/unite/{urllib.parse.quote(str(usage))}"


def _acid_results(page, expected_total: int) -> dict[str, int]:
    # Every check starts as "unknown" and is replaced by its result once the browser has run it.
    page.wait_for_function(
        "n => document.querySelectorAll('i.pass, i.fail, i.error').length >= n",
        arg=expected_total,
        timeout=20_000,
    )
    page.wait_for_load_state("networkidle")
    return {kind: page.locator(f"i.{kind}").count() for kind in ("pass", "fail", "error", "unknown")}


def test_acid_passes_every_check(page, learner_on_course):
    page.goto(_unit_url("acid"))
    # The aside also decorates the unit itself; its "sees an acid block" check only runs on acid blocks,
    # so that one stays "unknown" (as on the reference workbench, whose 55 checks all pass).
    assert _acid_results(page, 55) == {"pass": 55, "fail": 0, "error": 0, "unknown": 1}
    assert page.errors == []


def test_acid_parent_passes_all_but_acids_own_bug(page, learner_on_course):
    page.goto(_unit_url("acid_parent"))
    results = _acid_results(page, 131)
    assert results == {"pass": 130, "fail": 1, "error": 0, "unknown": 1}
    # The one failure is acid's: its aside expects the block type "acid" on the parent too.
    assert page.locator(".aside-block .acid-dom i.fail").count() == 1


def _completion(app, user_id: int, block_type: str) -> BlockCompletion | None:
    with app.app_context():
        return db.session.scalar(
            select(BlockCompletion).where(
                BlockCompletion.user_id == user_id, BlockCompletion.block_type == block_type
            )
        )


def test_poll_vote_is_recorded_as_completion(page, learner_on_course, browser_app):
    page.goto(_unit_url("poll"))
    page.locator(".poll-answers input[type=radio]").first.check()
    page.locator("input.submit, button.submit").first.click()
    page.wait_for_selector(".poll-results, .poll-voting-thanks, .poll-footnote", timeout=10_000)
    record = _completion(browser_app, learner_on_course.id, "poll")
    assert record is not None and record.completion == 1.0
    assert page.errors == []


def test_done_toggle_is_recorded_as_grade(page, learner_on_course, browser_app):
    page.goto(_unit_url("done"))
    with page.expect_response(lambda r: "toggle_button" in r.url) as response:
        page.locator(".done_onoffswitch-label, .done_onoffswitch").first.click()
    assert response.value.status == 200
    record = _completion(browser_app, learner_on_course.id, "done")
    assert record is not None and (record.earned, record.possible, record.completion) == (1.0, 1.0, 1.0)


def test_free_text_answer_is_recorded_as_grade(page, learner_on_course, browser_app):
    page.goto(_unit_url("freetext"))
    page.fill("textarea", "La facture électronique fait gagner du temps à toute l'équipe.")
    with page.expect_response(lambda r: "/handler/submit" in r.url) as response:
        page.locator(".check.btn-primary, button.check, .submit").first.click()
    assert response.value.status == 200
    record = _completion(browser_app, learner_on_course.id, "freetextresponse")
    assert record is not None and record.possible == 1.0 and record.earned is not None


def test_blocks_get_the_jquery_open_edx_serves_them(page, learner_on_course):
    page.goto(_unit_url("poll"))
    # Open edX's LMS serves jQuery 2.2.4; some blocks break on 3.x (a Google Drive block's e.indexOf).
    assert page.evaluate("window.jQuery.fn.jquery") == "2.2.4"
    assert page.evaluate("typeof window.jQuery.fn.andSelf") == "function"  # gone in 3.0, still used by blocks
    assert page.errors == []


def test_drag_and_drop_places_an_item_and_is_graded(page, learner_on_course, browser_app):
    with page.expect_response(lambda r: "student_view_user_state" in r.url) as state:
        page.goto(_unit_url("dnd"))
    assert state.value.status == 200  # it asks edx-platform's waffle flags (app/runtime/openedx_compat.py)
    item = page.locator(".item-bank .option", has_text="Goes to the top")
    item.wait_for(timeout=10_000)
    # The block's keyboard way: select the item, then the zone.
    item.focus()
    page.keyboard.press("Enter")
    zone = page.locator(".target .zone", has_text="The Top Zone").first
    zone.focus()
    with page.expect_response(lambda r: "/handler/drop_item" in r.url) as dropped:
        page.keyboard.press("Enter")
    assert dropped.value.status == 200 and dropped.value.json()["correct"] is True
    page.get_by_text("Correct! This one belongs to The Top Zone.").first.wait_for(timeout=10_000)
    record = _completion(browser_app, learner_on_course.id, "drag-and-drop-v2")
    assert record is not None and record.possible == 1.0 and 0 < record.earned < 1.0
    assert page.errors == []
