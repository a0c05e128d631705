"""Forged posts change nothing; the sent-mail page is for network administrators."""

from __future__ import annotations

from app.accounts.models import Company, User
from app.core import mail
from app.core.extensions import db
from tests.admin.conftest import EN, count, fetch
from tests.conftest import csrf_token, sign_in, valid_siret


def _company(network):
    return {
        "legal_name": "Forgée SARL",
        "siret": valid_siret(777),
        "naf_code": "62.01Z",
        "headcount": "3",
        "departement": "63",
        "cybersite_id": str(network.site.id),
    }


def test_posts_without_a_valid_csrf_token_are_refused(client, app, network):
    sign_in(client, network.admin.email)
    for token in (None, "forged-token"):
        data = _company(network) if token is None else {**_company(network), "csrf_token": token}
        response = client.post("/admin/entreprises/nouvelle", data=data, headers=EN)
        assert response.status_code == 400
        assert "This form has expired or was not sent from this site." in response.get_data(as_text=True)
        deactivate = client.post(
            f"/admin/utilisateurs/{network.learner.id}/desactiver",
            data={} if token is None else {"csrf_token": token},
            headers=EN,
        )
        assert deactivate.status_code == 400
    assert count(app, Company, Company.legal_name == "Forgée SARL") == 0
    assert fetch(app, User, network.learner.id).active
    # The same post with the session's own token goes through.
    valid = {**_company(network), "csrf_token": csrf_token(client, "/admin/entreprises/nouvelle")}
    assert client.post("/admin/entreprises/nouvelle", data=valid, headers=EN).status_code == 302


def test_sent_mail_newest_first_and_paginated(client, app, network):
    with app.app_context():
        for n in range(51):
            mail.queue(f"person{n}@example.fr", f"Subject {n:02d}", f"Body {n}")
        db.session.commit()
    sign_in(client, network.admin.email)
    first = client.get("/admin/courriels", headers=EN).get_data(as_text=True)
    assert first.index("Subject 50") < first.index("Subject 49")
    assert "Subject 00" not in first and "Page 1 of 2" in first and "Body 50" in first
    assert "Subject 00" in client.get("/admin/courriels?page=2", headers=EN).get_data(as_text=True)


def test_sent_mail_is_for_administrators_only(client, network):
    sign_in(client, network.site_manager.email)
    assert client.get("/admin/courriels", headers=EN).status_code == 403
