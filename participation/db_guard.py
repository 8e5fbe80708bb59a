"""Fail fast when PostgreSQL stalls.

A database that has gone silent (a firewall black hole, a failover, a VM
migration, a stuck proxy) answers neither errors nor results, and a request
waiting on it would hang for as long as the kernel keeps the socket open. Four
layers keep every request short:

* libpq ``connect_timeout``: a new connection that is not established in time fails.
* TCP keepalives and ``tcp_user_timeout``: the kernel drops a connection whose
  peer stopped acknowledging.
* ``lock_timeout`` on every session; ``statement_timeout`` and
  ``idle_in_transaction_session_timeout`` on the sessions that serve requests, so
  the server ends slow statements and the transactions a vanished request left
  open (their writes are rolled back). Background work such as an analysis run
  may take longer.
* A watchdog for calls made while serving a request: a database call that has had
  no answer a little after the statement timeout has its socket shut down. That
  covers what the kernel cannot see (a proxy that still acknowledges but no longer
  forwards); psycopg then reports a lost connection, SQLAlchemy drops the pool's
  connections, and the request gets the 503 page.

SQLite needs none of this (its busy timeout is in ``participation.db``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

from flask import Flask, has_request_context
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url

log = logging.getLogger(__name__)

# How much longer than the statement timeout the watchdog waits: the server's own
# timeout error is the better answer when the server is alive.
WATCHDOG_MARGIN = 1.0
# A ping (or a SET) answers in a millisecond from a live server.
PING_LIMIT = 1.0


def is_postgres(uri: str) -> bool:
    return make_url(uri).get_backend_name() == "postgresql"


def connect_args(config: dict[str, Any]) -> dict[str, Any]:
    """psycopg connection parameters for the configured timeouts."""
    idle = config["DB_KEEPALIVE_IDLE"]
    interval = config["DB_KEEPALIVE_INTERVAL"]
    count = config["DB_KEEPALIVE_COUNT"]
    settings = {
        "statement_timeout": config["DB_STATEMENT_TIMEOUT"] * 1000,
        "lock_timeout": config["DB_LOCK_TIMEOUT"] * 1000,
        "idle_in_transaction_session_timeout": config["DB_IDLE_IN_TRANSACTION_TIMEOUT"] * 1000,
    }
    return {
        "connect_timeout": config["DB_CONNECT_TIMEOUT"],
        "keepalives": 1,
        "keepalives_idle": idle,
        "keepalives_interval": interval,
        "keepalives_count": count,
        # Unacknowledged data gives up no later than an idle connection would.
        "tcp_user_timeout": (idle + interval * count) * 1000,
        "options": " ".join(f"-c {name}={value}" for name, value in settings.items()),
    }


def configure_engine_options(app: Flask) -> None:
    """Add the timeouts to the engine options (before Flask-SQLAlchemy builds the engine)."""
    if not is_postgres(app.config["SQLALCHEMY_DATABASE_URI"]):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    ours = connect_args(app.config)
    # connect_args replace the URL's own parameters: keep any options the URL sets
    # (a search_path, say) beside ours.
    in_url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).query.get("options")
    if in_url:
        ours["options"] = " ".join(
            [*([in_url] if isinstance(in_url, str) else in_url), ours["options"]]
        )
    options["connect_args"] = {**ours, **options.get("connect_args", {})}
    if app.config["DB_STATEMENT_TIMEOUT"] and options.pop("pool_pre_ping", False):
        # SQLAlchemy's own ping runs before any pool event and so outside the
        # watchdog; ours (in ``checkout``) does the same under it.
        app.config["DB_GUARDED_PING"] = True
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


class Watchdog:
    """Shuts down the socket of a database call that has run past its deadline.

    One per process (a thread wakes a few times a second); every engine shares it.
    """

    def __init__(self, tick: float = 0.25) -> None:
        self.tick = tick
        self._busy: dict[int, tuple[float, int, int]] = {}  # id -> (deadline, fd, inode)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def start_call(self, dbapi_connection, limit: float) -> None:
        try:
            fd = dbapi_connection.fileno()
            inode = os.fstat(fd).st_ino
        except Exception:  # closed or broken already: nothing to watch
            return
        with self._lock:
            self._busy[id(dbapi_connection)] = (time.monotonic() + limit, fd, inode)
            # gunicorn forks after the app is built (--preload): each process needs its own.
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="innspill-db-watchdog", daemon=True
                )
                self._thread.start()

    def end_call(self, dbapi_connection) -> None:
        with self._lock:
            self._busy.pop(id(dbapi_connection), None)

    def _run(self) -> None:
        while True:
            time.sleep(self.tick)
            now = time.monotonic()
            with self._lock:
                expired = [(key, v) for key, v in self._busy.items() if v[0] <= now]
                for key, _ in expired:
                    del self._busy[key]
            for _, (_, fd, inode) in expired:
                self._cut(fd, inode)

    @staticmethod
    def _cut(fd: int, inode: int) -> None:
        try:
            if os.fstat(fd).st_ino != inode:
                return  # the connection was closed meanwhile and the number reused
            sock = socket.socket(fileno=os.dup(fd))
        except OSError:
            return
        try:
            sock.shutdown(socket.SHUT_RDWR)
            log.warning("database call had no answer in time; connection shut down")
        except OSError:
            pass
        finally:
            sock.close()


watchdog = Watchdog()


def install_watchdog(app: Flask, engine: Engine) -> bool:
    """Guard the calls this engine makes while serving requests."""
    if engine.dialect.name != "postgresql" or not app.config["DB_STATEMENT_TIMEOUT"]:
        return False
    limit = app.config["DB_STATEMENT_TIMEOUT"] + WATCHDOG_MARGIN
    guarded_ping = app.config.get("DB_GUARDED_PING", False)

    web_ms = app.config["DB_STATEMENT_TIMEOUT"] * 1000
    idle_ms = app.config["DB_IDLE_IN_TRANSACTION_TIMEOUT"] * 1000

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, record, proxy) -> None:
        info = record.info
        # Background work (analysis runs, CLI commands) may run long statements
        # and hold a transaction while it computes: it keeps only the lock timeout.
        # A waiting visitor's request gets every timeout and the watchdog.
        web = has_request_context()
        info["innspill_guarded"] = web
        fresh = info.pop("innspill_fresh", False)
        mode = "web" if web else "background"
        if info.get("innspill_mode", "web") != mode:  # connections start in web mode
            statements = [
                f"SET statement_timeout = {web_ms if web else 0}",
                f"SET idle_in_transaction_session_timeout = {idle_ms if web else 0}",
            ]
        elif guarded_ping and not fresh:
            statements = ["SELECT 1"]
        else:
            return
        if web:
            watchdog.start_call(dbapi_connection, PING_LIMIT)
        try:
            cursor = dbapi_connection.cursor()
            try:
                for statement in statements:
                    cursor.execute(statement)
            finally:
                cursor.close()
            dbapi_connection.commit()  # psycopg opened a transaction for it
        except Exception as error:
            # The pool throws this connection away and tries a new one.
            raise exc.DisconnectionError(str(error)) from error
        finally:
            watchdog.end_call(dbapi_connection)
        info["innspill_mode"] = mode

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, record) -> None:
        record.info["innspill_fresh"] = True  # just opened: no ping needed

    def start(conn) -> None:
        dbapi = _dbapi(conn)
        if dbapi is not None and conn.connection.info.get("innspill_guarded", False):
            watchdog.start_call(dbapi, limit)

    def end(conn) -> None:
        dbapi = _dbapi(conn)
        if dbapi is not None:
            watchdog.end_call(dbapi)

    @event.listens_for(engine, "before_cursor_execute")
    def before_execute(conn, cursor, statement, parameters, context, executemany) -> None:
        start(conn)

    @event.listens_for(engine, "after_cursor_execute")
    def after_execute(conn, cursor, statement, parameters, context, executemany) -> None:
        end(conn)

    @event.listens_for(engine, "handle_error")
    def on_error(context) -> None:
        if context.connection is not None:
            end(context.connection)

    @event.listens_for(engine, "commit")
    def on_commit(conn) -> None:
        start(conn)

    @event.listens_for(engine, "rollback")
    def on_rollback(conn) -> None:
        start(conn)

    @event.listens_for(engine, "reset")
    def on_reset(dbapi_connection, record, reset_state) -> None:
        if record.info.get("innspill_guarded", False):
            watchdog.start_call(dbapi_connection, limit)

    # A commit, rollback or reset ends when the connection goes back to the pool.
    @event.listens_for(engine, "checkin")
    def on_checkin(dbapi_connection, record) -> None:
        if dbapi_connection is not None:
            watchdog.end_call(dbapi_connection)

    @event.listens_for(engine, "close")
    def on_close(dbapi_connection, record) -> None:
        watchdog.end_call(dbapi_connection)

    @event.listens_for(engine, "invalidate")
    def on_invalidate(dbapi_connection, record, exception) -> None:
        if dbapi_connection is not None:
            watchdog.end_call(dbapi_connection)

    return True


def _dbapi(conn):
    """The DBAPI connection behind ``conn``, or None once it is invalid or closed.

    (Asking an invalidated Connection for it would try to reconnect.)"""
    if conn.invalidated or conn.closed:
        return None
    try:
        return conn.connection.dbapi_connection
    except exc.SQLAlchemyError:
        return None
