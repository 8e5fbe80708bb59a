"""What the archive export's errors and results say, translated; for the command
line now and the back-office job later."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from participation import formatting
from participation.archive import service
from participation.labels import JOB_STAGE_LABELS

# Each error in words, with the values its message names (the first that fits says it).
_ERRORS = (
    (
        service.DraftNotFound,
        _l("There is no consultation with the URL name %(slug)s."),
        lambda error: {"slug": error.slug},
    ),
    (
        service.ConsultationNotClosed,
        _l(
            "The consultation “%(title)s” is not closed yet: it closes %(closes)s. Only a closed consultation can be archived."
        ),
        lambda error: {
            "title": error.title,
            "closes": formatting.datetime_short(error.closes_at),
        },
    ),
    (
        service.NoResponses,
        _l("The consultation “%(title)s” has no responses to archive."),
        lambda error: {"title": error.title},
    ),
    (
        service.OutputNotEmpty,
        _l(
            "%(path)s is not empty and holds no earlier archive export. Choose a new or empty folder."
        ),
        lambda error: {"path": error.path},
    ),
    (
        service.OutputNotWritable,
        _l(
            "Cannot write the archive export to %(path)s (%(reason)s). Choose a folder you may write to."
        ),
        lambda error: {"path": error.path, "reason": error.reason},
    ),
    (
        service.AttachmentMissing,
        _l(
            "The attachment %(filename)s of response %(reference)s is missing or has changed on disk. Restore it from the backup and export again."
        ),
        lambda error: {"filename": error.filename, "reference": error.reference},
    ),
    (
        service.InvalidUttrekk,
        _l(
            "The export does not validate against the Noark 5 schemas (%(name)s: %(error)s), so it was not written. Please report this."
        ),
        lambda error: {"name": error.name, "error": error.errors[0] if error.errors else ""},
    ),
)


def error_message(error: service.ArchiveError) -> str:
    for kind, message, values in _ERRORS:
        if isinstance(error, kind):
            return str(message) % values(error)
    return str(_l("The archive export failed."))


def summary_message(summary: service.ExportSummary) -> str:
    return str(
        _l(
            "Wrote %(posts)d journal entries (%(new)d newly archived) and %(documents)d documents to %(path)s.",
            posts=summary.journalposts,
            new=summary.newly_archived,
            documents=summary.documents,
            path=summary.directory,
        )
    )


# The export's own stages, in the words the job's page uses.
STAGES = {stage: JOB_STAGE_LABELS[stage] for stage in ("documents", "metadata")}


def stage_label(stage: str) -> str:
    return str(STAGES.get(stage, stage))
