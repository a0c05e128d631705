"""VISTA for the network, through its pages: a Cybersite's companies with their T0 → T1 movement and
anonymised aggregates (k ≥ 10), the observatory by sector, size and département with its gaps and the
catalogue's coverage of them, the exports, who may see them, and fixed statement counts."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from app.accounts.models import Role
from app.core.extensions import db
from app.vista import scores
from tests.conftest import sign_in
from tests.vista import report_fixtures

questionnaire = report_fixtures.questionnaire
submit = report_fixtures.submit
EN = {"Accept-Language": "en"}
BEFORE = datetime.now(UTC) - timedelta(days=200)


def _answers(ticks: int, agree: int = 3) -> dict[str, int]:
    """Every dimension: ``ticks`` of its four adoption items ticked; proficiency and impact ``agree``."""
    found = {}
    for d in ("D1", "D2", "D3", "D4", "D5", "D6"):
        for i in range(4):
            found[f"{d}A{i + 1}"] = 1 if i < ticks else 0
        found[f"{d}U1"] = agree
        found[f"{d}I1"] = agree
        found[f"{d}I2"] = agree
    return found


def _client(app, user):
    client = app.test_client()
    sign_in(client, user.email)
    return client


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def network(app, make_cybersite, make_company, make_user, submit):
    """Cybersite A: 11 companies with T0 (one tick a dimension) then T1 (three ticks), and one never
    assessed; Cybersite B: 9 companies in retail (section G) with T0 only."""
    site = make_cybersite(name="Cybersite Auvergne")
    other = make_cybersite(name="Cybersite Limousin", departement="87")
    assessed = []
    for n in range(11):
        company = make_company(cybersite=site, legal_name=f"Atelier {n:02d}", naf_code="16.23Z", headcount=8)
        submit(company, _answers(1), wave="T0", submitted_at=BEFORE)
        submit(company, _answers(3), wave="T1")
        assessed.append(company)
    idle = make_company(cybersite=site, legal_name="Atelier sans VISTA", naf_code="16.23Z")
    shops = []
    for n in range(9):
        shop = make_company(cybersite=other, legal_name=f"Boutique {n}", naf_code="47.11B", departement="87")
        submit(shop, _answers(2), wave="T0")
        shops.append(shop)
    with app.app_context():
        scores.recompute(db.session, [c.id for c in assessed + shops])
        db.session.commit()
    return {
        "site": site,
        "other": other,
        "assessed": assessed,
        "idle": idle,
        "shops": shops,
        "manager": make_user(roles=[(Role.CYBERSITE_MANAGER, site)], language="en"),
        "other_manager": make_user(roles=[(Role.CYBERSITE_MANAGER, other)], language="en"),
        "company_manager": make_user(roles=[(Role.COMPANY_MANAGER, assessed[0])], language="en"),
        "admin": make_user(roles=[(Role.NETWORK_ADMIN, None)], language="en"),
    }


def test_a_cybersite_sees_its_companies_and_how_training_moved_them(app, network):
    page = _client(app, network["manager"]).get(f"/vista/cybersites/{network['site'].id}", headers=EN)
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert "11 companies of this Cybersite have submitted a VISTA self-assessment." in text
    assert "Atelier 00" in text and "Atelier sans VISTA not yet" in text
    assert "Boutique" not in text  # another Cybersite's companies
    # Each workshop went from one tick to three of four in every dimension: T1 − T0 > 0 for all eleven,
    # and the mean change over eleven companies is shown.
    match = re.search(r"to T1 \(at its end\): (\d+\.\d) \(11\)", text)
    assert match and float(match.group(1)) > 10, text
    assert re.search(r"D1 · Digital strategy \d+\.\d \(11\)", text), text


def test_aggregates_of_fewer_than_ten_companies_are_withheld(app, network):
    page = _client(app, network["other_manager"]).get(f"/vista/cybersites/{network['other'].id}", headers=EN)
    text = _text(page.get_data(as_text=True))
    assert "Boutique 0" in text  # their own companies, one by one
    assert "fewer than 10 companies" in text
    assert not re.search(r"D1 · Digital strategy \d", text)


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager", 200), ("admin", 200), ("other_manager", 404), ("company_manager", 404)],
)
def test_who_may_open_a_cybersite_s_view(app, network, who, status):
    client = _client(app, network[who])
    assert client.get(f"/vista/cybersites/{network['site'].id}").status_code == status
    assert client.get(f"/vista/cybersites/{network['site'].id}/export/entreprises.csv").status_code == status


def test_visitors_are_sent_to_sign_in_and_unknown_ids_are_404(app, network):
    visitor = app.test_client()
    for url in (f"/vista/cybersites/{network['site'].id}", "/vista/observatoire"):
        response = visitor.get(url)
        assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]
    admin = _client(app, network["admin"])
    assert admin.get("/vista/cybersites/999999").status_code == 404
    assert admin.get("/vista/cybersites/99999999999").status_code == 404
    assert admin.get(f"/vista/cybersites/{network['site'].id}/export/inconnu.csv").status_code == 404
    assert admin.get(f"/vista/cybersites/{network['site'].id}/export/entreprises.pdf").status_code == 404


def test_the_cybersite_export_has_every_company(app, network):
    client = _client(app, network["manager"])
    response = client.get(f"/vista/cybersites/{network['site'].id}/export/entreprises.xlsx", headers=EN)
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    names = [r[0] for r in rows[1:]]
    assert len(names) == 12 and "Atelier sans VISTA" in names and not any("Boutique" in n for n in names)
    first = next(r for r in rows[1:] if r[0] == "Atelier 00")
    assert first[1] == "T0 T1" and first[5] > 0


def test_the_observatory_shows_groups_gaps_and_the_floor(app, network):
    page = _client(app, network["admin"]).get("/vista/observatoire", headers=EN)
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert "20 companies assessed." in text
    # Section C (the eleven workshops) is shown; section G (nine shops) only as a count, cells withheld.
    assert re.search(r"C 11 \d+ ", text), text
    assert re.search(r"G 9 – – – –", text), text
    assert "Most common gaps" in text and "none: a course to build" in text


def test_the_observatory_is_for_administrators_only(app, network):
    for who in ("manager", "company_manager"):
        client = _client(app, network[who])
        assert client.get("/vista/observatoire").status_code == 404
        assert client.get("/vista/observatoire/export/secteurs.csv").status_code == 404


@pytest.mark.parametrize("name", ["secteurs", "tailles", "departements", "ecarts"])
def test_every_observatory_table_exports(app, network, name):
    client = _client(app, network["admin"])
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/vista/observatoire/export/{name}.{fmt}", headers=EN)
        assert response.status_code == 200, (name, fmt)
    assert client.get("/vista/observatoire/export/autre.csv").status_code == 404


def test_statement_counts_do_not_grow_with_the_companies(
    app,
    network,
    make_company,
    submit,
    count_statements,
):
    manager = _client(app, network["manager"])
    admin = _client(app, network["admin"])
    site_url = f"/vista/cybersites/{network['site'].id}"
    _, site_before = count_statements(lambda: manager.get(site_url))
    _, observatory_before = count_statements(lambda: admin.get("/vista/observatoire"))
    more = []
    for n in range(10):
        company = make_company(cybersite=network["site"], legal_name=f"Scierie {n}", naf_code="16.10A")
        submit(company, _answers(2), wave="T0")
        more.append(company)
    with app.app_context():
        scores.recompute(db.session, [c.id for c in more])
        db.session.commit()
    response, site_after = count_statements(lambda: manager.get(site_url))
    assert response.status_code == 200 and "Scierie 9" in response.get_data(as_text=True)
    _, observatory_after = count_statements(lambda: admin.get("/vista/observatoire"))
    assert len(site_after) == len(site_before), site_after
    assert len(observatory_after) == len(observatory_before), observatory_after
