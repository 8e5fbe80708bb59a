"""Personal data: the retention purge, and finding, exporting and deleting
everything held about one e-mail address.

Plain functions that take a session; the caller commits. Nothing here writes a
citizen's address into the audit log: entries carry counts only.

What is personal data here:
- registrations: name, e-mail, phone, organisation, organisation number, needs;
- consultation responses: name, e-mail, organisation, organisation number, the
  text (in its ``Input`` row) and PDF attachments;
- the outbox: each message's recipient and body;
- free text anywhere (inputs, reviewers' notes) that happens to contain the address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from participation import audit, formatting
from participation.common import normalize_email
from participation.consultation import attachments
from participation.consultation import service as consultation
from participation.inputs import service as inputs
from participation.meetings import mail
from participation.meetings import service as meeting_service
from participation.models import (
    ConsultationResponse,
    Input,
    InputChannel,
    Meeting,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    User,
    utcnow,
)
from participation.models.backoffice import InputNote

# What an address is replaced with where it occurs inside free text.
EMAIL_PLACEHOLDER = "[e-post]"

PERSONAL_REGISTRATION_FIELDS = (
    "name",
    "email",
    "email_normalized",
    "phone",
    "organisation",
    "org_number",
    "needs",
)


# ---------------------------------------------------------------- retention


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    registrations: int
    outbox_messages: int
    # Archive exemption (participation/archive): archived consultation responses
    # held, which no purge or deletion removes.
    archived_responses: int = 0


def purge_expired(
    session: Session,
    *,
    retention_days: int,
    now: datetime | None = None,
    actor: User | None = None,
) -> PurgeReport:
    """Remove registrants' personal data ``retention_days`` after their meeting ended,
    and every outbox message older than that.

    Kept, for anonymous counts: the registration row with its meeting, status,
    category, focus areas, attendance and dates. Safe to run every night: what
    was purged is not touched again, and a run with nothing due changes nothing.
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    due = select(Registration.id).where(
        Registration.purged_at.is_(None),
        Registration.meeting_id.in_(select(Meeting.id).where(Meeting.ends_at < cutoff)),
    )
    ids = list(session.execute(due).scalars())
    addresses = set()
    if ids:
        for chunk in _chunks(ids):
            addresses.update(
                session.execute(
                    select(Registration.email_normalized).where(
                        Registration.id.in_(chunk), Registration.email_normalized.is_not(None)
                    )
                ).scalars()
            )
    messages = 0
    for chunk in _chunks(ids):
        messages += session.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.registration_id.in_(chunk))
            .execution_options(synchronize_session=False)
        ).rowcount
    for chunk in _chunks(sorted(addresses)):
        messages += session.execute(
            delete(OutboxMessage)
            .where(func.lower(OutboxMessage.recipient).in_(chunk))
            .execution_options(synchronize_session=False)
        ).rowcount
    messages += session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.created_at < cutoff)
        .execution_options(synchronize_session=False)
    ).rowcount
    for chunk in _chunks(ids):
        session.execute(
            update(Registration)
            .where(Registration.id.in_(chunk))
            .values(**dict.fromkeys(PERSONAL_REGISTRATION_FIELDS), purged_at=now)
            .execution_options(synchronize_session=False)
        )
    session.expire_all()
    if ids or messages:
        audit.record(
            session,
            actor,
            "privacy.purge",
            details={"registrations": len(ids), "outbox_messages": messages},
            now=now,
        )
    session.flush()
    return PurgeReport(cutoff, len(ids), messages, _count_archived(session))


def _count_archived(session: Session) -> int:
    # Archive exemption: the archive duty overrides deletion.
    return (
        session.scalar(
            select(func.count(ConsultationResponse.id)).where(
                ConsultationResponse.archived_at.is_not(None)
            )
        )
        or 0
    )


def due_for_purge(session: Session, *, retention_days: int, now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    return (
        session.scalar(
            select(func.count(Registration.id)).where(
                Registration.purged_at.is_(None),
                Registration.meeting_id.in_(select(Meeting.id).where(Meeting.ends_at < cutoff)),
            )
        )
        or 0
    )


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start : start + size]


# ---------------------------------------------------------------- one person


def _like(column, email: str):
    escaped = email.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


@dataclass
class PersonData:
    email: str
    registrations: list[Registration] = field(default_factory=list)
    responses: list[ConsultationResponse] = field(default_factory=list)
    outbox: list[OutboxMessage] = field(default_factory=list)
    inputs: list[Input] = field(default_factory=list)  # other inputs whose text mentions it
    notes: list[InputNote] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.registrations or self.responses or self.outbox or self.inputs or self.notes
        )

    def counts(self) -> dict[str, int]:
        return {
            "registrations": len(self.registrations),
            "responses": len(self.responses),
            "outbox_messages": len(self.outbox),
            "inputs": len(self.inputs),
            "notes": len(self.notes),
        }


def find_person(session: Session, email: str) -> PersonData:
    """Everything held about ``email`` (case-insensitive)."""
    email = normalize_email(email)
    data = PersonData(email)
    if not email:
        return data
    data.registrations = list(
        session.execute(
            select(Registration)
            .options(selectinload(Registration.meeting), selectinload(Registration.focus_areas))
            .where(
                or_(
                    Registration.email_normalized == email,
                    _like(Registration.needs, email),
                    _like(Registration.organisation, email),
                )
            )
            .order_by(Registration.id)
        ).scalars()
    )
    data.responses = list(
        session.execute(
            consultation.responses_in_full()
            .where(func.lower(ConsultationResponse.email) == email)
            .order_by(ConsultationResponse.id)
        ).scalars()
    )
    own_response_ids = {r.id for r in data.responses}
    data.outbox = list(
        session.execute(
            select(OutboxMessage)
            .where(
                or_(
                    func.lower(OutboxMessage.recipient) == email,
                    _like(OutboxMessage.body_text, email),
                    _like(OutboxMessage.subject, email),
                )
            )
            .order_by(OutboxMessage.id)
        ).scalars()
    )
    data.inputs = [
        item
        for item in session.execute(
            select(Input)
            .where(or_(_like(Input.text, email), _like(Input.redacted_text, email)))
            .order_by(Input.id)
        ).scalars()
        if item.consultation_response_id not in own_response_ids
    ]
    data.notes = list(
        session.execute(
            select(InputNote).where(_like(InputNote.text, email)).order_by(InputNote.id)
        ).scalars()
    )
    return data


def look_up(session: Session, actor: User | None, email: str) -> PersonData:
    """:func:`find_person`, recorded in the audit log (counts only, never the address)."""
    data = find_person(session, email)
    audit.record(session, actor, "privacy.lookup", details=data.counts())
    session.flush()
    return data


def export(session: Session, actor: User | None, email: str) -> dict:
    """:func:`export_person` of what is held about ``email``, recorded in the audit log."""
    data = find_person(session, email)
    audit.record(session, actor, "privacy.export", details=data.counts())
    session.flush()
    return export_person(data)


def _iso(value) -> str | None:
    return formatting.iso(value) if value is not None else None


def export_person(data: PersonData) -> dict:
    """A JSON-ready copy of everything ``find_person`` found (for an access request)."""
    return {
        "email": data.email,
        "exported_at": formatting.iso(utcnow()),
        "registrations": [
            {
                "reference": r.reference,
                "meeting": r.meeting.title,
                "meeting_starts_at": _iso(r.meeting.starts_at),
                "status": r.status,
                "name": r.name,
                "email": r.email,
                "phone": r.phone,
                "organisation": r.organisation,
                "org_number": r.org_number,
                "category": r.category,
                "focus_areas": [a.key for a in r.focus_areas],
                "needs": r.needs,
                "language": r.locale,
                "consent_at": _iso(r.consent_at),
                "created_at": _iso(r.created_at),
                "confirmed_at": _iso(r.confirmed_at),
                "cancelled_at": _iso(r.cancelled_at),
                "attended": r.attended,
            }
            for r in data.registrations
        ],
        "consultation_responses": [
            {
                "reference": r.reference,
                "draft": r.draft.title,
                "section": r.section.label if r.section is not None else None,
                "stance": r.stance,
                "name": r.name,
                "email": r.email,
                "organisation": r.organisation,
                "org_number": r.org_number,
                "category": r.category,
                "may_publish": r.may_publish,
                "language": r.locale,
                "created_at": _iso(r.created_at),
                "text": r.text,
                "published_text": r.published_text,
                "published_at": _iso(r.published_at),
                "archived_at": _iso(r.archived_at),
                "journalpost_id": r.journalpost_id,
                "attachments": [
                    {"filename": a.original_filename, "size": a.size} for a in r.attachments
                ],
            }
            for r in data.responses
        ],
        "e-mails": [
            {
                "recipient": m.recipient,
                "subject": m.subject,
                "body": m.body_text,
                "status": m.status,
                "created_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
            }
            for m in data.outbox
        ],
        "inputs_mentioning_the_address": [
            {
                "id": i.id,
                "channel": i.channel,
                "created_on": formatting.iso(i.created_on),
                "text": i.text,
            }
            for i in data.inputs
        ],
        "staff_notes_mentioning_the_address": [
            {"input_id": n.input_id, "created_at": _iso(n.created_at), "text": n.text}
            for n in data.notes
        ],
    }


@dataclass(frozen=True)
class DeletionReport:
    registrations: int
    responses: int
    outbox_messages: int
    texts_scrubbed: int
    files_removed: list[str]
    # Archive exemption: archived responses left as they are (the person's own,
    # and others' that mention the address).
    archived_kept: int = 0


def _scrub(text: str | None, email: str) -> str | None:
    if text is None:
        return None
    return re.sub(re.escape(email), EMAIL_PLACEHOLDER, text, flags=re.IGNORECASE)


def delete_person(
    session: Session,
    actor: User | None,
    email: str,
    *,
    now: datetime | None = None,
) -> DeletionReport:
    """Delete everything held about ``email``.

    - Registrations: a live place at a future meeting is cancelled first (the
      seat goes to the waiting list, who are told), then the personal fields are
      emptied; the anonymous row stays for the counts.
    - Consultation responses: deleted with their text, notes and attachments
      (the caller removes the files, listed in the report, after commit).
    - E-mails to the address: deleted; the address inside other free text is
      replaced by ``[e-post]``.
    - Archived consultation responses (exported to the Noark 5 archive) are left
      as they are, text, attachments and all: the archive duty overrides deletion.
    """
    now = now or utcnow()
    data = find_person(session, email)
    email = data.email
    scrubbed = 0

    for registration in data.registrations:
        if registration.email_normalized != email:
            # Someone else's registration that mentions the address in passing.
            registration.needs = _scrub(registration.needs, email)
            registration.organisation = _scrub(registration.organisation, email)
            scrubbed += 1
            continue
        meeting = registration.meeting
        if registration.status != RegistrationStatus.CANCELLED and now < meeting.starts_at:
            outcome = meeting_service.cancel(session, registration.reference, now=now, notify=False)
            if outcome.promoted is not None:
                mail.queue_promotion(session, outcome.promoted, outcome.registration.meeting)
        for name in PERSONAL_REGISTRATION_FIELDS:
            setattr(registration, name, None)
        registration.purged_at = now

    registration_ids = [r.id for r in data.registrations if r.email_normalized is None]
    messages = 0
    for message in data.outbox:
        session.delete(message)
        messages += 1
    if registration_ids:
        messages += session.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.registration_id.in_(registration_ids))
            .execution_options(synchronize_session=False)
        ).rowcount

    # Archive exemption: archived responses are neither deleted nor scrubbed.
    archived_inputs = [
        i
        for i in data.inputs
        if i.consultation_response is not None and i.consultation_response.is_archived
    ]
    archived_kept = len(archived_inputs) + sum(1 for r in data.responses if r.is_archived)
    data.responses = [r for r in data.responses if not r.is_archived]
    data.inputs = [i for i in data.inputs if i not in archived_inputs]

    files = []
    for response in data.responses:
        files.extend(a.stored_name for a in response.attachments)
        if response.input is not None:
            session.delete(response.input)
        session.delete(response)

    for item in data.inputs:
        item.text = _scrub(item.text, email)
        item.redacted_text = _scrub(item.redacted_text, email)
        scrubbed += 1
        if item.consultation_response is not None:
            item.consultation_response.published_text = _scrub(
                item.consultation_response.published_text, email
            )
    for note in data.notes:
        note.text = _scrub(note.text, email)
        scrubbed += 1
    session.flush()
    audit.record(
        session,
        actor,
        "privacy.delete",
        details={
            "registrations": len([r for r in data.registrations if r.purged_at == now]),
            "responses": len(data.responses),
            "outbox_messages": messages,
            "texts_scrubbed": scrubbed,
            "files": len(files),
            "archived_kept": archived_kept,
        },
        now=now,
    )
    return DeletionReport(
        registrations=len(data.registrations),
        responses=len(data.responses),
        outbox_messages=messages,
        texts_scrubbed=scrubbed,
        files_removed=files,
        archived_kept=archived_kept,
    )


# ---------------------------------------------------------------- a receipt code


def look_up_suggestion(session: Session, actor: User | None, code: str) -> Input | None:
    """The suggestion a receipt code names (the receipt says the code is the only way
    to find it again), recorded in the audit log."""
    item = inputs.find_by_receipt(session, code)
    if item is not None and item.channel != InputChannel.SUGGESTION_BOX:
        item = None
    audit.record(session, actor, "privacy.lookup", details={"inputs": int(item is not None)})
    session.flush()
    return item


def delete_suggestion(session: Session, actor: User | None, code: str) -> bool:
    """Delete the suggestion a receipt code names, with its notes, reviews and analysis
    rows (the database cascades). False when no suggestion has the code."""
    item = inputs.find_by_receipt(session, code)
    if item is None or item.channel != InputChannel.SUGGESTION_BOX:
        return False
    input_id = item.id
    # Inputs marked as its duplicates are their own inputs now.
    session.execute(
        update(Input)
        .where(Input.duplicate_of_id == input_id)
        .values(duplicate_of_id=None, duplicate_kind=None, duplicate_score=None)
        .execution_options(synchronize_session=False)
    )
    session.delete(item)
    session.flush()
    audit.record(session, actor, "privacy.receipt_delete", "input", input_id)
    session.flush()
    return True


def remove_files(upload_dir: str | Path, stored_names: list[str]) -> None:
    """Remove deleted responses' attachments from disk (after the commit)."""
    attachments.remove(upload_dir, stored_names)
