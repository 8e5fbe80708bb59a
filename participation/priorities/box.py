"""What the priorities pages and the suggestion box share: the ordered choice fields
and the burst check.

The box asks the priorities question in its own submission (channel
``suggestion_box``): up to ``PRIORITY_MAX_CHOICES`` focus areas in order, optional.
A burst (answers from one keyed client hash within ``PRIORITY_BURST_MINUTES`` beyond
``PRIORITY_BURST_LIMIT``) is counted in the rate-limit store only, which expires it.
"""

from __future__ import annotations

import re

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from limits.storage import storage_from_string
from wtforms import SelectField

from participation.extensions import db
from participation.forms import choice, select_field
from participation.inputs.service import active_focus_areas
from participation.priorities import service
from participation.ratelimit import client_key

ERRORS = {
    service.NoChoice: _l("Choose at least one focus area."),
    service.SameAreaTwice: _l("Choose each focus area only once."),
    service.InvalidChoice: _l("One of the choices is no longer available. Choose again."),
    service.ProcessClosed: _l(
        "This process is archived and takes no more answers. Nothing was sent."
    ),
}


def error_message(error: service.PriorityError, n: int):
    """The translated sentence for a refused answer with ``n`` places."""
    if isinstance(error, service.TooManyChoices):
        return _l("Choose at most %(max)d focus areas.", max=n)
    return ERRORS.get(type(error), ERRORS[service.InvalidChoice])


ORDINALS = [
    _l("First choice"),
    _l("Second choice"),
    _l("Third choice"),
    _l("Fourth choice"),
    _l("Fifth choice"),
]


def ordinal(n: int):
    return ORDINALS[n - 1] if n <= len(ORDINALS) else _l("Choice %(n)d", n=n)


def max_choices() -> int:
    return max(1, min(int(current_app.config["PRIORITY_MAX_CHOICES"]), 10))


def choice_fields(prefix: str, n: int) -> dict[str, SelectField]:
    """``prefix_1`` … ``prefix_n``: one select per place, most important first."""
    return {
        f"{prefix}_{i}": select_field(ordinal(i))
        for i in range(1, n + 1)
    }


def area_choices(process_id: int) -> list:
    """The process's active focus areas, for each ordered choice."""
    locale = str(get_locale())
    return [choice("", _l("Choose…"))] + [
        choice(str(a.id), a.name(locale)) for a in active_focus_areas(db.session, process_id)
    ]


def chosen(form, prefix: str, n: int) -> list[str]:
    """The chosen values in order, gaps closed; a value sent for a place beyond ``n``
    (a crafted form) is kept, so the service refuses more choices than allowed."""
    values = [form[f"{prefix}_{i}"].data for i in range(1, n + 1)]
    pattern = re.compile(rf"^{re.escape(prefix)}_(\d+)$")
    extra = sorted(
        (int(match.group(1)), value)
        for key, value in request.form.items()
        if (match := pattern.match(key)) and int(match.group(1)) > n
    )
    return [v for v in values + [value for _n, value in extra] if v]


def _storage():
    app = current_app._get_current_object()
    storage = app.extensions.get("priority_burst")
    if storage is None:
        storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        app.extensions["priority_burst"] = storage
    return storage


def in_burst(meeting_id: int | None) -> bool:
    """One more answer from this client: beyond the limit within the window?"""
    config = current_app.config
    limit = (
        config["PRIORITY_WORKSHOP_BURST_LIMIT"] if meeting_id else config["PRIORITY_BURST_LIMIT"]
    )
    key = f"priority-burst:{meeting_id or '-'}:{client_key()}"
    count = _storage().incr(key, int(config["PRIORITY_BURST_MINUTES"]) * 60)
    return count > limit
