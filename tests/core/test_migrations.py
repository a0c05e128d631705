"""``flask db upgrade`` on an empty database yields exactly the models' schema (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.accounts.models import RoleGrant, User
from app.core.extensions import db


def _assert_role_scope_is_unique() -> None:
    # Expression indexes are invisible to autogenerate on SQLite, so check what this one does.
    users, grants = User.__table__, RoleGrant.__table__
    with db.engine.begin() as connection:
        user_id = connection.execute(
            users.insert().values(
                email="a@example.fr",
                display_name="A",
                language="fr",
                active=True,
                session_token="t",
                created_at=sa.func.now(),
            )
        ).inserted_primary_key[0]
        connection.execute(
            grants.insert().values(user_id=user_id, role="network_admin", granted_at=sa.func.now())
        )
    try:
        with db.engine.begin() as connection:
            connection.execute(
                grants.insert().values(user_id=user_id, role="network_admin", granted_at=sa.func.now())
            )
    except sa.exc.IntegrityError:
        pass
    else:
        raise AssertionError("the same role over the same (empty) scope was granted twice")
    with db.engine.begin() as connection:
        connection.execute(grants.delete())
        connection.execute(users.delete())


def _fresh_database(database: dict[str, Any], tmp_path: Any) -> tuple[dict[str, Any], Any]:
    """Settings for another empty database of the same kind as the run's, and a function dropping it."""
    if "TEST_SCHEMA" not in database:
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}, lambda: None
    schema = database["TEST_SCHEMA"] + "_mig"
    admin = sa.create_engine(database["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return {
        "SQLALCHEMY_DATABASE_URI": database["SQLALCHEMY_DATABASE_URI"],
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
    }, drop


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_upgrade_yields_the_models_schema_and_downgrade_empties_it(database, tmp_path):
    settings, drop = _fresh_database(database, tmp_path)
    app = create_app({"TESTING": True, "SECRET_KEY": "k" * 40, **settings})
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
            assert differences == []
            _assert_role_scope_is_unique()

            downgrade(revision="base")
            with db.engine.connect() as connection:
                remaining = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
            assert remaining == set()
            db.engine.dispose()
    finally:
        drop()
