"""The html editor in real headless Chromium, on the studio's unit page: saving HTML shows what learners
will not see and puts the stored HTML (as written) back in the text area."""

from __future__ import annotations

import urllib.parse

import pytest

from app.accounts.models import Role
from tests.plugins.video.conftest import sign_in_page

pytestmark = pytest.mark.browser


def test_the_editor_says_what_learners_will_not_see(olx_course, make_user, make_cybersite, in_browser):
    course = olx_course('<html url_name="h1" display_name="Accueil"><p>Bonjour</p></html>')
    trainer = make_user(roles=[(Role.TRAINER, make_cybersite())], language="fr")
    usage = course.usage("vertical", "u1")

    def scenario(page):
        sign_in_page(page, trainer.email)
        page.goto(urllib.parse.quote(f"/studio/formations/{course.course_key}/unite/{usage}", safe="/"))
        editor = page.locator("form.html-editor")
        source = editor.get_by_label("HTML")
        source.fill('<p style="color: red">Salut</p><object data="https://evil.example.org/x.pdf"></object>')
        editor.get_by_role("button", name="Enregistrer").click()
        message = editor.locator(".html-editor-message")
        message.filter(has_text="ne sont pas montrés").wait_for(timeout=10_000)
        return message.inner_text(), source.input_value(), page.errors

    message, stored, errors = in_browser(scenario)
    assert message.endswith("gardés pour l'export) : <object>.")
    assert stored == '<p style="color: red">Salut</p><object data="https://evil.example.org/x.pdf"></object>'
    assert errors == []
