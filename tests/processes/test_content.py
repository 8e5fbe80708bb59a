"""Content is data: no county, strategy or region name in the templates or in the
catalogs' message ids (the home page's story lives in the processes' texts)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from participation.demo import TROMS_MEETINGS
from participation.processes.demo import TROMS_TEXTS, TRONDELAG_MEETINGS, TRONDELAG_TEXTS

ROOT = Path(__file__).resolve().parents[2]
# The counties and regional councils of the seed documents.
SEED_NAMES = ["Troms", "Trøndelag", "Buskerud", "Glåmdal", "Kongsvinger", "Trondheim"]


def _names() -> set[str]:
    names = set(SEED_NAMES)
    names |= {name for _, name, *_ in TROMS_MEETINGS} | {
        venue for _, _, venue, *_ in TROMS_MEETINGS
    }
    names |= {address for _, _, _, address, *_ in TROMS_MEETINGS}
    names |= {name for _, name, *_ in TRONDELAG_MEETINGS}
    names |= {address for _, _, _, address, _ in TRONDELAG_MEETINGS}
    names |= set(TROMS_TEXTS["titles"].values()) | set(TRONDELAG_TEXTS["titles"].values())
    return names


def _found(text: str) -> list[str]:
    return sorted(n for n in _names() if re.search(rf"(?i)\b{re.escape(n)}", text))


def test_no_county_strategy_or_region_name_in_the_templates():
    found = {
        str(path.relative_to(ROOT)): hits
        for path in (ROOT / "templates").rglob("*")
        if path.is_file() and (hits := _found(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_no_county_strategy_or_region_name_in_the_message_ids():
    with open(ROOT / "translations" / "messages.pot", "rb") as pot:
        catalog = read_po(pot)
    found = {}
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            if msgid and (hits := _found(msgid)):
                found[msgid] = hits
    assert found == {}
