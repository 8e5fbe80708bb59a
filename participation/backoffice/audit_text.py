"""The audit log in people's words: what an entry's details say, translated.

Entries keep their details as data (``AuditEntry.details``, JSON); this module turns
them into short sentences for the audit log page: "Plasser: 40 → 30", "Format: CSV",
"Flyttet opp fra ventelista: 2". A key it does not know is shown as it is stored, so
nothing is ever hidden.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation import formatting
from participation.labels import (
    ACTION_GROUPS,
    OBJECT_LABELS,
    OUTCOME_LABELS,
    ROLE_LABELS,
    TEXT_LANGUAGE_LABELS,
)
from participation.models.base import OTHER_LANGUAGES

# Fields of meetings, drafts, sections, focus areas and accounts, as a change names them.
FIELD_LABELS = {
    "region": OBJECT_LABELS["region"],
    "region_id": OBJECT_LABELS["region"],
    "title": _l("Title"),
    "description": _l("Description"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "venue": _l("Venue"),
    "address": _l("Address"),
    "seats": _l("Seats"),
    "registration_deadline": _l("Registration deadline"),
    "introduction": _l("Introduction"),
    "opens_at": _l("Opens"),
    "closes_at": _l("Deadline"),
    "body": _l("Text"),
    "name_nb": _l("Name (Bokmål)"),
    "name_nn": _l("Name (Nynorsk)"),
    "name_en": _l("Name (English)"),
    "description_nb": _l("Description (Bokmål)"),
    "description_nn": _l("Description (Nynorsk)"),
    "description_en": _l("Description (English)"),
    "seed_terms": _l("Seed terms"),
    "position": _l("Position in the list"),
    "active": _l("In use"),
    "role": _l("Role"),
    "password": _l("Password"),
    # A process's (its texts in any language).
    "slug": _l("Address"),
    "summary": _l("Summary"),
    "question": _l("The suggestion box's question"),
    "organisation": _l("Organisation"),
    "contact_email": _l("Contact e-mail address"),
    "suggestions_open_at": _l("The suggestion box opens"),
    "suggestions_close_at": _l("The suggestion box closes"),
    "phases": _l("Phases"),
    "focus_areas": ACTION_GROUPS["focus_area"],
    "regions": _l("Regions"),
}
# A meeting's title and description in the other languages: "Tittel (Nynorsk)" (the
# focus areas' own labels above stay).
for _language in OTHER_LANGUAGES:
    _name = TEXT_LANGUAGE_LABELS[_language]
    FIELD_LABELS.setdefault(f"title_{_language}", _l("Title (%(language)s)", language=_name))
    FIELD_LABELS.setdefault(
        f"description_{_language}", _l("Description (%(language)s)", language=_name)
    )

# Counts and facts, each "label: value"; what the audit log calls a thing or a group of
# them elsewhere is said in the same words (``labels``).
DETAIL_LABELS = {
    "promoted": _l("Moved up from the waiting list"),
    "notified": _l("Told by e-mail"),
    "recipients": _l("Recipients"),
    "waiting_included": _l("Waiting list included"),
    "format": _l("Format"),
    "draft": OBJECT_LABELS["draft"],
    "meeting": OBJECT_LABELS["meeting"],
    "key": _l("Key"),
    "role": _l("Role"),
    "active": _l("In use"),
    "created": _l("Created"),
    "sections": ACTION_GROUPS["section"],
    "withheld_attachments": _l("Attachments withheld"),
    "registrations": ACTION_GROUPS["registration"],
    "responses": ACTION_GROUPS["response"],
    "outbox_messages": _l("E-mails"),
    "inputs": _l("Inputs"),
    "notes": _l("Notes"),
    "texts_scrubbed": _l("Texts where the address was removed"),
    "files": _l("Files"),
    "archived_kept": _l("Archived responses kept"),
    "journalposts": _l("Journal entries"),
    "newly_archived": _l("Newly archived"),
    "done": _l("Done"),
    "skipped": _l("Left as they were"),
    "action": _l("Action"),
    "count": _l("Inputs"),
    "outcome": _l("Outcome"),
    "group": _l("Answered together"),
    "approved": _l("Approved"),
    "confirmed": _l("Confirmed"),
    "added": _l("Added"),
    "removed": _l("Removed"),
    "attended": _l("Came"),
}

# What was exported: the counts' words above.
EXPORT_LABELS = {key: DETAIL_LABELS[key] for key in ("inputs", "registrations", "responses")}

PAGE_LABELS = {
    "meeting": _l("the meeting's page"),
    "attendance": _l("marking attendance"),
    "list": _l("the printable list"),
}

BULK_ACTION_LABELS = {
    "publish": _l("Publish"),
    "hide": _l("Hide"),
    "reset": _l("Set back to new"),
    "tag": _l("Confirm a focus area"),
    "not_duplicate": _l("Not a duplicate"),
}


def _when(value: str) -> str:
    try:
        return formatting.datetime_short(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def _value(key: str, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key in ("starts_at", "ends_at", "registration_deadline", "opens_at", "closes_at"):
        return _when(value)
    if key == "role":
        return str(ROLE_LABELS.get(value, value))
    if key == "outcome":
        return str(OUTCOME_LABELS.get(value, value))
    if key == "format":
        return str(value).upper()
    if key == "action":
        return str(BULK_ACTION_LABELS.get(value, value))
    if key in ("draft", "meeting") and isinstance(value, int):
        return f"#{value}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "–"
    if isinstance(value, int | float):
        return formatting.number(value)
    return str(value)


def _field(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def describe(action: str, details: dict | None) -> list[str]:
    """The details of one entry as short translated phrases, in a stable order."""
    details = dict(details or {})
    phrases: list[str] = []
    # "changes": {field: [old, new]} — only what really changed.
    for name, pair in (details.pop("changes", None) or {}).items():
        if name == "password":
            phrases.append(_("Password changed"))
            continue
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        phrases.append(f"{_field(name)}: {_value(name, old)} → {_value(name, new)}")
    # "changed": [field, …] — long texts, named only.
    changed = details.pop("changed", None) or []
    if changed:
        phrases.append(_("Changed: %(fields)s", fields=", ".join(_field(n) for n in changed)))
    if details.pop("bulk", False):
        phrases.append(_("As a bulk action"))
    if details.pop("filtered", False):
        phrases.append(_("Only what the inbox filter showed"))
    if action == "input.duplicate" and details.pop("duplicate", None) is False:
        phrases.append(_("Not a duplicate"))
    if "page" in details:
        page = details.pop("page")
        phrases.append(_("Opened from %(page)s", page=PAGE_LABELS.get(page, page)))
    if action == "user.update" and details.get("password") == "changed":
        details.pop("password")
        phrases.append(_("Password changed"))
    for key, value in details.items():
        label = DETAIL_LABELS.get(key)
        if key in FIELD_LABELS and label is None:
            label = FIELD_LABELS[key]
        phrases.append(f"{label if label is not None else key}: {_value(key, value)}")
    return phrases


def object_label(object_type: str | None, object_id: str | None, objects: dict) -> str:
    """What an entry concerns, in words (exports by what was exported)."""
    if object_type == "export":
        return str(EXPORT_LABELS.get(object_id or "", object_id or ""))
    return str(objects.get(object_type, object_type)) if object_type else ""
