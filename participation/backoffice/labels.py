"""Translated names for the values the back office shows."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
    "export": _l("Export downloaded"),
    "meeting.create": _l("Meeting created"),
    "meeting.update": _l("Meeting changed"),
    "meeting.cancel": _l("Meeting cancelled"),
    "meeting.attendance": _l("Attendance marked"),
    "meeting.message": _l("Message sent to registrants"),
    "registration.move": _l("Registration moved"),
    "registration.cancel": _l("Registration cancelled"),
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
    "privacy.purge": _l("Retention purge"),
    "archive.export": _l("Consultation exported to the archive (Noark 5)"),
    "user.create": _l("Account created"),
    "user.update": _l("Account changed"),
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
}

REGISTRATION_STATUS_LABELS = {
    "confirmed": _l("Confirmed"),
    "waiting": _l("Waiting list"),
    "cancelled": _l("Cancelled"),
}

EXPORT_LABELS = {
    "inputs": _l("Inputs"),
    "registrations": _l("Registrations"),
    "responses": _l("Consultation responses"),
}

CHANNEL_LABELS = {
    "suggestion_box": _l("Suggestion box"),
    "consultation_response": _l("Consultation response"),
    "workshop_note": _l("Workshop note"),
}

INPUT_STATUS_LABELS = {
    "new": _l("New"),
    "published": _l("Published"),
    "hidden": _l("Hidden"),
}

WRITTEN_FORM_LABELS = {
    "nb": _l("Bokmål"),
    "nn": _l("Nynorsk"),
    "other": _l("Other or unknown"),
}

RESPONDENT_CATEGORY_LABELS = {
    "citizen": _l("Citizen"),
    "business": _l("Business"),
    "municipality": _l("Municipality"),
    "county_state": _l("County or state body"),
    "research_education": _l("Research and education"),
    "organisation": _l("Organisation or association"),
    # Registrations use the categories of the sign-up form.
    "public_sector": _l("Public sector"),
}

STANCE_LABELS = {
    "support": _l("Support"),
    "partly": _l("Partly support"),
    "oppose": _l("Oppose"),
    "none": _l("No stance"),
}

DUPLICATE_LABELS = {
    "exact": _l("Exact duplicate"),
    "near": _l("Near duplicate"),
}
