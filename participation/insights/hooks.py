"""The analysis's contributions to the back office's inbox and input page.

Registered through ``participation.backoffice.hooks`` when the blueprint is
registered, so the back-office views need no import of this package.
"""

from __future__ import annotations

from flask_babel import get_locale
from sqlalchemy.orm import Session

from participation.backoffice import hooks
from participation.insights import service
from participation.models import Input


def suggestions(session: Session, items: list[Input]) -> dict[int, list[hooks.Suggestion]]:
    """The latest finished run's suggested focus areas with probabilities (one query pair)."""
    found = service.latest_suggestions(session, [item.id for item in items])
    return {
        input_id: [hooks.Suggestion(area, probability) for area, probability in pairs]
        for input_id, pairs in found.items()
    }


def input_panel(session: Session, item: Input) -> tuple[str, dict] | None:
    """On the input page: theme, near-duplicates and a one-click "confirm suggestion"."""
    insight = service.input_insight(session, item.id)
    if insight is None:
        return None
    locale = str(get_locale() or "nb")
    names = ", ".join(area.name(locale) for area in insight.suggested_active)
    return "insights/_input_panel.html", {"insight": insight, "suggested_names": names}


def register() -> None:
    """Add the providers once per process (several apps may be created in tests)."""
    if suggestions not in hooks.SUGGESTION_PROVIDERS:
        hooks.SUGGESTION_PROVIDERS.append(suggestions)
    if input_panel not in hooks.INPUT_PANELS:
        hooks.INPUT_PANELS.append(input_panel)
