"""Forms of the consultation: the public response form and the back office's draft,
section and approval forms. Shape only; the service stores."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms.validators import ValidationError

from participation.consultation import attachments as files
from participation.consultation.service import MAX_TEXT, MIN_TEXT
from participation.forms import (
    BaseForm,
    checkboxes,
    choice,
    date_field,
    enum_select,
    free_text,
    identifier,
    long_text,
    org_number_field,
    organisation_field,
    own_email_field,
    person_name_field,
    radio_field,
    select_field,
    text,
    time_field,
)
from participation.labels import CATEGORY_LABELS, STANCE_LABELS
from participation.models import RespondentCategory, Stance

ATTACHMENT_MESSAGES = {
    files.TooManyFiles: _l("You can attach at most %(max)s files."),
    files.FileTooLarge: _l(
        "%(name)s is larger than %(size)s MB. Make the file smaller and try again."
    ),
    files.EmptyFile: _l("%(name)s is empty."),
    files.NotAPdf: _l("%(name)s is not a PDF file that we can open. Attach PDF files only."),
    files.EncryptedPdf: _l("%(name)s is protected by a password. Attach a PDF without a password."),
}


class ResponseForm(BaseForm):
    section = select_field(_l("What does your response concern?"), _l("Choose a section."))
    stance = radio_field(
        _l("What is your view?"),
        _l("Choose your view."),
        required=True,
        choices=[choice(k.value, v) for k, v in STANCE_LABELS.items()],
        default=Stance.NONE.value,
    )
    text = free_text(
        _l("Your response"),
        MIN_TEXT,
        MAX_TEXT,
        empty=_l("Write your response."),
        too_short=_l(
            "The response must be at least %(min)s characters. You have written %(count)s."
        ),
        too_long=_l("The response can be at most %(max)s characters. You have written %(count)s."),
        render_kw={"rows": 12},
    )
    attachments = MultipleFileField(
        _l("Attachments (optional)"),
        render_kw={"accept": "application/pdf,.pdf"},
    )
    name = person_name_field(_l("Name"))
    email = own_email_field(_l("We send a receipt here."))
    organisation = organisation_field(
        _l("If you respond on behalf of an organisation, business or public body.")
    )
    org_number = org_number_field()
    category = enum_select(
        _l("I respond as"), _l("Choose who you respond as."), RespondentCategory, CATEGORY_LABELS
    )
    # Consent is an active choice: neither answer is chosen in advance.
    may_publish = radio_field(
        _l("May we publish your response on this website?"),
        _l("Say whether we may publish your response."),
        required=True,
        choices=[
            choice("yes", _l("Yes, my response may be published")),
            choice("no", _l("No, do not publish my response on the website")),
        ],
        description=_l(
            "Consultation responses are public records. Anyone can ask to see them, "
            "even if you answer no here. If you answer yes, we publish your response here "
            "after the project group has removed personal data such as e-mail addresses and "
            "phone numbers."
        ),
    )

    def validate_attachments(self, field) -> None:
        """Read and check the PDFs; the checked files are kept in ``self.uploads``."""
        config = current_app.config
        max_bytes = config["ATTACHMENT_MAX_BYTES"]
        max_files = config["ATTACHMENT_MAX_FILES"]
        # PDFs kept from an earlier attempt of this form come first (see routes).
        uploads = list(getattr(self, "kept", []))
        for storage in field.data or []:
            if not getattr(storage, "filename", None):
                continue
            data = storage.stream.read(max_bytes + 1)
            uploads.append(files.UploadedFile(storage.filename, data))
        try:
            checked = files.check_pdfs(uploads, max_bytes=max_bytes, max_files=max_files)
            self.uploads = [files.UploadedFile(p.filename, p.data) for p in checked]
        except files.AttachmentError as error:
            raise ValidationError(
                str(ATTACHMENT_MESSAGES[type(error)])
                % {
                    "name": error.filename,
                    "max": max_files,
                    "size": max_bytes // (1024 * 1024),
                }
            ) from error


# ---------------------------------------------------------------- back office


class PeriodMixin:
    opens_day = date_field(
        _l("Opens, date"), required_message=_l("Enter the date the consultation opens.")
    )
    opens_time = time_field(
        _l("Opens, time"), required_message=_l("Enter the time the consultation opens.")
    )
    closes_day = date_field(
        _l("Deadline, date"), required_message=_l("Enter the date of the consultation deadline.")
    )
    closes_time = time_field(
        _l("Deadline, time"), required_message=_l("Enter the time of the consultation deadline.")
    )


class DraftForm(PeriodMixin, BaseForm):
    title = text(_l("Title"), required_message=_l("Enter a title."), max_length=300)
    introduction = long_text(
        _l("Introduction"),
        max_length=50000,
        description=_l("Markdown: a blank line between paragraphs, **bold**, lists with -."),
    )


class DraftImportForm(PeriodMixin, BaseForm):
    file = FileField(
        _l("Markdown file"),
        description=_l(
            "A .md file. A single # heading is the title; ## headings become sections, "
            "### headings sub-sections. Numbers like 1.2 in the headings are kept."
        ),
    )
    source = long_text(
        _l("Or paste the Markdown here"),
        max_length=500000,
    )
    title = text(
        _l("Title (optional)"),
        max_length=300,
        description=_l("Leave empty to use the # heading of the file."),
    )

    def check_across_fields(self):
        if not self.source.data and not (
            self.file.data and getattr(self.file.data, "filename", "")
        ):
            return self.source, _l("Choose a Markdown file or paste the text.")
        return None


class SectionForm(BaseForm):
    number = identifier(
        _l("Number"),
        required_message=_l("Enter the section number, for example 1.2."),
        max_length=20,
        description=_l(
            "For example 2 for a goal area, 2.1 for a sub-goal under it. It cannot be changed later."
        ),
    )
    title = text(_l("Heading"), required_message=_l("Enter a heading."), max_length=300)
    body = long_text(_l("Text"), max_length=50000, description=_l("Markdown."))


class ApproveForm(BaseForm):
    published_text = long_text(
        _l("Text to publish"),
        required_message=_l("The text to publish cannot be empty."),
        max_length=20000,
        description=_l(
            "Remove personal data before publishing: names of private persons, contact details, "
            "anything that identifies someone who is not the sender."
        ),
    )
    withhold = checkboxes(_l("Attachments not to publish"))
