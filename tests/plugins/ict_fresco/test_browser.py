"""The fresco in real Chromium: tabs worked with the keyboard alone, a phone-width page that does not
scroll sideways, the grid as a table on a wide screen, and the sectors usable without JavaScript."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.browser_fixtures import served, site_app
from tests.plugins.conftest import sign_in_tab

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
WIDE = {"width": 1400, "height": 900}
TABS = '.ict-fresco [role="tab"]'


@pytest.fixture(scope="module")
def live_server(database: dict[str, Any], app: Flask) -> Iterator[str]:
    """The application served on loopback, as a site runs it: no aside (the suite's browser application
    allows the acid aside, whose buttons would add to every block). The shared ``page`` uses it."""
    with served(site_app(database, app)) as address:
        yield address


@pytest.fixture
def learner(fresco_course, enrolled, make_company):
    """A baker's employee (NAF 10.71C: the agriculture and food row), enrolled in the fresco's course."""
    return enrolled(fresco_course, company=make_company(naf_code="10.71C"))


def _unit(course) -> str:
    key = urllib.parse.quote(course.course_key)
    return f"/formations/{key}/unite/{urllib.parse.quote(course.usage('vertical', 'u1'))}"


def _state(tab) -> dict:
    """Which tab is selected and focused, and which sector panels show."""
    return tab.evaluate(
        """() => {
          const tabs = [...document.querySelectorAll('.ict-fresco [role="tab"]')];
          const key = t => t.id.split('-tab-')[1];
          const focused = document.activeElement;
          return {
            selected: tabs.filter(t => t.getAttribute('aria-selected') === 'true').map(key),
            focusable: tabs.filter(t => t.tabIndex === 0).map(key),
            focused: tabs.includes(focused) ? key(focused)
              : (focused.getAttribute('role') || focused.tagName),
            shown: [...document.querySelectorAll('.ict-fresco-sector')]
              .filter(d => d.getBoundingClientRect().height > 0).map(d => d.dataset.sector),
          };
        }"""
    )


def _no_sideways_scroll(tab) -> bool:
    return tab.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_the_sector_tabs_work_with_the_keyboard_alone_on_a_phone(page, fresco_course, learner):
    page.set_viewport_size(PHONE)
    sign_in_tab(page, learner)
    page.goto(_unit(fresco_course))
    page.wait_for_selector(".ict-fresco.is-tabbed")
    assert page.is_visible(TABS) and not page.is_visible(".ict-fresco-grid table")
    assert _state(page) == {
        "selected": ["agriculture_food"],
        "focusable": ["agriculture_food"],
        "focused": "BODY",
        "shown": ["agriculture_food"],
    }
    assert page.is_visible("text=Traçabilité des lots")

    # Tab from the top of the page reaches the tab list on its selected tab (the others are skipped).
    for _ in range(60):
        page.keyboard.press("Tab")
        if _state(page)["focused"] == "agriculture_food":
            break
    else:
        pytest.fail("Tab never reached the sector tabs")

    steps = [
        ("ArrowRight", "services"),
        ("ArrowRight", "retail"),  # wraps round
        ("ArrowLeft", "services"),
        ("Home", "retail"),
        ("End", "services"),
        ("ArrowLeft", "agriculture_food"),
    ]
    for key, expected in steps:
        page.keyboard.press(key)
        state = _state(page)
        assert state == {
            "selected": [expected],
            "focusable": [expected],
            "focused": expected,
            "shown": [expected],
        }
    page.keyboard.press("End")
    assert page.is_visible("text=Plannings partagés") and not page.is_visible("text=Traçabilité des lots")

    # Tab leaves the tab list for the panel shown, then its content.
    page.keyboard.press("Tab")
    assert _state(page)["focused"] == "tabpanel"
    assert page.evaluate("() => document.activeElement.id.endsWith('-panel-services')")
    assert _no_sideways_scroll(page)
    assert page.errors == []


def test_a_phone_width_page_never_scrolls_sideways(page, fresco_course, learner):
    page.set_viewport_size(PHONE)
    sign_in_tab(page, learner)
    page.goto(_unit(fresco_course))
    page.wait_for_selector(".ict-fresco.is-tabbed")
    for key in (
        "retail",
        "crafts_building",
        "manufacturing",
        "tourism_hospitality",
        "agriculture_food",
        "services",
    ):
        page.click(f'[role="tab"][id$="-tab-{key}"]')
        assert _state(page)["shown"] == [key]
        assert _no_sideways_scroll(page), key
    # The tab list wraps onto several lines rather than widening the page.
    right = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll('.ict-fresco [role="tab"]')]
             .map(t => t.getBoundingClientRect().right))"""
    )
    assert right <= PHONE["width"]
    assert page.errors == []


def test_a_wide_screen_shows_the_whole_grid_as_a_table(page, fresco_course, learner):
    page.set_viewport_size(WIDE)
    sign_in_tab(page, learner)
    page.goto(_unit(fresco_course))
    page.wait_for_selector(".ict-fresco.is-tabbed", state="attached")
    assert page.is_visible(".ict-fresco-grid table")
    assert not page.is_visible(TABS)
    assert page.locator(".ict-fresco-grid tbody tr").count() == 6
    mine = page.locator(".ict-fresco-grid tr.is-mine th")
    assert mine.is_visible() and mine.inner_text().startswith("Agriculture et agroalimentaire")
    assert _no_sideways_scroll(page)
    assert page.errors == []


def test_without_javascript_each_sector_opens_on_its_own(browser, live_server, fresco_course, learner):
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", java_script_enabled=False, viewport=PHONE
    )
    try:
        tab = context.new_page()
        sign_in_tab(tab, learner)
        tab.goto(_unit(fresco_course))
        assert not tab.is_visible(TABS)
        assert tab.is_visible("text=Traçabilité des lots")  # the learner's sector is open
        assert not tab.is_visible("text=Plannings partagés")
        tab.focus('details[data-sector="services"] > summary')
        tab.keyboard.press("Enter")  # a <details> opens from the keyboard, no script needed
        assert tab.is_visible("text=Plannings partagés")
        assert _no_sideways_scroll(tab)
    finally:
        context.close()


def _studio(course) -> str:
    key = urllib.parse.quote(course.course_key)
    return f"/studio/formations/{key}/unite/{urllib.parse.quote(course.usage('vertical', 'u1'))}"


def test_the_editor_saves_cells_and_lists_problems(app, page, fresco_course, trainer):
    from tests.plugins.ict_fresco.conftest import stored_settings

    page.set_viewport_size(PHONE)
    sign_in_tab(page, trainer)
    page.goto(_studio(fresco_course))
    editor = page.locator("form.ict-fresco-editor")
    cell = editor.locator('fieldset[data-sector="retail"][data-function="hr"]')
    cell.locator('textarea[name="text"]').fill("<p>Plannings partagés</p>")
    cell.locator('input[name="tools"]').fill("Skello, Combo")
    cell.locator('textarea[name="links"]').fill(
        "Unité « boutique » | /jump_to_id/h1\n\n  Guide | officiel | https://www.francenum.gouv.fr/  \n"
    )
    editor.locator('button[type="submit"]').click()
    page.wait_for_selector(".ict-fresco-editor-status:text('Enregistré.')")
    cells = stored_settings(app, fresco_course)["cells"]
    assert {
        "sector": "retail",
        "function": "hr",
        "text": "<p>Plannings partagés</p>",
        "tools": "Skello, Combo",
        "links": [
            {"href": "/jump_to_id/h1", "label": "Unité « boutique »"},
            {"href": "https://www.francenum.gouv.fr/", "label": "Guide | officiel"},
        ],
    } in cells
    assert len(cells) == 7

    # A bad address: the problems are listed, in French, and focus moves to them; nothing is saved.
    cell.locator('textarea[name="links"]').fill("Piège | javascript:alert(1)\nhttps://example.org/")
    editor.locator('input[name="display_name"]').fill(" ")
    editor.locator('button[type="submit"]').click()
    errors = editor.locator(".ict-fresco-editor-errors")
    errors.wait_for(state="visible")
    assert errors.locator("li").all_inner_texts() == [
        "Le titre ne peut pas être vide.",
        "Commerce, Ressources humaines : L’adresse du lien 1 n’est pas acceptée : elle doit commencer par "
        "https:// ou être /jump_to_id/ suivi du url_name d’un composant de la formation.",
    ]
    assert page.evaluate("() => document.activeElement.classList.contains('ict-fresco-editor-errors')")
    assert stored_settings(app, fresco_course)["cells"] == cells
    assert _no_sideways_scroll(page)
    assert page.errors == []
