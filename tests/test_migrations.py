"""Upgrading an empty database gives exactly the schema the models describe.

Runs on whichever database the suite runs on: a new SQLite file, or a new,
empty schema in the PostgreSQL test database.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, create_engine, inspect, text

from participation import create_app
from participation.extensions import db
from participation.models import Base
from tests.conftest import base_config

SCHEMA = "migration_check"


@pytest.fixture
def empty_database(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    separator = "&" if "?" in database_url else "?"
    yield f"{database_url}{separator}options=-csearch_path%3D{SCHEMA}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


@pytest.fixture
def fresh_app(empty_database, tmp_path):
    app = create_app(base_config(empty_database, tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def expression_indexes(dialect: str) -> set[str]:
    """Indexes on expressions (e.g. PostgreSQL full-text), declared for this dialect.

    Alembic cannot compare an index expression with its reflected form, so these
    are checked by name instead (see ``test_upgrade_from_empty_matches_the_models``).
    """
    names = set()
    for table in Base.metadata.tables.values():
        for index in table.indexes:
            ddl_if = getattr(index, "_ddl_if", None)
            if ddl_if is not None and ddl_if.dialect not in (None, dialect):
                continue
            if any(not isinstance(e, Column) for e in index.expressions):
                names.add(index.name)
    return names


def differences(engine) -> list:
    skipped = expression_indexes(engine.dialect.name)

    def include_object(obj, name, type_, reflected, compare_to):
        return not (type_ == "index" and name in skipped)

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": False,
                "include_object": include_object,
            },
        )
        return compare_metadata(context, Base.metadata)


def index_names(engine) -> set[str]:
    inspector = inspect(engine)
    return {
        index["name"]
        for table in inspector.get_table_names()
        for index in inspector.get_indexes(table)
    }


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_upgrade_from_empty_matches_the_models(fresh_app):
    assert tables(db.engine) == set()
    upgrade()
    assert tables(db.engine) == set(Base.metadata.tables) | {"alembic_version"}
    assert differences(db.engine) == []
    assert expression_indexes(db.engine.dialect.name) <= index_names(db.engine)


def test_downgrade_to_nothing_and_up_again(fresh_app):
    upgrade()
    downgrade(revision="base")
    assert tables(db.engine) <= {"alembic_version"}
    upgrade()
    assert differences(db.engine) == []
