"""Form building blocks shared by every area, with our own translated messages.

WTForms ships no Nynorsk, so no built-in message may reach a user: choice
fields validate through ``OneOf``/``AllOf`` below instead of WTForms' own
pre-validation, and every validator is given a message from our catalog.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import phonenumbers
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from participation.common import normalize_newlines, normalize_org_number, valid_org_number

try:  # WTForms >= 3.3
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - WTForms 3.2
    SelectChoice = None

# C0 controls other than tab/newline, and the Unicode non-characters browsers can send.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


class BaseForm(FlaskForm):
    """Strips surrounding white space from every text field."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            if unbound_field.field_class.__name__ in {
                "StringField",
                "TextAreaField",
                "EmailField",
                "TelField",
                "SearchField",
            }:
                filters.append(_strip)
            return unbound_field.bind(form=form, filters=filters, **options)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        failed = self.check_across_fields()
        if failed is None:
            return valid
        field, message = failed
        field.errors = [*field.errors, message]
        return False

    def check_across_fields(self):
        """A rule over several fields, checked after every field's own validators (an
        ``Optional()`` field would end its ``validate_<name>`` chain before it runs):
        ``(field, message)`` when it is broken, the message then shown at that field."""
        return None


class SubForm(Form):
    """A form repeated inside another (``FieldList(FormField(...))``): strips text as
    ``BaseForm`` does, with no CSRF token of its own (the outer form has one)."""

    class Meta:
        bind_field = BaseForm.Meta.bind_field


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def no_control_characters(form, field) -> None:
    if isinstance(field.data, str) and _CONTROL.search(field.data):
        raise ValidationError(_l("The text contains characters that are not allowed."))


def org_number(form, field) -> None:
    value = normalize_org_number(field.data)
    if value and not valid_org_number(value):
        raise ValidationError(
            _l("Enter a valid organisation number of 9 digits, for example 974 760 673.")
        )


def normalize_phone(value: str | None) -> str:
    """A phone number in E.164 ("+4791234567"), or "" when it is not a valid number.

    Norwegian numbers may be written without the country code (8 digits); numbers
    abroad (Troms borders Sweden and Finland: +46, +358 …) need it, as +46 or 0046."""
    compact = re.sub(r"[\s\-().]", "", value or "")
    if not compact or not re.fullmatch(r"(?:\+|00)?\d{4,17}", compact):
        return ""
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    try:
        number = phonenumbers.parse(compact, "NO")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_number(form, field) -> None:
    if field.data and not normalize_phone(field.data):
        raise ValidationError(
            _l(
                "Enter a phone number: 8 digits for a Norwegian number, for example "
                "912 34 567, or with the country code for a number abroad, for example "
                "+46 70 123 45 67."
            )
        )


class OneOf:
    def __init__(self, values_from, message=None) -> None:
        self.values_from = values_from
        self.message = message or _l("Choose one of the options.")

    def __call__(self, form, field) -> None:
        allowed = {str(choice_value(c)) for c in self.values_from(form, field)}
        if field.data in (None, "") and "" not in allowed:
            raise ValidationError(self.message)
        if field.data not in (None, "") and str(field.data) not in allowed:
            raise ValidationError(self.message)


class AllOf:
    def __init__(self, message=None) -> None:
        self.message = message or _l("Choose among the options shown.")

    def __call__(self, form, field) -> None:
        allowed = {str(choice_value(c)) for c in field.choices or []}
        if any(str(item) not in allowed for item in field.data or []):
            raise ValidationError(self.message)


def choice(value: str, label) -> object:
    """One option for a select/checkbox field.

    WTForms 3.3 deprecates (value, label) tuples in favour of ``SelectChoice``
    (and warns, which our tests turn into errors); older releases only know tuples.
    """
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


def choice_value(item) -> str:
    """The value of an option given either as a tuple or as a ``SelectChoice``."""
    return item[0] if isinstance(item, tuple) else item.value


def field_choices(form, field):
    return field.choices or []


def org_number_field() -> StringField:
    """The optional organisation number, as every form that asks for it shows it."""
    return StringField(
        _l("Organisation number (optional)"),
        validators=limited(20, _l("The organisation number is too long."), org_number),
        description=_l("9 digits, as in the Brønnøysund Register Centre."),
        render_kw={"inputmode": "numeric"},
    )


def email_validators():
    return [
        Length(max=254, message=_l("The e-mail address is too long.")),
        Email(
            message=_l("Enter a valid e-mail address, for example navn@example.no."),
            check_deliverability=False,
        ),
    ]


class PostForm(BaseForm):
    """Only the CSRF token, for buttons that change something."""


def choices_of(form, field):
    """The options of a select field without its empty "Choose…" entry."""
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


def _required_or_optional(message) -> list:
    return [DataRequired(message=message)] if message else [Optional()]


def limited(max_length: int, too_long, *checks, required_message=None) -> list:
    """The validators of a typed value: required (``required_message``) or optional,
    at most ``max_length`` characters (``too_long`` says so), then ``checks``."""
    return [
        *_required_or_optional(required_message),
        Length(max=max_length, message=too_long),
        *checks,
    ]


def _picker(kind: str, check, label, required_message, **kwargs) -> StringField:
    """A date or time typed as text, shown with the browser's own picker."""
    return StringField(
        label,
        validators=[*_required_or_optional(required_message), check],
        render_kw={"type": kind, "autocomplete": "off"},
        **kwargs,
    )


def date_field(label, required_message=None, **kwargs) -> StringField:
    return _picker("date", valid_date, label, required_message, **kwargs)


def time_field(label, required_message=None, **kwargs) -> StringField:
    return _picker("time", valid_time, label, required_message, **kwargs)


def _at_most(max_length: int):
    return _l("Write at most %(max)d characters.", max=max_length)


def _text_validators(required_message, max_length: int) -> list:
    return limited(
        max_length, _at_most(max_length), no_control_characters, required_message=required_message
    )


def text(label, *, required_message=None, max_length=200, **kwargs) -> StringField:
    return StringField(label, validators=_text_validators(required_message, max_length), **kwargs)


def identifier(label, *, required_message, max_length: int, **kwargs) -> StringField:
    """A required short name that is set once (a key, a section number); the form checks
    its pattern."""
    return StringField(
        label,
        validators=limited(max_length, _at_most(max_length), required_message=required_message),
        **kwargs,
    )


def long_text(label, *, required_message=None, max_length=20000, **kwargs) -> TextAreaField:
    return TextAreaField(label, validators=_text_validators(required_message, max_length), **kwargs)


# ---------------------------------------------------------------- fields several forms ask for


def _one_of_the_options(message, required: bool) -> list:
    return (
        [InputRequired(message=message), OneOf(choices_of, message=message)]
        if required
        else [OneOf(field_choices, message=message)]
    )


def select_field(label, message=None, *, required: bool = False, **kwargs) -> SelectField:
    """A select whose value must be one of its options (the empty "Choose…" only when
    not ``required``); the options are set by the view."""
    return SelectField(
        label, validate_choice=False, validators=_one_of_the_options(message, required), **kwargs
    )


def enum_select(label, message, members, labels) -> SelectField:
    """A required select of the values of ``members`` (an enum) shown by ``labels``,
    with the empty "Choose…" first."""
    return select_field(
        label,
        message,
        required=True,
        choices=[choice("", _l("Choose…")), *(choice(m.value, labels[m]) for m in members)],
    )


def radio_field(label, message=None, *, required: bool = False, **kwargs) -> RadioField:
    """Radio buttons whose value must be one of their options; ``required`` when one
    must be chosen (none is, unless given a ``default``)."""
    return RadioField(
        label, validate_choice=False, validators=_one_of_the_options(message, required), **kwargs
    )


def must_tick(label, message) -> BooleanField:
    """A box that must be ticked to go on (consent, "yes, I am sure"); ``message`` when not."""
    return BooleanField(label, validators=[DataRequired(message=message)])


def checkboxes(label, **kwargs) -> MultiCheckboxField:
    """Check boxes whose values must be among the options shown."""
    return MultiCheckboxField(
        label, coerce=str, validate_choice=False, validators=[AllOf()], **kwargs
    )


def keep_line_breaks(value):
    """A textarea filter: one character per line break, as the services count them."""
    return normalize_newlines(value) if isinstance(value, str) else value


def free_text(label, minimum: int, maximum: int, *, empty, too_short, too_long, **kwargs):
    """A text area for a person's own text of ``minimum`` to ``maximum`` characters,
    line breaks counted as the services count them.

    ``too_short``/``too_long`` are lazy messages with ``%(min)s``/``%(max)s`` and
    ``%(count)s``, formatted here.
    """

    def length(form, field) -> None:
        text = field.data or ""
        if not text:
            raise ValidationError(empty)
        if len(text) < minimum:
            raise ValidationError(too_short % {"min": minimum, "count": len(text)})
        if len(text) > maximum:
            raise ValidationError(too_long % {"max": maximum, "count": len(text)})

    return TextAreaField(
        label,
        filters=[keep_line_breaks],
        validators=[length, no_control_characters],
        **kwargs,
    )


def person_name_field(label) -> StringField:
    return StringField(
        label,
        validators=limited(
            200,
            _l("The name can be at most 200 characters."),
            no_control_characters,
            required_message=_l("Enter your name."),
        ),
        render_kw={"autocomplete": "name"},
    )


def own_email_field(description) -> EmailField:
    """The writer's own e-mail address, for the receipt."""
    return EmailField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter your e-mail address.")), *email_validators()],
        description=description,
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def organisation_field(description=None) -> StringField:
    return StringField(
        _l("Organisation or business (optional)"),
        validators=limited(
            200,
            _l("The name of the organisation can be at most 200 characters."),
            no_control_characters,
        ),
        description=description,
        render_kw={"autocomplete": "organization"},
    )
