"""Back-office forms. Every message is ours (see participation.forms)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from participation.forms import (
    AllOf,
    BaseForm,
    MultiCheckboxField,
    OneOf,
    choice,
    choice_value,
    email_validators,
    no_control_characters,
)
from participation.models import Role
from participation.users import MIN_PASSWORD_LENGTH

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.REVIEWER: _l("Reviewer"),
}


def choices_of(form, field):
    return [c for c in field.choices or [] if choice_value(c) != ""]


# ---------------------------------------------------------------- dates and times

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{1,2}:\d{2}$")


def parse_date(value: str | None) -> date | None:
    if not value or not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_time(value: str | None) -> time | None:
    if not value or not _TIME.match(value):
        return None
    hours, minutes = (int(part) for part in value.split(":"))
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def local_datetime(day: date, clock: time, timezone: str) -> datetime:
    """A wall-clock time in ``timezone`` (Europe/Oslo) as an aware datetime."""
    return datetime.combine(day, clock, tzinfo=ZoneInfo(timezone))


def valid_date(form, field) -> None:
    if field.data and parse_date(field.data) is None:
        raise ValidationError(_l("Enter a date as YYYY-MM-DD, for example 2026-03-15."))


def valid_time(form, field) -> None:
    if field.data and parse_time(field.data) is None:
        raise ValidationError(_l("Enter a time as HH:MM, for example 09:30."))


def date_field(label, required_message=None, **kwargs) -> StringField:
    validators = [DataRequired(message=required_message)] if required_message else [Optional()]
    return StringField(
        label,
        validators=[*validators, valid_date],
        render_kw={"type": "date", "autocomplete": "off"},
        **kwargs,
    )


def time_field(label, required_message=None, **kwargs) -> StringField:
    validators = [DataRequired(message=required_message)] if required_message else [Optional()]
    return StringField(
        label,
        validators=[*validators, valid_time],
        render_kw={"type": "time", "autocomplete": "off"},
        **kwargs,
    )


def text(label, *, required_message=None, max_length=200, **kwargs) -> StringField:
    validators = [DataRequired(message=required_message)] if required_message else [Optional()]
    return StringField(
        label,
        validators=[
            *validators,
            Length(
                max=max_length,
                message=_l("Write at most %(max)d characters.", max=max_length),
            ),
            no_control_characters,
        ],
        **kwargs,
    )


def long_text(label, *, required_message=None, max_length=20000, **kwargs) -> TextAreaField:
    validators = [DataRequired(message=required_message)] if required_message else [Optional()]
    return TextAreaField(
        label,
        validators=[
            *validators,
            Length(
                max=max_length,
                message=_l("Write at most %(max)d characters.", max=max_length),
            ),
            no_control_characters,
        ],
        **kwargs,
    )


# ---------------------------------------------------------------- accounts


class LoginForm(BaseForm):
    email = StringField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Length(max=254, message=_l("The e-mail address is too long.")),
        ],
        render_kw={"autocomplete": "username", "spellcheck": "false", "type": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Enter your password.")),
            Length(max=1000, message=_l("The password is too long.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class LogoutForm(BaseForm):
    """Only the CSRF token: logging out is a POST."""


class PostForm(BaseForm):
    """Only the CSRF token, for buttons that change something."""


def _password_field(label, required: bool):
    validators = [DataRequired(message=_l("Enter a password."))] if required else [Optional()]
    return PasswordField(
        label,
        validators=[
            *validators,
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("The password must have at least 12 characters."),
            ),
            Length(max=1000, message=_l("The password is too long.")),
        ],
        description=_l("At least 12 characters. A sentence of several words is easy to remember."),
        render_kw={"autocomplete": "new-password"},
    )


def _role_field():
    return SelectField(
        _l("Role"),
        choices=[choice(role.value, label) for role, label in ROLE_LABELS.items()],
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Choose a role.")),
            OneOf(lambda form, field: field.choices, message=_l("Choose a role.")),
        ],
        description=_l(
            "Reviewers read, moderate, tag and export input. Administrators also manage "
            "meetings, drafts, focus areas and accounts."
        ),
    )


class UserCreateForm(BaseForm):
    email = StringField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter an e-mail address.")), *email_validators()],
        render_kw={"autocomplete": "off", "spellcheck": "false", "type": "email"},
    )
    name = text(_l("Name"), required_message=_l("Enter a name."))
    role = _role_field()
    password = _password_field(_l("Password"), required=True)


class UserEditForm(BaseForm):
    name = text(_l("Name"), required_message=_l("Enter a name."))
    role = _role_field()
    active = BooleanField(_l("The account is active (can log in)"))
    password = _password_field(_l("New password (optional)"), required=False)


# ---------------------------------------------------------------- focus areas and regions


class FocusAreaForm(BaseForm):
    key = StringField(
        _l("Key"),
        validators=[
            DataRequired(message=_l("Enter a key.")),
            Length(max=64, message=_l("Write at most %(max)d characters.", max=64)),
        ],
        description=_l(
            "Lower-case letters, digits and hyphens, for example lokalmat. "
            "Used by the analysis; it cannot be changed later."
        ),
        render_kw={"spellcheck": "false"},
    )
    name_nb = text(
        _l("Name in Bokmål"), required_message=_l("Enter a name in Bokmål."), max_length=160
    )
    name_nn = text(
        _l("Name in Nynorsk"), required_message=_l("Enter a name in Nynorsk."), max_length=160
    )
    name_en = text(
        _l("Name in English"), required_message=_l("Enter a name in English."), max_length=160
    )
    description_nb = long_text(_l("Description in Bokmål"), max_length=2000)
    description_nn = long_text(_l("Description in Nynorsk"), max_length=2000)
    description_en = long_text(_l("Description in English"), max_length=2000)
    seed_terms = long_text(
        _l("Seed terms"),
        max_length=4000,
        description=_l("Words that point to this focus area, one per line or separated by commas."),
    )
    position = IntegerField(
        _l("Position in lists"),
        default=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=1000, message=_l("Enter a number from 0 to 1000.")),
        ],
    )
    active = BooleanField(_l("Active (shown in forms and used by the analysis)"), default=True)

    def validate_key(self, field) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9\-]*", field.data or ""):
            raise ValidationError(
                _l("Use only lower-case letters a–z, digits and hyphens, for example lokalmat.")
            )


class RegionForm(BaseForm):
    name = text(_l("Name of the region"), required_message=_l("Enter a name."), max_length=120)


# ---------------------------------------------------------------- meetings


class MeetingForm(BaseForm):
    region = SelectField(
        _l("Region"),
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Choose a region.")),
            OneOf(choices_of, message=_l("Choose a region.")),
        ],
    )
    title = text(_l("Title"), required_message=_l("Enter a title."))
    description = long_text(_l("Description"), max_length=5000)
    day = date_field(_l("Date"), required_message=_l("Enter the date of the meeting."))
    starts = time_field(_l("Starts at"), required_message=_l("Enter the start time."))
    ends = time_field(_l("Ends at"), required_message=_l("Enter the end time."))
    venue = text(_l("Venue"), required_message=_l("Enter the venue."))
    address = text(_l("Address (optional)"), max_length=300)
    seats = IntegerField(
        _l("Seats"),
        validators=[
            InputRequired(message=_l("Enter the number of seats.")),
            NumberRange(min=1, max=10000, message=_l("Enter a number from 1 to 10000.")),
        ],
    )
    deadline_day = date_field(
        _l("Registration deadline, date"),
        required_message=_l("Enter the date of the registration deadline."),
    )
    deadline_time = time_field(
        _l("Registration deadline, time"),
        required_message=_l("Enter the time of the registration deadline."),
    )

    def validate_ends(self, field) -> None:
        starts, ends = parse_time(self.starts.data), parse_time(field.data)
        if starts and ends and ends <= starts:
            raise ValidationError(_l("The meeting must end after it starts."))


class CancelMeetingForm(BaseForm):
    reason = long_text(
        _l("Message to the registrants (optional)"),
        max_length=2000,
        description=_l("Included in the e-mail that tells everyone the meeting is cancelled."),
    )
    confirm = BooleanField(
        _l("Yes, cancel the meeting and tell everyone who signed up"),
        validators=[DataRequired(message=_l("Confirm that you want to cancel the meeting."))],
    )


class MessageForm(BaseForm):
    subject = text(_l("Subject"), required_message=_l("Enter a subject."))
    body = long_text(_l("Message"), required_message=_l("Write the message."), max_length=10000)
    include_waiting = BooleanField(_l("Also send to the waiting list"), default=True)


class MoveForm(BaseForm):
    target = SelectField(
        _l("Move to"),
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Choose where to move the registration.")),
            OneOf(choices_of, message=_l("Choose where to move the registration.")),
        ],
    )
    notify = BooleanField(_l("Tell the person by e-mail"), default=True)


class AttendanceForm(BaseForm):
    attended = MultiCheckboxField(
        _l("Attended"), coerce=str, validate_choice=False, validators=[AllOf()]
    )


# ---------------------------------------------------------------- privacy


class PrivacyLookupForm(BaseForm):
    email = StringField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter an e-mail address.")), *email_validators()],
        render_kw={"autocomplete": "off", "spellcheck": "false", "type": "email"},
    )


class PrivacyDeleteForm(PrivacyLookupForm):
    confirm = BooleanField(
        _l("Yes, delete everything held about this e-mail address"),
        validators=[DataRequired(message=_l("Confirm that you want to delete the data."))],
    )


class PurgeForm(BaseForm):
    """Only the CSRF token: runs the retention purge now."""


# ---------------------------------------------------------------- inbox


class FilterForm(BaseForm):
    """The inbox filters: a GET form, so a filtered list has its own address."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Search the text"),
        validators=[
            Optional(),
            Length(max=200, message=_l("Write at most %(max)d characters.", max=200)),
            no_control_characters,
        ],
        render_kw={"type": "search"},
    )
    channel = SelectField(
        _l("Channel"), validate_choice=False, validators=[OneOf(lambda f, fl: fl.choices)]
    )
    status = SelectField(
        _l("Status"), validate_choice=False, validators=[OneOf(lambda f, fl: fl.choices)]
    )
    region = SelectField(
        _l("Region"), validate_choice=False, validators=[OneOf(lambda f, fl: fl.choices)]
    )
    category = SelectField(
        _l("Respondent category"),
        validate_choice=False,
        validators=[OneOf(lambda f, fl: fl.choices)],
    )
    focus_area = SelectField(
        _l("Focus area"), validate_choice=False, validators=[OneOf(lambda f, fl: fl.choices)]
    )
    written_form = SelectField(
        _l("Language"), validate_choice=False, validators=[OneOf(lambda f, fl: fl.choices)]
    )
    meeting = SelectField(
        _l("Meeting"), validate_choice=False, validators=[OneOf(lambda f, fl: fl.choices)]
    )
    date_from = date_field(_l("From date"))
    date_to = date_field(_l("To date"))
    duplicates = SelectField(
        _l("Duplicates"), validate_choice=False, validators=[OneOf(lambda f, fl: fl.choices)]
    )
    reviewed = SelectField(
        _l("Focus areas confirmed"),
        validate_choice=False,
        validators=[OneOf(lambda f, fl: fl.choices)],
    )


class StatusForm(BaseForm):
    action = SelectField(
        _l("Action"),
        choices=[choice("publish", "publish"), choice("hide", "hide"), choice("reset", "reset")],
        validate_choice=False,
        validators=[OneOf(lambda f, fl: fl.choices, message=_l("Choose an action."))],
    )
    reason = text(
        _l("Reason for hiding"),
        max_length=500,
        description=_l("For the project group, for example: abusive, off topic, personal data."),
    )

    def validate(self, extra_validators=None) -> bool:
        # A check across fields: Optional() would stop a validate_reason chain early.
        valid = super().validate(extra_validators)
        if self.action.data == "hide" and not (self.reason.data or "").strip():
            self.reason.errors = [*self.reason.errors, _l("Give a reason for hiding the input.")]
            return False
        return valid


class RedactionForm(BaseForm):
    redacted_text = long_text(
        _l("Text shown and analysed (redacted)"),
        required_message=_l("The text cannot be empty."),
        max_length=20000,
        description=_l(
            "Remove names and other personal data the automatic redaction missed. "
            "The original text is kept for staff."
        ),
    )


class ConfirmAreasForm(BaseForm):
    focus_areas = MultiCheckboxField(
        _l("Confirmed focus areas"),
        coerce=str,
        validate_choice=False,
        validators=[AllOf()],
        description=_l(
            "Tick every focus area the input concerns, or none. The analysis learns from what you confirm."
        ),
    )


class NoteForm(BaseForm):
    note = long_text(
        _l("New note"),
        required_message=_l("Write the note."),
        max_length=5000,
        description=_l("Only the project group sees notes."),
    )


class BulkForm(BaseForm):
    action = SelectField(
        _l("Do this with the selected inputs"),
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Choose an action.")),
            OneOf(choices_of, message=_l("Choose an action.")),
        ],
    )
    reason = text(_l("Reason for hiding"), max_length=500)
    focus_area = SelectField(
        _l("Focus area to confirm"),
        validate_choice=False,
        validators=[OneOf(lambda f, fl: fl.choices, message=_l("Choose a focus area."))],
    )
    return_to = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.action.data == "hide" and not (self.reason.data or "").strip():
            self.reason.errors = [*self.reason.errors, _l("Give a reason for hiding the inputs.")]
            return False
        return valid

    def validate_focus_area(self, field) -> None:
        if self.action.data == "tag" and not field.data:
            raise ValidationError(_l("Choose a focus area."))


class WorkshopNoteForm(BaseForm):
    meeting = SelectField(
        _l("Meeting"),
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Choose the meeting.")),
            OneOf(choices_of, message=_l("Choose the meeting.")),
        ],
    )
    text = long_text(
        _l("Note"),
        required_message=_l("Write the note."),
        max_length=20000,
        description=_l(
            "What was said or written at the meeting, for example one flip-chart sheet."
        ),
    )
    category = SelectField(
        _l("Respondent category (optional)"),
        validate_choice=False,
        validators=[OneOf(lambda f, fl: fl.choices)],
    )
    focus_areas = MultiCheckboxField(
        _l("Focus areas (optional)"), coerce=str, validate_choice=False, validators=[AllOf()]
    )


class NoteImportForm(BaseForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(message=_l("Choose a CSV file."))],
        description=_l(
            "UTF-8, comma or semicolon separated, with a header row. Columns: text (required), "
            "meeting_id or region, and optionally category, focus_areas and date."
        ),
    )
    meeting = SelectField(
        _l("Meeting for every row (optional)"),
        validate_choice=False,
        validators=[OneOf(lambda f, fl: fl.choices)],
        description=_l("Leave empty when the file has a meeting_id or region column."),
    )


# ---------------------------------------------------------------- consultation


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

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.source.data and not (
            self.file.data and getattr(self.file.data, "filename", "")
        ):
            self.source.errors = [
                *self.source.errors,
                _l("Choose a Markdown file or paste the text."),
            ]
            return False
        return valid


class SectionForm(BaseForm):
    number = StringField(
        _l("Number"),
        validators=[
            DataRequired(message=_l("Enter the section number, for example 1.2.")),
            Length(max=20, message=_l("Write at most %(max)d characters.", max=20)),
        ],
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
    withhold = MultiCheckboxField(
        _l("Attachments not to publish"),
        coerce=str,
        validate_choice=False,
        validators=[AllOf()],
    )
