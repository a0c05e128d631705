"""Companies: creation with checked identifiers, editing, deactivation, search and scope."""

from __future__ import annotations

import pytest

from app.accounts.models import Company
from app.core.extensions import db
from tests.admin.conftest import EN, count, fetch, press
from tests.conftest import post_form, sign_in, valid_siret

NEW = "/admin/entreprises/nouvelle"


def _company(network, **overrides):
    return {
        "legal_name": "Boulangerie Roux",
        "siret": valid_siret(424242),
        "naf_code": "10.71C",
        "headcount": "8",
        "departement": "63",
        "cybersite_id": str(network.site.id),
        **overrides,
    }


def test_admin_creates_a_company(client, app, network):
    sign_in(client, network.admin.email)
    siret = valid_siret(424242)
    spaced = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    response = post_form(client, NEW, _company(network, siret=spaced, naf_code="1071c"), headers=EN)
    assert response.status_code == 302
    with app.app_context():
        company = db.session.scalars(db.select(Company).where(Company.siret == siret)).one()
        assert (company.naf_code, company.headcount, company.size_class) == ("10.71C", 8, "micro")
        assert company.cybersite_id == network.site.id
    page = client.get("/admin/entreprises", headers=EN).get_data(as_text=True)
    assert "Boulangerie Roux" in page and "Micro (0–9 staff)" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siret", "73282932000075", "This SIRET number is not valid (its check digit does not match)."),
        ("siret", "7328293200007", "A SIRET number has exactly 14 digits."),
        ("siret", "7328293200007A", "A SIRET number has exactly 14 digits."),
        ("siret", "", "This field is required."),
        ("naf_code", "6201", "Enter a NAF/APE code such as 62.01Z"),
        ("naf_code", "62.01", "Enter a NAF/APE code such as 62.01Z"),
        ("naf_code", "04.11Z", "Enter a NAF/APE code such as 62.01Z"),  # no division 04 in NAF rév. 2
        ("naf_code", "00.10Z", "Enter a NAF/APE code such as 62.01Z"),
        ("headcount", "300", "Enter the number of staff as a whole number from 0 to 249"),
        ("headcount", "250", "Enter the number of staff as a whole number from 0 to 249"),
        ("headcount", "-1", "Enter the number of staff as a whole number from 0 to 249"),
        ("headcount", "douze", "Enter the number of staff as a whole number from 0 to 249"),
        ("departement", "99", "Choose a département from the list."),
        ("cybersite_id", "", "Choose the Cybersite that follows this company."),
    ],
)
def test_invalid_company_is_refused_with_the_field_message(client, app, network, field, value, message):
    sign_in(client, network.admin.email)
    before = count(app, Company)
    response = post_form(client, NEW, _company(network, **{field: value}), headers=EN)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="{field}-error"' in page  # tied to its field
    assert count(app, Company) == before


def test_valid_siret_numbers_check_digit_passes(client, app, network):
    # 73282932000074 is a real SIRET number (Luhn-valid); the one above differs only in its last digit.
    sign_in(client, network.admin.email)
    response = post_form(client, NEW, _company(network, siret="73282932000074"), headers=EN)
    assert response.status_code == 302
    assert count(app, Company, Company.siret == "73282932000074") == 1


def test_duplicate_siret_is_refused(client, app, network):
    sign_in(client, network.admin.email)
    before = count(app, Company)
    response = post_form(client, NEW, _company(network, siret=network.other_company.siret), headers=EN)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "A company with this SIRET number already exists." in page
    assert 'id="siret-error"' in page
    assert count(app, Company) == before


def test_site_manager_creates_only_in_their_site(client, app, network):
    sign_in(client, network.site_manager.email)
    form = client.get(NEW, headers=EN).get_data(as_text=True)
    assert "Cybersite Auvergne" in form and "Cybersite Limousin" not in form
    refused = post_form(client, NEW, _company(network, cybersite_id=str(network.other_site.id)), headers=EN)
    assert refused.status_code == 403
    assert count(app, Company, Company.legal_name == "Boulangerie Roux") == 0
    assert post_form(client, NEW, _company(network), headers=EN).status_code == 302
    assert count(app, Company, Company.legal_name == "Boulangerie Roux") == 1


def test_site_manager_edits_but_cannot_move_a_company_away(client, app, network):
    sign_in(client, network.site_manager.email)
    path = f"/admin/entreprises/{network.company.id}/modifier"
    page = client.get(path, headers=EN).get_data(as_text=True)
    assert (
        f'<option selected value="{network.site.id}">' in page
        or f'value="{network.site.id}" selected' in (page)
    )
    data = _company(network, legal_name="Fromagerie Dupont & Fils", siret=network.company.siret)
    assert post_form(client, path, data, headers=EN).status_code == 302
    assert fetch(app, Company, network.company.id).legal_name == "Fromagerie Dupont & Fils"
    moved = post_form(client, path, {**data, "cybersite_id": str(network.other_site.id)}, headers=EN)
    assert moved.status_code == 403
    assert fetch(app, Company, network.company.id).cybersite_id == network.site.id


def test_edit_keeps_the_siret_unique(client, app, network):
    sign_in(client, network.admin.email)
    path = f"/admin/entreprises/{network.company.id}/modifier"
    response = post_form(client, path, _company(network, siret=network.sister_company.siret), headers=EN)
    assert response.status_code == 400
    assert "A company with this SIRET number already exists." in response.get_data(as_text=True)
    assert fetch(app, Company, network.company.id).siret == network.company.siret


def test_deactivate_and_reactivate_a_company(client, app, network):
    sign_in(client, network.site_manager.email)
    response = press(client, f"/admin/entreprises/{network.company.id}/desactiver")
    assert response.status_code == 302
    assert not fetch(app, Company, network.company.id).active
    page = client.get("/admin/entreprises", headers=EN).get_data(as_text=True)
    assert "The company “Fromagerie Dupont” is deactivated." in page
    again = press(client, f"/admin/entreprises/{network.company.id}/desactiver")
    assert again.status_code == 302
    assert "This company is already inactive." in client.get("/admin/", headers=EN).get_data(as_text=True)
    assert press(client, f"/admin/entreprises/{network.company.id}/reactiver").status_code == 302
    assert fetch(app, Company, network.company.id).active


def test_search_by_name_or_siret_and_filter_by_cybersite(client, network):
    sign_in(client, network.admin.email)

    def names(query):
        page = client.get(f"/admin/entreprises?{query}", headers=EN).get_data(as_text=True)
        return {n for n in ("Fromagerie Dupont", "Scierie Martin", "Porcelaine Leroy") if n in page}

    assert names("q=fromagerie") == {"Fromagerie Dupont"}
    assert names(f"q={network.other_company.siret}") == {"Porcelaine Leroy"}
    assert names(f"cybersite={network.site.id}") == {"Fromagerie Dupont", "Scierie Martin"}
    assert names(f"cybersite={network.site.id}&q=scierie") == {"Scierie Martin"}
    assert names("q=%25") == set()  # a LIKE wildcard is taken literally


def test_companies_are_paginated(client, make_company, network):
    for n in range(50):
        make_company(cybersite=network.site, legal_name=f"Atelier {n:02d}")
    sign_in(client, network.admin.email)
    first = client.get("/admin/entreprises", headers=EN).get_data(as_text=True)
    assert "Page 1 of 2" in first and "Atelier 00" in first and "Scierie Martin" not in first
    second = client.get("/admin/entreprises?page=2", headers=EN).get_data(as_text=True)
    assert "Scierie Martin" in second and "Atelier 00" not in second
