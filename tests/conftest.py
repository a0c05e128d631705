"""Test fixtures: one real database per test run (a SQLite file, or a PostgreSQL schema when
``DATABASE_URL`` names a PostgreSQL server), migrated with Alembic; tables emptied after each test;
factory fixtures that build real objects."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from itertools import count
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import settings as hypothesis_settings

from app import create_app
from app.accounts.identifiers import luhn_valid
from app.accounts.models import Company, Cybersite, Role, RoleGrant, User
from app.accounts.services.credentials import hash_password
from app.core.extensions import db, limiter
from app.runtime import bridge
from app.runtime.tree import forget_shared_trees
from app.vista.benchmarks import forget_network

# Time is not what property tests check (a loaded CI machine is slow): no deadline per example.
hypothesis_settings.register_profile("cybermassif", deadline=None)
hypothesis_settings.load_profile("cybermassif")

# One browser, one live server for every folder's browser tests.
pytest_plugins = ["tests.browser_fixtures"]

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # scrypt is slow on purpose: hash once per run
_sequence = count(1)
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Settings naming a fresh, empty database for this run (and this xdist worker)."""
    pg_url = _postgres_url()
    if pg_url is None:
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
        return
    if pg_url.startswith("postgresql://"):
        pg_url = "postgresql+psycopg://" + pg_url.removeprefix("postgresql://")
    schema = f"test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{secrets.token_hex(4)}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield {
            "SQLALCHEMY_DATABASE_URI": pg_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
            "TEST_SCHEMA": schema,
        }
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def app(database: dict[str, Any]) -> Iterator[Flask]:
    """The application, on the run's database, migrated to the latest revision."""
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "RATELIMIT_STORAGE_URI": "memory://",
            # Tasks run when enqueued (after the commit) unless a test is about the queue (tests/jobs).
            "QUEUE_IMMEDIATE": True,
            **database,
        }
    )
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts with empty tables and fresh rate limits."""
    yield
    if "app" not in request.fixturenames:
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        limiter.reset()
        forget_shared_trees()
        forget_network()


@pytest.fixture
def steady_block_types(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disabled block types read now and kept for the test (each worker re-reads them every 10 s,
    which would add a statement to whichever request comes then: statement counts must not depend on it)."""
    monkeypatch.setattr(bridge, "DISABLED_TYPES_TTL", 3600.0)
    with app.app_context():
        bridge.setup_for(app).refresh_disabled()


class StatementCounter:
    """Counts SQL statements on the engine (transaction control and PRAGMAs excepted)."""

    IGNORED = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(self.IGNORED):
            self.statements.append(statement)


@pytest.fixture
def count_statements(
    app: Flask, steady_block_types: None
) -> Callable[[Callable[[], Any]], tuple[Any, list[str]]]:
    """Run a callable and return its result with the SQL statements it issued."""

    def run(action: Callable[[], Any]) -> tuple[Any, list[str]]:
        counter = StatementCounter()
        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            result = action()
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)
        return result, counter.statements

    return run


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client (cookies kept between requests)."""
    return app.test_client()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An application context for tests that call services or queries directly.

    Do not combine it with ``client`` in one test: requests would share its ``g`` (Flask reuses an
    active application context). Around client requests, open ``with app.app_context():`` blocks instead.
    """
    with app.app_context():
        yield app
        db.session.remove()


def _save(app: Flask, obj: Any) -> Any:
    """Commit ``obj`` in a short application context and return it loaded and detached."""
    with app.app_context():
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        for grant in getattr(obj, "roles", []):
            db.session.refresh(grant)
        db.session.expunge_all()
    return obj


def csrf_token(client: FlaskClient, path: str = "/compte/connexion") -> str:
    """The CSRF token of the client's session, read from a page's form as a browser would."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_FIELD.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form."""
    response = client.post(
        "/compte/connexion", data={"email": email, "password": password, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def post_form(client: FlaskClient, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """POST a form with the session's CSRF token, read from the form's own page first."""
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data}, **kwargs)


def valid_siret(seed: int) -> str:
    """A 14-digit number passing the SIRET checksum, different for each seed."""
    base = f"{seed:013d}"
    return next(base + str(d) for d in range(10) if luhn_valid(base + str(d)))


@pytest.fixture
def make_cybersite(app: Flask) -> Callable[..., Cybersite]:
    """Build and save a Cybersite."""

    def build(**fields: Any) -> Cybersite:
        n = next(_sequence)
        return _save(
            app,
            Cybersite(
                **{"name": f"Cybersite {n}", "town": "Clermont-Ferrand", "departement": "63", **fields}
            ),
        )

    return build


@pytest.fixture
def make_company(app: Flask, make_cybersite: Callable[..., Cybersite]) -> Callable[..., Company]:
    """Build and save a company (with a Cybersite of its own unless one is given)."""

    def build(**fields: Any) -> Company:
        n = next(_sequence)
        if "cybersite" in fields:
            fields["cybersite_id"] = fields.pop("cybersite").id
        if "cybersite_id" not in fields:
            fields["cybersite_id"] = make_cybersite().id
        company = Company(
            **{
                "legal_name": f"Entreprise {n}",
                "siret": valid_siret(n * 7919),
                "naf_code": "62.01Z",
                "headcount": 12,
                "departement": "63",
                **fields,
            }
        )
        return _save(app, company)

    return build


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Build and save a user; ``roles`` is a list of (Role, scope object or None). Password: PASSWORD."""

    def build(roles: list[tuple[Role, Any]] | None = None, **fields: Any) -> User:
        n = next(_sequence)
        user = User(
            **{
                "email": f"user{n}@example.fr",
                "display_name": f"Personne {n}",
                "password_hash": _PASSWORD_HASH,
                **fields,
            }
        )
        for role, scope in roles or []:
            grant = RoleGrant(role=role)
            if isinstance(scope, Company):
                grant.company_id = scope.id
            elif isinstance(scope, Cybersite):
                grant.cybersite_id = scope.id
            user.roles.append(grant)
        return _save(app, user)

    return build
