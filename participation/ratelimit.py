"""Rate-limit keys that never reveal who the client is.

The limiter needs to tell clients apart, but the anonymous channels must not
keep an address anywhere. The key is a keyed hash (HMAC with a per-process
secret derived from SECRET_KEY and the day) of the address; it lives only in the
limiter's store, which expires it with the window.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from flask import current_app, request


def client_key() -> str:
    # remote_addr is read here and only here; it is never logged or stored.
    address = request.remote_addr or "unknown"
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    secret = (current_app.config["SECRET_KEY"] + day).encode()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:32]


# Set by the 429 handler (setup.py) when it shows a public form again with what was
# typed: the view then stores nothing.
RATE_LIMITED = "innspill.rate_limited"


def rate_limited() -> bool:
    """Whether this request is a form shown again after too many requests."""
    return bool(request.environ.get(RATE_LIMITED))
