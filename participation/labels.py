"""The one translated label for every value the site shows: categories, stances,
channels, statuses, written forms, roles, audit actions and analysis stages.

Forms, pages, e-mails and exports all read their labels here, so a value is
called the same everywhere (a map is keyed by the value, as stored).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from participation.inputs.redaction import Kind
from participation.models import (
    AssessmentState,
    DuplicateKind,
    InputChannel,
    InputStatus,
    JobStatus,
    Outcome,
    ParticipantCategory,
    PriorityChannel,
    ProcessStatus,
    RegistrationStatus,
    RespondentCategory,
    Role,
    RunKind,
    RunStatus,
    Stance,
    WrittenForm,
)

# Who someone is: the consultation and the suggestion box ask with RespondentCategory,
# the meeting sign-up with ParticipantCategory; shared values share their label.
CATEGORY_LABELS = {
    RespondentCategory.CITIZEN: _l("Private individual"),
    RespondentCategory.BUSINESS: _l("Business"),
    RespondentCategory.MUNICIPALITY: _l("Municipality"),
    RespondentCategory.COUNTY_STATE: _l("County or state body"),
    RespondentCategory.RESEARCH_EDUCATION: _l("Research and education"),
    RespondentCategory.ORGANISATION: _l("Organisation or association"),
    ParticipantCategory.PUBLIC_SECTOR: _l("Public sector"),
}

STANCE_LABELS = {
    Stance.SUPPORT: _l("Support"),
    Stance.PARTLY: _l("Partly support"),
    Stance.OPPOSE: _l("Oppose"),
    Stance.NONE: _l("No stance"),
}

CHANNEL_LABELS = {
    InputChannel.SUGGESTION_BOX: _l("Suggestion box"),
    InputChannel.CONSULTATION_RESPONSE: _l("Consultation response"),
    InputChannel.WORKSHOP_NOTE: _l("Workshop note"),
    InputChannel.ACCESSIBILITY: _l("Accessibility feedback"),
}

INPUT_STATUS_LABELS = {
    InputStatus.NEW: _l("New"),
    InputStatus.PUBLISHED: _l("Published"),
    InputStatus.HIDDEN: _l("Hidden"),
}

# The languages texts that are data are entered in (processes' ``TEXT_LANGUAGES``,
# meetings' ``models.base.OTHER_LANGUAGES`` and Bokmål), in the reader's language.
TEXT_LANGUAGE_LABELS = {
    "nb": _l("Bokmål"),
    "nn": _l("Nynorsk"),
    "en": _l("English"),
    "se": _l("Northern Sami"),
}

# The written form of an input: one of those languages (by its code), or another.
WRITTEN_FORM_LABELS = {
    form: TEXT_LANGUAGE_LABELS[form] if form in TEXT_LANGUAGE_LABELS else _l("Other or unknown")
    for form in WrittenForm
}

DUPLICATE_LABELS = {
    DuplicateKind.EXACT: _l("Exact duplicate"),
    DuplicateKind.NEAR: _l("Near duplicate"),
}

# The four outcomes of a høringsnotat.
OUTCOME_LABELS = {
    Outcome.ADOPTED: _l("Adopted"),
    Outcome.PARTLY: _l("Partly adopted"),
    Outcome.NOT_ADOPTED: _l("Not adopted"),
    Outcome.NOTED: _l("Noted for information"),
}

ASSESSMENT_STATE_LABELS = {
    AssessmentState.NOT_ASSESSED: _l("Not assessed"),
    AssessmentState.DRAFTED: _l("Drafted"),
    AssessmentState.APPROVED: _l("Approved"),
}

PRIORITY_CHANNEL_LABELS = {
    PriorityChannel.SUGGESTION_BOX: CHANNEL_LABELS[InputChannel.SUGGESTION_BOX],
    PriorityChannel.FORM: _l("Priorities form"),
    PriorityChannel.WORKSHOP: _l("Workshop"),
}

REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITING: _l("Waiting list"),
    # Only the participant (or staff on their behalf) withdraws a registration;
    # a cancelled meeting is the meeting's status, not the registration's.
    RegistrationStatus.CANCELLED: _l("Withdrawn"),
}

# A consultation response in the back office's list (see consultation.service).
RESPONSE_STATE_LABELS = {
    "awaiting": _l("Awaiting approval"),
    "published": _l("Published"),
    "not_publishable": _l("May not be published"),
}

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.REVIEWER: _l("Reviewer"),
}

# What the suggestion box warns a writer about before sending.
FINDING_LABELS = {
    Kind.EMAIL: _l("an e-mail address"),
    Kind.PHONE: _l("a phone number"),
    Kind.NATIONAL_ID: _l("a national identity number"),
    Kind.ACCOUNT: _l("a bank account number"),
}

PROCESS_STATUS_LABELS = {
    ProcessStatus.DRAFT: _l("Being prepared"),
    ProcessStatus.ACTIVE: _l("Active"),
    ProcessStatus.ARCHIVED: _l("Archived"),
}

# ---------------------------------------------------------------- audit log

ACTION_LABELS = {
    "login": _l("Logged in"),
    "login.failed": _l("Failed login"),
    "logout": _l("Logged out"),
    "session.expired": _l("Session expired"),
    "input.publish": _l("Input published"),
    "input.hide": _l("Input hidden"),
    "input.reset": _l("Input set back to new"),
    "input.redaction": _l("Redaction edited"),
    "input.focus_areas": _l("Focus areas confirmed"),
    "input.note": _l("Note added"),
    "input.duplicate": _l("Duplicate marking changed"),
    "input.bulk": _l("Bulk action"),
    "input.create": _l("Workshop note recorded"),
    "input.import": _l("Workshop notes imported"),
    "input.original": _l("Original text viewed"),
    "export": _l("Export downloaded"),
    "meeting.create": _l("Meeting created"),
    "meeting.update": _l("Meeting changed"),
    "meeting.cancel": _l("Meeting cancelled"),
    "meeting.attendance": _l("Attendance marked"),
    "meeting.message": _l("Message sent to registrants"),
    "meeting.registrations": _l("Registration list opened"),
    "registration.move": _l("Registration moved"),
    "registration.cancel": _l("Registration cancelled"),
    "registration.burst_reviewed": _l("Burst flag reviewed"),
    "region.create": _l("Region created"),
    "focus_area.create": _l("Focus area created"),
    "focus_area.update": _l("Focus area changed"),
    "draft.create": _l("Draft created"),
    "draft.update": _l("Draft changed"),
    "draft.import": _l("Draft imported from Markdown"),
    "section.create": _l("Section created"),
    "section.update": _l("Section changed"),
    "section.delete": _l("Section deleted"),
    "response.approve": _l("Response approved for publication"),
    "response.reject": _l("Response not published"),
    "attachment.download": _l("Attachment downloaded"),
    "privacy.lookup": _l("Personal data looked up"),
    "privacy.export": _l("Personal data exported"),
    "privacy.delete": _l("Personal data deleted"),
    "privacy.receipt_delete": _l("Suggestion deleted by its receipt code"),
    "privacy.purge": _l("Retention purge"),
    "archive.export": _l("Consultation exported to the archive (Noark 5)"),
    "user.create": _l("Account created"),
    "user.update": _l("Account changed"),
    "user.processes": _l("Account's processes changed"),
    "process.create": _l("Process created"),
    "process.update": _l("Process changed"),
    "process.activate": _l("Process activated"),
    "process.archive": _l("Process archived"),
    "process.copy": _l("Focus areas and regions copied"),
    "process.switch": _l("Process chosen"),
    "assessment.draft": _l("Assessment drafted"),
    "assessment.approve": _l("Assessment approved"),
    "answers.publish": _l("Answers published"),
    "answers.withdraw": _l("Answers withdrawn"),
    "priorities.publish": _l("Priorities results published"),
    "priorities.withdraw": _l("Priorities results withdrawn"),
    "report.generate": _l("Report generated"),
    "statement.update": _l("Statement changed"),
    "accessibility.record": _l("Accessibility test recorded"),
}

ACTION_GROUPS = {
    "login": _l("Logins"),
    "input": _l("Moderation and tagging"),
    "export": _l("Exports"),
    "meeting": _l("Meetings"),
    "registration": _l("Registrations"),
    "focus_area": _l("Focus areas"),
    "draft": _l("Drafts"),
    "section": _l("Sections"),
    "response": _l("Consultation responses"),
    "privacy": _l("Privacy"),
    "archive": _l("Archive"),
    "user": _l("Accounts"),
    "process": _l("Processes"),
    "assessment": _l("Assessments"),
    "answers": _l("Answers to participants"),
    "priorities": _l("Priorities"),
    "report": _l("Reports"),
}

OBJECT_LABELS = {
    "user": _l("Account"),
    "input": _l("Input"),
    "meeting": _l("Meeting"),
    "registration": _l("Registration"),
    "region": _l("Region"),
    "focus_area": _l("Focus area"),
    "draft": _l("Draft"),
    "section": _l("Section"),
    "response": _l("Consultation response"),
    "attachment": _l("Attachment"),
    "export": _l("Export"),
    "process": _l("Process"),
    "statement": _l("Statement"),
}

# ---------------------------------------------------------------- analysis

# Where an analysis run, a job or a message stands: the same word for the same state
# (a run's last stage is its status).
_STATUS_WORDS = {
    "queued": _l("Queued"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed"),
    "cancelled": _l("Cancelled"),
}

RUN_STAGE_LABELS = {
    "queued": _l("Waiting to start"),
    "reading": _l("Reading the input"),
    "training": _l("Training the model on the confirmed tags"),
    "model": _l("Preparing the model"),
    "preprocess": _l("Preparing the texts"),
    "tagging": _l("Suggesting focus areas"),
    "duplicates": _l("Finding near-duplicates"),
    "clustering": _l("Finding themes"),
    "themes": _l("Naming the themes"),
    "storing": _l("Saving the results"),
    "done": _STATUS_WORDS["done"],
    "failed": _STATUS_WORDS["failed"],
}
RUN_STATUS_LABELS = {status: _STATUS_WORDS[status] for status in RunStatus}

RUN_KIND_LABELS = {
    RunKind.RUN: _l("Analysis"),
    RunKind.RETRAIN: _l("Retraining and analysis"),
}

JOB_STATUS_LABELS = {status: _STATUS_WORDS[status] for status in JobStatus}

# Stages a job reports (``ctx.progress(fraction, stage)``); the analysis's stages too.
JOB_STAGE_LABELS = {
    **RUN_STAGE_LABELS,
    "running": _l("Working"),
    "counting": _l("Counting the rows"),
    "writing": _l("Writing the file"),
    # The archive export (participation.archive)
    "documents": _l("Documents"),
    "metadata": _l("Metadata"),
    "cancelled": _STATUS_WORDS["cancelled"],
    # The høringsnotat (participation.reports)
    "about": _l("About the process"),
    "participation": _l("Participation"),
    "priorities": _l("Priorities"),
    "said": _l("What was said"),
    "sections": _l("The inputs and their assessment"),
    "appendix": _l("Appendix: the published consultation responses"),
    # Workshop-notes import and messages to registrants (issue 14)
    "importing": _l("Importing the notes"),
    "sending": _l("Queueing the e-mails"),
}

# A message to a meeting's registrants (participation.meetings, MeetingMessage.status)
MESSAGE_STATUS_LABELS = {
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "cancelled": _STATUS_WORDS["cancelled"],
    "failed": _STATUS_WORDS["failed"],
}

# Columns of a theme's spread, in the order they are shown.
SPREAD_LABELS = {
    "focus_areas": _l("Focus areas (suggested or confirmed)"),
    "region": _l("Regions"),
    "channel": _l("Channels"),
    "category": _l("Respondent categories"),
    "chosen_areas": _l("Focus areas chosen by the writers"),
    "written_form": _l("Written form"),
}

TRAINING_SOURCE_LABELS = {
    "seed_term": _l("seed terms"),
    "name": _l("focus-area names"),
    "description": _l("focus-area descriptions"),
    "example": _l("bundled examples"),
    "confirmed": _l("confirmed by reviewers"),
}

# What the model learned a focus area from (``results.AreaReview.learned_from``).
LEARNED_FROM_LABELS = {
    "confirmed": _l("Inputs reviewers confirmed"),
    "example": _l("Bundled examples only"),
    "seed_term": _l("Seed terms, name and description only"),
}

# A run's timings, in the order shown: a stage's own name, unless a timing covers more.
_TIMING_ONLY = {
    "model": _l("Preparing or training the model"),
    "themes": _l("Naming the themes and the map"),
    "analysis": _l("The analysis itself (the stages above)"),
    "total": _l("Total"),
}
TIMING_LABELS = {
    key: _TIMING_ONLY.get(key) or RUN_STAGE_LABELS[key]
    for key in (
        "reading",
        "model",
        "preprocess",
        "tagging",
        "duplicates",
        "clustering",
        "themes",
        "analysis",
        "storing",
        "total",
    )
}

NOT_GIVEN = _l("Not given")
NO_AREA = _l("None of the focus areas")

# The names every page and e-mail knows the maps by (``setup.register_template_helpers``).
FOR_TEMPLATES = {
    "categories": CATEGORY_LABELS,
    "category_labels": CATEGORY_LABELS,
    "stances": STANCE_LABELS,
    "stance_labels": STANCE_LABELS,
    "channels": CHANNEL_LABELS,
    "written_forms": WRITTEN_FORM_LABELS,
    "written_form_labels": WRITTEN_FORM_LABELS,
    "text_language_labels": TEXT_LANGUAGE_LABELS,
    "duplicate_kinds": DUPLICATE_LABELS,
    "action_labels": ACTION_LABELS,
    "process_status_labels": PROCESS_STATUS_LABELS,
    "finding_labels": FINDING_LABELS,
    "objects": OBJECT_LABELS,
    "states": RESPONSE_STATE_LABELS,
    "roles": ROLE_LABELS,
    "spread_labels": SPREAD_LABELS,
    "stage_labels": RUN_STAGE_LABELS,
    "status_labels": RUN_STATUS_LABELS,
    "kind_labels": RUN_KIND_LABELS,
    "job_status_labels": JOB_STATUS_LABELS,
    "job_stage_labels": JOB_STAGE_LABELS,
    "training_sources": TRAINING_SOURCE_LABELS,
    "learned_from_labels": LEARNED_FROM_LABELS,
    "timing_labels": TIMING_LABELS,
    "outcome_labels": OUTCOME_LABELS,
    "assessment_state_labels": ASSESSMENT_STATE_LABELS,
    "priority_channel_labels": PRIORITY_CHANNEL_LABELS,
}
