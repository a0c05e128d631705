"""The access matrix over the whole URL map: every endpoint, every role, own and foreign ids.

Two Cybersites, A and B, share one course (``tests.security.access_world``). B's people, a visitor and the
network administrator open every endpoint with B's ids and with A's (``tests.security.access_matrix``):
each gets the status the matrix declares; no body a non-administrator gets shows any of A's sentinels;
no refused write changes a row. An endpoint without an entry fails, so every new route must declare who
may reach it.

The world is built once for the module (the requests below change nothing, which the write probes check),
so this module replaces the suite's per-test emptying of the tables by one at its end.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

from app.core.extensions import db, limiter
from app.runtime.tree import forget_shared_trees
from tests.security.access_matrix import LOGIN, MATRIX, Probe
from tests.security.access_world import A_SENTINELS, ROLES, World, build_world, page_token, signed_in

WRITES = {"POST", "PUT", "DELETE"}


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    """Keep the module's world between tests (``world`` empties the tables when the module ends)."""


@pytest.fixture(scope="module")
def world(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Both Cybersites, built once; the tables are emptied after the module's last test."""
    built = build_world(app, tmp_path_factory.mktemp("matrix-course"))
    yield built
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        limiter.reset()
        forget_shared_trees()


@pytest.fixture(scope="module")
def clients(app: Flask, world: World) -> dict[str, tuple[FlaskClient, str]]:
    """One client per role, signed in once, with its session's CSRF token."""
    result = {}
    for role in ROLES:
        email = world.email_of(role)
        if email is None:
            client = app.test_client()
            result[role] = (client, page_token(client, "/compte/connexion"))
        else:
            client = signed_in(app, email)
            result[role] = (client, page_token(client, "/compte/profil"))
    return result


def _endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}


def _snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the world is small), to prove that a refused write changed nothing."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in connection.execute(sa.select(table))),
            )
            for table in db.metadata.sorted_tables
        }


def _send(client: FlaskClient, token: str, probe: Probe) -> Any:
    if probe.json is not None:
        return client.open(
            probe.url,
            method=probe.method,
            data=json.dumps(probe.json).encode(),
            headers={"X-CSRFToken": token, "Content-Type": "application/json"},
        )
    if probe.method in WRITES:
        return client.open(probe.url, method=probe.method, data={**(probe.form or {}), "csrf_token": token})
    return client.open(probe.url, method=probe.method)


def _send_api(app: Flask, bearer: str | None, probe: Probe) -> Any:
    """An API client's request: no cookie, the role's token (none for the visitor)."""
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    return app.test_client().open(probe.url, method=probe.method, json=probe.json, headers=headers)


def _json_escaped(text: str) -> str:
    """How a JSON answer spells the text (non-ASCII as \\u escapes)."""
    return json.dumps(text)[1:-1]


def _status(response: Any) -> int:
    if response.status_code == 302 and "/compte/connexion" in response.headers.get("Location", ""):
        return LOGIN
    return response.status_code


# What every HTML answer carries (issue 16: headers and cookies over the URL map).
HTML_HEADERS = ("Content-Security-Policy", "Referrer-Policy", "X-Frame-Options", "Cross-Origin-Opener-Policy")


def _header_problems(response: Any) -> list[str]:
    """The security headers an answer lacks, and the cookies it sets without their flags."""
    found = []
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        found.append("X-Content-Type-Options")
    if response.mimetype == "text/html":
        found.extend(name for name in HTML_HEADERS if not response.headers.get(name))
        policy = response.headers.get("Content-Security-Policy", "")
        if (
            "default-src" not in policy
            or "'unsafe-inline'" in policy.partition("script-src")[2].split(";")[0]
        ):
            found.append(f"Content-Security-Policy {policy!r}")
    for cookie in response.headers.getlist("Set-Cookie"):
        flags = {part.strip().split("=", 1)[0].lower(): part for part in cookie.split(";")[1:]}
        if "httponly" not in flags or flags.get("samesite", "").strip().lower() not in (
            "samesite=lax",
            "samesite=strict",
        ):
            found.append(f"cookie without HttpOnly and SameSite: {cookie.split(';', 1)[0].split('=', 1)[0]}")
    return found


def test_every_endpoint_of_the_url_map_has_an_entry(app):
    missing = sorted(_endpoints(app) - set(MATRIX))
    assert not missing, f"endpoints without an access-matrix entry: {missing}"


def test_every_entry_names_an_endpoint_of_the_url_map(app):
    stale = sorted(set(MATRIX) - _endpoints(app))
    assert not stale, f"access-matrix entries for endpoints that no longer exist: {stale}"


def test_every_entry_declares_every_role_for_each_side_it_probes():
    for endpoint, entry in MATRIX.items():
        for probes, expect in ((entry.own, entry.expect_own), (entry.foreign, entry.expect_foreign)):
            if probes is not None:
                assert set(expect) == set(ROLES), (endpoint, sorted(set(ROLES) - set(expect)))


def _get_endpoint(app: Flask, url: str) -> str | None:
    """The endpoint a GET of ``url`` reaches, if any."""
    try:
        return app.url_map.bind("localhost").match(url.partition("?")[0], "GET")[0]
    except HTTPException:
        return None


def test_write_only_endpoints_refuse_a_get(app, world, clients):
    """An endpoint that only writes answers a GET with 405, even for the administrator."""
    client, _ = clients["admin"]
    checked = []
    for endpoint, entry in sorted(MATRIX.items()):
        methods = set().union(*(rule.methods or set() for rule in app.url_map.iter_rules(endpoint)))
        if "GET" in methods:
            continue
        probe = next(p for side in (entry.own, entry.foreign) if side is not None for p in side(world))
        if _get_endpoint(app, probe.url) is not None:
            continue  # its address is also a page's (the import form and its upload)
        assert client.get(probe.url).status_code == 405, endpoint
        checked.append(endpoint)
    assert "forum.moderate" in checked and "admin.grant_role" in checked


CASES = [
    (endpoint, side, role)
    for endpoint, entry in sorted(MATRIX.items())
    for side in ("own", "foreign")
    if getattr(entry, side) is not None
    for role in ROLES
]


@pytest.mark.parametrize(("endpoint", "side", "role"), CASES)
def test_access(app, world, clients, endpoint, side, role):
    entry = MATRIX[endpoint]
    expected = (entry.expect_own if side == "own" else entry.expect_foreign)[role]
    if expected is None:
        pytest.skip(
            "a write this role may make: covered by its package's tests, not sent to the shared world"
        )
    client, token = clients[role]
    if endpoint == "accounts.sign_out":
        # Signing out ends the session: a fresh one of the same person, so the others stay signed in.
        email = world.email_of(role)
        client = signed_in(app, email) if email else app.test_client()
        token = page_token(client, "/compte/profil" if email else "/compte/connexion")
    for probe in getattr(entry, side)(world):
        write = probe.method in WRITES and endpoint != "accounts.sign_out"
        before = _snapshot(app) if write else None
        response = (
            _send_api(app, world.tokens.get(role), probe) if probe.bearer else _send(client, token, probe)
        )
        status = _status(response)
        wanted = probe.expect[role] if probe.expect is not None else expected
        # Bodies are read as Latin-1 so that PDF and other binary answers can be searched too.
        body = response.get_data().decode("latin-1")
        assert status in wanted, (probe, status, sorted(wanted), body[:300])
        assert not _header_problems(response), (probe, _header_problems(response))
        if write:
            assert _snapshot(app) == before, f"{probe} changed rows"
        if role != "admin" and response.status_code == 200:
            text = response.get_data().decode("utf-8", errors="replace") + body
            leaked = [
                s for s in A_SENTINELS if s not in entry.public and (s in text or _json_escaped(s) in text)
            ]
            assert not leaked, (probe, leaked)


def _texts(app: Flask, world: World, email: str, probes: list[Probe]) -> str:
    client = signed_in(app, email)
    token = page_token(client, "/compte/profil")
    texts = []
    for probe in probes:
        response = _send(client, token, probe)
        assert response.status_code == 200, (probe, response.status_code)
        texts.append(response.get_data().decode("utf-8", errors="replace"))
    return "\n".join(texts)


def _present(text: str, sentinels: tuple[str, ...]) -> list[str]:
    return [s for s in sentinels if s not in text and _json_escaped(s) not in text]


def test_a_s_own_people_see_the_sentinels_so_their_absence_means_something(app, world):
    """The check above could not fail if the sentinels were on no page: A's staff read them all."""
    a = world.a
    unit_threads = Probe("POST", world.handler("discussion", "f1", "list_threads"), {"page": 1})
    trainer = _texts(
        app,
        world,
        a.emails["trainer"],
        [
            unit_threads,
            Probe("POST", world.handler("discussion", "f1", "open_thread"), {"thread_id": a.thread_id}),
            Probe("POST", world.handler("case_study", "cas", "staff_works"), {"offset": 0}),
            Probe("GET", f"/progression/formations/{world.course_key}"),
            Probe("GET", "/forum/moderation?vue=reported"),
        ],
    )
    assert not _present(
        trainer,
        (
            "Sujet secret Alpha",
            "Réponse secrète Alpha",
            "Cas secret Alpha",
            "Motif secret Alpha",
            "Aline Alphalearner",
            "Albert Alphalearner",
        ),
    )
    manager = _texts(
        app,
        world,
        a.emails["cybersite_manager"],
        [
            Probe("GET", f"/cohortes/{a.cohort_id}"),
            Probe("GET", f"/progression/cybersites/{a.site_id}"),
            Probe("GET", f"/admin/utilisateurs/{a.learner_id}"),
            Probe("GET", "/admin/invitations"),
            Probe("GET", "/admin/utilisateurs"),
        ],
    )
    assert not _present(
        manager,
        ("Alphaville", "Alphamenuiserie", "@alpha.example", "Aline Alphalearner", "Marc Alphamanager"),
    )


def test_b_s_people_see_their_own_cybersite_s_work_on_the_same_pages(app, world):
    """The pages B's people open are not empty: they show B's threads, answers and people."""
    b = world.b
    trainer = _texts(
        app,
        world,
        b.emails["trainer"],
        [
            Probe("POST", world.handler("discussion", "f1", "list_threads"), {"page": 1}),
            Probe("POST", world.handler("case_study", "cas", "staff_works"), {"offset": 0}),
            Probe("GET", f"/progression/formations/{world.course_key}"),
            Probe("GET", "/forum/moderation?vue=reported"),
        ],
    )
    assert not _present(
        trainer, ("Sujet ouvert Beta", "Cas ouvert Beta", "Bea Betalearner", "Motif ouvert Beta")
    )
    # The course's figures count B's two learners only (the administrator's count all four).
    funnel = f"/progression/formations/{world.course_key}/export/entonnoir.csv"
    assert "Inscrit;2;" in _texts(app, world, b.emails["trainer"], [Probe("GET", funnel)])
    assert "Inscrit;4;" in _texts(app, world, world.admin_email, [Probe("GET", funnel)])
    manager = _texts(app, world, b.emails["cybersite_manager"], [Probe("GET", f"/cohortes/{b.cohort_id}")])
    assert not _present(manager, ("Promo Betaville", "Bea Betalearner", "Betamenuiserie"))


def test_the_header_check_flags_what_it_is_meant_to():
    """The check above can fail: an HTML answer without the headers, and a cookie without its flags."""
    from flask import Response

    bare = Response("<p>x</p>", mimetype="text/html")
    bare.set_cookie("session", "v", httponly=False)
    problems = _header_problems(bare)
    assert "X-Content-Type-Options" in problems and "Content-Security-Policy" in problems
    assert any(p.startswith("cookie without HttpOnly") for p in problems)
    loose = Response(
        "x", mimetype="text/html", headers={"Content-Security-Policy": "script-src 'unsafe-inline'"}
    )
    assert any(p.startswith("Content-Security-Policy") for p in _header_problems(loose))
