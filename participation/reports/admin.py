"""The back office's reports page: the høringsnotat and the merknader sheet, made by a
background job whose page shows the progress and offers the file."""

from __future__ import annotations

from flask import redirect, url_for
from flask_babel import lazy_gettext as _l

from participation import jobs
from participation.backoffice.blueprint import (
    actor,
    bp,
    form_page,
    shown_process_id,
    staff_required,
)
from participation.config import BACKOFFICE_LANGUAGES
from participation.forms import BaseForm, choice, radio_field

LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}


class ReportForm(BaseForm):
    report = radio_field(_l("Report"), _l("Choose a report."))
    language = radio_field(_l("Language of the headings"), _l("Choose a language."))


def _form() -> ReportForm:
    form = ReportForm()
    form.report.choices = [
        choice("docx", _l("Consultation memo (Word)")),
        choice("pdf", _l("Consultation memo (PDF for publishing)")),
        choice("xlsx", _l("Inputs with their assessment (Excel)")),
    ]
    form.language.choices = [choice(code, LANGUAGE_NAMES[code]) for code in BACKOFFICE_LANGUAGES]
    if form.report.data is None:
        form.report.data = "docx"
    if form.language.data is None:
        form.language.data = "nb"
    return form


@bp.route("/rapportar", methods=["GET", "POST"])
@staff_required
def reports():
    process_id = shown_process_id()
    form = _form()
    if form.validate_on_submit():
        fmt = form.report.data
        # The job's page is the process's (``processes.service.owners``).
        params = {"locale": form.language.data, "process_id": process_id}
        if fmt == "xlsx":
            job = jobs.enqueue("merknader", params, user=actor())
        else:
            job = jobs.enqueue("horingsnotat", {**params, "format": fmt}, user=actor())
        return redirect(url_for("backoffice.job", job_id=job.id), code=303)
    return form_page("reports/index.html", form)
