"""Sign-in attempts are limited per account and per client address, before any password is hashed."""

from __future__ import annotations

import secrets
from unittest import mock

import pytest

from app.accounts.services import credentials
from tests.conftest import PASSWORD, csrf_token


def _attempt(client, email, password, address="203.0.113.7"):
    return client.post(
        "/compte/connexion",
        data={"email": email, "password": password, "csrf_token": csrf_token(client)},
        environ_base={"REMOTE_ADDR": address},
        headers={"Accept-Language": "en"},
    )


def test_failed_attempts_on_one_account_lock_it_even_with_the_right_password(make_app, make_user):
    limited = make_app(LOGIN_RATE_LIMIT="3 per minute")
    user = make_user()
    client = limited.test_client()
    for _ in range(3):
        assert _attempt(client, user.email, "wrong password").status_code == 400
    with mock.patch.object(
        credentials, "check_password_hash", wraps=credentials.check_password_hash
    ) as check:
        refused = _attempt(client, user.email, PASSWORD)
        assert refused.status_code == 429
        assert not check.called  # refused before any hashing
    assert "Too many attempts" in refused.get_data(as_text=True)
    # The address typed differently is the same account.
    assert _attempt(client, user.email.upper(), PASSWORD).status_code == 429
    # From another address too: the limit protects the account, wherever the guesses come from.
    assert _attempt(limited.test_client(), user.email, PASSWORD, address="198.51.100.9").status_code == 429


def test_other_accounts_are_not_locked_by_one_accounts_failures(make_app, make_user):
    limited = make_app(LOGIN_RATE_LIMIT="3 per minute")
    target, other = make_user(), make_user()
    client = limited.test_client()
    for _ in range(3):
        _attempt(client, target.email, "wrong password")
    assert _attempt(client, other.email, PASSWORD).status_code == 302


def test_many_accounts_tried_from_one_address_are_stopped(make_app):
    limited = make_app(LOGIN_RATE_LIMIT="3 per minute", LOGIN_RATE_LIMIT_PER_ADDRESS="5 per minute")
    client = limited.test_client()
    statuses = [_attempt(client, f"guess{n}@example.fr", "some password").status_code for n in range(6)]
    assert statuses == [400] * 5 + [429]
    # Another address is not concerned.
    other = limited.test_client()
    assert _attempt(other, "guess9@example.fr", "some password", address="198.51.100.9").status_code == 400


def test_successful_sign_ins_do_not_count(make_app, make_user):
    limited = make_app(LOGIN_RATE_LIMIT="2 per minute", LOGIN_RATE_LIMIT_PER_ADDRESS="2 per minute")
    users = [make_user() for _ in range(4)]
    for user in users:
        for _ in range(2):
            client = limited.test_client()
            assert _attempt(client, user.email, PASSWORD).status_code == 302


def test_the_default_limit_is_ten_failures_per_account(client, app, make_user):
    assert app.config["LOGIN_RATE_LIMIT"] == "10 per 15 minutes"
    user = make_user()
    for _ in range(10):
        assert _attempt(client, user.email, "wrong password").status_code == 400
    assert _attempt(client, user.email, PASSWORD).status_code == 429


def test_guesses_at_the_current_password_are_limited(make_app, make_user):
    limited = make_app(LOGIN_RATE_LIMIT="3 per minute")
    user = make_user()
    client = limited.test_client()
    assert _attempt(client, user.email, PASSWORD, address="127.0.0.1").status_code == 302
    statuses = []
    for _ in range(4):
        token = csrf_token(client, "/compte/mot-de-passe")
        response = client.post(
            "/compte/mot-de-passe",
            data={
                "csrf_token": token,
                "current_password": "a guess at it",
                "password": "a brand new secret",
                "confirm": "a brand new secret",
            },
        )
        statuses.append(response.status_code)
    assert statuses == [400, 400, 400, 429]


def test_with_redis_the_limits_are_shared_by_every_worker(make_app, make_user):
    redis = pytest.importorskip("redis", reason="pip install -e '.[redis]'")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379 (CI and the development machines have one)")
    prefix = f"cybermassif-test-{secrets.token_hex(4)}"
    settings = {
        "LOGIN_RATE_LIMIT": "3 per minute",
        "RATELIMIT_STORAGE_URI": url,
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    user = make_user()
    try:
        first_worker = make_app(**settings)
        for _ in range(3):
            assert _attempt(first_worker.test_client(), user.email, "wrong password").status_code == 400
        # A worker started afterwards (another process, another host) sees the same counts.
        second_worker = make_app(**settings)
        assert _attempt(second_worker.test_client(), user.email, PASSWORD).status_code == 429
    finally:
        server = redis.Redis.from_url(url)
        for key in server.scan_iter(f"{prefix}*"):
            server.delete(key)


def test_every_limit_guards_a_post_so_pages_read_by_get_skip_the_limiter(app):
    """Pages read by GET skip the limiter (a request filter): that is right only while no limit names GET."""
    from app.core.extensions import limiter

    limits = [limit for routes in limiter.limit_manager._decorated_limits.values() for limit in routes]
    assert limits, "the sign-in, password and reset forms are limited"
    for limit in limits:
        assert limit.methods is not None and {m.upper() for m in limit.methods} <= {"POST"}, limit
