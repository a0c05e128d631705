"""The html editor in real headless Chromium, on the studio's unit page: saving hostile HTML shows what the
cleaning removed and puts the stored HTML back in the text area."""

from __future__ import annotations

import urllib.parse

import pytest

from app.accounts.models import Role
from tests.plugins.video.conftest import sign_in_page

pytestmark = pytest.mark.browser


def test_the_editor_says_what_the_cleaning_removed(olx_course, make_user, make_cybersite, in_browser):
    course = olx_course('<html url_name="h1" display_name="Accueil"><p>Bonjour</p></html>')
    trainer = make_user(roles=[(Role.TRAINER, make_cybersite())], language="fr")
    usage = course.usage("vertical", "u1")

    def scenario(page):
        sign_in_page(page, trainer.email)
        page.goto(urllib.parse.quote(f"/studio/formations/{course.course_key}/unite/{usage}", safe="/"))
        editor = page.locator("form.html-editor")
        source = editor.get_by_label("HTML")
        source.fill('<p onclick="steal()">Salut</p><script>alert(1)</script>')
        editor.get_by_role("button", name="Enregistrer").click()
        message = editor.locator(".html-editor-message")
        message.filter(has_text="Le HTML a été nettoyé").wait_for(timeout=10_000)
        return message.inner_text(), source.input_value(), page.errors

    message, stored, errors = in_browser(scenario)
    assert message.endswith("retirés : <script>, onclick.")
    assert stored == "<p>Salut</p>"
    assert errors == []
