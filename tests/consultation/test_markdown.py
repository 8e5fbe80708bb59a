"""Markdown: safe rendering and parsing a draft into numbered sections."""

from __future__ import annotations

import pytest

from participation.consultation.markdown import (
    DraftFormatError,
    parse_draft_markdown,
    render_markdown,
)
from tests.helpers import DRAFT_MD


@pytest.mark.parametrize(
    "source, forbidden",
    [
        ("Hei <script>alert(1)</script>", "<script"),
        ('<img src="https://evil.example/x.png" onerror="alert(1)">', "<img"),
        ("![bilde](https://evil.example/x.png)", "<img"),
        ("[klikk](javascript:alert(1))", 'href="javascript'),
        ('<a href="https://x.example" onclick="steal()">x</a>', "<a "),
        ("<iframe src=https://evil.example></iframe>", "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
        ('[x](https://ok.example "t")', "<script"),
    ],
)
def test_no_raw_html_or_script_gets_through(source, forbidden):
    html = str(render_markdown(source))
    assert forbidden not in html


def test_markdown_is_rendered():
    html = str(render_markdown("**fet** og *kursiv*\n\n- en\n- to\n\n[lenke](https://troms.no)"))
    assert "<strong>fet</strong>" in html and "<em>kursiv</em>" in html
    assert "<li>en</li>" in html
    assert '<a href="https://troms.no" rel="noopener noreferrer">lenke</a>' in html
    assert str(render_markdown("")) == "" and str(render_markdown(None)) == ""


def test_draft_is_parsed_into_numbered_nested_sections():
    draft = parse_draft_markdown(DRAFT_MD)
    assert draft.title == "Næringsstrategi for Testfylket"
    assert draft.introduction == "Innledning med **fet** tekst."
    rows = [(s.number, s.level, s.title, s.anchor) for s in draft.sections]
    assert rows == [
        ("1", 1, "Havnæringene", "s-1"),
        ("1.1", 2, "Delmål: Mer foredling", "s-1-1"),
        ("1.1.1", 3, "Styrke kompetansen i foredlingsbedriftene", "s-1-1-1"),
        ("1.1.2", 3, "Bedre arealplanlegging i sjø", "s-1-1-2"),
        ("2", 1, "Reiseliv", "s-2"),
        ("2.1", 2, "Delmål: Helårs reiseliv", "s-2-1"),
    ]
    parents = [
        draft.sections[s.parent].number if s.parent is not None else None for s in draft.sections
    ]
    assert parents == [None, "1", "1.1", "1.1", None, "2"]
    assert draft.sections[0].body == "Om havet."


def test_numbers_are_assigned_when_headings_have_none():
    draft = parse_draft_markdown(
        "## Målområde A\n\ntekst\n\n### Strategi\n\n### Strategi to\n\n## Målområde B\n"
    )
    assert draft.title is None
    assert [(s.number, s.anchor) for s in draft.sections] == [
        ("1", "s-1"),
        ("1.1", "s-1-1"),
        ("1.2", "s-1-2"),
        ("2", "s-2"),
    ]


def test_numbers_written_like_the_seed_are_read():
    draft = parse_draft_markdown(
        "# T\n\n## 1. Delmål: X\n\n### 1.1. Strategi\n\n### 1.2 Strategi\n"
    )
    assert [s.number for s in draft.sections] == ["1", "1.1", "1.2"]
    assert draft.sections[1].title == "Strategi"


def test_headings_inside_code_blocks_are_not_sections():
    draft = parse_draft_markdown("# T\n\n## 1 Del\n\n```\n## ikke en overskrift\n```\n")
    assert len(draft.sections) == 1
    assert "## ikke en overskrift" in draft.sections[0].body


@pytest.mark.parametrize(
    "source, message",
    [
        ("Bare tekst, ingen overskrifter.", "no section headings"),
        ("# Bare tittel\n\ntekst", "no section headings"),
        ("## 1 En\n\n## 1 En igjen\n", "Two sections have the number 1"),
    ],
)
def test_bad_drafts_are_refused_with_a_reason(source, message):
    with pytest.raises(DraftFormatError, match=message):
        parse_draft_markdown(source)
