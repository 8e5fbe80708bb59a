"""Forms of the back office's process pages. The text fields are made from
``TEXT_LANGUAGES``: a language added there gets its fields here, with no other change.
Bokmål is the one required language (every other falls back to it)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, FieldList, FormField, StringField, ValidationError
from wtforms.validators import Optional, StopValidation

from participation.config import LANGUAGE_NAMES
from participation.forms import (
    BaseForm,
    SubForm,
    checkboxes,
    date_field,
    email_validators,
    long_text,
    must_tick,
    parse_date,
    select_field,
    text,
    time_field,
    valid_date,
)
from participation.labels import TEXT_LANGUAGE_LABELS
from participation.models.processes import TEXT_LANGUAGES

MAX_PHASES = 40


def language_label(lang: str):
    return TEXT_LANGUAGE_LABELS.get(lang, LANGUAGE_NAMES.get(lang, lang))


def _first(unbound, validator):
    """The shared field builders' field, with one more validator run before theirs."""
    unbound.kwargs["validators"] = [validator, *unbound.kwargs["validators"]]
    return unbound


def _last(unbound, validator):
    unbound.kwargs["validators"] = [*unbound.kwargs["validators"], validator]
    return unbound


# ---------------------------------------------------------------- a phase


def _blank(phase) -> bool:
    """A row nobody filled in (the form always offers one more): left out."""
    return not any((field.data or "").strip() for field in phase if isinstance(field, StringField))


def plausible_year(form, field) -> None:
    """Dates far from now are typing errors (and 0001-01-01 cannot be moved to UTC)."""
    day = parse_date(field.data)
    if day is not None and not 2000 <= day.year <= 2100:
        raise ValidationError(_l("Enter a date between the years 2000 and 2100."))


def _needed(message):
    """Required in a phase that is kept (not blank, not marked for removal)."""

    def check(form, field) -> None:
        if not field.data and not form.remove.data and not _blank(form):
            raise StopValidation(message)

    return check


def _phase_form() -> type[SubForm]:
    fields: dict = {}
    for lang in TEXT_LANGUAGES:
        name = text(_l("Name (%(language)s)", language=language_label(lang)))
        if lang == "nb":
            name = _first(name, _needed(_l("Enter the phase's name in Bokmål.")))
        fields[f"name_{lang}"] = name
    fields["starts_on"] = StringField(
        _l("First day"),
        validators=[_needed(_l("Enter the phase's first day.")), valid_date, plausible_year],
        render_kw={"type": "date", "autocomplete": "off"},
    )
    fields["ends_on"] = StringField(
        _l("Last day"),
        validators=[_needed(_l("Enter the phase's last day.")), valid_date, plausible_year],
        render_kw={"type": "date", "autocomplete": "off"},
    )
    for lang in TEXT_LANGUAGES:
        fields[f"description_{lang}"] = long_text(
            _l("Description (%(language)s)", language=language_label(lang)), max_length=2000
        )
    fields["remove"] = BooleanField(_l("Remove this phase"))
    return type("PhaseForm", (SubForm,), fields)


PhaseForm = _phase_form()


def phase_is_blank(phase) -> bool:
    return _blank(phase)


# ---------------------------------------------------------------- a process


def _box_time_needs_day(day_field: str):
    def check(form, field) -> None:
        if field.data and not form[day_field].data:
            raise ValidationError(_l("Enter the date as well."))

    return check


def _process_form() -> type[BaseForm]:
    fields: dict = {
        "slug": text(
            _l("Address"),
            required_message=_l("Enter an address."),
            max_length=80,
            description=_l(
                "Lower-case letters a–z, digits and hyphens, for example kompetanseplan-2027. "
                "The process's page is /prosess/ADDRESS; links given out keep it, so change "
                "it only before the process is active."
            ),
            render_kw={"autocomplete": "off", "spellcheck": "false"},
        )
    }
    for lang in TEXT_LANGUAGES:
        language = language_label(lang)
        fields[f"title_{lang}"] = text(
            _l("Title (%(language)s)", language=language),
            required_message=_l("Enter a title in Bokmål.") if lang == "nb" else None,
        )
        fields[f"summary_{lang}"] = long_text(
            _l("Summary (%(language)s)", language=language),
            max_length=2000,
            description=_l("One or two sentences, shown on the front page."),
        )
        fields[f"introduction_{lang}"] = long_text(
            _l("Introduction (%(language)s)", language=language),
            max_length=20000,
            description=_l(
                "Shown on the process's page. Markdown: **bold**, *italic*, lists and links."
            ),
        )
        fields[f"question_{lang}"] = long_text(
            _l("The suggestion box's question (%(language)s)", language=language),
            max_length=1000,
        )
    fields["organisation"] = text(_l("Organisation running the process"))
    fields["contact_email"] = EmailField(
        _l("Contact e-mail address (optional)"),
        validators=[Optional(), *email_validators()],
        render_kw={"spellcheck": "false"},
    )
    for prefix, day_label, time_label, hint in (
        (
            "opens",
            _l("The suggestion box opens, date (optional)"),
            _l("The suggestion box opens, time (optional)"),
            _l("Norwegian time; 00:00 when left empty."),
        ),
        (
            "closes",
            _l("The suggestion box closes, date (optional)"),
            _l("The suggestion box closes, time (optional)"),
            _l("Norwegian time; 23:59 when left empty."),
        ),
    ):
        fields[f"{prefix}_day"] = _last(date_field(day_label), plausible_year)
        fields[f"{prefix}_time"] = _last(
            time_field(time_label, description=hint), _box_time_needs_day(f"{prefix}_day")
        )
    fields["focus_areas"] = checkboxes(
        _l("Focus areas"),
        description=_l(
            "The focus areas people can choose in this process, and that its analysis "
            "uses. None chosen: every focus area in use."
        ),
    )
    fields["regions"] = checkboxes(
        _l("Regions"),
        description=_l("The regions this process holds meetings in. None chosen: every region."),
    )
    fields["copy_from"] = select_field(
        _l("Also copy the focus areas and regions of"),
        _l("Choose one of the processes in the list."),
        description=_l("They are added to those chosen above."),
    )
    fields["phases"] = FieldList(FormField(PhaseForm), min_entries=1, max_entries=MAX_PHASES)
    return type("ProcessForm", (BaseForm,), fields)


ProcessForm = _process_form()


class ConfirmForm(BaseForm):
    confirm = must_tick(_l("Yes, I am sure"), _l("Tick the box to confirm."))
