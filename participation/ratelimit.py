"""Rate-limit keys that never reveal who the client is.

The limiter needs to tell clients apart, but the anonymous channels must not
keep an address anywhere. The key is a keyed hash (HMAC with a per-process
secret derived from SECRET_KEY and the day) of the address; it lives only in the
limiter's store, which expires it with the window.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, request

log = logging.getLogger(__name__)


def configured(name: str) -> Callable[[], str]:
    """The limit in the configuration variable ``name``, for ``limiter.limit``: read on
    each request, so the app's configuration (and a test's) decides."""

    def limit() -> str:
        return current_app.config[name]

    return limit


def client_key() -> str:
    # remote_addr is read here and only here; it is never logged or stored.
    address = request.remote_addr or "unknown"
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    secret = (current_app.config["SECRET_KEY"] + day).encode()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:32]


class RecentEvents:
    """Ids of a client's recent events (sign-ups) within a time window, kept under the
    client's keyed hash in the rate limiter's store: Redis when the limiter uses Redis
    (shared by every worker and host), else this process's memory. Nothing here is
    written to the database, and the entries expire with the window."""

    PREFIX = "innspill-recent:"

    def __init__(self, storage_uri: str, *, prefix: str = "") -> None:
        self.prefix = prefix + self.PREFIX
        self.redis = None
        if storage_uri.startswith(("redis://", "rediss://", "unix://")):
            import redis

            self.redis = redis.Redis.from_url(
                storage_uri, socket_timeout=0.5, socket_connect_timeout=0.5
            )
        self._memory: dict[str, list[tuple[float, int]]] = {}
        self._lock = threading.Lock()

    def add(self, kind: str, key: str, value: int, window_seconds: float) -> list[int]:
        """Record ``value`` for ``key``; return every value recorded within the window
        (oldest first). Never raises: a store that does not answer counts as empty."""
        now = time.time()
        name = f"{self.prefix}{kind}:{key}"
        if self.redis is not None:
            try:
                pipe = self.redis.pipeline()
                pipe.zadd(name, {str(value): now})
                pipe.zremrangebyscore(name, 0, now - window_seconds)
                pipe.zrange(name, 0, -1)
                pipe.expire(name, int(window_seconds) + 1)
                members = pipe.execute()[2]
            except Exception:  # noqa: BLE001  (abuse flags are a help, not a gate)
                log.warning("recent-events store unavailable", exc_info=True)
                return [value]
            return [int(m) for m in members]
        with self._lock:
            kept = [(t, v) for t, v in self._memory.get(name, []) if t > now - window_seconds]
            kept.append((now, value))
            self._memory[name] = kept
            for stale in [k for k, items in self._memory.items() if items[-1][0] < now - 86400]:
                del self._memory[stale]
            return [v for _, v in kept]


# Set by the 429 handler (setup.py) when it shows a public form again with what was
# typed: the view then stores nothing.
RATE_LIMITED = "innspill.rate_limited"


def rate_limited() -> bool:
    """Whether this request is a form shown again after too many requests."""
    return bool(request.environ.get(RATE_LIMITED))
