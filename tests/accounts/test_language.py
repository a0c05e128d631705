"""Which language pages are in: the account's own, else the browser's, else French (or the configured one)."""

from __future__ import annotations

import pytest

from app.accounts.models import User
from app.core.extensions import db
from tests.conftest import post_form, sign_in


def _lang(response) -> str:
    page = response.get_data(as_text=True)
    start = page.index('<html lang="') + len('<html lang="')
    return page[start : page.index('"', start)]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "fr"),
        ("fr-FR,fr;q=0.9", "fr"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE,de;q=0.9", "fr"),
        ("de,en;q=0.5", "en"),
    ],
)
def test_visitors_get_french_unless_their_browser_asks_for_english(client, accept, expected):
    headers = {"Accept-Language": accept} if accept else {}
    assert _lang(client.get("/", headers=headers)) == expected


def test_the_default_language_follows_the_setting(make_app):
    english_first = make_app(BABEL_DEFAULT_LOCALE="en")
    client = english_first.test_client()
    assert _lang(client.get("/")) == "en"
    assert _lang(client.get("/", headers={"Accept-Language": "de"})) == "en"
    assert _lang(client.get("/", headers={"Accept-Language": "fr"})) == "fr"


def test_the_accounts_language_wins_over_the_browsers(client, make_user):
    user = make_user(language="fr")
    sign_in(client, user.email)
    assert _lang(client.get("/", headers={"Accept-Language": "en"})) == "fr"


def test_the_profile_form_changes_the_language(client, app, make_user):
    user = make_user(language="fr", display_name="Léa Martin")
    sign_in(client, user.email)
    response = post_form(client, "/compte/profil", {"display_name": "Léa M.", "language": "en"})
    assert response.status_code == 302
    page = client.get("/compte/profil", headers={"Accept-Language": "fr"})
    assert _lang(page) == "en"
    assert "Your profile is saved." in page.get_data(as_text=True)
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert (saved.language, saved.display_name) == ("en", "Léa M.")


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"language": "de"}, "Not a valid choice"), ({"display_name": " "}, "This field is required.")],
)
def test_the_profile_form_refuses_bad_values(client, app, make_user, fields, message):
    user = make_user(language="en")
    sign_in(client, user.email)
    response = post_form(client, "/compte/profil", {"display_name": "Léa", "language": "fr", **fields})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).language == "en"


def test_the_locale_is_the_default_outside_a_request(app_ctx):
    from app.core.i18n import select_locale

    assert select_locale() == "fr"
