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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, has_request_context, render_template, url_for
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


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, also when no request is being served."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context("/"):
            path = url_for(endpoint, **values)
    return current_app.config["BASE_URL"].rstrip("/") + path


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
    return SMTPTransport(config) if config["MAIL_TRANSPORT"] == "smtp" else LogTransport()


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
