"""The message catalogs are complete and up to date with the code.

Uses the functions of ``scripts/i18n.py`` (the same extraction options the
team runs), so this test and the script can never disagree.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
i18n = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(i18n)

FIX = (
    "Run `.venv/bin/python scripts/i18n.py update`, translate (scripts/i18n.py fill FILE.json) "
    "and compile."
)


def _msgids(path) -> set:
    with open(path, "rb") as fh:
        return {message.id for message in read_po(fh) if message.id}


def test_every_message_has_a_bokmal_nynorsk_and_northern_sami_translation():
    gaps = i18n.missing()
    assert not gaps, f"untranslated or fuzzy messages ({len(gaps)}): {gaps[:20]} … {FIX}"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    i18n.extract(pot)
    return _msgids(pot)


def test_template_is_up_to_date_with_the_code(extracted):
    committed = _msgids(i18n.POT)
    assert extracted - committed == set(), f"messages missing from messages.pot. {FIX}"
    assert committed - extracted == set(), f"messages.pot has messages no longer used. {FIX}"


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_each_catalog_is_merged_with_the_template(extracted, locale):
    in_catalog = _msgids(i18n.po_path(locale))
    assert extracted - in_catalog == set(), f"{locale} catalog lacks messages. {FIX}"
    assert in_catalog - extracted == set(), f"{locale} catalog has obsolete messages. {FIX}"


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_translations_keep_their_placeholders(locale):
    """A translation that drops or renames %(name)s breaks at render time."""
    with open(i18n.po_path(locale), "rb") as fh:
        catalog = read_po(fh, locale=locale)
    problems = [
        (message.id, [str(error) for error in errors]) for message, errors in catalog.check()
    ]
    assert not problems, problems
