"""Focus areas (satsingsområder) as data.

The web app stores focus areas in its database and passes them back to the analysis as
:class:`FocusAreaSpec` objects; this module only ships the default set that seeds that
database. Nothing in the analysis depends on a particular key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

__all__ = [
    "FocusAreaSpec",
    "load_default_focus_areas",
    "focus_areas_from_dicts",
    "area_keys",
]

LANGUAGES = ("nb", "nn", "en")


@dataclass(frozen=True)
class FocusAreaSpec:
    """One focus area: a stable key, names and descriptions per language, seed terms.

    Parameters
    ----------
    key : str
        Stable identifier, e.g. ``"local_food"``. Labels are keys; renaming an area only
        changes ``names``.
    names : dict
        Display names by language code (``"nb"``, ``"nn"``, ``"en"``).
    descriptions : dict
        One-sentence descriptions by language code.
    seed_terms : tuple of str
        Norwegian terms (Bokmål and Nynorsk) that signal the area; used to bootstrap the
        tagger before anyone has confirmed a label.
    """

    key: str
    names: dict[str, str] = field(default_factory=dict, hash=False, compare=True)
    descriptions: dict[str, str] = field(default_factory=dict, hash=False, compare=True)
    seed_terms: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key.strip():
            raise ValueError("FocusAreaSpec.key must be a non-empty string")
        # Accept any iterable of terms but store an immutable tuple.
        if not isinstance(self.seed_terms, tuple):
            object.__setattr__(self, "seed_terms", tuple(self.seed_terms))

    def __hash__(self) -> int:
        return hash((self.key, self.seed_terms))

    def name(self, lang: str = "nb") -> str:
        """Display name in ``lang``, falling back to Bokmål, then the key."""
        return self.names.get(lang) or self.names.get("nb") or self.key

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable form (the inverse of :func:`focus_areas_from_dicts`)."""
        return {
            "key": self.key,
            "names": dict(self.names),
            "descriptions": dict(self.descriptions),
            "seed_terms": list(self.seed_terms),
        }


def focus_areas_from_dicts(items: Iterable[Mapping[str, Any]]) -> list[FocusAreaSpec]:
    """Build specs from plain mappings (JSON or database rows)."""
    specs = []
    seen: set[str] = set()
    for item in items:
        spec = FocusAreaSpec(
            key=str(item["key"]),
            names=dict(item.get("names") or {}),
            descriptions=dict(item.get("descriptions") or {}),
            seed_terms=tuple(str(t) for t in item.get("seed_terms") or ()),
        )
        if spec.key in seen:
            raise ValueError(f"duplicate focus area key: {spec.key!r}")
        seen.add(spec.key)
        specs.append(spec)
    return specs


def load_default_focus_areas() -> list[FocusAreaSpec]:
    """The 18 default focus areas bundled in ``analysis/data/focus_areas.json``.

    The web app's database seed imports this function; keep its signature stable.
    """
    text = resources.files("analysis").joinpath("data/focus_areas.json").read_text("utf-8")
    return focus_areas_from_dicts(json.loads(text)["focus_areas"])


def area_keys(areas: Sequence[FocusAreaSpec]) -> list[str]:
    """The keys of ``areas`` in order."""
    return [a.key for a in areas]
