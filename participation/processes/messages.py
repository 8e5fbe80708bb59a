"""What each refusal of ``processes.service`` says, for the back office and the CLI."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from participation.processes import service


def error_message(error: service.ProcessError):
    """The translated sentence for a refusal (position-aware for phases)."""
    if isinstance(error, service.PhaseEndsBeforeStart):
        return _l("Phase %(n)d ends before it starts.", n=error.position)
    if isinstance(error, service.PhasesOverlap):
        return _l("Phase %(n)d overlaps the phase before it.", n=error.position)
    if isinstance(error, service.PhaseNameMissing):
        return _l("Phase %(n)d needs a name in Bokmål.", n=error.position)
    if isinstance(error, service.RegionInUse):
        return _l(
            "The process has meetings in %(region)s, so the region stays in its set.",
            region=error.name,
        )
    return ERRORS.get(type(error), _l("The change could not be made."))


ERRORS = {
    service.SlugTaken: _l("Another process already has this address. Choose another."),
    service.InvalidSlug: _l(
        "The address may only hold lower-case letters a–z, digits and hyphens."
    ),
    service.TitleMissing: _l("Enter a title in Bokmål."),
    service.ConsultationStillOpen: _l(
        "The process cannot be archived while one of its consultations is open."
    ),
    service.ProcessArchived: _l("The process is archived and cannot be changed."),
    service.WrongStatus: _l("The process is not in a state where this can be done."),
    service.ProcessNotFound: _l("There is no such process."),
    service.AccessDenied: _l("You do not have access to this process."),
    service.NoCurrentProcess: _l("No process is active."),
    service.BoxClosesBeforeOpening: _l("The suggestion box must close after it opens."),
    service.UnknownChoice: _l("Choose among the options shown."),
}
