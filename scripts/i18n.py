"""Message catalogs: extract, update, fill, check and compile.

    python scripts/i18n.py update            # re-extract messages.pot, merge into nb/nn/en/se
    python scripts/i18n.py fill FILE.json    # add translations {msgid: {"nb": .., "nn": .., "se": ..}}
    python scripts/i18n.py missing           # list messages without nb, nn or se translation
    python scripts/i18n.py compile           # build the .mo files (done by the setup scripts)

For plurals, FILE.json maps the singular msgid to {"nb": [one, other], ...}; for se
[one, two, other] or [one, other] (two then takes the form of other).
English msgids are the English text, so the en catalog is filled from them.
All writes hold a lock, so several people can run this at the same time.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("nb", "nn", "en", "se")
# Catalogs translated by people (en is filled from the English msgids).
TRANSLATED = ("nb", "nn", "se")


@contextmanager
def locked():
    TRANSLATIONS.mkdir(exist_ok=True)
    with open(TRANSLATIONS / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def extract(output: Path) -> None:
    pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "lazy_gettext",
        "-k",
        "_l",
        "--no-location",
        "--omit-header",
        "--sort-output",
        "-o",
        str(output),
        ".",
    )


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def update() -> None:
    with locked():
        extract(POT)
        for locale in LOCALES:
            path = po_path(locale)
            if not path.exists():
                pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale)
            else:
                pybabel(
                    "update",
                    "-i",
                    str(POT),
                    "-d",
                    str(TRANSLATIONS),
                    "-l",
                    locale,
                    "--no-fuzzy-matching",
                    "--ignore-obsolete",
                )
        _fill_english()


def _load(locale: str):
    with open(po_path(locale), "rb") as fh:
        return read_po(fh, locale=locale)


def _save(locale: str, catalog) -> None:
    with open(po_path(locale), "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, ignore_obsolete=True)


def _fill_english() -> None:
    catalog = _load("en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(message.id)
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    _save("en", catalog)


def fill(path: str) -> None:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    with locked():
        for locale in TRANSLATED:
            catalog = _load(locale)
            for message in catalog:
                if not message.id:
                    continue
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                entry = data.get(key)
                if not entry or locale not in entry:
                    continue
                value = entry[locale]
                if isinstance(message.id, tuple):
                    forms = value if isinstance(value, list) else [value, value]
                    # Northern Sami has three forms (one, two, other); after "two" a noun
                    # takes the same form as after any other number, so [one, other] fills
                    # it when only two are given.
                    forms = forms + [forms[-1]] * (catalog.num_plurals - len(forms))
                    message.string = tuple(forms[: catalog.num_plurals])
                else:
                    message.string = value
                message.flags.discard("fuzzy")
            _save(locale, catalog)


def missing() -> list[tuple[str, str]]:
    gaps = []
    for locale in TRANSLATED:
        for message in _load(locale):
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings) or "fuzzy" in message.flags:
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                gaps.append((locale, key))
    return gaps


def compile_all() -> None:
    pybabel("compile", "-d", str(TRANSLATIONS), "--use-fuzzy", "-f")


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "update"
    if command == "update":
        update()
    elif command == "fill":
        fill(argv[1])
    elif command == "missing":
        gaps = missing()
        for locale, msgid in gaps:
            print(f"{locale}\t{msgid}")
        return 1 if gaps else 0
    elif command == "compile":
        compile_all()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
