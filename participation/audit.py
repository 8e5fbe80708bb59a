"""The audit log: who did what to which object, viewable by administrators.

``record`` is called by the back-office services in the same transaction as the
change it describes, so a change and its log entry are committed together.
Entries name objects by type and id only; never put a citizen's name, e-mail
address or text into ``details`` (the privacy deletion relies on that).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.common import Paged
from participation.models import User, utcnow
from participation.models.backoffice import AuditEntry

# Every action the back office records, with the object type it concerns.
ACTIONS = (
    "login",
    "login.failed",
    "logout",
    "session.expired",
    "input.publish",
    "input.hide",
    "input.reset",
    "input.redaction",
    "input.focus_areas",
    "input.note",
    "input.duplicate",
    "input.bulk",
    "input.create",
    "input.import",
    "input.original",
    "export",
    "meeting.create",
    "meeting.update",
    "meeting.cancel",
    "meeting.attendance",
    "meeting.message",
    "meeting.registrations",
    "registration.move",
    "registration.cancel",
    "registration.burst_reviewed",
    "region.create",
    "focus_area.create",
    "focus_area.update",
    "draft.create",
    "draft.update",
    "draft.import",
    "section.create",
    "section.update",
    "section.delete",
    "response.approve",
    "response.reject",
    "attachment.download",
    "privacy.lookup",
    "privacy.export",
    "privacy.delete",
    "privacy.receipt_delete",
    "privacy.purge",
    "archive.export",
    "user.create",
    "user.update",
    "user.processes",
    "process.create",
    "process.update",
    "process.activate",
    "process.archive",
    "process.copy",
    "process.switch",
    "assessment.draft",
    "assessment.approve",
    "answers.publish",
    "answers.withdraw",
    "priorities.publish",
    "priorities.withdraw",
    "report.generate",
    "statement.update",
    "accessibility.record",
)


def record(
    session: Session,
    user: User | None,
    action: str,
    object_type: str | None = None,
    object_id: int | str | None = None,
    *,
    details: dict | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Add an entry; the caller commits it together with the change."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        created_at=now or utcnow(),
        user_id=user.id if user is not None else None,
        actor=user.email if user is not None else "",
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=details or {},
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditPage(Paged):
    entries: list[AuditEntry]
    total: int
    page: int
    per_page: int


def list_entries(
    session: Session,
    *,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    user_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AuditPage:
    """Newest first, filtered; two queries whatever the page."""
    query = select(AuditEntry)
    if action:
        # "input" matches every input.* action.
        query = query.where(
            (AuditEntry.action == action) | AuditEntry.action.startswith(action + ".")
        )
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == str(object_id))
    if user_id:
        query = query.where(AuditEntry.user_id == user_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(page, 1)
    entries = list(
        session.execute(
            query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).scalars()
    )
    return AuditPage(entries, total, page, per_page)


def entries_for(session: Session, object_type: str, object_id: int | str) -> list[AuditEntry]:
    return list(
        session.execute(
            select(AuditEntry)
            .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        ).scalars()
    )
