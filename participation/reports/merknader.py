"""``merknader.xlsx``: one row per input with every field and its assessment.

Written by the export's own streaming writer (``backoffice.exports.write_xlsx``),
which makes every text cell formula-safe; inputs are read in keyset batches.
Senders follow the report's rule (``horingsnotat.sender``): the file may travel
with the political case, so no private person is named in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from flask_babel import force_locale, gettext
from sqlalchemy.orm import Session

from participation.assessments import figures
from participation.backoffice.exports import Labels, Sheet, write_xlsx
from participation.labels import ASSESSMENT_STATE_LABELS, OUTCOME_LABELS
from participation.reports.horingsnotat import plain_comment, reference, sender


def header() -> list[str]:
    return [
        gettext("Input"),
        gettext("Reference"),
        gettext("Date"),
        gettext("Channel"),
        gettext("Status"),
        gettext("Region"),
        gettext("Respondent category"),
        gettext("Language"),
        gettext("Focus areas"),
        gettext("Meeting"),
        gettext("Section"),
        gettext("Stance"),
        gettext("Sender"),
        gettext("Text (redacted)"),
        gettext("Duplicate of"),
        gettext("Assessment"),
        gettext("Outcome"),
        gettext("The administration's comment"),
        gettext("Draft sections it concerns (optional)"),
        gettext("Approved"),
    ]


def rows(session: Session, process_id: int, labels: Labels) -> Iterator[list]:
    states = {k: str(v) for k, v in ASSESSMENT_STATE_LABELS.items()}
    outcomes = {k: str(v) for k, v in OUTCOME_LABELS.items()}
    for row in figures.every_input(session, process_id):
        item = row.input
        response = item.consultation_response
        assessment = row.assessment
        yield [
            item.id,
            reference(item),
            item.created_on,
            labels.of(labels.channels, item.channel),
            labels.of(labels.statuses, item.status),
            item.region.name if item.region is not None else "",
            labels.of(labels.categories, item.respondent_category),
            labels.of(labels.written_forms, item.written_form),
            "; ".join(a.name(labels.locale) for a in item.focus_areas),
            item.meeting.title if item.meeting is not None else "",
            response.section.label if response is not None and response.section else "",
            labels.of(labels.stances, response.stance) if response is not None else "",
            sender(item),
            figures.public_text(item),
            item.duplicate_of_id or "",
            states["not_assessed"] if assessment is None else states.get(assessment.state, ""),
            outcomes.get(assessment.outcome, "") if assessment else "",
            plain_comment(assessment.comment) if assessment else "",
            "; ".join(row.section_labels),
            assessment.approved_at if assessment and assessment.approved_at else "",
        ]


def write(
    session: Session,
    target: str | IO[bytes],
    process_id: int,
    *,
    locale: str = "nb",
    timezone: str,
) -> int:
    """Write the process's workbook; returns the number of rows."""
    count = 0
    with force_locale(locale):
        labels = Labels(locale)

        def counted():
            nonlocal count
            for r in rows(session, process_id, labels):
                count += 1
                yield r

        write_xlsx([Sheet(gettext("Inputs"), header(), counted())], target, timezone=timezone)
    return count
