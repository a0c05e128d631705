"""WCAG 2.1 A and AA in real Chromium, with the axe-core engine: every page of the demo, as every demo role,
at 1280 and 390 CSS pixels wide, has no violation; and the keyboard alone reaches the menu and a unit's
controls with the focus visible on each.

The pages are those the CSP walk opens (tests/browser/test_demo_pages_csp.py: each role follows the links
it is shown from its home page). axe-core is vendored for the tests only (tests/browser/vendor/axe-core,
MPL-2.0), injected before the page's own scripts, so no CDN is reached and the product never serves it.
One browser, one context per role; each page is loaded once and audited at both widths by resizing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from app.accounts.demo import ACCOUNTS
from tests.browser.test_demo_pages_csp import _sign_in, _walk, demo, demo_site
from tests.browser_fixtures import artifact

pytestmark = pytest.mark.browser

__all__ = ["demo", "demo_site"]  # the fixtures this module reuses

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)
HEIGHT = 900
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Two frames after a resize: the page's resize handlers have run, as they have before anyone looks at it.
SETTLED_JS = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
# Run axe on the whole document (frames included) and return each violation: its rule and elements.
AUDIT_JS = """
async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    rule: v.id, help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(" >>> ") + " : " + n.failureSummary
      .replace(/\\s+/g, " ").slice(0, 160)),
  }));
}
"""


def _audit(page: Any, where: str, who: str) -> list[str]:
    """The violations of the loaded page at each width, one line per rule and element; a screenshot of the
    page at each width is kept in the test artifacts."""
    found: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.evaluate(SETTLED_JS)
        name = re.sub(r"[^A-Za-z0-9]+", "-", where).strip("-") or "home"
        shot = artifact(f"screenshots/axe/{who}/{name[:120]}-{width}.jpg")
        page.screenshot(path=str(shot), type="jpeg", quality=50)
        for violation in page.evaluate(AUDIT_JS, TAGS):
            for target in violation["targets"]:
                found.append(f"{where} @{width}px [{violation['rule']}] {violation['help']}: {target}")
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    return found


@pytest.mark.parametrize("email", [None, *(a.email for a in ACCOUNTS)], ids=lambda e: e or "visitor")
def test_every_demo_page_passes_axe_at_both_widths(demo, browser, demo_site, email):
    context = browser.new_context(
        base_url=demo_site, locale="fr-FR", viewport={"width": WIDTHS[0], "height": HEIGHT}
    )
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    violations: list[str] = []
    try:
        if email is not None:
            _sign_in(page, email)
        visited, _ = _walk(
            page, demo_site, lambda path: violations.extend(_audit(page, path, email or "visitor"))
        )
    finally:
        context.close()
    assert len(visited) > 3, visited  # the walk went past the home page
    assert violations == [], f"{len(violations)} violations over {len(visited)} pages:\n" + "\n".join(
        violations
    )


# The focused element: what it is, where it leads, and whether its focus is drawn (an outline or a shadow
# that the element does not have unfocused is what :focus-visible gives it here).
FOCUSED_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return {
    tag: el.tagName.toLowerCase(), type: el.type || "", href: el.getAttribute("href") || "",
    classes: el.className || "", text: (el.innerText || el.value || "").trim().slice(0, 60),
    visible: outlined || style.boxShadow !== "none", matches: el.matches(":focus-visible"),
    disabled: !!el.disabled,
  };
}
"""
MAX_TABS = 120


def _tab_until(page: Any, wanted: Any, stops: list[dict[str, Any]]) -> dict[str, Any]:
    """Press Tab until the focused element is ``wanted``; every stop on the way is kept in ``stops``."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None:
            continue
        stops.append({**focused, "url": page.url})
        if wanted(focused):
            return focused
    raise AssertionError(f"not reached with {MAX_TABS} Tab presses: {[s['text'] or s['tag'] for s in stops]}")


def test_a_learner_signs_in_opens_a_unit_and_answers_a_problem_with_the_keyboard_alone(
    demo, browser, demo_site, app, make_user
):
    from sqlalchemy import select

    from app.accounts.demo import DEMO_PASSWORD
    from app.accounts.models import Company, Role
    from app.accounts.services.credentials import hash_password
    from app.core.extensions import db
    from app.courses.models import Course, Enrolment
    from app.runtime.models import StoredBlock

    with app.app_context():
        company = db.session.scalars(select(Company).order_by(Company.id)).first()
        course = db.session.scalar(
            select(Course)
            .join(StoredBlock, StoredBlock.tree_id == Course.published_tree_id)
            .where(StoredBlock.block_type == "problem")
            .order_by(Course.course_key)
            .limit(1)
        )
        course_id = course.id
    # A learner of their own: no attempt used yet on any problem.
    user = make_user(
        roles=[(Role.LEARNER, company)],
        email="clavier@example.fr",
        password_hash=hash_password(DEMO_PASSWORD),
    )
    with app.app_context():
        db.session.add(Enrolment(user_id=user.id, course_id=course_id))
        db.session.commit()
    context = browser.new_context(
        base_url=demo_site, locale="fr-FR", viewport={"width": 1280, "height": HEIGHT}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    stops: list[dict[str, Any]] = []
    try:
        page.goto("/compte/connexion")
        _tab_until(page, lambda f: f["tag"] == "input" and f["type"] == "email", stops)
        page.keyboard.type(user.email)
        _tab_until(page, lambda f: f["type"] == "password", stops)
        page.keyboard.type(DEMO_PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/connexion" not in page.url
        # From the home page to the course, then into its first unit, by links reached with Tab.
        _tab_until(page, lambda f: f["tag"] == "a" and "/formations/" in f["href"], stops)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        _tab_until(page, lambda f: f["tag"] == "a" and "/unite/" in f["href"], stops)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        for _ in range(15):  # unit after unit with the « Suivant » link, to the first with a problem
            if page.locator(".problem-submit").count():
                break
            _tab_until(page, lambda f: f["tag"] == "a" and f["href"] and page.evaluate(
                "() => document.activeElement.rel") == "next", stops)  # fmt: skip
            with page.expect_navigation():
                page.keyboard.press("Enter")
        assert page.locator(".problem-submit").count(), page.url
        # A choice picked with the arrow keys or Space, then the problem's own Submit button.
        choice = _tab_until(page, lambda f: f["type"] in ("radio", "checkbox") and not f["disabled"], stops)
        page.keyboard.press("Space")
        if choice["type"] == "radio":
            assert page.evaluate("() => document.activeElement.checked")
        _tab_until(page, lambda f: "problem-submit" in f["classes"], stops)
        with page.expect_response(lambda r: "/handler/submit" in r.url) as answered:
            page.keyboard.press("Enter")
        assert answered.value.status == 200
    finally:
        context.close()
    assert "/unite/" in stops[-1]["url"]
    hidden = [s for s in stops if not s["visible"]]
    assert hidden == [], f"focus not drawn on {len(hidden)} of {len(stops)} stops: {hidden[:5]}"
    assert errors == []
