"""Invitations from the administration pages: who may invite whom where, the pending list, withdrawal."""

from __future__ import annotations

from app.accounts.models import Invitation, Role, RoleGrant
from app.core.extensions import db
from app.core.mail import OutboxMessage
from tests.admin.conftest import EN, count, fetch, press
from tests.conftest import csrf_token, post_form, sign_in

PAGE = "/admin/invitations"


def _invite(client, **data):
    return post_form(client, PAGE, {"language": "fr", **data}, headers=EN)


def test_company_manager_invites_staff_to_their_company(client, app, network):
    sign_in(client, network.company_manager.email)
    form = client.get(PAGE, headers=EN).get_data(as_text=True)
    assert "Fromagerie Dupont" in form and "Scierie Martin" not in form and "Trainer" not in form
    response = _invite(client, email="Paul@Example.fr", role="learner", company_id=str(network.company.id))
    assert response.status_code == 302
    assert count(app, Invitation, Invitation.email == "paul@example.fr", Invitation.role == Role.LEARNER) == 1
    assert count(app, OutboxMessage, OutboxMessage.recipient == "paul@example.fr") == 1
    page = client.get(PAGE, headers=EN).get_data(as_text=True)
    assert "An invitation is sent to paul@example.fr." in page
    assert "paul@example.fr" in page.split("Pending invitations</h2>")[1]
    again = _invite(client, email="paul@example.fr", role="learner", company_id=str(network.company.id))
    assert again.status_code == 400
    assert "This person has already been invited to this role." in again.get_data(as_text=True)


def test_company_manager_cannot_invite_elsewhere(client, app, network):
    sign_in(client, network.company_manager.email)
    for data in (
        {"role": "learner", "company_id": str(network.sister_company.id)},
        {"role": "learner", "company_id": str(network.other_company.id)},
        {"role": "trainer", "cybersite_id": str(network.site.id)},
    ):
        assert _invite(client, email="eve@example.fr", **data).status_code == 403, data
    assert count(app, Invitation) == 0
    assert count(app, OutboxMessage) == 0


def test_invitation_without_its_scope_gets_a_message(client, app, network):
    sign_in(client, network.admin.email)
    response = _invite(client, email="eve@example.fr", role="learner")
    assert response.status_code == 400
    assert "Choose the company this role is held in." in response.get_data(as_text=True)
    assert count(app, Invitation) == 0


def test_inviting_an_existing_account_gives_the_role(client, app, network):
    sign_in(client, network.site_manager.email)
    response = _invite(
        client, email=network.other_learner.email.upper(), role="trainer", cybersite_id=str(network.site.id)
    )
    assert response.status_code == 302
    assert count(app, RoleGrant, RoleGrant.user_id == network.other_learner.id) == 2
    assert count(app, Invitation) == 0


def test_pending_invitations_are_listed_within_scope_and_withdrawn(client, app, network):
    sign_in(client, network.admin.email)
    _invite(client, email="here@example.fr", role="learner", company_id=str(network.company.id))
    _invite(client, email="there@example.fr", role="learner", company_id=str(network.other_company.id))
    client.post("/compte/deconnexion", data={"csrf_token": csrf_token(client, "/")})

    sign_in(client, network.site_manager.email)
    page = client.get(PAGE, headers=EN).get_data(as_text=True)
    assert "here@example.fr" in page and "there@example.fr" not in page
    with app.app_context():
        ids = dict(db.session.execute(db.select(Invitation.email, Invitation.id)).all())
    assert press(client, f"/admin/invitations/{ids['there@example.fr']}/retirer").status_code == 403
    assert press(client, f"/admin/invitations/{ids['here@example.fr']}/retirer").status_code == 302
    assert fetch(app, Invitation, ids["here@example.fr"]).revoked_at is not None
    assert fetch(app, Invitation, ids["there@example.fr"]).revoked_at is None
    assert (
        "here@example.fr"
        not in client.get(PAGE, headers=EN).get_data(as_text=True).split("Pending invitations</h2>")[1]
    )
