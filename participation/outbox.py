"""E-mail through an outbox table.

Messages are written in the same transaction as the change they report, in the
recipient's language, and sent later by ``flask outbox send``. A message is
marked sent only after the SMTP server accepted it, and each message is
committed on its own, so a crash or an SMTP outage loses nothing and a message
accepted by the server is never sent again.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, has_request_context, render_template, request, url_for
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.db import begin_write
from participation.models import OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar"
    content: str


# Where links point when no address is configured and no request is being served.
FALLBACK_BASE_URL = "http://localhost:5000"


def base_url() -> str:
    """The address the site runs on, for links in e-mails: ``BASE_URL`` when it is
    configured (production: the Host header of a request is not to be trusted); else
    the address the current request came in on (development on any host and port)."""
    configured = (current_app.config.get("BASE_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.url_root.rstrip("/")
    return FALLBACK_BASE_URL


def external_url(endpoint: str, *, locale: str | None = None, **values) -> str:
    """An absolute link for an e-mail, also when no request is being served.

    ``locale``: the language the person used; the link opens the page in it
    (``?lang=nn``, see ``main.routes.language_from_link``)."""
    if locale:
        values["lang"] = locale
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context("/"):
            path = url_for(endpoint, **values)
    return base_url() + path


def enqueue(
    session: Session,
    *,
    recipient: str,
    locale: str,
    template: str,
    attachments: Iterable[Attachment] = (),
    registration_id: int | None = None,
    **context,
) -> OutboxMessage:
    """Render ``mail/<template>.txt`` in ``locale`` and queue it.

    The template's first line is the subject; the rest is the body.
    """
    with force_locale(locale):
        rendered = render_template(f"mail/{template}.txt", **context)
    subject, _, body = rendered.strip().partition("\n")
    message = OutboxMessage(
        recipient=recipient,
        subject=subject.strip()[:300],
        body_text=body.strip() + "\n",
        attachments=[a.__dict__ for a in attachments],
        locale=locale,
        registration_id=registration_id,
        status=OutboxStatus.PENDING,
        next_attempt_at=utcnow(),
    )
    session.add(message)
    _queued.set()  # wakes the development sender (start_sender), if one runs
    return message


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="innspill")
    email.set_content(message.body_text)
    for item in message.attachments or []:
        maintype, _, subtype = item["content_type"].partition("/")
        email.add_attachment(
            item["content"].encode("utf-8"),
            maintype=maintype,
            subtype=subtype,
            filename=item["filename"],
        )
    # Last: adding an attachment moves Content-* headers into the body part.
    email["Content-Language"] = message.locale
    return email


class Transport:
    def send(self, email: EmailMessage) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass


class LogTransport(Transport):
    """Development default: the message goes to the log, not to anyone."""

    def send(self, email: EmailMessage) -> None:
        log.info(
            "mail to %s: %s\n%s", email["To"], email["Subject"], email.get_body().get_content()
        )


class ConsoleTransport(Transport):
    """Development (``./dev run``): each message printed to the console in a readable
    form, links and all, and sent to no one."""

    RULE = "─" * 72

    def __init__(self, stream=None) -> None:
        self.stream = stream

    def send(self, email: EmailMessage) -> None:
        attachments = [
            f"{part.get_filename()} ({part.get_content_type()})"
            for part in email.iter_attachments()
        ]
        lines = [
            self.RULE,
            "E-mail (development: printed here, sent to no one)",
            f"From:     {email['From']}",
            f"To:       {email['To']}",
            f"Subject:  {email['Subject']}",
            f"Language: {email['Content-Language']}",
        ]
        if attachments:
            lines.append(f"Attached: {', '.join(attachments)}")
        lines += ["", email.get_body().get_content().rstrip(), self.RULE]
        print("\n".join(lines), file=self.stream or sys.stderr, flush=True)


class SMTPTransport(Transport):
    def __init__(self, config) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is None:
            c = self.config
            smtp = smtplib.SMTP(c["SMTP_HOST"], c["SMTP_PORT"], timeout=c["SMTP_TIMEOUT"])
            if c["SMTP_STARTTLS"]:
                smtp.starttls()
            if c["SMTP_USERNAME"]:
                smtp.login(c["SMTP_USERNAME"], c["SMTP_PASSWORD"])
            self._smtp = smtp
        return self._smtp

    def send(self, email: EmailMessage) -> None:
        try:
            self._connect().send_message(email)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(Exception):  # the connection may already be gone
                self._smtp.quit()
            self._smtp = None


def make_transport(config) -> Transport:
    if config["MAIL_TRANSPORT"] == "smtp":
        return SMTPTransport(config)
    if config["MAIL_TRANSPORT"] == "console":
        return ConsoleTransport()
    return LogTransport()


# Set whenever a message is queued in this process; the development sender wakes on it.
_queued = threading.Event()


def start_sender(app, interval: float) -> threading.Thread:
    """Send the outbox from a thread of this process as mail is queued (and at least
    every ``interval`` seconds): for ``./dev run``, where nobody runs ``flask outbox
    send``. Production runs that command from cron or a timer instead. The thread's
    ``stop`` event ends it."""
    from participation.extensions import db

    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            _queued.wait(interval)
            _queued.clear()
            if stop.is_set():
                break
            with app.app_context():
                try:
                    # Twice: the request that queued a message may commit just after.
                    for _ in range(2):
                        if send_due(db.session).sent == 0:
                            stop.wait(0.5)
                except Exception:  # noqa: BLE001 - keep sending later; the outbox keeps it
                    log.exception("the development outbox sender failed")
                finally:
                    db.session.remove()

    thread = threading.Thread(target=run, name="outbox-sender", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    given_up: int = 0


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def send_due(
    session: Session,
    transport: Transport | None = None,
    *,
    now: datetime | None = None,
    limit: int = 500,
) -> SendReport:
    """Send every pending message that is due; commit after each one."""
    config = current_app.config
    transport = transport or make_transport(config)
    report = SendReport()
    now = now or utcnow()
    try:
        while report.sent + report.failed < limit:
            # SQLite: hold the write lock from the claim to the commit. A plain read
            # snapshot could not be upgraded once a web request had written, so a
            # message the server accepted might not be marked sent, and go out twice.
            begin_write(session)
            message = _claim_next(session, now)
            if message is None:
                session.commit()  # nothing due: let go of the write lock at once
                break
            try:
                transport.send(build_email(message, config["MAIL_SENDER"]))
            except (OSError, smtplib.SMTPException) as error:
                message.attempts += 1
                message.last_error = f"{error.__class__.__name__}: {error}"[:1000]
                if message.attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
                    message.status = OutboxStatus.FAILED
                    report.given_up += 1
                else:
                    message.next_attempt_at = now + backoff(message.attempts)
                report.failed += 1
                session.commit()
                log.warning("outbox message %s not sent: %s", message.id, message.last_error)
                continue
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            message.attempts += 1
            message.last_error = None
            session.commit()
            report.sent += 1
    finally:
        transport.close()
    return report


def _claim_next(session: Session, now: datetime) -> OutboxMessage | None:
    # SKIP LOCKED lets several senders run at once on PostgreSQL without
    # sending a message twice; SQLite ignores it and serialises writers anyway.
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.execute(query).scalar_one_or_none()
