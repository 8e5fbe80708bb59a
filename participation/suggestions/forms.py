"""The suggestion-box form: shape only; the service stores."""

from __future__ import annotations

import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import ValidationError

from participation.cache import register_visitor_token, visitor_token
from participation.forms import (
    BaseForm,
    OneOf,
    choice,
    free_text,
    select_field,
)

MIN_LENGTH = 20
MAX_LENGTH = 5000
DONT_KNOW = "unknown"

_STARTED_SALT = "suggestion-form-started"
# The signed start time is only checked, never stored; after this long the form is stale.
_STARTED_MAX_AGE = 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_STARTED_SALT)


def new_started_token() -> str:
    # Per visitor: a cached form page is served with a fresh one.
    return visitor_token(_STARTED_SALT, _serializer().dumps(int(time.time())))


register_visitor_token(_STARTED_SALT, new_started_token)


class SuggestionForm(BaseForm):
    text = free_text(
        _l("Your suggestion"),
        MIN_LENGTH,
        MAX_LENGTH,
        empty=_l("Write your suggestion."),
        too_short=_l(
            "The suggestion must be at least %(min)s characters. You have written %(count)s."
        ),
        too_long=_l(
            "The suggestion can be at most %(max)s characters. You have written %(count)s."
        ),
        description=_l(
            "What should the strategy give priority to? Write between 20 and 5000 characters. "
            "Do not write your name or other personal data."
        ),
        render_kw={"rows": 10, "spellcheck": "true"},
    )
    focus_area = RadioField(
        _l("Which focus area does your suggestion concern? (optional)"),
        validate_choice=False,
        validators=[OneOf(lambda form, field: [choice("", ""), *field.choices])],
    )
    region = select_field(_l("Where do you live or work? (optional)"))
    category = select_field(_l("I write as (optional)"))
    # Honeypot: hidden from people (CSS), tempting to bots. Must stay empty.
    homepage = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off"})
    started = HiddenField()
    # Set to "1" by the "send anyway" button shown with the personal-data warning.
    confirm_personal_data = HiddenField()

    def validate_homepage(self, field) -> None:
        if field.data:
            raise ValidationError(
                _l("The form could not be sent. Leave the last field empty and try again.")
            )

    def validate_started(self, field) -> None:
        try:
            started = _serializer().loads(field.data or "", max_age=_STARTED_MAX_AGE)
        except SignatureExpired as error:
            raise ValidationError(_l("The form had expired. Please send it again.")) from error
        except BadSignature as error:
            raise ValidationError(
                _l("The form could not be checked. Please send it again.")
            ) from error
        waited = time.time() - float(started)
        if waited < current_app.config["SUGGESTION_MIN_SECONDS"]:
            raise ValidationError(
                _l(
                    "The form was sent very quickly after the page opened. "
                    "Read through your suggestion and send it again."
                )
            )

    def take_guard_errors(self) -> list:
        """Errors of the fields people do not see, moved to the top of the page."""
        errors = [*self.started.errors, *self.homepage.errors]
        self.started.errors = []
        self.homepage.errors = []
        return errors
