"""Server-side cache of rendered public pages (Flask-Caching).

Which pages: those whose body is the same for every visitor in a language
(``PAGES``), and the GET of the public forms (``FORM_PAGES``), whose only
per-visitor parts are tokens: the CSRF token and the suggestion box's signed
start time. A form page is stored with those tokens replaced by placeholders and
served with fresh ones, so a cached body never carries another visitor's token.
Visitors' browsers still get ``Cache-Control: no-store``; nothing here changes a
header.

Invalidation is generic and knows nothing of where services live:

* while a page is rendered on a miss, every SQL statement the request sends is
  scanned for the names of our tables: the page depends on those tables;
* every INSERT, UPDATE and DELETE is scanned the same way, and after the
  session's commit each table written gets a new generation (a random number) in
  the cache;
* a cached page keeps the generations of its tables as they were *before* it
  read them, and is served only while they are unchanged.

So a registration's commit makes every page that read ``meeting`` stale at
once, on every worker when the cache is Redis. ``CACHE_SECONDS`` bounds what
no write announces (time passing a deadline, writes from another installation).
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar

from flask import Flask, Response, current_app, g, request, session
from flask_caching import Cache
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

cache = Cache()

# endpoint -> query arguments that change the page (any other argument: not cached)
PAGES: dict[str, tuple[str, ...]] = {
    "main.home": (),
    "main.privacy": (),
    "processes.process": (),
    "meetings.regions": (),
    "meetings.region": (),
    "meetings.meeting": (),
    "consultation.index": (),
    "consultation.draft": (),
    "consultation.responses": ("del",),
}
FORM_PAGES: dict[str, tuple[str, ...]] = {
    "meetings.signup": (),
    "suggestions.new": (),
    "suggestions.process_new": (),
    "consultation.respond": ("del",),
}

GENERATION_SECONDS = 7 * 24 * 3600
_PLACEHOLDER = "\x00innspill-token:{}\x00"
_PLACEHOLDER_RE = re.compile("\x00innspill-token:([a-z-]+)\x00")
_WORD = re.compile(r"\w+")
_DML = ("INSERT", "UPDATE", "DELETE")

_token_makers: dict[str, Callable[[], str]] = {}
_locale_for: Callable = lambda req: "nb"  # noqa: E731  (set by configure_cache)
_tables: frozenset[str] = frozenset()
_reading: ContextVar[set[str] | None] = ContextVar("innspill_cache_reading", default=None)
_written = threading.local()  # tables written by this thread's open transaction


def register_visitor_token(kind: str, make: Callable[[], str]) -> None:
    """A per-visitor value a cached page is served with, made fresh each time."""
    _token_makers[kind] = make


def visitor_token(kind: str, value: str) -> str:
    """Mark ``value`` as this visitor's own: it is never stored in a cached body."""
    tokens = g.setdefault("innspill_visitor_tokens", {})
    tokens[kind] = value
    return value


def _csrf_token() -> str:
    from flask_wtf.csrf import generate_csrf

    return generate_csrf()


def configure_cache(app: Flask, engine: Engine, table_names, locale_for: Callable) -> None:
    """Cache the pages in ``PAGES`` and ``FORM_PAGES`` per language.

    ``locale_for(request)`` is the app's own choice of language (the key must not
    depend on what flask-babel may have cached for the request)."""
    url = app.config["CACHE_URL"].strip()
    if url in ("", "none", "null"):
        return
    settings = {
        "CACHE_DEFAULT_TIMEOUT": app.config["CACHE_SECONDS"],
        "CACHE_KEY_PREFIX": app.config["CACHE_KEY_PREFIX"],
    }
    if url.startswith(("redis://", "rediss://", "unix://")):
        from urllib.parse import urlsplit

        database = urlsplit(url).path.strip("/")
        settings.update(
            CACHE_TYPE="RedisCache",
            CACHE_REDIS_URL=url,
            # Flask-Caching passes its own database number over the URL's.
            CACHE_REDIS_DB=int(database) if database.isdigit() else 0,
            # A cache that does not answer is skipped, not waited for.
            CACHE_OPTIONS={"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        )
    elif url.startswith("simple://"):
        settings.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=5000)
    else:
        raise ValueError(f"INNSPILL_CACHE_URL: unknown cache {url!r}")
    cache.init_app(app, config=settings)
    app.extensions["innspill_page_cache"] = True
    app.extensions["innspill_page_cache_copies"] = {}

    global _tables, _locale_for
    _tables = _tables | frozenset(table_names)
    _locale_for = locale_for
    register_visitor_token("csrf", _csrf_token)
    _install_events(engine)
    app.before_request(_serve_from_cache)
    app.after_request(_store_in_cache)
    app.teardown_request(_stop_reading)
    app.wsgi_app = FastPages(app, app.wsgi_app)


# ---------------------------------------------------------------- invalidation


def _tables_in(statement: str) -> set[str]:
    return _tables.intersection(_WORD.findall(statement))


def _on_execute(conn, cursor, statement, parameters, context, executemany) -> None:
    reading = _reading.get()
    if reading is not None:
        reading.update(_tables_in(statement))
    if statement.lstrip()[:6].upper() in _DML:
        pending = getattr(_written, "tables", None)
        if pending is None:
            pending = _written.tables = set()
        pending.update(_tables_in(statement))


def _after_commit(db_session: Session) -> None:
    tables = getattr(_written, "tables", None)
    _written.tables = None
    if tables:
        bump(tables)


def _after_rollback(db_session: Session) -> None:
    _written.tables = None


def _install_events(engine: Engine) -> None:
    if not event.contains(engine, "before_cursor_execute", _on_execute):
        event.listen(engine, "before_cursor_execute", _on_execute)
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def _generation_key(table: str) -> str:
    return f"gen:{table}"


def bump(tables) -> None:
    """New generations for ``tables``: every cached page that read them is stale."""
    if not current_app or not current_app.extensions.get("innspill_page_cache"):
        return
    # A random generation never comes back, even after the cache lost the key.
    values = {_generation_key(t): secrets.randbits(62) for t in tables}
    try:
        # A generation that expires reads as None: its pages are misses, not stale.
        cache.set_many(values, timeout=GENERATION_SECONDS)
    except Exception as error:  # the cache is down: pages go stale for CACHE_SECONDS
        log.warning("page cache: could not invalidate %s (%s)", sorted(tables), error)


# ---------------------------------------------------------------- serving


def _page_key() -> str | None:
    if request.method not in ("GET", "HEAD"):
        return None
    return page_key(request, request.endpoint)


def page_key(req, endpoint: str | None) -> str | None:
    """The cache key of a request for a cached page, or None."""
    allowed = PAGES.get(endpoint)
    if allowed is None:
        allowed = FORM_PAGES.get(endpoint)
    if allowed is None:
        return None
    args = req.args
    if any(name not in allowed or len(args.getlist(name)) > 1 for name in args):
        return None  # unknown arguments would let anyone fill the cache
    query = "&".join(f"{name}={args[name]}" for name in sorted(args))
    return f"page:{_locale_for(req)}:{req.path}?{query}"


# Each app keeps the entries this process fetched (app.extensions), so a hit moves
# only the generations from Redis, not the page. A copy is valid while the
# generations match, and no longer than CACHE_SECONDS after the page was rendered
# (an entry's last item).
_LOCAL_MAX = 2000


def _valid(entry, current: dict) -> bool:
    return (
        isinstance(entry, tuple)
        and len(entry) == 6  # an entry of another version of this module is a miss
        and all(current.get(t) == gen for t, gen in entry[0].items())
    )


def _lookup(backend, key: str, max_age: float, _local: dict):
    """The cached entry for ``key`` if still valid, and the current generations."""
    names = sorted(_tables)
    generation_keys = [_generation_key(t) for t in names]
    local = _local.get(key)
    if local is not None and time.time() - local[5] < max_age:
        current = dict(zip(names, backend.get_many(*generation_keys), strict=True))
        if _valid(local, current):
            return local, current
    values = backend.get_many(key, *generation_keys)
    current = dict(zip(names, values[1:], strict=True))
    entry = values[0]
    if not _valid(entry, current):
        _local.pop(key, None)
        return None, current
    if len(_local) >= _LOCAL_MAX:
        _local.clear()
    _local[key] = entry
    return entry, current


def _serve_from_cache():
    g.pop("innspill_visitor_tokens", None)
    g.pop("innspill_cache", None)
    if not current_app.extensions.get("innspill_page_cache"):
        return None
    # A visitor with something of their own in the session (attachments kept for a
    # form, a receipt, a login) gets the page rendered for them: the cache holds only
    # pages rendered for visitors with nothing of their own (see _store_in_cache).
    if not set(session.keys()) <= {"csrf_token"}:
        return None
    try:
        key = _page_key()
    except Exception:
        return None
    if key is None:
        return None
    try:
        entry, current = _lookup(
            cache.cache,
            key,
            current_app.config["CACHE_SECONDS"],
            current_app.extensions["innspill_page_cache_copies"],
        )
    except Exception as error:
        log.warning("page cache unavailable: %s", error)
        return None
    if entry is not None:
        _, body, mimetype, kinds, _, _ = entry
        if all(kind in _token_makers for kind in kinds):
            if kinds:
                body = _PLACEHOLDER_RE.sub(lambda m: _token_makers[m.group(1)](), body)
            return Response(body, status=200, mimetype=mimetype)
    # A miss: remember what the page reads, and the generations seen before reading.
    g.innspill_cache = (key, current)
    _reading.set(set())
    return None


def _store_in_cache(response: Response) -> Response:
    pending = g.pop("innspill_cache", None)
    reading = _reading.get()
    _reading.set(None)
    if pending is None or reading is None or request.method != "GET":
        return response
    if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
        return response
    if "Set-Cookie" in response.headers:
        return response
    # Only pages rendered for a visitor with nothing of their own in the session
    # (no flashed message, receipt or login).
    if not set(session.keys()) <= {"csrf_token"}:
        return response
    key, seen = pending
    # Objects the session already held were read without a statement.
    reading |= _identity_map_tables()
    body = response.get_data(as_text=True)
    tokens = dict(g.get("innspill_visitor_tokens", {}))
    csrf = g.get("csrf_token")
    if csrf:
        tokens["csrf"] = csrf
    for kind, value in tokens.items():
        if kind not in _token_makers or not value:
            return response
        body = body.replace(value, _PLACEHOLDER.format(kind))
    if any(value in body for value in tokens.values()):
        return response
    generations = {t: seen.get(t) for t in reading}
    entry = (generations, body, response.mimetype, sorted(tokens), None, time.time())
    if request.environ.get("innspill.fast") and not tokens:
        # The fast path stores it, with the headers the response ends up with.
        request.environ["innspill.entry"] = (key, entry)
        return response
    try:
        cache.set(key, entry)
    except Exception as error:
        log.warning("page cache: could not store a page (%s)", error)
    return response


def _identity_map_tables() -> set[str]:
    from participation.extensions import db

    tables: set[str] = set()
    try:
        for obj in db.session().identity_map.values():
            tables.update(t.name for t in inspect(obj).mapper.tables)
    except Exception:
        pass
    return tables & _tables


def _stop_reading(exc) -> None:
    _reading.set(None)


class FastPages:
    """WSGI middleware: a cached page for a visitor without a session, served
    before Flask runs at all, with the headers the page had when it was rendered.

    Visitors with a session cookie, form pages and misses go through Flask (where
    ``_serve_from_cache`` serves them); a miss seen here is stored here, once the
    response's final headers are known.
    """

    def __init__(self, app: Flask, wsgi_app) -> None:
        from werkzeug.wrappers import Request

        self.app = app
        self.wsgi_app = wsgi_app
        self.request_class = Request
        self.cookie = app.config["SESSION_COOKIE_NAME"] + "="
        self.max_age = app.config["CACHE_SECONDS"]
        self.copies = app.extensions["innspill_page_cache_copies"]

    def __call__(self, environ, start_response):
        if (
            environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
            or self.cookie in environ.get("HTTP_COOKIE", "")
            or not self.app.extensions.get("innspill_page_cache")
        ):
            return self.wsgi_app(environ, start_response)
        try:
            endpoint, _ = self.app.url_map.bind_to_environ(environ).match()
            key = page_key(self.request_class(environ), endpoint) if endpoint in PAGES else None
            backend = self.app.extensions["cache"][cache] if key else None
            entry = _lookup(backend, key, self.max_age, self.copies)[0] if key else None
        except Exception:  # not found, not cached, or the cache is down
            return self.wsgi_app(environ, start_response)
        if key is None:
            return self.wsgi_app(environ, start_response)
        if entry is not None and entry[4] is not None:
            body = entry[1].encode()
            headers = [*entry[4], ("Content-Length", str(len(body)))]
            start_response("200 OK", headers)
            return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]
        return self._render_and_store(environ, start_response, backend)

    def _render_and_store(self, environ, start_response, backend):
        environ["innspill.fast"] = True
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, capture)
        stored = environ.get("innspill.entry")
        if stored is None or not seen.get("status", "").startswith("200"):
            return chunks
        headers = [(k, v) for k, v in seen["headers"] if k.lower() != "content-length"]
        if any(k.lower() == "set-cookie" for k, _ in headers):
            return chunks
        key, entry = stored
        try:
            backend.set(key, (*entry[:4], headers, entry[5]))
        except Exception as error:
            log.warning("page cache: could not store a page (%s)", error)
        return chunks
