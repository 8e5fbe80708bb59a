"""Back-office records: the audit log, reviewers' notes and confirmed focus areas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.models.base import Base, UTCDateTime, utcnow
from participation.models.core import FocusArea


class AuditEntry(Base):
    """Who did what to which object. Never holds a citizen's personal data:
    objects are named by type and id, and details carry counts and statuses."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # The staff member's address at the time, so the log survives a deleted account.
    actor: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    object_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class ConfirmedFocusArea(Base):
    """A focus area a reviewer confirmed for an input: the ground truth the
    analysis learns from. (The analysis keeps its own suggestions, with
    probabilities, in a table of its own.)"""

    __tablename__ = "input_confirmed_focus_area"

    input_id: Mapped[int] = mapped_column(
        ForeignKey("input.id", ondelete="CASCADE"), primary_key=True
    )
    focus_area_id: Mapped[int] = mapped_column(
        ForeignKey("focus_area.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    focus_area: Mapped[FocusArea] = relationship()


class InputReview(Base):
    """Review state of an input that the Input row itself does not hold:
    whether a reviewer has confirmed its focus areas (possibly as "none")."""

    __tablename__ = "input_review"

    input_id: Mapped[int] = mapped_column(
        ForeignKey("input.id", ondelete="CASCADE"), primary_key=True
    )
    focus_areas_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    focus_areas_confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )


class InputNote(Base):
    """A reviewer's note on an input; staff only, never published."""

    __tablename__ = "input_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    input_id: Mapped[int] = mapped_column(ForeignKey("input.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    author: Mapped[str] = mapped_column(String(254), default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
