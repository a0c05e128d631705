"""Each role's home page in real Chromium at 1280 and 390 CSS pixels: the page never scrolls sideways,
its key figures are on screen, and they equal those of the HTTP page (the dashboards' figures, tested in
tests/progress/test_home_pages.py). Screenshots of each are kept in the test's temporary folder."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser_fixtures import artifact
from tests.conftest import PASSWORD
from tests.progress.conftest import (  # noqa: F401 (fixtures)
    follow,
    learner_in,
    probe_block_type,
    progress_course,
    world,
)

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
SCROLLS_JS = "() => document.documentElement.scrollWidth > window.innerWidth"
# Each key figure of a section: its number and label, and whether it is inside the viewport's width.
FIGURES_JS = """
(section) => [...document.querySelectorAll(`#${section} ~ .home-figures li, #${section} + .home-figures li`)]
  .map((li) => {
    const box = li.getBoundingClientRect();
    return [li.textContent.trim().replace(/\\s+/g, " "), box.width > 0 && box.left >= 0
      && box.right <= window.innerWidth + 0.5];
  })
"""


def _sign_in(page: Any, email: str) -> None:
    page.goto("/compte/connexion")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/connexion" not in url)


@pytest.fixture
def demo(app, world, progress_course, learner_in):  # noqa: F811 (fixtures)
    course = progress_course()
    follow(app, world, course)
    first = learner_in(world.learners[0], course)
    for unit in ("u1", "u2", "u3", "u4"):
        first.view(unit)
    for probe in ("p1", "p2", "p3"):
        first.report(probe, grade=1.0, max=1.0, completion=1.0)
    learner_in(world.learners[2], course).view("u2")
    return course


CASES = {
    "learner": (lambda w: w.learners[2], "home-learner", "1 course under way"),
    "company manager": (lambda w: w.managers[0], "home-company-{company}", "1 course finished"),
    "cybersite manager": (lambda w: w.site_managers[0], "home-site-{site}", "2 enrolments"),
    "trainer": (lambda w: w.trainers[0], "home-trainer", "1 course followed by my cohorts"),
    "administrator": (lambda w: w.admin, "home-network", "4 companies"),
}


@pytest.mark.parametrize("role", list(CASES))
def test_each_roles_home_page_fits_and_shows_its_figures(
    role,
    browser,
    live_server,
    app,
    world,  # noqa: F811 (fixtures)
    demo,
    client,
):
    person, section, expected = CASES[role]
    user = person(world)
    section = section.format(company=world.companies[0].id, site=world.sites[0].id)
    for width in WIDTHS:
        context = browser.new_context(
            base_url=live_server, locale="en-GB", viewport={"width": width, "height": 900}
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, found=errors: found.append(str(error)))
        _sign_in(page, user.email)
        page.goto("/")
        shot = artifact(f"screenshots/home-{role.replace(' ', '-')}-{width}.png")
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 0
        assert not page.evaluate(SCROLLS_JS), (role, width, "the page scrolls sideways")
        figures = page.evaluate(FIGURES_JS, section)
        assert figures, (role, width, section)
        assert all(inside for _text, inside in figures), (role, width, figures)
        assert expected in [text for text, _inside in figures], (role, width, figures)
        assert page.locator(f"#{section}").is_visible()
        assert errors == []
        context.close()
