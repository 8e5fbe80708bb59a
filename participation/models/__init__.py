"""SQLAlchemy models. Plain SQLAlchemy 2: nothing here imports Flask."""

from participation.models.base import Base, UTCDateTime, utcnow
from participation.models.core import (
    FocusArea,
    OutboxMessage,
    OutboxStatus,
    Region,
    Role,
    User,
)
from participation.models.meetings import (
    Meeting,
    MeetingStatus,
    ParticipantCategory,
    Registration,
    RegistrationStatus,
    registration_focus_area,
)

__all__ = [
    "Base",
    "FocusArea",
    "Meeting",
    "MeetingStatus",
    "OutboxMessage",
    "OutboxStatus",
    "ParticipantCategory",
    "Region",
    "Registration",
    "RegistrationStatus",
    "Role",
    "User",
    "UTCDateTime",
    "registration_focus_area",
    "utcnow",
]
