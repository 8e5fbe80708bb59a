"""The one e-mail to participants who asked to hear what came of their input, in
their own language and written form (the locale they used), with the link."""

from __future__ import annotations

from sqlalchemy.orm import Session

from participation import outbox


def queue_answers_published(
    session: Session, recipients: list[tuple[str, str, str | None]], slug: str
) -> int:
    """``recipients``: (address, locale, reference or None); ``slug``: the process's,
    whose answers page the link opens. Returns how many were queued."""
    for address, locale, reference in recipients:
        outbox.enqueue(
            session,
            recipient=address,
            locale=locale,
            template="answers_published",
            # Each link opens in the language the person used.
            answers_url=outbox.external_url("answers.process_index", slug=slug, locale=locale),
            lookup_url=outbox.external_url("answers.process_lookup", slug=slug, locale=locale),
            reference=reference,
        )
    return len(recipients)
