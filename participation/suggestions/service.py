"""The anonymous suggestion box.

A suggestion becomes an ``Input`` (channel ``suggestion_box``) holding the text,
its redacted form and the writer's optional choices, the date, and a receipt
code. Nothing about the writer's connection is passed in, so nothing can be
stored: the service never sees the request. Nothing is logged either: even a log
line's timestamp would keep the time of day the model leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.common import local_date, normalize_newlines
from participation.db import begin_write
from participation.inputs import service as inputs
from participation.inputs.redaction import Redaction, redact
from participation.models import FocusArea, Input, InputChannel, Region, utcnow
from participation.processes import service as processes

MIN_LENGTH = 20
MAX_LENGTH = 5000


class SuggestionError(Exception):
    """A suggestion the rules refuse; nothing was stored."""


class TextTooShort(SuggestionError):
    """Fewer than ``MIN_LENGTH`` characters."""


class TextTooLong(SuggestionError):
    """More than ``MAX_LENGTH`` characters."""


class InvalidChoice(SuggestionError):
    """A focus area that is retired, gone or not the process's, or a region that is
    gone or not the process's."""


class BoxClosed(SuggestionError):
    """The process's suggestion box is not open (not yet, no longer, or archived)."""


@dataclass
class SuggestionData:
    text: str
    focus_area_id: int | None = None  # None: not given or "don't know"
    region_id: int | None = None
    category: str | None = None


def check_personal_data(text: str) -> Redaction:
    """What the writer would be warned about before sending, and the redacted text."""
    return redact(normalize_newlines(text).strip())


def submit_suggestion(
    session: Session,
    data: SuggestionData,
    *,
    today: date | None = None,
    process_id: int | None = None,
    now: datetime | None = None,
) -> Input:
    """Store a suggestion in a process's box (default: the current process's),
    redacted and with duplicates marked, and give it a receipt code.

    Personal data is removed before anything is stored: the text as written never
    reaches the database (nor a log: nothing here logs)."""
    try:
        process = processes.get(session, processes.resolve_id(session, process_id))
    except processes.ProcessError as error:
        raise BoxClosed() from error
    if not process.suggestions_open(now or utcnow()):
        raise BoxClosed()
    text = normalize_newlines(data.text).strip()
    if len(text) < MIN_LENGTH:
        raise TextTooShort()
    if len(text) > MAX_LENGTH:
        raise TextTooLong()
    text = redact(text).text
    if data.focus_area_id is not None:
        area = session.get(FocusArea, data.focus_area_id)
        if area is None or not area.active:
            raise InvalidChoice()
        if area not in inputs.active_focus_areas(session, process.id):
            raise InvalidChoice()
    if data.region_id is not None:
        if session.get(Region, data.region_id) is None:
            raise InvalidChoice()
        if processes.regions(session, process.id) and not processes.has_region(
            session, process.id, data.region_id
        ):
            raise InvalidChoice()

    # Serialise writers on SQLite so the duplicate check sees the input just before.
    begin_write(session)
    for _attempt in range(5):
        code = inputs.new_code()
        if session.execute(select(Input.id).where(Input.receipt_code == code)).first() is None:
            break
    try:
        return inputs.create_input(
            session,
            channel=InputChannel.SUGGESTION_BOX,
            text=text,
            region_id=data.region_id,
            respondent_category=data.category or None,
            focus_area_ids=[data.focus_area_id] if data.focus_area_id is not None else [],
            created_on=today or local_date(),
            receipt_code=code,
            process_id=process.id,
        )
    except inputs.InputError as error:
        raise InvalidChoice() from error
