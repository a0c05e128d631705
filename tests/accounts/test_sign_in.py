"""Sign-in and sign-out through the real forms."""

from __future__ import annotations

from tests.conftest import PASSWORD, csrf_token, sign_in


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
    wrong = client.post(
        "/compte/connexion",
        data={"email": user.email, "password": "not it", "csrf_token": csrf_token(client)},
        headers={"Accept-Language": "en"},
    )
    unknown = client.post(
        "/compte/connexion",
        data={"email": "nobody@example.fr", "password": PASSWORD, "csrf_token": csrf_token(client)},
        headers={"Accept-Language": "en"},
    )
    assert wrong.status_code == unknown.status_code == 400
    assert "Wrong e-mail address or password." in wrong.get_data(as_text=True)
    assert "Wrong e-mail address or password." in unknown.get_data(as_text=True)
