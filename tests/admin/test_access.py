"""Who reaches which administration page, and what each list shows."""

from __future__ import annotations

import pytest

from app.accounts.models import Company, Cybersite, Invitation, Role, RoleGrant, User
from app.core.extensions import db
from tests.admin.conftest import EN, count, fetch, press
from tests.conftest import sign_in

PAGES = [
    "/admin/",
    "/admin/cybersites",
    "/admin/cybersites/nouveau",
    "/admin/entreprises",
    "/admin/entreprises/nouvelle",
    "/admin/utilisateurs",
    "/admin/utilisateurs/nouveau",
    "/admin/invitations",
    "/admin/courriels",
]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/entreprises")
    assert response.status_code == 302
    assert "/compte/connexion" in response.headers["Location"]


def test_learner_is_refused(client, network):
    sign_in(client, network.learner.email)
    for path in ("/admin/", "/admin/entreprises", "/admin/utilisateurs", "/admin/invitations"):
        assert client.get(path, headers=EN).status_code == 403, path
    assert "Administration" not in client.get("/", headers=EN).get_data(as_text=True)


def test_admin_reaches_every_page(client, network):
    sign_in(client, network.admin.email)
    for path in PAGES:
        response = client.get(path, headers=EN)
        assert response.status_code == 200, path
    home = client.get("/admin/", headers=EN).get_data(as_text=True)
    for label in ("Cybersites", "Companies", "People", "Invitations", "Sent mail"):
        assert label in home
    for path in (
        f"/admin/cybersites/{network.other_site.id}/modifier",
        f"/admin/entreprises/{network.other_company.id}/modifier",
        f"/admin/utilisateurs/{network.other_learner.id}",
        f"/admin/utilisateurs/{network.other_learner.id}/modifier",
    ):
        assert client.get(path, headers=EN).status_code == 200, path


def test_pages_carry_no_inline_script_or_style(client, network):
    sign_in(client, network.admin.email)
    for path in PAGES:
        page = client.get(path, headers=EN).get_data(as_text=True)
        assert "<script>" not in page and "style=" not in page and "<style" not in page, path


def test_site_manager_home_and_network_pages(client, network):
    sign_in(client, network.site_manager.email)
    home = client.get("/admin/", headers=EN).get_data(as_text=True)
    assert "Cybersites" in home and "Companies" in home
    assert "Sent mail" not in home
    assert client.get("/admin/courriels", headers=EN).status_code == 403
    assert client.get("/admin/cybersites/nouveau", headers=EN).status_code == 403
    assert client.get("/admin/utilisateurs/nouveau", headers=EN).status_code == 403


def test_site_manager_lists_only_their_site(client, network):
    sign_in(client, network.site_manager.email)
    sites = client.get("/admin/cybersites", headers=EN).get_data(as_text=True)
    assert "Cybersite Auvergne" in sites and "Cybersite Limousin" not in sites
    companies = client.get("/admin/entreprises", headers=EN).get_data(as_text=True)
    assert "Fromagerie Dupont" in companies and "Scierie Martin" in companies
    assert "Porcelaine Leroy" not in companies
    people = client.get("/admin/utilisateurs", headers=EN).get_data(as_text=True)
    for name in ("Simon Site", "Claire Chef", "Léo Learner"):
        assert name in people
    assert "Olga Other" not in people and "Anne Admin" not in people


def test_company_manager_lists_only_their_company(client, network):
    sign_in(client, network.company_manager.email)
    companies = client.get("/admin/entreprises", headers=EN).get_data(as_text=True)
    assert "Fromagerie Dupont" in companies
    assert "Scierie Martin" not in companies and "Porcelaine Leroy" not in companies
    people = client.get("/admin/utilisateurs", headers=EN).get_data(as_text=True)
    assert "Léo Learner" in people and "Olga Other" not in people and "Simon Site" not in people
    assert client.get("/admin/entreprises/nouvelle", headers=EN).status_code == 403
    assert client.get(f"/admin/entreprises/{network.company.id}/modifier", headers=EN).status_code == 403


def _foreign_gets(n):
    return [
        f"/admin/cybersites/{n.other_site.id}/modifier",
        f"/admin/entreprises/{n.other_company.id}/modifier",
        f"/admin/utilisateurs/{n.other_learner.id}",
        f"/admin/utilisateurs/{n.other_learner.id}/modifier",
    ]


def test_site_manager_is_refused_foreign_pages(client, network):
    sign_in(client, network.site_manager.email)
    for path in _foreign_gets(network):
        assert client.get(path, headers=EN).status_code == 403, path
        unknown = path.replace(f"/{network.other_site.id}/", "/999999/")
        unknown = unknown.replace(f"/{network.other_company.id}/", "/999999/")
        unknown = unknown.replace(f"/{network.other_learner.id}", "/999999")
        assert client.get(unknown, headers=EN).status_code == 404, unknown


def test_site_manager_is_refused_foreign_changes(client, app, network):
    with app.app_context():
        other_grant = db.session.scalars(
            db.select(RoleGrant).where(RoleGrant.user_id == network.other_learner.id)
        ).one()
        invitation = Invitation(
            email="new@example.fr", role=Role.LEARNER, company_id=network.other_company.id
        )
        db.session.add(invitation)
        db.session.commit()
        grant_id, invitation_id = other_grant.id, invitation.id
    sign_in(client, network.site_manager.email)
    n = network
    posts = [
        (f"/admin/cybersites/{n.other_site.id}/modifier", {"name": "X", "town": "Y", "departement": "63"}),
        (f"/admin/cybersites/{n.other_site.id}/desactiver", {}),
        (f"/admin/cybersites/{n.site.id}/desactiver", {}),  # only administrators close a Cybersite
        (f"/admin/cybersites/{n.other_site.id}/reactiver", {}),
        (
            f"/admin/entreprises/{n.other_company.id}/modifier",
            {
                "legal_name": "Pirate",
                "siret": n.other_company.siret,
                "naf_code": "62.01Z",
                "headcount": "5",
                "departement": "87",
                "cybersite_id": str(n.other_site.id),
            },
        ),
        (f"/admin/entreprises/{n.other_company.id}/desactiver", {}),
        (f"/admin/entreprises/{n.other_company.id}/reactiver", {}),
        (
            f"/admin/utilisateurs/{n.other_learner.id}/modifier",
            {"display_name": "Pirate", "email": "pirate@example.fr", "language": "en"},
        ),
        (f"/admin/utilisateurs/{n.other_learner.id}/desactiver", {}),
        (f"/admin/utilisateurs/{n.other_learner.id}/reactiver", {}),
        (f"/admin/utilisateurs/{n.learner.id}/desactiver", {}),  # only administrators close accounts
        (
            f"/admin/utilisateurs/{n.other_learner.id}/roles",
            {"role": "learner", "company_id": str(n.company.id)},
        ),
        (f"/admin/utilisateurs/{n.other_learner.id}/roles/{grant_id}/retirer", {}),
        (f"/admin/invitations/{invitation_id}/retirer", {}),
    ]
    for path, data in posts:
        assert press(client, path, data).status_code == 403, path
    assert press(client, "/admin/cybersites/999999/desactiver").status_code == 404
    assert press(client, "/admin/entreprises/999999/desactiver").status_code == 404
    assert press(client, "/admin/utilisateurs/999999/desactiver").status_code == 404
    assert press(client, "/admin/utilisateurs/999999/roles", {"role": "learner"}).status_code == 404
    assert press(client, f"/admin/utilisateurs/{n.learner.id}/roles/999999/retirer").status_code == 404
    assert press(client, "/admin/invitations/999999/retirer").status_code == 404

    assert fetch(app, Cybersite, n.other_site.id).name == "Cybersite Limousin"
    assert fetch(app, Cybersite, n.site.id).active
    company = fetch(app, Company, n.other_company.id)
    assert company.legal_name == "Porcelaine Leroy" and company.active
    other = fetch(app, User, n.other_learner.id)
    assert other.display_name == "Olga Other" and other.active and len(other.roles) == 1
    assert fetch(app, User, n.learner.id).active
    assert fetch(app, Invitation, invitation_id).revoked_at is None


@pytest.mark.parametrize("who", ["site_manager", "company_manager"])
def test_managers_see_the_invitations_page(client, network, who):
    sign_in(client, getattr(network, who).email)
    page = client.get("/admin/invitations", headers=EN)
    assert page.status_code == 200
    assert count(client.application, Invitation) == 0


def test_fields_carry_no_empty_attributes(client, network):
    sign_in(client, network.admin.email)
    for path in (
        "/admin/entreprises/nouvelle",
        f"/admin/utilisateurs/{network.learner.id}",
        "/admin/invitations",
    ):
        page = client.get(path, headers=EN).get_data(as_text=True)
        assert '="None"' not in page, path
