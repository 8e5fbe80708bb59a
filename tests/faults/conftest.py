from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def postgres_url(tmp_path):
    """A fresh PostgreSQL database of its own: these tests are about a database server."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgresql"):
        base = os.environ.get("INNSPILL_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    server, _, _ = base.rpartition("/")
    name = f"innspill_faults_{os.getpid()}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{server}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
