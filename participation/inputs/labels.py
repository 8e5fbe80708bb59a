"""Translated labels for the input vocabularies, shared by forms, pages and the back office."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from participation.models import InputChannel, InputStatus, RespondentCategory, WrittenForm

CATEGORY_LABELS = {
    RespondentCategory.CITIZEN: _l("Private individual"),
    RespondentCategory.BUSINESS: _l("Business"),
    RespondentCategory.MUNICIPALITY: _l("Municipality"),
    RespondentCategory.COUNTY_STATE: _l("County or state body"),
    RespondentCategory.RESEARCH_EDUCATION: _l("Research and education"),
    RespondentCategory.ORGANISATION: _l("Organisation or association"),
}

CHANNEL_LABELS = {
    InputChannel.SUGGESTION_BOX: _l("Suggestion box"),
    InputChannel.CONSULTATION_RESPONSE: _l("Consultation response"),
    InputChannel.WORKSHOP_NOTE: _l("Workshop note"),
}

STATUS_LABELS = {
    InputStatus.NEW: _l("New"),
    InputStatus.PUBLISHED: _l("Published"),
    InputStatus.HIDDEN: _l("Hidden"),
}

WRITTEN_FORM_LABELS = {
    WrittenForm.BOKMAAL: _l("Bokmål"),
    WrittenForm.NYNORSK: _l("Nynorsk"),
    WrittenForm.OTHER: _l("Other language"),
}
