"""Forms of the statements: the public accessibility feedback, the back-office texts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Optional

from participation.forms import (
    BaseForm,
    email_validators,
    free_text,
    long_text,
)
from participation.forms import (
    text as short_text,
)
from participation.statements.service import FEEDBACK_MAX, FEEDBACK_MIN, MAX_FIELD


class AccessibilityFeedbackForm(BaseForm):
    text = free_text(
        _l("What is the problem?"),
        FEEDBACK_MIN,
        FEEDBACK_MAX,
        empty=_l("Describe the problem."),
        too_short=_l(
            "The description must be at least %(min)s characters. You have written %(count)s."
        ),
        too_long=_l(
            "The description can be at most %(max)s characters. You have written %(count)s."
        ),
        description=_l(
            "What did you try to do, and what stopped you? Tell us which aids you use if "
            "you like (for example a screen reader or magnification)."
        ),
    )
    page = short_text(
        _l("Which page? (optional)"),
        max_length=300,
        description=_l("The address or name of the page, if it is about one page."),
    )
    email = StringField(
        _l("E-mail address for an answer (optional)"),
        validators=[Optional(), *email_validators()],
        description=_l("Leave it empty to report anonymously. Then we cannot answer you."),
        render_kw={"autocomplete": "email", "type": "email", "spellcheck": "false"},
    )


def statement_form(fields: dict[str, object]) -> type[BaseForm]:
    """A form class with one text area per organisation-specific field."""
    attributes = {
        key: long_text(label, max_length=MAX_FIELD, description=hint)
        for key, (label, hint) in fields.items()
    }
    return type("StatementTextsForm", (BaseForm,), attributes)
