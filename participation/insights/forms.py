"""Forms of the analysis pages. Every message is ours (see participation.forms)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from participation.forms import BaseForm, OneOf, choice, field_choices

MIN_THEMES = 2
MAX_THEMES = 30


class StartRunForm(BaseForm):
    n_themes = SelectField(
        _l("Number of themes"),
        validate_choice=False,
        validators=[OneOf(field_choices, message=_l("Choose a number of themes from the list."))],
        description=_l(
            "Leave it to the analysis unless the themes come out too broad or too narrow."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.n_themes.choices = [choice("", _l("Choose automatically"))] + [
            choice(str(n), str(n)) for n in range(MIN_THEMES, MAX_THEMES + 1)
        ]

    @property
    def themes(self) -> int | None:
        return int(self.n_themes.data) if self.n_themes.data else None
