"""Changing one's password, and resetting a forgotten one by a link sent by e-mail."""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from app.accounts.models import User
from app.accounts.services import credentials
from app.core.extensions import db
from tests.accounts.conftest import link_in
from tests.conftest import PASSWORD, csrf_token, post_form, sign_in

NEW = "a brand new secret"


def _signed_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def _stored_hash(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).password_hash


# Changing the password


def test_change_password_needs_the_current_one(client, app, make_user):
    user = make_user(language="en")
    sign_in(client, user.email)
    response = post_form(
        client,
        "/compte/mot-de-passe",
        {"current_password": "not my password", "password": NEW, "confirm": NEW},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "This is not your current password." in response.get_data(as_text=True)
    assert check_password_hash(_stored_hash(app, user.id), PASSWORD)


def test_change_password_ends_the_other_sessions_and_keeps_this_one(app, make_user):
    user = make_user(display_name="Léa Martin")
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, user.email)
    sign_in(elsewhere, user.email)
    assert "Léa Martin" in elsewhere.get("/").get_data(as_text=True)
    before = here.get_cookie("session").value
    response = post_form(
        here, "/compte/mot-de-passe", {"current_password": PASSWORD, "password": NEW, "confirm": NEW}
    )
    assert response.status_code == 302
    assert here.get_cookie("session").value != before
    assert "Léa Martin" in here.get("/compte/profil").get_data(as_text=True)
    assert "Léa Martin" not in elsewhere.get("/").get_data(as_text=True)
    assert elsewhere.get("/compte/profil").status_code == 302
    assert check_password_hash(_stored_hash(app, user.id), NEW)
    # The new password works, the old one no longer does.
    fresh = app.test_client()
    sign_in(fresh, user.email, NEW)


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short1", "short1", "Use at least 10 characters."),
        ("12345678901234", "12345678901234", "Use letters as well as digits."),
        (NEW, NEW + "!", "The two passwords do not match."),
    ],
)
def test_change_password_refuses_weak_or_mismatched(client, app, make_user, password, confirm, message):
    user = make_user(language="en")
    sign_in(client, user.email)
    response = post_form(
        client,
        "/compte/mot-de-passe",
        {"current_password": PASSWORD, "password": password, "confirm": confirm},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert check_password_hash(_stored_hash(app, user.id), PASSWORD)


def test_the_password_may_not_be_the_accounts_address(client, make_user):
    user = make_user(email="lea.martin1@example.fr", language="en")
    sign_in(client, user.email)
    response = post_form(
        client,
        "/compte/mot-de-passe",
        {"current_password": PASSWORD, "password": user.email, "confirm": user.email},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "must not be your e-mail address" in response.get_data(as_text=True)


def test_change_password_needs_a_session(client):
    response = client.get("/compte/mot-de-passe")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/compte/connexion")


# Asking for a reset link


def _ask_reset(client, email):
    return post_form(
        client, "/compte/mot-de-passe/oubli", {"email": email}, headers={"Accept-Language": "en"}
    )


def test_reset_request_answers_the_same_for_known_and_unknown(client, make_user, outbox):
    user = make_user(language="en")
    known = _ask_reset(client, user.email)
    page_known = client.get(known.headers["Location"]).get_data(as_text=True)
    unknown = _ask_reset(client, "nobody@example.fr")
    page_unknown = client.get(unknown.headers["Location"]).get_data(as_text=True)
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    notice = "If an account exists for this address, a reset link has been sent to it."
    assert notice in page_known and notice in page_unknown
    messages = outbox()
    assert [m.recipient for m in messages] == [user.email]
    assert "/compte/mot-de-passe/nouveau/" in messages[0].body
    assert messages[0].sent_at is not None and messages[0].transport == "log"


def test_no_reset_mail_for_a_deactivated_account(client, make_user, outbox):
    user = make_user(active=False)
    assert _ask_reset(client, user.email).status_code == 302
    assert outbox() == []


def test_reset_request_needs_a_valid_address(client, outbox):
    response = _ask_reset(client, "not an address")
    assert response.status_code == 400
    assert "Enter a valid e-mail address." in response.get_data(as_text=True)
    assert outbox() == []


def test_reset_mail_is_in_the_accounts_language(client, make_user, outbox):
    user = make_user(language="en")
    _ask_reset(client, user.email)
    assert outbox()[0].subject == "Reset your Cybermassif password"


# Using the link


def _reset_link(client, user, outbox) -> str:
    _ask_reset(client, user.email)
    return link_in(outbox(user.email)[-1].body)


def _choose(client, link, password=NEW, confirm=None):
    return post_form(
        client,
        link,
        {"password": password, "confirm": password if confirm is None else confirm},
        headers={"Accept-Language": "en"},
    )


def test_the_reset_link_works_once(client, app, make_user, outbox):
    user = make_user(language="en")
    link = _reset_link(client, user, outbox)
    assert client.get(link).status_code == 200
    response = _choose(client, link)
    assert response.status_code == 302
    assert check_password_hash(_stored_hash(app, user.id), NEW)
    sign_in(app.test_client(), user.email, NEW)
    reused = client.get(link, headers={"Accept-Language": "en"})
    assert reused.status_code == 404
    assert "This link is not valid or has already been used." in reused.get_data(as_text=True)
    again = {"password": "another secret!", "confirm": "another secret!", "csrf_token": csrf_token(client)}
    assert client.post(link, data=again).status_code == 404


def test_a_reset_ends_every_session_of_the_account(app, make_user, outbox):
    user = make_user(display_name="Léa Martin")
    signed_in = app.test_client()
    sign_in(signed_in, user.email)
    visitor = app.test_client()
    _choose(visitor, _reset_link(visitor, user, outbox))
    assert "Léa Martin" not in signed_in.get("/").get_data(as_text=True)


def test_a_reset_lets_an_account_without_password_choose_one(client, app, make_user, outbox):
    user = make_user(password_hash=None)
    assert _choose(client, _reset_link(client, user, outbox)).status_code == 302
    sign_in(app.test_client(), user.email, NEW)


def _old_token(app, user_id, age_seconds):
    """A reset token signed ``age_seconds`` ago (the serializer's clock is fixed in the past)."""

    class PastSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age_seconds

    with app.app_context():
        user = db.session.get(User, user_id)
        serializer = URLSafeTimedSerializer(
            app.config["SECRET_KEY"], salt="cybermassif.password-reset", signer=PastSigner
        )
        return serializer.dumps({"u": user.id, "f": credentials._fingerprint(user)})


def test_an_expired_reset_link_is_gone(client, app, make_user):
    user = make_user(language="en")
    max_age = app.config["PASSWORD_RESET_MAX_AGE"]
    fresh = _old_token(app, user.id, max_age - 60)
    assert client.get(f"/compte/mot-de-passe/nouveau/{fresh}").status_code == 200
    expired = _old_token(app, user.id, max_age + 60)
    response = client.get(f"/compte/mot-de-passe/nouveau/{expired}", headers={"Accept-Language": "en"})
    assert response.status_code == 410
    assert "This link has expired. Please ask for a new one." in response.get_data(as_text=True)
    form = {"password": NEW, "confirm": NEW, "csrf_token": csrf_token(client)}
    assert client.post(f"/compte/mot-de-passe/nouveau/{expired}", data=form).status_code == 410


def test_the_reset_link_lifetime_follows_the_setting(make_app, make_user):
    short = make_app(PASSWORD_RESET_MAX_AGE=60)
    user = make_user(language="en")
    token = _old_token(short, user.id, 120)
    assert short.test_client().get(f"/compte/mot-de-passe/nouveau/{token}").status_code == 410


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: t.replace(".", "x", 1),
        lambda t: "not-a-token",
        lambda t: t + "x",
    ],
)
def test_a_tampered_reset_link_is_not_found(client, make_user, outbox, tamper):
    user = make_user(language="en")
    link = _reset_link(client, user, outbox)
    prefix, _, token = link.rpartition("/")
    response = client.get(f"{prefix}/{tamper(token)}")
    assert response.status_code == 404


def test_a_token_signed_with_another_key_is_not_found(client, make_user):
    user = make_user(language="en")
    forged = URLSafeTimedSerializer("another key" * 4, salt="cybermassif.password-reset").dumps(
        {"u": user.id, "f": "0" * 16}
    )
    assert client.get(f"/compte/mot-de-passe/nouveau/{forged}").status_code == 404


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short1", "short1", "Use at least 10 characters."),
        ("12345678901234", "12345678901234", "Use letters as well as digits."),
        (NEW, "something else", "The two passwords do not match."),
    ],
)
def test_a_weak_or_mismatched_new_password_is_refused(
    client, app, make_user, outbox, password, confirm, message
):
    user = make_user(language="en")
    link = _reset_link(client, user, outbox)
    response = _choose(client, link, password, confirm)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert check_password_hash(_stored_hash(app, user.id), PASSWORD)
    # Refused, the link still works.
    assert _choose(client, link).status_code == 302
