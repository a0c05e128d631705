"""Sign-in and sign-out through the real forms."""

from __future__ import annotations

import pytest

from app.accounts.models import User
from app.core.extensions import db
from tests.conftest import PASSWORD, csrf_token, sign_in

WRONG = "Wrong e-mail address or password."


def _post_sign_in(client, email, password=PASSWORD, path="/compte/connexion", **data):
    fields = {"email": email, "password": password, "csrf_token": csrf_token(client), **data}
    return client.post(path, data=fields, headers={"Accept-Language": "en"})


def _signed_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def test_sign_in_then_out(client, make_user):
    user = make_user(display_name="Léa Martin")
    sign_in(client, user.email)
    page = client.get("/").get_data(as_text=True)
    assert "Léa Martin" in page
    response = client.post("/compte/deconnexion", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert "Léa Martin" not in client.get("/").get_data(as_text=True)


def test_wrong_password_gives_no_hint(client, make_user):
    user = make_user()
    wrong = _post_sign_in(client, user.email, "not it")
    unknown = _post_sign_in(client, "nobody@example.fr")
    assert wrong.status_code == unknown.status_code == 400
    assert WRONG in wrong.get_data(as_text=True)
    assert WRONG in unknown.get_data(as_text=True)
    assert not _signed_in(client)


def test_sign_in_ignores_the_case_of_the_address(client, make_user):
    user = make_user(email="lea.martin@example.fr")
    response = _post_sign_in(client, "  Lea.Martin@Example.FR ")
    assert response.status_code == 302
    assert _signed_in(client)
    assert user.email == "lea.martin@example.fr"


def test_sign_in_renews_the_session(client, make_user):
    user = make_user()
    client.get("/compte/connexion")
    with client.session_transaction() as session:
        session["planted"] = "by someone before sign-in"
    before = client.get_cookie("session").value
    token_before = csrf_token(client)
    response = _post_sign_in(client, user.email)
    assert response.status_code == 302
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{user.id}:")
    # The CSRF token of the anonymous session is not the signed-in one's.
    assert csrf_token(client, "/compte/profil") != token_before


def test_sign_in_records_the_time(client, app, make_user):
    user = make_user()
    sign_in(client, user.email)
    with app.app_context():
        assert db.session.get(User, user.id).last_login_at is not None


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/compte/profil", "/compte/profil"),
        ("/compte/profil?tab=1", "/compte/profil?tab=1"),
        ("//evil.example", "/"),
        ("//evil.example/compte", "/"),
        ("https://evil.example", "/"),
        ("https://evil.example/compte/profil", "/"),
        ("/\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("compte/profil", "/"),
        ("", "/"),
    ],
)
def test_next_accepts_only_paths_on_this_site(client, make_user, target, expected):
    user = make_user()
    client.get("/compte/connexion")
    response = client.post(
        "/compte/connexion",
        query_string={"next": target},
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_a_signed_in_visitor_of_the_sign_in_page_is_sent_on_safely(client, make_user):
    user = make_user()
    sign_in(client, user.email)
    response = client.get("/compte/connexion", query_string={"next": "//evil.example"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user(active=False)
    response = _post_sign_in(client, user.email)
    assert response.status_code == 400
    assert WRONG in response.get_data(as_text=True)
    assert not _signed_in(client)


def test_an_account_without_password_cannot_sign_in(client, make_user):
    user = make_user(password_hash=None)
    for password in (PASSWORD, "x", "no-password"):
        response = _post_sign_in(client, user.email, password)
        assert response.status_code == 400
        assert WRONG in response.get_data(as_text=True)
        assert not _signed_in(client)


def test_deactivating_an_account_ends_its_sessions(client, app, make_user):
    user = make_user(display_name="Léa Martin")
    sign_in(client, user.email)
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert "Léa Martin" not in client.get("/").get_data(as_text=True)
    assert client.get("/compte/profil").status_code == 302


def test_a_missing_csrf_token_refuses_sign_in(client, make_user):
    user = make_user()
    client.get("/compte/connexion")
    response = client.post(
        "/compte/connexion",
        data={"email": user.email, "password": PASSWORD},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert not _signed_in(client)


def test_a_wrong_csrf_token_refuses_sign_in(client, make_user):
    user = make_user()
    other = client.application.test_client()
    foreign_token = csrf_token(other)
    csrf_token(client)
    response = client.post(
        "/compte/connexion",
        data={"email": user.email, "password": PASSWORD, "csrf_token": foreign_token},
    )
    assert response.status_code == 400
    assert not _signed_in(client)
    response = client.post(
        "/compte/connexion",
        data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"},
    )
    assert response.status_code == 400
    assert not _signed_in(client)


def test_sign_out_needs_post_with_csrf_and_clears_the_session(client, make_user):
    user = make_user()
    sign_in(client, user.email)
    assert client.get("/compte/deconnexion").status_code == 405
    assert client.post("/compte/deconnexion").status_code == 400
    assert _signed_in(client)
    with client.session_transaction() as session:
        session["left_over"] = "something"
    response = client.post("/compte/deconnexion", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session
        assert "left_over" not in session
    assert client.get("/compte/profil").status_code == 302
