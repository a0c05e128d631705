"""The XSS corpus in real Chromium: through the HTML block, forum posts and case-study answers, none of
the vectors runs script — even with the page's Content-Security-Policy switched off, so that what is
proven is the sanitising, not only the CSP."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.core.extensions import db
from app.courses.models import Course, Enrolment
from app.runtime.keys import CourseKey, usage_key_for
from tests.browser.conftest import CHROMIUM_ARGS  # noqa: F401 (same browser set-up)
from tests.conftest import PASSWORD
from tests.security.dom_checks import DOM_PROBLEMS_JS, PROVOKE_JS, RECORDER_JS
from tests.security.xss_corpus import VECTORS

pytestmark = pytest.mark.browser

COURSE_KEY = "course-v1:Cybermassif+XSS+2026"
# Control characters cannot be stored in XML: an OLX file holding one is refused at import (tested in
# tests/courses); those vectors reach the HTML block through its editor instead.
_XML_INCOMPATIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
IMPORTABLE = [i for i, vector in enumerate(VECTORS) if not _XML_INCOMPATIBLE.search(vector)]


def _write_course(folder: Path) -> None:
    """One unit whose HTML components hold one vector each (as files, like trainers' HTML)."""
    pointers = "".join(f'<html url_name="v{i}"/>' for i in IMPORTABLE)
    files = {
        "course.xml": '<course url_name="2026" org="Cybermassif" course="XSS"/>',
        "course/2026.xml": '<course display_name="Corpus XSS"><chapter url_name="ch" display_name="Chapitre">'
        '<sequential url_name="seq" display_name="Séquence">'
        f'<vertical url_name="html" display_name="HTML">{pointers}</vertical>'
        "</sequential></chapter></course>",
    }
    for i in IMPORTABLE:
        files[f"html/v{i}.xml"] = f'<html filename="v{i}" display_name="Vecteur {i}"/>'
        files[f"html/v{i}.html"] = VECTORS[i]
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def no_csp_page(browser: Any, live_server: str) -> Iterator[Any]:
    """A page whose CSP is ignored, recording any ``__xss(n)`` call and any dialog."""
    context = browser.new_context(base_url=live_server, locale="fr-FR", bypass_csp=True)
    context.add_init_script(RECORDER_JS)
    tab = context.new_page()
    tab.dialogs = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    context.close()


def _sign_in(page: Any, email: str) -> None:
    page.goto("/compte/connexion")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/connexion" not in url)


def _unit_url(name: str) -> str:
    usage = usage_key_for(CourseKey.from_string(COURSE_KEY), "vertical", name)
    return f"/formations/{urllib.parse.quote(COURSE_KEY)}/unite/{urllib.parse.quote(str(usage))}"


def _assert_nothing_ran(page: Any, selector: str) -> None:
    page.evaluate(PROVOKE_JS, selector)
    page.wait_for_timeout(500)  # error events of broken images and media, animations
    assert page.evaluate("window.__xss_calls") == []
    assert page.dialogs == []
    assert page.evaluate(DOM_PROBLEMS_JS, selector) == []


def test_no_vector_runs_through_the_html_block(browser_app, make_user, tmp_path, no_csp_page):
    _write_course(tmp_path / "xss")
    result = browser_app.test_cli_runner().invoke(args=["courses", "import", str(tmp_path / "xss")])
    assert result.exit_code == 0, result.output
    user = make_user(language="fr")
    with browser_app.app_context():
        course = db.session.scalar(select(Course).where(Course.course_key == COURSE_KEY))
        db.session.add(Enrolment(user_id=user.id, course_id=course.id))
        db.session.commit()
    _sign_in(no_csp_page, user.email)
    no_csp_page.goto(_unit_url("html"))
    # The recorder works: a script of our own calling it is seen (so silence means nothing ran).
    assert no_csp_page.locator(".html-block").count() == len(IMPORTABLE) > 100
    _assert_nothing_ran(no_csp_page, ".html-block")
    no_csp_page.evaluate("__xss(-1)")
    assert no_csp_page.evaluate("window.__xss_calls") == [-1]
