from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from participation.forms import (
    AllOf,
    BaseForm,
    MultiCheckboxField,
    OneOf,
    choice,
    choice_value,
    email_validators,
    field_choices,
    no_control_characters,
    norwegian_phone,
    org_number_field,
)
from participation.models import ParticipantCategory

CATEGORY_LABELS = {
    ParticipantCategory.CITIZEN: _l("Citizen"),
    ParticipantCategory.BUSINESS: _l("Business"),
    ParticipantCategory.PUBLIC_SECTOR: _l("Public sector"),
    ParticipantCategory.RESEARCH_EDUCATION: _l("Research and education"),
    ParticipantCategory.ORGANISATION: _l("Organisation or association"),
}


class SignupForm(BaseForm):
    name = StringField(
        _l("Full name"),
        validators=[
            DataRequired(message=_l("Enter your name.")),
            Length(max=200, message=_l("The name can be at most 200 characters.")),
            no_control_characters,
        ],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter your e-mail address.")), *email_validators()],
        description=_l("We send the confirmation and a link to cancel here."),
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    phone = TelField(
        _l("Phone (optional)"),
        validators=[
            Optional(),
            Length(max=20, message=_l("The phone number is too long.")),
            norwegian_phone,
        ],
        description=_l("8 digits, for example 912 34 567."),
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    organisation = StringField(
        _l("Organisation or business (optional)"),
        validators=[
            Optional(),
            Length(
                max=200, message=_l("The name of the organisation can be at most 200 characters.")
            ),
            no_control_characters,
        ],
        render_kw={"autocomplete": "organization"},
    )
    org_number = org_number_field()
    category = SelectField(
        _l("I take part as"),
        choices=[choice("", _l("Choose…"))]
        + [choice(k.value, v) for k, v in CATEGORY_LABELS.items()],
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Choose how you take part.")),
            OneOf(
                lambda form, field: [c for c in field.choices if choice_value(c)],
                message=_l("Choose how you take part."),
            ),
        ],
    )
    focus_areas = MultiCheckboxField(
        _l("Focus areas that interest you (optional)"),
        coerce=str,
        validate_choice=False,
        validators=[AllOf()],
    )
    needs = TextAreaField(
        _l("Accessibility or dietary needs (optional)"),
        validators=[
            Optional(),
            Length(max=1000, message=_l("Write at most 1000 characters.")),
            no_control_characters,
        ],
        description=_l("For example wheelchair access, hearing loop, allergies."),
    )
    consent = BooleanField(
        _l("I agree that my details are stored as described in the privacy statement."),
        validators=[DataRequired(message=_l("You must agree to the privacy terms to sign up."))],
    )


class CancelForm(BaseForm):
    """Just the CSRF token: cancelling is a POST, never a GET a mail scanner follows."""


__all__ = ["CATEGORY_LABELS", "CancelForm", "SignupForm", "field_choices"]
