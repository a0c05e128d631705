"""Every page of the demo, as every demo role, in real Chromium: no Content-Security-Policy violation, no
JavaScript error and no failed resource in the console.

The demo is loaded as ``make run`` loads it (``flask demo load``: its courses, with their XBlocks, its
accounts, cohorts and VISTA answers). Each role signs in and walks the site from its home page by the
links it is shown (same origin, GET only), as a curious new user would: a few addresses of each kind (the
ids in a path make a kind), so that every page type the role can reach is opened while the walk stays
short. Downloads (CSV, XLSX, PDF, JSON) are not pages and are left out, as is signing out.
"""

from __future__ import annotations

import re
import urllib.parse
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from app.accounts.demo import ACCOUNTS, DEMO_PASSWORD
from tests.browser_fixtures import served, site_app

pytestmark = pytest.mark.browser

# A kind of page is its path with every id-like segment replaced; so many addresses of a kind are opened.
PER_KIND = 2
PAGES_PER_ROLE = 200
# Unit pages are one kind but each shows other blocks: every unit the role can open is opened.
EVERY_ONE = re.compile(r"^/formations/.+/unite/")
SKIPPED = re.compile(
    r"(/deconnexion|/logout|\.(csv|xlsx|pdf|json|zip|tar\.gz|vtt|srt|png|jpe?g|svg|mp4|webm)$|/export|/api/"
    r"|/static/|/handler/|/xblock-resource/|/telechargement)",
    re.IGNORECASE,
)
ID_SEGMENT = re.compile(r"^(\d+|[0-9a-f-]{16,}|[A-Z0-9]{4}(-[A-Z0-9]{4}){4}|.*[:+@].*)$")

RECORD_CSP = """
document.addEventListener('securitypolicyviolation', (e) => {
  (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') +
    ' at ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""

LINKS = """() => [...document.querySelectorAll('a[href]')]
  .filter(a => !a.closest('[hidden]') && !a.hasAttribute('download'))
  .map(a => a.href)"""


def _kind(path: str) -> str:
    return "/".join("*" if ID_SEGMENT.match(urllib.parse.unquote(s)) else s for s in path.split("/"))


def _sign_in(page: Any, email: str) -> None:
    page.goto("/compte/connexion")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/connexion" not in url)


def _walk(
    page: Any, origin: str, visit: Callable[[str], None] | None = None
) -> tuple[list[str], dict[str, list[str]]]:
    """Open the pages reachable by links from the home page; return them and the problems per page.
    ``visit`` is called with each page's path once it has loaded (the accessibility audit's hook)."""
    queue, seen, kinds = ["/"], set(), Counter()
    visited: list[str] = []
    problems: dict[str, list[str]] = {}
    current: list[str] = []
    page.on("console", lambda m: current.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: current.append(f"JavaScript error: {e}"))
    while queue and len(visited) < PAGES_PER_ROLE:
        path = queue.pop(0)
        current.clear()
        response = page.goto(path)
        page.wait_for_load_state("load")
        visited.append(path)
        status = response.status if response is not None else 0
        found = list(current) + page.evaluate("() => window.__csp || []")
        if visit is not None:
            visit(path)
        if status >= 500:
            found.append(f"status {status}")
        if found:
            problems[path] = found
        for href in page.evaluate(LINKS):
            parsed = urllib.parse.urlsplit(href)
            if f"{parsed.scheme}://{parsed.netloc}" != origin:
                continue
            target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            kind = _kind(parsed.path)
            capped = kinds[kind] >= PER_KIND and not EVERY_ONE.search(parsed.path)
            if target in seen or SKIPPED.search(parsed.path) or capped:
                continue
            seen.add(target)
            kinds[kind] += 1
            queue.append(target)
    return visited, problems


@pytest.fixture(scope="module")
def demo_site(database, app):
    """The site as ``make run`` serves it (no test-only aside), on the run's database."""
    with served(site_app(database, app)) as address:
        yield address


@pytest.fixture
def demo(app):
    """The demo, loaded as ``make run`` loads it (every test starts with empty tables)."""
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


# A page of each role's own that the walk must reach from the menu (the walk reached the role's pages).
REACHED = {
    None: "/formations/*/presentation",
    "admin@demo.cybermassif.fr": "/vista/observatoire",
    "responsable.clermont@demo.cybermassif.fr": "/vista/cybersites/*",
    "formateur@demo.cybermassif.fr": "/studio/formations/*/unite/*",
    "gerant@demo.cybermassif.fr": "/vista/entreprises/*/rapport",
    "apprenant@demo.cybermassif.fr": "/formations/*/unite/*",
    "learner@demo.cybermassif.fr": "/formations/*/unite/*",
}


@pytest.mark.parametrize("email", [None, *(a.email for a in ACCOUNTS)], ids=lambda e: e or "visitor")
def test_every_demo_page_runs_without_csp_violation_or_script_error(demo, browser, demo_site, email):
    context = browser.new_context(base_url=demo_site, locale="fr-FR")
    context.add_init_script(RECORD_CSP)
    page = context.new_page()
    try:
        if email is not None:
            _sign_in(page, email)
        visited, problems = _walk(page, demo_site)
    finally:
        context.close()
    assert REACHED[email] in {_kind(v.split("?")[0]) for v in visited}, visited
    assert problems == {}, "\n".join(f"{path}\n  " + "\n  ".join(found) for path, found in problems.items())
