"""Accounts: created by administrators (with a mail to choose a password), edited, deactivated."""

from __future__ import annotations

import re

from app.accounts.models import User
from app.core.extensions import db
from app.core.mail import OutboxMessage
from tests.admin.conftest import EN, count, fetch, press
from tests.conftest import csrf_token, post_form, sign_in

NEW = "/admin/utilisateurs/nouveau"


def test_admin_creates_an_account_and_the_mail_is_listed(client, app, network):
    sign_in(client, network.admin.email)
    data = {"display_name": "Nina Nouvelle", "email": "Nina.Nouvelle@Example.FR", "language": "en"}
    response = post_form(client, NEW, data, headers=EN)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.email == "nina.nouvelle@example.fr")).one()
        assert user.password_hash is None and user.roles == []
        assert response.headers["Location"].endswith(f"/admin/utilisateurs/{user.id}")
    assert count(app, OutboxMessage, OutboxMessage.recipient == "nina.nouvelle@example.fr") == 1
    outbox = client.get("/admin/courriels", headers=EN).get_data(as_text=True)
    assert "nina.nouvelle@example.fr" in outbox and "Your Cybermassif account" in outbox
    link = re.search(r"http://localhost(/compte/mot-de-passe/nouveau/[^\s<]+)", outbox)
    assert link, outbox
    client.post("/compte/deconnexion", data={"csrf_token": csrf_token(client, "/")})
    assert client.get(link.group(1), headers=EN).status_code == 200  # the link lets her choose a password


def test_duplicate_email_differing_in_case_is_refused(client, app, network):
    sign_in(client, network.admin.email)
    before = count(app, User)
    data = {"display_name": "Double", "email": network.learner.email.upper(), "language": "fr"}
    response = post_form(client, NEW, data, headers=EN)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "An account already exists for this e-mail address." in page and 'id="email-error"' in page
    assert count(app, User) == before
    assert count(app, OutboxMessage) == 0


def test_edit_an_account(client, app, network):
    sign_in(client, network.admin.email)
    path = f"/admin/utilisateurs/{network.learner.id}/modifier"
    data = {"display_name": "Léo Apprenant", "email": "LEO@example.fr", "language": "fr"}
    assert post_form(client, path, data, headers=EN).status_code == 302
    user = fetch(app, User, network.learner.id)
    assert (user.display_name, user.email, user.language) == ("Léo Apprenant", "leo@example.fr", "fr")
    clash = post_form(client, path, {**data, "email": network.other_learner.email.title()}, headers=EN)
    assert clash.status_code == 400
    assert "An account already exists for this e-mail address." in clash.get_data(as_text=True)
    assert fetch(app, User, network.learner.id).email == "leo@example.fr"


def test_invalid_email_is_refused(client, app, network):
    sign_in(client, network.admin.email)
    before = count(app, User)
    data = {"display_name": "Nobody", "email": "not-an-address", "language": "fr"}
    response = post_form(client, NEW, data, headers=EN)
    assert response.status_code == 400
    assert "Enter a valid e-mail address." in response.get_data(as_text=True)
    assert count(app, User) == before


def test_deactivating_an_account_ends_its_session(app, network):
    admin, learner = app.test_client(), app.test_client()
    sign_in(learner, network.learner.email)
    assert learner.get("/compte/profil").status_code == 200
    sign_in(admin, network.admin.email)
    assert press(admin, f"/admin/utilisateurs/{network.learner.id}/desactiver").status_code == 302
    assert not fetch(app, User, network.learner.id).active
    response = learner.get("/compte/profil")
    assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]
    assert "Léo Learner" not in learner.get("/").get_data(as_text=True)
    assert press(admin, f"/admin/utilisateurs/{network.learner.id}/reactiver").status_code == 302
    assert fetch(app, User, network.learner.id).active
    sign_in(learner, network.learner.email)  # the account works again, with a new sign-in


def test_admin_cannot_deactivate_themselves(client, app, network):
    sign_in(client, network.admin.email)
    page = client.get(f"/admin/utilisateurs/{network.admin.id}", headers=EN).get_data(as_text=True)
    assert "Deactivate the account" not in page
    assert press(client, f"/admin/utilisateurs/{network.admin.id}/desactiver").status_code == 403
    assert fetch(app, User, network.admin.id).active


def test_search_people(client, network):
    sign_in(client, network.admin.email)
    page = client.get("/admin/utilisateurs?q=olga", headers=EN).get_data(as_text=True)
    assert "Olga Other" in page and "Léo Learner" not in page
    by_mail = client.get(f"/admin/utilisateurs?q={network.learner.email}", headers=EN).get_data(as_text=True)
    assert "Léo Learner" in by_mail and "Olga Other" not in by_mail


def test_detail_lists_roles(client, network):
    sign_in(client, network.site_manager.email)
    page = client.get(f"/admin/utilisateurs/{network.learner.id}", headers=EN).get_data(as_text=True)
    assert "Learner" in page and "Fromagerie Dupont" in page and "Take back" in page
    assert f"/admin/utilisateurs/{network.learner.id}/modifier" not in page  # only admins edit others
    assert "Deactivate the account" not in page
