"""One name for one thing, in every catalog (issue 9, point 12)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
# The suggestion box is "innspillskasse" in Bokmål and "innspelskasse" in Nynorsk:
# never "innspillkasse" (without the linking s) or another spelling.
BOX = {"nb": "innspillskass", "nn": "innspelskass"}


def _strings(locale: str) -> list[str]:
    with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    out = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        out.extend(s for s in strings if s)
    return out


def test_the_suggestion_box_has_one_name_in_each_written_form():
    for locale, name in BOX.items():
        for text in _strings(locale):
            for word in re.findall(r"\w*kass\w*", text.lower()):
                assert word.startswith(name), (locale, word, text)
    # Nor is it "digital" in one place and plain in another.
    for locale in BOX:
        assert not [t for t in _strings(locale) if re.search(r"digitale? innsp", t.lower())]
