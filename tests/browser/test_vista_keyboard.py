"""A company manager answers the whole shipped VISTA questionnaire in Chromium with the keyboard only (Tab
from field to field, Space and the arrow keys in each group of choices, digits in the figures, Enter on
"Save and continue" and on "Submit"), then reads the report with its radar; after a learner of the company
completes a course tagged with a dimension, the report's Use lens for it has moved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.core.extensions import db
from app.vista import questionnaire_file
from app.vista.models import Assessment, Status
from tests.browser.test_demo_walkthrough import _sign_in
from tests.progress import conftest as progress_fixtures
from tests.vista.report_fixtures import tagged_policy

pytestmark = pytest.mark.browser

probe_block_type = progress_fixtures.probe_block_type
progress_course = progress_fixtures.progress_course
learner_in = progress_fixtures.learner_in
enrolled_learner = progress_fixtures.enrolled_learner

SHIPPED = Path(__file__).resolve().parents[2] / "app" / "vista" / "questionnaires" / "vista-2026.json"
# Which choice the manager picks in each kind of group (0: the first choice), by the arrow keys.
CHOICE = {"tick": 0, "invest": 1, "triple": 1, "scale": 3, "agree": 3}
# The answers one could give a figure, whatever its allowed range in the shipped file.
FIGURE = "2"

FOCUSED = """() => {
  const e = document.activeElement;
  const form = e.closest('form');
  const group = e.type === 'radio' ? [...document.getElementsByName(e.name)] : [];
  return {
    tag: e.tagName, type: e.type || null, name: e.name || null, value: e.value || null,
    inPage: !!(form && form.hasAttribute('novalidate')),
    index: group.indexOf(e), size: group.length,
    action: form ? (form.getAttribute('action') || '') : null,
    checkedIndex: group.findIndex(r => r.checked),
  };
}"""


def _tab_until(page: Any, wanted: Any, limit: int = 250) -> dict[str, Any]:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if wanted(focused):
            return focused
    raise AssertionError("the keyboard never reached the wanted control")


def _answer_page(page: Any, kinds: dict[str, str], not_relevant: set[str]) -> None:
    """Answer every item of the page shown, from the keyboard, then press Enter on "Save and continue"."""
    focused = _tab_until(page, lambda f: f["inPage"])
    answered: set[str] = set()
    while not (focused["tag"] == "BUTTON" and focused["value"] == "next"):
        name = focused["name"]
        if focused["type"] == "radio" and name not in answered:
            # The last choice of a group that allows it is "not relevant to my business".
            target = focused["size"] - 1 if name in not_relevant else CHOICE[kinds[name]]
            # Nothing is checked yet: Tab lands on the first choice; Space checks it, each arrow moves on
            # to the next choice and checks it.
            assert focused["index"] == 0 and focused["checkedIndex"] == -1, name
            if target == 0:
                page.keyboard.press("Space")
            for _ in range(target):
                page.keyboard.press("ArrowRight")
            assert page.evaluate(FOCUSED)["checkedIndex"] == target, name
            answered.add(name)
        elif focused["type"] == "number" and name not in answered:
            page.keyboard.press("Control+A")
            page.keyboard.type(FIGURE)
            answered.add(name)
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
    assert answered == set(kinds), set(kinds) - answered
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _use_of(page: Any, dimension: str) -> float:
    """The Use lens of ``dimension`` in the report's table of dimensions, as the page shows it."""
    row = page.locator("table tbody tr", has=page.locator("th", has_text=f"{dimension} ·")).first
    return float(row.locator("td").nth(1).inner_text().split()[-1])


def test_a_manager_answers_with_the_keyboard_only_and_the_use_lens_moves_with_training(
    app, browser_app, page, make_cybersite, make_company, make_user, progress_course, enrolled_learner
):
    with app.app_context():
        spec = questionnaire_file.read(SHIPPED)
        questionnaire_file.load(db.session, spec)
        db.session.commit()
    pages = [(p.code, {i.code: i.kind for i in p.items}) for p in spec.pages]
    tagged = progress_course(number="VKB", extra_files=tagged_policy({"D3": 1.0}))
    company = make_company(cybersite=make_cybersite())
    manager = make_user(roles=[(Role.COMPANY_MANAGER, company)], language="en")
    # One item answered "not relevant" on the D5 page, as a shop owner without automation would.
    d5 = next(p for p in spec.pages if p.dimension == "D5")
    skipped = {next(i.code for i in d5.items if i.allows_not_relevant)}

    _sign_in(page, manager.email)
    page.goto(f"/vista/entreprises/{company.id}/questionnaire/0")
    for number, (code, kinds) in enumerate(pages, 1):
        assert f"Page {number} of {len(pages)}" in page.inner_text("main"), code
        _answer_page(page, kinds, skipped)
    assert "/questionnaire/relecture" in page.url
    assert "Not answered" not in page.inner_text("main")
    assert "Not relevant to my business" in page.inner_text("main")
    # The first wave is chosen for the manager; Tab to "Submit my self-assessment" and press Enter.
    _tab_until(page, lambda f: f["tag"] == "BUTTON" and f["action"].endswith("/remise"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    with app.app_context():
        found = db.session.scalar(select(Assessment).where(Assessment.company_id == company.id))
        assert found.status == Status.SUBMITTED.value and found.wave == "T0" and found.headcount == 2

    page.goto(f"/vista/entreprises/{company.id}/rapport")
    radar = page.locator("svg[role=img]")
    assert radar.count() == 1 and radar.locator("title").count() == 1
    assert page.locator("svg[role=img] polygon, svg[role=img] polyline").count() >= 1
    before = _use_of(page, "D3")

    # A learner of the company completes the course tagged D3 (the real recording path).
    _user, learner = enrolled_learner(tagged, company=company)
    for unit in ("u1", "u2", "u3", "u4"):
        learner.view(unit)
    for probe in ("p1", "p2", "p3"):
        assert learner.report(probe, grade=1.0, max=1.0, completion=1.0).status_code == 200

    page.reload()
    after = _use_of(page, "D3")
    assert after > before, (before, after)
    assert page.errors == []
