"""Typed configuration: documented defaults, overridden from the environment.

Every setting can be given as an environment variable with the ``INNSPILL_``
prefix (``INNSPILL_MAIL_TRANSPORT=smtp``); the database also honours the
conventional ``DATABASE_URL``. The README lists them all.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

ENV_PREFIX = "INNSPILL_"

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DIR = _PACKAGE_DIR.parent


def _resource_dir(name: str) -> Path:
    """Top-level folder in a checkout; the copy inside the package in a wheel."""
    in_repo = _REPO_DIR / name
    return in_repo if in_repo.is_dir() else _PACKAGE_DIR / name


TEMPLATE_DIR = _resource_dir("templates")
TRANSLATION_DIR = _resource_dir("translations")
MIGRATION_DIR = _PACKAGE_DIR / "migrations"

LANGUAGES = ("nb", "nn", "en", "se")
# The back office stays in Norwegian and English; a visitor who chose Sami sees it in
# Bokmål (the project group's own language), never half-translated.
BACKOFFICE_LANGUAGES = ("nb", "nn", "en")
LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English", "se": "Davvisámegiella"}
BACKOFFICE_PREFIX = "/admin"


@dataclass
class Config:
    """Defaults for every setting; see README "Configuration"."""

    ENV: str = "production"  # "development" relaxes Secure cookies and HSTS
    SECRET_KEY: str = ""  # generated into the instance folder when empty
    DATABASE_URL: str = ""  # empty: SQLite file in the instance folder
    TIMEZONE: str = "Europe/Oslo"
    # Links in e-mails; empty: the address the request came in on (set it in production).
    BASE_URL: str = ""
    ORGANISATION_NAME: str = "Troms fylkeskommune"
    ARCHIVE_CREATOR_ID: str = ""  # arkivskaperID in archive exports; empty: the organisation name
    CONTACT_EMAIL: str = "naeringsstrategi@example.no"
    # The organisation's logo in the header: a file in participation/static/ (served
    # from the site itself, so no page makes a third-party request).
    LOGO: str = "img/logo.svg"
    MAIL_TRANSPORT: str = "log"  # "log", "console" (readable, ./dev run) or "smtp"
    # > 0: a thread of the web process sends the outbox as mail is queued, at least this
    # often (./dev run sets 2); 0: `flask outbox send` from cron does it (production).
    OUTBOX_SEND_SECONDS: int = 0
    MAIL_SENDER: str = "Innspill <no-reply@example.no>"
    SMTP_HOST: str = "localhost"
    SMTP_PORT: int = 25
    SMTP_USERNAME: str = ""
    SMTP_PASSWORD: str = ""
    SMTP_STARTTLS: bool = False
    SMTP_TIMEOUT: int = 10
    OUTBOX_MAX_ATTEMPTS: int = 12
    RATELIMIT_STORAGE_URI: str = "memory://"
    RATELIMIT_ENABLED: bool = True
    RATELIMIT_KEY_PREFIX: str = ""  # namespace in a Redis shared with other installations
    MAX_CONTENT_LENGTH: int = 12 * 1024 * 1024
    RETENTION_DAYS: int = 30
    SESSION_HOURS: int = 12
    IDLE_MINUTES: int = 30
    LOGIN_ACCOUNT_LIMIT: str = "5 per 15 minutes"  # failed back-office logins per account
    LOGIN_CLIENT_LIMIT: str = "20 per 15 minutes"  # failed back-office logins per client
    SUGGESTION_MIN_SECONDS: int = 3  # least time between opening and sending the form
    SUGGESTION_RATE_LIMIT: str = "10 per minute; 60 per hour"  # suggestion-box posts per client
    CONSULTATION_RATE_LIMIT: str = "10 per minute; 30 per hour"  # consultation posts per client
    SIGNUP_RATE_LIMIT: str = "5 per 10 minutes; 20 per day"  # meeting sign-up posts per client
    SIGNUP_MEETING_LIMIT: str = "3 per day"  # sign-up posts per client to one meeting
    SIGNUP_BURST_COUNT: int = 3  # this many sign-ups from one client …
    SIGNUP_BURST_MINUTES: int = 10  # … within this many minutes are flagged for review
    ATTACHMENT_MAX_BYTES: int = 10 * 1024 * 1024  # per PDF attached to a consultation response
    ATTACHMENT_MAX_FILES: int = 3  # PDFs per consultation response
    # PDFs of a response form sent back with a mistake are kept this long for it.
    PENDING_UPLOAD_MINUTES: int = 120
    UPLOAD_DIR: str = ""  # empty: "uploads" in the instance folder
    MODEL_DIR: str = ""  # empty: "models" in the instance folder
    ANALYSIS_KEEP_RUNS: int = 3  # finished analysis runs whose per-input rows are kept
    ANALYSIS_STALE_MINUTES: int = 10  # a run without a heartbeat this long counts as failed
    PROXY_COUNT: int = 0  # reverse proxies in front that set X-Forwarded-For/-Proto
    # PostgreSQL: fail fast when the database stalls (seconds; 0 turns one off).
    DB_CONNECT_TIMEOUT: int = 3  # a new connection must be up within this
    DB_STATEMENT_TIMEOUT: int = 2  # longest statement in a request; it waits at most 1 s more
    DB_LOCK_TIMEOUT: int = 3  # longest wait for a row or table lock
    DB_IDLE_IN_TRANSACTION_TIMEOUT: int = 10  # the server ends a transaction left open
    DB_KEEPALIVE_IDLE: int = 10  # TCP keepalive probes after this long idle
    DB_KEEPALIVE_INTERVAL: int = 5  # between probes
    DB_KEEPALIVE_COUNT: int = 3  # unanswered probes before the connection is dropped
    # Server-side cache of rendered public pages: simple:// (one process),
    # redis://host:port/db (shared by every worker and host), or none.
    CACHE_URL: str = "simple://"
    CACHE_SECONDS: int = 5  # longest a cached page is served (writes invalidate at once)
    CACHE_KEY_PREFIX: str = "innspill:"  # namespace in a Redis shared with others
    # Job queue (Huey): "" = a SQLite file in the instance folder, redis://host:port/db
    # (shared by every host: production), memory:// (one process), immediate (run
    # inside the request; development only).
    JOBS_URL: str = ""
    JOBS_QUEUE_NAME: str = "innspill"  # one name per installation sharing a Redis
    JOBS_LEASE_SECONDS: int = 60  # a job whose worker is silent this long is run again
    JOBS_MAX_ATTEMPTS: int = 3  # starts before a repeatedly interrupted job counts as failed
    JOBS_RESULT_HOURS: int = 24  # how long a job's download link works
    JOBS_POLL_SECONDS: int = 1  # longest a SQLite-backed worker waits between looks at the queue
    JOBS_WORKERS: int = 2  # threads per worker process (flask jobs worker --workers)
    EXPORT_JOB_ROWS: int = 5000  # exports with more rows are built by a job
    JOBS_CHUNK_ROWS: int = 100  # rows an import or a bulk e-mail job writes per transaction
    NOTE_IMPORT_MAX_BYTES: int = 5 * 1024 * 1024  # largest workshop-notes file accepted
    NOTE_IMPORT_MAX_ROWS: int = 20000  # most rows in one workshop-notes file
    MEETING_REMINDER_HOURS: int = 24  # reminder e-mail this long before a meeting
    # Closing the loop: approving an assessment needs a second person (else an
    # administrator may approve their own draft).
    ASSESSMENT_FOUR_EYES: bool = True
    RECEIPT_LOOKUP_RATE_LIMIT: str = "10 per minute; 50 per hour"  # receipt look-ups per client
    PRIORITY_MAX_CHOICES: int = 3  # focus areas a person may put first, in order
    PRIORITY_BURST_LIMIT: int = 3  # anonymous priorities answers from one client in the window
    PRIORITY_BURST_MINUTES: int = 10  # ... beyond the limit they are flagged, not counted
    PRIORITY_WORKSHOP_BURST_LIMIT: int = 200  # a room shares one address: a higher limit
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: os._Environ | dict | None = None) -> Config:
        environ = os.environ if environ is None else environ
        config = cls()
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = environ.get(ENV_PREFIX + f.name)
            if raw is None and f.name == "DATABASE_URL":
                raw = environ.get("DATABASE_URL")
            if raw is None:
                continue
            default = getattr(config, f.name)
            if isinstance(default, bool):
                value: object = raw.strip().lower() in {"1", "true", "yes", "on"}
            elif isinstance(default, int):
                value = int(raw)
            else:
                value = raw
            setattr(config, f.name, value)
        return config


def database_uri(url: str, instance_path: str) -> str:
    """Normalise DATABASE_URL; default to SQLite in the instance folder."""
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "innspill.sqlite")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret_key(instance_path: str) -> str:
    """A development secret generated once into the instance folder."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Exclusive create: two workers starting at once agree on one key.
    try:
        with open(path, "x") as fh:
            fh.write(key)
        os.chmod(path, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    return key
