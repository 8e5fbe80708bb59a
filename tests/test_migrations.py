"""Upgrading an empty database gives exactly the schema the models describe.

Runs on whichever database the suite runs on: a new SQLite file, or a new,
empty schema in the PostgreSQL test database.
"""

from __future__ import annotations

import warnings

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


def expression_indexes(dialect: str) -> tuple[set[str], set[str]]:
    """Indexes on expressions (e.g. PostgreSQL full-text): (for this dialect, for others).

    One declared for another dialect only (``.ddl_if(dialect=...)``) must not exist here.
    SQLite cannot reflect expression indexes, so Alembic cannot compare them there;
    they are checked by name instead.
    """
    here, elsewhere = set(), set()
    for table in Base.metadata.tables.values():
        for index in table.indexes:
            if all(isinstance(e, Column) for e in index.expressions):
                continue
            ddl_if = getattr(index, "_ddl_if", None)
            if ddl_if is not None and ddl_if.dialect not in (None, dialect):
                elsewhere.add(index.name)
            else:
                here.add(index.name)
    return here, elsewhere


def differences(engine) -> list:
    dialect = engine.dialect.name
    here, elsewhere = expression_indexes(dialect)
    skipped = elsewhere | (here if dialect == "sqlite" else set())

    def include_object(obj, name, type_, reflected, compare_to):
        return not (type_ == "index" and name in skipped)

    with engine.connect() as conn, warnings.catch_warnings():
        # Alembic says so itself for each expression index on SQLite (checked by name).
        warnings.filterwarnings(
            "ignore", "autogenerate skipping metadata-specified expression-based index"
        )
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
    here, elsewhere = expression_indexes(db.engine.dialect.name)
    assert here <= index_names(db.engine)
    assert not elsewhere & index_names(db.engine)


def test_downgrade_to_nothing_and_up_again(fresh_app):
    upgrade()
    downgrade(revision="base")
    assert tables(db.engine) <= {"alembic_version"}
    upgrade()
    assert differences(db.engine) == []
