"""Issue 19's proof in real Chromium: every unit of the Open edX corpus course renders for a learner, and
every unit for course staff, with no console error or uncaught exception, and the JavaScript of every block
that has some initialised by the runtime."""

from __future__ import annotations

import urllib.parse

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.progress.models import BlockCompletion
from app.runtime.keys import CourseKey, usage_key_for
from tests.browser_fixtures import served, site_app
from tests.conftest import PASSWORD
from tests.corpus import corpus_olx as olx
from tests.corpus.conftest import CORPUS, COURSE_KEY

pytestmark = pytest.mark.browser

#: The blocks whose init function is missing, or that the runtime did not keep as initialised.
NOT_INITIALISED = """() => Array.from(document.querySelectorAll('.xblock[data-init]'))
  .filter(n => typeof window[n.getAttribute('data-init')] !== 'function'
               || window.XBlock.runtime.instance(n) !== window.XBlock.runtime.instance(n))
  .map(n => n.getAttribute('data-usage-id') || n.getAttribute('data-init'))"""


def _sign_in(page, email: str) -> None:
    page.goto("/compte/connexion")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/connexion" not in url)


def _unit_url(name: str) -> str:
    usage = usage_key_for(CourseKey.from_string(COURSE_KEY), "vertical", name)
    return f"/formations/{urllib.parse.quote(COURSE_KEY)}/unite/{urllib.parse.quote(str(usage))}"


@pytest.fixture(scope="module")
def site(database, app):
    """The application as a site runs it (the shared browser application adds the acid test aside, whose
    stylesheet comes from a CDN), served on loopback."""
    application = site_app(database, app)
    with served(application) as address:
        yield application, address


@pytest.fixture
def page(browser, site):
    """A fresh browser context on the site; uncaught exceptions are collected on ``page.errors``."""
    context = browser.new_context(base_url=site[1], locale="fr-FR")
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()


@pytest.fixture
def site_app_(site):
    """The site's application."""
    return site[0]


@pytest.fixture
def imported(site_app_):
    """The corpus imported from the command line, as an operator does."""
    result = site_app_.test_cli_runner().invoke(args=["courses", "import", str(CORPUS)])
    assert result.exit_code == 0, result.output
    with site_app_.app_context():
        return db.session.scalar(select(Course.id).where(Course.course_key == COURSE_KEY))


#: Units whose blocks have JavaScript: the check of their initialisation must have something to check.
WITH_SCRIPTS = ("u-fact-video", "u-quiz-choix", "u-cyber-glisser", "u-pratique-ora")


def _visit_every_unit(page, units: list[str]) -> dict[str, list[str]]:
    """Open each unit; what went wrong on each (console errors, uncaught exceptions, blocks not set up)."""
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    troubles: dict[str, list[str]] = {}
    for unit in units:
        console.clear()
        page.errors.clear()
        response = page.goto(_unit_url(unit))
        assert response.status == 200, unit
        page.wait_for_load_state("networkidle")
        assert page.locator(".xblock").count() > 0, unit
        if unit in WITH_SCRIPTS:
            assert page.locator(".xblock[data-init]").count() > 0, unit
        found = [*console, *page.errors, *(f"not initialised: {b}" for b in page.evaluate(NOT_INITIALISED))]
        if found:
            troubles[unit] = found
    return troubles


def test_every_unit_renders_for_a_learner_without_error(page, imported, site_app_, make_user):
    learner = make_user(language="fr")
    with site_app_.app_context():
        db.session.add(Enrolment(user_id=learner.id, course_id=imported))
        db.session.commit()
    _sign_in(page, learner.email)
    units = [u for u in olx.units() if u not in olx.HIDDEN_FROM_LEARNERS]
    assert _visit_every_unit(page, units) == {}
    # The drag-and-drop block loaded its state through its handlers and shows the course's items.
    page.goto(_unit_url("u-cyber-glisser"))
    page.get_by_text("Relevé mensuel de la banque").first.wait_for(timeout=10_000)
    assert page.get_by_text("Unable to load").count() == 0


def test_a_learner_answers_a_scripted_problem_in_the_page(page, imported, site_app_, make_user):
    learner = make_user(language="fr")
    with site_app_.app_context():
        db.session.add(Enrolment(user_id=learner.id, course_id=imported))
        db.session.commit()
    _sign_in(page, learner.email)
    page.goto(_unit_url("u-cyber-scripts"))
    problem_id = usage_key_for(CourseKey.from_string(COURSE_KEY), "problem", "cyber-pb-sauvegardes").html_id()
    problem = page.locator(f'.problem[data-problem-id="{problem_id}"]')
    # The answer from the numbers this learner was given, as they read them on the page.
    answers = olx.answers(olx.problem_root("cyber-pb-sauvegardes"), problem.inner_text())
    page.fill(f"#{problem_id}_2_1", answers.right)
    problem.locator(".problem-submit").click()
    status = problem.locator(".problem-status")
    status.locator("strong").wait_for(timeout=15_000)
    assert status.inner_text().strip() == "Correct (2/2 points)"
    with site_app_.app_context():
        record = db.session.scalar(
            select(BlockCompletion).where(
                BlockCompletion.user_id == learner.id, BlockCompletion.block_type == "problem"
            )
        )
    assert (record.earned, record.possible) == (2.0, 2.0)
    assert page.errors == []


def test_every_unit_renders_for_course_staff_without_error(page, imported, make_user, make_cybersite):
    staff = make_user(roles=[(Role.TRAINER, make_cybersite())], language="fr")
    _sign_in(page, staff.email)
    assert _visit_every_unit(page, olx.units()) == {}
