"""The common inbox: every piece of input, whatever channel it came through.

The analysis reads this table alone. A suggestion-box row holds nothing that
identifies its writer: no address, browser, session, account or time of day
(``created_on`` is a date). Other channels keep their timestamps and personal
data in their own tables (``consultation_response``, ``meeting``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.models.base import Base, UTCDateTime, link_table, utcnow
from participation.models.core import FocusArea, Region

if TYPE_CHECKING:
    from participation.models.consultation import ConsultationResponse
    from participation.models.meetings import Meeting
    from participation.models.processes import Process


class InputChannel(StrEnum):
    SUGGESTION_BOX = "suggestion_box"
    CONSULTATION_RESPONSE = "consultation_response"
    WORKSHOP_NOTE = "workshop_note"
    ACCESSIBILITY = "accessibility"  # "report an accessibility problem" on the statement


class InputStatus(StrEnum):
    NEW = "new"
    PUBLISHED = "published"
    HIDDEN = "hidden"


class WrittenForm(StrEnum):
    BOKMAAL = "nb"
    NYNORSK = "nn"
    SAMI = "se"
    OTHER = "other"


class RespondentCategory(StrEnum):
    """Who is speaking; shared by the suggestion box, consultation and workshop notes."""

    CITIZEN = "citizen"
    BUSINESS = "business"
    MUNICIPALITY = "municipality"
    COUNTY_STATE = "county_state"
    RESEARCH_EDUCATION = "research_education"
    ORGANISATION = "organisation"


class DuplicateKind(StrEnum):
    EXACT = "exact"  # same text after normalising case, spacing and punctuation
    NEAR = "near"  # shingle similarity above the threshold


input_focus_area = link_table(
    "input_focus_area", ("input_id", "input.id"), ("focus_area_id", "focus_area.id")
)


class Input(Base):
    """One input (innspill). See docs/inputs.md for what each column means."""

    __tablename__ = "input"
    __table_args__ = (
        Index("ix_input_channel_created_on", "channel", "created_on"),
        Index("ix_input_status_created_on", "status", "created_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("process.id"), index=True)
    channel: Mapped[str] = mapped_column(String(30))  # indexed with created_on
    # The text as written; shown to staff only. Public display and analysis use
    # redacted_text, with personal data replaced by placeholders.
    text: Mapped[str] = mapped_column(Text)
    redacted_text: Mapped[str] = mapped_column(Text)
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("region.id", ondelete="SET NULL"), nullable=True, index=True
    )
    respondent_category: Mapped[str | None] = mapped_column(String(30), nullable=True, index=True)
    written_form: Mapped[str] = mapped_column(String(8), default=WrittenForm.OTHER, index=True)
    # A date, never a time: the suggestion box keeps only the day.
    created_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default=InputStatus.NEW)  # with created_on
    hidden_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # sha256 of the normalised text: equal fingerprints are exact duplicates.
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    # The first input of a duplicate group; null on that first input itself.
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("input.id", ondelete="SET NULL"), nullable=True, index=True
    )
    duplicate_kind: Mapped[str | None] = mapped_column(String(10), nullable=True)
    duplicate_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    text_length: Mapped[int] = mapped_column(Integer, default=0)
    # Shown to a suggestion-box writer after sending; random, unique.
    receipt_code: Mapped[str | None] = mapped_column(String(16), unique=True, nullable=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), nullable=True, index=True
    )
    consultation_response_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_response.id", ondelete="CASCADE"),
        nullable=True,
        unique=True,
    )

    process: Mapped[Process] = relationship()
    region: Mapped[Region | None] = relationship()
    focus_areas: Mapped[list[FocusArea]] = relationship(
        secondary=input_focus_area, order_by=FocusArea.position
    )
    meeting: Mapped[Meeting | None] = relationship()
    consultation_response: Mapped[ConsultationResponse | None] = relationship(
        back_populates="input"
    )
    duplicate_of: Mapped[Input | None] = relationship(remote_side=[id])

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of_id is not None

    def __repr__(self) -> str:
        return f"<Input {self.id} {self.channel}>"


# Full-text search on PostgreSQL; participation.inputs.service.text_search_condition
# uses the same expression, so the index serves it. SQLite searches with LIKE.
FTS_CONFIG = literal_column("'norwegian'::regconfig")
Index(
    "ix_input_redacted_text_fts",
    func.to_tsvector(FTS_CONFIG, Input.redacted_text),
    postgresql_using="gin",
    # The expression names the table only through a literal, so say it outright:
    # otherwise the index is not part of the model and migrations drift from it.
    _table=Input.__table__,
).ddl_if(dialect="postgresql")


class NoteImport(Base):
    """An uploaded file of workshop notes, imported by a job in chunks.

    The request checks the file and keeps it here (``source``, decoded text); the job
    imports ``chunk`` rows per transaction and moves ``rows_done`` on in the same
    transaction, by a conditional UPDATE (``WHERE rows_done = <where it started>``), so
    a row is imported once even when a job killed mid-way is started again, or two
    workers race. ``source`` is emptied once the import has ended.
    """

    __tablename__ = "note_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The process whose meetings the rows may name (None: any process's).
    process_id: Mapped[int | None] = mapped_column(
        ForeignKey("process.id"), nullable=True, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filename: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    default_meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), nullable=True
    )
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    # "queued", "importing", "done", "cancelled", "failed" (NOTE_IMPORT_STATUSES)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class NoteImportRow(Base):
    """Which input a row of an import became; the primary key is a second guard that
    no row of an import is stored twice."""

    __tablename__ = "note_import_row"

    import_id: Mapped[int] = mapped_column(
        ForeignKey("note_import.id", ondelete="CASCADE"), primary_key=True
    )
    row: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0-based, data rows only
    input_id: Mapped[int] = mapped_column(ForeignKey("input.id", ondelete="CASCADE"), index=True)
