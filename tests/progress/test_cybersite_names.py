"""A Cybersite named "Cybersite Clermont-Ferrand" is not shown as "Cybersite Cybersite Clermont-Ferrand" in
the sentences that name it after the word "Cybersite"; other names are shown as they are."""

from __future__ import annotations

import pytest

from app.accounts.labels import cybersite_place
from app.accounts.models import Role
from tests.conftest import sign_in


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("Cybersite Clermont-Ferrand", "Clermont-Ferrand"),
        ("cybersite du Cantal", "du Cantal"),
        ("Aurillac", "Aurillac"),
        ("Cybersite", "Cybersite"),
        ("Cybersites réunis", "Cybersites réunis"),
        ("", ""),
    ],
)
def test_the_place_follows_the_word_cybersite(name, place):
    assert cybersite_place(name) == place


def test_the_cybersite_page_names_it_once(app, client, make_cybersite, make_user):
    site = make_cybersite(name="Cybersite Clermont-Ferrand")
    manager = make_user(roles=[(Role.CYBERSITE_MANAGER, site)], language="fr")
    sign_in(client, manager.email)
    page = client.get(f"/progression/cybersites/{site.id}").get_data(as_text=True)
    assert "Promotions du Cybersite Clermont-Ferrand" in page
    assert "Cybersite Cybersite" not in page
    mine = client.get("/progression/").get_data(as_text=True)
    assert "Cybersite Cybersite" not in mine
