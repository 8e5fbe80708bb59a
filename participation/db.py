"""Database connection rules that both SQLite and PostgreSQL need.

SQLite: WAL so readers don't block the writer, a busy timeout so concurrent
writers wait instead of failing, foreign keys on, and transactions begun by us
so a sign-up can take the write lock up front (``BEGIN IMMEDIATE``) rather than
upgrading a read snapshot, which SQLite refuses under concurrency.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import Select, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, scoped_session

_installed = False

Row = TypeVar("Row")


def get_or_raise(session: Session, model: type[Row], ident, error: type[Exception]) -> Row:
    """The row with this primary key, or the domain's "not found" ``error`` raised."""
    found = session.get(model, ident)
    if found is None:
        raise error()
    return found


def get_all_or_raise(
    session: Session, query: Select, key, ids: Iterable, error: type[Exception]
) -> list:
    """The rows of ``query`` whose ``key`` column is one of ``ids``, every one of them,
    or the domain's ``error`` raised when any is missing. No ids: none, and no query."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return []
    rows = list(session.execute(query.where(key.in_(wanted))).scalars())
    if len(rows) != len(wanted):
        raise error()
    return rows


def install_sqlite_rules() -> None:
    global _installed
    if _installed:
        return
    event.listen(Engine, "connect", _on_connect)
    event.listen(Engine, "begin", _on_begin)
    event.listen(Session, "after_flush", _mark_written)
    event.listen(Session, "after_transaction_end", _clear_written)
    _installed = True


def _mark_written(session: Session, flush_context) -> None:
    session.info["wrote"] = True


def _clear_written(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("wrote", None)


def _on_connect(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # We emit BEGIN ourselves (see _on_begin); the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_begin(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


def begin_write(session: Session) -> None:
    """Start a transaction that holds the write lock from its first statement.

    On SQLite this ends a read-only transaction the request has open and begins
    ``IMMEDIATE`` (a transaction that already wrote holds the lock already), so concurrent writers queue on the
    busy timeout. On PostgreSQL it is a no-op: row locks and conditional
    updates do the work there.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.get_bind().dialect.name != "sqlite":
        return
    session.flush()
    if session.info.get("wrote"):
        return  # this transaction already wrote, so it already holds the lock
    if session.in_transaction():
        session.commit()  # it only read: end the snapshot before taking the lock
    session.connection(execution_options={"sqlite_begin": "BEGIN IMMEDIATE"})


def discard_session(scoped: scoped_session) -> bool:
    """End the request's session even when the database has gone away.

    Rolling back on a dead connection raises; the connection is then invalid
    and the pool replaces it, but the session must still be dropped, or the
    next request on this thread would inherit it. Returns False when the
    database could not be reached.
    """
    from sqlalchemy.exc import SQLAlchemyError

    try:
        scoped.remove()
        return True
    except SQLAlchemyError:
        scoped.registry.clear()
        return False
