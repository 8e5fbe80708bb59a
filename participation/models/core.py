"""Regions, focus areas, staff users and the e-mail outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from participation.models.base import Base, UTCDateTime, utcnow


class Region(Base):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<Region {self.slug}>"


class FocusArea(Base):
    """A focus area (satsingsområde). Data, editable by the project group."""

    __tablename__ = "focus_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name_nb: Mapped[str] = mapped_column(String(160))
    name_nn: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160))
    description_nb: Mapped[str] = mapped_column(Text, default="")
    description_nn: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    # Northern Sami, optional: an empty one falls back to Bokmål.
    name_se: Mapped[str] = mapped_column(String(160), default="")
    description_se: Mapped[str] = mapped_column(Text, default="")
    seed_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, locale: str) -> str:
        return getattr(self, f"name_{locale}", None) or self.name_nb

    def description(self, locale: str) -> str:
        return getattr(self, f"description_{locale}", None) or self.description_nb

    def __repr__(self) -> str:
        return f"<FocusArea {self.key}>"


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"


class User(Base):
    """A member of the project group (back office account)."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.REVIEWER)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The back office's process switcher, remembered per account.
    current_process_id: Mapped[int | None] = mapped_column(
        ForeignKey("process.id", ondelete="SET NULL"), nullable=True
    )

    # Flask-Login protocol, kept here as plain attributes so the model stays Flask-free.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after OUTBOX_MAX_ATTEMPTS


class OutboxMessage(Base):
    """An e-mail written in the same transaction as the change it reports."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str | None] = mapped_column(String(254), nullable=True)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    # [{"filename", "content_type", "content"}] with text content (e.g. .ics)
    attachments: Mapped[list[dict]] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(5), default="nb")
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), nullable=True, index=True
    )
