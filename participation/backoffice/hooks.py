"""Places where the analysis plugs into the back office.

The analysis integration registers providers here instead of editing the
views: the input page shows every suggestion a provider returns next to the
writer's chosen and the reviewers' confirmed focus areas, and the inbox row
shows the same. Nothing is registered until the analysis is added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from participation.models import FocusArea, Input


@dataclass(frozen=True)
class Suggestion:
    focus_area: FocusArea
    probability: float  # 0..1


# Each takes the session and a list of inputs and returns {input_id: [Suggestion, …]},
# in a fixed number of queries (the inbox calls it once per page).
SuggestionProvider = Callable[[Session, list[Input]], dict[int, list[Suggestion]]]
SUGGESTION_PROVIDERS: list[SuggestionProvider] = []

# Extra panels on the input page: callables returning (template name, context) or None.
INPUT_PANELS: list[Callable[[Session, Input], tuple[str, dict] | None]] = []


def suggestions_for(session: Session, items: Iterable[Input]) -> dict[int, list[Suggestion]]:
    items = list(items)
    result: dict[int, list[Suggestion]] = {item.id: [] for item in items}
    for provider in SUGGESTION_PROVIDERS:
        for input_id, found in provider(session, items).items():
            result.setdefault(input_id, []).extend(found)
    for found in result.values():
        found.sort(key=lambda s: -s.probability)
    return result


def panels_for(session: Session, item: Input) -> list[tuple[str, dict]]:
    return [panel for provider in INPUT_PANELS if (panel := provider(session, item))]
