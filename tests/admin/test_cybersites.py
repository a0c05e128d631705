"""Cybersites: created and closed by administrators, edited by their managers."""

from __future__ import annotations

from app.accounts.models import Cybersite
from tests.admin.conftest import EN, count, fetch, press
from tests.conftest import post_form, sign_in

NEW = "/admin/cybersites/nouveau"


def test_admin_creates_a_cybersite(client, app, network):
    sign_in(client, network.admin.email)
    data = {"name": "Cybersite Cantal", "town": "Aurillac", "departement": "15"}
    assert post_form(client, NEW, data, headers=EN).status_code == 302
    assert count(app, Cybersite, Cybersite.name == "Cybersite Cantal") == 1
    page = client.get("/admin/cybersites", headers=EN).get_data(as_text=True)
    assert "The Cybersite “Cybersite Cantal” is created." in page and "Aurillac" in page


def test_duplicate_name_ignoring_case_is_refused(client, app, network):
    sign_in(client, network.admin.email)
    before = count(app, Cybersite)
    data = {"name": "cybersite AUVERGNE", "town": "Riom", "departement": "63"}
    response = post_form(client, NEW, data, headers=EN)
    assert response.status_code == 400
    assert "A Cybersite with this name already exists." in response.get_data(as_text=True)
    assert count(app, Cybersite) == before


def test_missing_fields_are_refused(client, app, network):
    sign_in(client, network.admin.email)
    response = post_form(client, NEW, {"name": "", "town": "", "departement": ""}, headers=EN)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This field is required." in page and "Choose a département from the list." in page


def test_manager_edits_their_cybersite_but_cannot_close_it(client, app, network):
    sign_in(client, network.site_manager.email)
    path = f"/admin/cybersites/{network.site.id}/modifier"
    data = {"name": "Cybersite Auvergne", "town": "Vichy", "departement": "03"}
    assert post_form(client, path, data, headers=EN).status_code == 302
    site = fetch(app, Cybersite, network.site.id)
    assert (site.town, site.departement) == ("Vichy", "03")
    assert press(client, f"/admin/cybersites/{network.site.id}/desactiver").status_code == 403
    clash = post_form(client, path, {**data, "name": "Cybersite Limousin"}, headers=EN)
    assert clash.status_code == 400
    assert fetch(app, Cybersite, network.site.id).name == "Cybersite Auvergne"


def test_admin_deactivates_and_reactivates(client, app, network):
    sign_in(client, network.admin.email)
    assert press(client, f"/admin/cybersites/{network.other_site.id}/desactiver").status_code == 302
    assert not fetch(app, Cybersite, network.other_site.id).active
    assert press(client, f"/admin/cybersites/{network.other_site.id}/reactiver").status_code == 302
    assert fetch(app, Cybersite, network.other_site.id).active
