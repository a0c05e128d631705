"""Reflow at 320 CSS pixels (WCAG 1.4.10) in real Chromium, over the URL map: every page that one of the
access matrix's people (a visitor, B's learner, company manager, trainer and Cybersite manager, the
administrator) opens with a 200 HTML answer scrolls vertically only. A table or a chart may scroll inside
its own box; the page itself never does. The demo courses' units are visited too, as B's learner sees them,
and B's company has two VISTA waves so that its report draws its radar and trends.

The header's menu is collapsed at that width (its summary shown, the navigation hidden) and opens from
the keyboard, without script (a ``<details>`` element).
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app.accounts.models import Role, RoleGrant, User
from app.cohorts.models import CohortMember
from app.core.extensions import db
from app.courses.importing import import_course
from app.courses.models import Enrolment
from app.vista.models import DIMENSIONS
from tests.conftest import _PASSWORD_HASH, PASSWORD
from tests.security.access_matrix import MATRIX, OK
from tests.security.access_world import ROLES, World, build_world
from tests.vista import report_fixtures

pytestmark = pytest.mark.browser

questionnaire = report_fixtures.questionnaire
submit = report_fixtures.submit

COURSES = Path(__file__).resolve().parents[2] / "courses"
WIDTH, HEIGHT = 320, 800
# The charts' problems: text drawn smaller than 9 px, a figure that scrolls but cannot take the focus.
CHART_JS = """
() => {
  const found = [];
  for (const svg of document.querySelectorAll("svg.chart")) {
    const figure = svg.closest("figure");
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const smallest = Math.min(...[...svg.querySelectorAll("text")].map(
      (t) => parseFloat(t.getAttribute("font-size") || "16") * scale));
    if (smallest < 9) found.push(`${svg.id || svg.className.baseVal}: text of ${smallest.toFixed(1)} px`);
    if (figure && figure.scrollWidth > figure.clientWidth
        && (figure.getAttribute("tabindex") !== "0" || !figure.getAttribute("aria-label"))) {
      found.push(`${svg.className.baseVal}: its figure scrolls but takes no focus or has no label`);
    }
  }
  return [document.querySelectorAll("svg.chart").length, found];
}
"""
# Whether the page scrolls sideways.
SCROLL_JS = "() => document.documentElement.scrollWidth > window.innerWidth"
# How far it does, and the elements that stick out of it (for the failure message).
OVERFLOW_JS = """
() => {
  const limit = window.innerWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > limit + 0.5) {
      let clipped = false;
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        const style = getComputedStyle(up);
        if (style.overflowX !== "visible" && up.getBoundingClientRect().right <= limit + 0.5) {
          clipped = true;
          break;
        }
      }
      if (!clipped) {
        const named = el.closest("[class]");
        wide.push(el.tagName.toLowerCase() + " in " + (named ? named.tagName.toLowerCase() + "."
          + String(named.className).trim().split(/\\s+/).join(".") : "body") + " " + Math.round(box.right));
      }
    }
  }
  return document.documentElement.scrollWidth + " px > " + limit + " px: " + wide.slice(0, 5).join(", ");
}
"""


def _html_pages(world: World, role: str) -> list[str]:
    """The GET probes of the matrix that ``role`` must open with a 200 (own ids, and foreign ones)."""
    urls: list[str] = []
    for entry in MATRIX.values():
        for probes, expect in ((entry.own, entry.expect_own), (entry.foreign, entry.expect_foreign)):
            if probes is None:
                continue
            for probe in probes(world):
                statuses = (probe.expect or expect).get(role)
                if probe.method == "GET" and statuses == OK and probe.url not in urls:
                    urls.append(probe.url)
    return urls


def _long_words(app: Any, world: World) -> None:
    """A learner of B's cohort whose name and e-mail address are each one long word, as real ones can be."""
    with app.app_context():
        person = User(
            email="marie-christine.de-la-tour-dauvergne-rochefort@menuiserie-beaulieu-auvergne.example",
            display_name="Marie-Christine-De-La-Tour-D'Auvergne-Rochefort-Beaulieu",
            password_hash=_PASSWORD_HASH,
        )
        person.roles.append(RoleGrant(role=Role.LEARNER, company_id=world.b.company_id))
        db.session.add(person)
        db.session.flush()
        db.session.add(
            CohortMember(cohort_id=world.b.cohort_id, user_id=person.id, company_id=world.b.company_id)
        )
        db.session.add(Enrolment(user_id=person.id, course_id=world.course_id, cohort_id=world.b.cohort_id))
        db.session.commit()


def _demo_courses(app: Any, world: World) -> list[str]:
    """Import the demo courses and enrol B's learner in each; their keys."""
    keys = []
    with app.app_context():
        for folder in sorted(COURSES.iterdir()):
            if (folder / "course.xml").is_file():
                course = import_course(folder, actor=None).course
                db.session.add(Enrolment(user_id=world.b.learner_id, course_id=course.id))
                keys.append(course.course_key)
        db.session.commit()
    return keys


def _vista_waves(submit: Any, world: World) -> None:
    """Two submitted waves of B's company, so that its report shows the radar, changes and trends."""
    company = SimpleNamespace(id=world.b.company_id)
    for wave, ticks, agree in (("T0", 0, 2), ("T1", 1, 4)):
        answers: dict[str, Any] = {}
        for d in DIMENSIONS:
            answers |= {f"{d}A{i}": ticks for i in range(1, 5)}
            answers |= {f"{d}U1": agree, f"{d}I1": agree, f"{d}I2": agree}
        submit(company, answers, wave=wave)


def _sign_in(page: Any, email: str) -> None:
    page.goto("/compte/connexion")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/connexion" not in url)


def _is_html(context: Any, url: str) -> bool:
    """Whether ``url`` answers this context's person with an HTML page (not a CSV, PDF or JSON answer)."""
    response = context.request.get(url, max_redirects=0)
    return response.status == 200 and response.headers.get("content-type", "").startswith("text/html")


def test_every_page_reflows_at_320_px(app, browser, live_server, submit, tmp_path):
    world = build_world(app, tmp_path / "course")
    _vista_waves(submit, world)
    _long_words(app, world)
    demo_keys = _demo_courses(app, world)
    overflowing: list[str] = []
    seen: dict[str, int] = {}
    html: dict[str, bool] = {}  # whether a URL answers with a page (the same for whoever may open it)
    charts: dict[str, int] = {}
    for role in ROLES:
        context = browser.new_context(
            base_url=live_server, locale="fr-FR", viewport={"width": WIDTH, "height": HEIGHT}
        )
        page = context.new_page()
        email = world.email_of(role)
        if email is not None:
            _sign_in(page, email)
        urls = _html_pages(world, role)
        if role == "learner":
            for key in demo_keys:
                page.goto(f"/formations/{urllib.parse.quote(key)}")
                links = page.eval_on_selector_all("main a[href*='/unite/']", "els => els.map(a => a.href)")
                urls += [urllib.parse.urlsplit(link).path for link in dict.fromkeys(links)]
        for url in urls:
            if url not in html:
                html[url] = _is_html(context, url)
            if not html[url]:
                continue
            response = page.goto(url)
            assert response is not None and response.status == 200, (role, url)
            seen[url] = seen.get(url, 0) + 1
            if page.evaluate(SCROLL_JS):
                overflowing.append(f"{role} {url}: {page.evaluate(OVERFLOW_JS)}")
            count, problems = page.evaluate(CHART_JS)
            charts[url] = count
            overflowing += [f"{role} {url}: {problem}" for problem in problems]
        context.close()
    pages = set(seen)
    # The pages the issue names are among those checked.
    assert any("/unite/" in url for url in pages)
    assert charts[f"/progression/promotions/{world.b.cohort_id}"] == 1  # its completions over time
    assert any(url.endswith("/certificat") for url in pages)
    assert charts[f"/vista/entreprises/{world.b.company_id}/rapport"] == 1  # its radar
    assert not overflowing, f"{len(overflowing)} problems over {sum(seen.values())} pages:\n" + "\n".join(
        overflowing
    )


def test_the_header_menu_is_collapsed_at_320_px_and_opens_from_the_keyboard(app, browser, live_server):
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport={"width": WIDTH, "height": HEIGHT}
    )
    page = context.new_page()
    page.goto("/")
    summary = page.locator("details.site-menu > summary")
    link = page.locator("details.site-menu nav a").first
    assert summary.is_visible()
    assert summary.inner_text().strip() == "Menu"
    assert not link.is_visible()
    summary.focus()
    page.keyboard.press("Enter")
    assert link.is_visible()
    page.keyboard.press("Enter")
    assert not link.is_visible()
    # Wide screens: no summary, the navigation always shown.
    page.set_viewport_size({"width": 1280, "height": HEIGHT})
    assert not summary.is_visible()
    assert link.is_visible()
    context.close()
