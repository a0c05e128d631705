"""What every response carries: security headers, safe cookies, error pages; and the health check."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token, sign_in


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/compte/connexion"),
        ("GET", "/healthz"),
        ("GET", "/static/css/site.css"),
        ("GET", "/no/such/page"),
        ("GET", "/compte/deconnexion"),  # 405
        ("POST", "/compte/connexion"),  # 400: no CSRF token
    ],
)
def test_security_headers_on_every_response(client, method, path):
    response = client.open(path, method=method)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_strict_transport_security_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def _session_cookie_header(response) -> str:
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_the_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    user = make_user()
    client.get("/compte/connexion")
    response = client.post(
        "/compte/connexion",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": csrf_token(client)},
    )
    header = _session_cookie_header(response)
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_the_session_cookie_is_secure_when_configured(make_app, make_user):
    secure_app = make_app(SESSION_COOKIE_SECURE=True)
    client = secure_app.test_client()
    response = client.get("/compte/connexion", base_url="https://localhost")
    header = _session_cookie_header(response)
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json()["status"] == "ok"


def test_a_missing_page_renders_the_message(client):
    response = client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "This page does not exist." in page
    assert "Error 404" in page
    assert '<html lang="en">' in page


def test_a_missing_page_answers_json_to_api_clients(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json", "Accept-Language": "en"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "This page does not exist.", "status": 404}


def test_browsers_accepting_anything_get_html(client):
    response = client.get("/no/such/page", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.mimetype == "text/html"
    response = client.get("/no/such/page", headers={"Accept": "*/*"})
    assert response.mimetype == "text/html"


def test_method_not_allowed_keeps_its_allow_header(client):
    response = client.get("/compte/deconnexion", headers={"Accept-Language": "en"})
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "This action is not allowed here." in response.get_data(as_text=True)


def test_a_csrf_failure_explains_itself(client):
    response = client.post("/compte/connexion", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "This form has expired or was not sent from this site." in response.get_data(as_text=True)


def test_a_signed_in_page_needs_a_session(client, make_user):
    response = client.get("/compte/profil")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/compte/connexion?next=")
    user = make_user()
    sign_in(client, user.email)
    assert client.get("/compte/profil").status_code == 200
