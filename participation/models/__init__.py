"""SQLAlchemy models. Plain SQLAlchemy 2: nothing here imports Flask."""

from participation.models.analysis import (
    AnalysisRun,
    AnalysisTheme,
    InputAnalysis,
    InputSuggestion,
    RunKind,
    RunStatus,
)
from participation.models.backoffice import (
    AuditEntry,
    ConfirmedFocusArea,
    InputNote,
    InputReview,
)
from participation.models.base import Base, UTCDateTime, utcnow
from participation.models.consultation import (
    Attachment,
    ConsultationResponse,
    ConsultationState,
    DraftSection,
    DraftStrategy,
    Stance,
)
from participation.models.core import (
    FocusArea,
    OutboxMessage,
    OutboxStatus,
    Region,
    Role,
    User,
)
from participation.models.inputs import (
    DuplicateKind,
    Input,
    InputChannel,
    InputStatus,
    RespondentCategory,
    WrittenForm,
    input_focus_area,
)
from participation.models.jobs import Job, JobStatus
from participation.models.meetings import (
    Meeting,
    MeetingStatus,
    ParticipantCategory,
    Registration,
    RegistrationStatus,
    registration_focus_area,
)

__all__ = [
    "AnalysisRun",
    "AnalysisTheme",
    "InputAnalysis",
    "InputSuggestion",
    "RunKind",
    "RunStatus",
    "AuditEntry",
    "ConfirmedFocusArea",
    "InputNote",
    "InputReview",
    "Attachment",
    "ConsultationResponse",
    "ConsultationState",
    "DraftSection",
    "DraftStrategy",
    "DuplicateKind",
    "Input",
    "Job",
    "JobStatus",
    "InputChannel",
    "InputStatus",
    "RespondentCategory",
    "Stance",
    "WrittenForm",
    "input_focus_area",
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
