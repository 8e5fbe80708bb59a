"""Focus areas are data: administrators add and edit them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation import audit
from participation.models import FocusArea, User


class FocusAreaError(Exception):
    pass


class KeyTaken(FocusAreaError):
    pass


@dataclass
class FocusAreaData:
    name_nb: str
    name_nn: str
    name_en: str
    description_nb: str = ""
    description_nn: str = ""
    description_en: str = ""
    seed_terms: list[str] = field(default_factory=list)
    position: int = 0
    active: bool = True


def parse_terms(raw: str) -> list[str]:
    """Seed terms from a text box: one per line or separated by commas; each once."""
    seen: list[str] = []
    for term in re.split(r"[,\n;]", raw or ""):
        term = " ".join(term.split()).lower()
        if term and term not in seen:
            seen.append(term)
    return seen


def list_focus_areas(session: Session) -> list[FocusArea]:
    return list(
        session.execute(select(FocusArea).order_by(FocusArea.position, FocusArea.key)).scalars()
    )


def _apply(area: FocusArea, data: FocusAreaData) -> list[str]:
    changed = []
    for name, value in vars(data).items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(area, name) != value:
            changed.append(name)
            setattr(area, name, value)
    return sorted(changed)


def create_focus_area(session: Session, actor: User, key: str, data: FocusAreaData) -> FocusArea:
    key = key.strip().lower()
    if session.execute(select(FocusArea.id).where(FocusArea.key == key)).first():
        raise KeyTaken()
    area = FocusArea(key=key, name_nb="", name_nn="", name_en="", seed_terms=[])
    _apply(area, data)
    session.add(area)
    session.flush()
    audit.record(session, actor, "focus_area.create", "focus_area", area.id, details={"key": key})
    return area


def update_focus_area(
    session: Session, actor: User, focus_area_id: int, data: FocusAreaData
) -> FocusArea:
    area = session.get(FocusArea, focus_area_id)
    if area is None:
        raise FocusAreaError("no such focus area")
    changed = _apply(area, data)
    session.flush()
    audit.record(
        session, actor, "focus_area.update", "focus_area", area.id, details={"changed": changed}
    )
    return area
