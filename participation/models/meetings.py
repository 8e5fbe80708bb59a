"""Input meetings (innspillsmøter) and registrations to them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from participation.models.base import OTHER_LANGUAGES, Base, UTCDateTime, language_columns, utcnow
from participation.models.core import FocusArea, Region

if TYPE_CHECKING:
    from participation.models.processes import Process


class MeetingStatus(StrEnum):
    OPEN = "open"
    FULL = "full"  # open, but new sign-ups go to the waiting list
    CLOSED = "closed"  # registration deadline passed
    PAST = "past"
    CANCELLED = "cancelled"


# The title and description in the languages beside Bokmål (Bokmål is in ``Meeting``).
_MeetingTexts = language_columns(
    {"title": String(200), "description": Text()}, languages=OTHER_LANGUAGES
)


class Meeting(_MeetingTexts, Base):
    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint("seats >= 0", name="seats_not_negative"),
        # The database itself refuses an oversold meeting.
        CheckConstraint("confirmed_count <= seats", name="not_oversold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    # The title and description in Bokmål, required; ``text("title", locale)`` gives
    # them in the reader's language, an empty one falling back to Bokmål.
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    seats: Mapped[int] = mapped_column(Integer)
    registration_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    # Kept in step with confirmed registrations by the seat-allocation service;
    # the conditional UPDATE on it is what makes allocation atomic.
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    process: Mapped[Process] = relationship()
    region: Mapped[Region] = relationship()

    # The Bokmål texts under the names ``text`` looks for.
    title_nb: Mapped[str] = synonym("title")
    description_nb: Mapped[str] = synonym("description")

    @property
    def seats_left(self) -> int:
        return max(self.seats - self.confirmed_count, 0)

    def status(self, now: datetime) -> MeetingStatus:
        if self.cancelled_at is not None:
            return MeetingStatus.CANCELLED
        if now >= self.starts_at:
            return MeetingStatus.PAST
        if now >= self.registration_deadline:
            return MeetingStatus.CLOSED
        if self.confirmed_count >= self.seats:
            return MeetingStatus.FULL
        return MeetingStatus.OPEN


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class ParticipantCategory(StrEnum):
    CITIZEN = "citizen"
    BUSINESS = "business"
    PUBLIC_SECTOR = "public_sector"
    RESEARCH_EDUCATION = "research_education"
    ORGANISATION = "organisation"


registration_focus_area = Table(
    "registration_focus_area",
    Base.metadata,
    Column(
        "registration_id",
        ForeignKey("registration.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("focus_area_id", ForeignKey("focus_area.id", ondelete="CASCADE"), primary_key=True),
)


class Registration(Base):
    __tablename__ = "registration"
    __table_args__ = (
        # One live place per e-mail address and meeting; cancelled ones don't count.
        Index(
            "uq_registration_meeting_email_live",
            "meeting_id",
            "email_normalized",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_registration_meeting_status", "meeting_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(12))
    # Personal data: emptied by the retention purge (see privacy service).
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    email_normalized: Mapped[str | None] = mapped_column(String(254), nullable=True, index=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    organisation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    org_number: Mapped[str | None] = mapped_column(String(9), nullable=True)
    needs: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Kept after the purge for anonymous counts.
    category: Mapped[str] = mapped_column(String(30))
    locale: Mapped[str] = mapped_column(String(5), default="nb")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attended: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The reminder e-mail the day before the meeting (sent once).
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Came in a burst of sign-ups from one client: for the project group to review.
    # Never acted on automatically (a flagged confirmed registration stays).
    flagged_burst: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Ticked at sign-up ("tell me what came of it"): one e-mail when the answers are
    # published. Unticked unless the person ticks it.
    notify_outcome: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    meeting: Mapped[Meeting] = relationship()
    focus_areas: Mapped[list[FocusArea]] = relationship(secondary=registration_focus_area)


class MeetingMessage(Base):
    """A message the project group sends to a meeting's registrants, by a job: one
    outbox e-mail per registrant, in the registrant's language around the text the
    staff wrote. ``meeting_message_recipient`` records who has had theirs, in the
    transaction that queues the e-mail, so a job started again never sends twice."""

    __tablename__ = "meeting_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    to_confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    to_waiting: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "sending", "sent", "cancelled", "failed" (MESSAGE_STATUS_LABELS)
    status: Mapped[str] = mapped_column(String(12), default="sending")
    sent_count: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MeetingMessageRecipient(Base):
    """A registrant who has been queued their copy of a message (once: primary key)."""

    __tablename__ = "meeting_message_recipient"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_message.id", ondelete="CASCADE"), primary_key=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True, index=True
    )
