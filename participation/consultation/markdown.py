"""Markdown for draft strategies: safe rendering, and parsing a draft into sections.

Rendering: markdown-it-py (CommonMark, raw HTML disabled) and then nh3 with a
short allow-list, so neither raw HTML in the source nor a crafted link gets
through. No images: the pages load nothing from other hosts.

Parsing: headings become sections. A single leading ``#`` heading is the draft's
title and the text before the first section its introduction. Section numbers
are read from the heading ("1", "1.2", "1.2.3", with or without a trailing dot)
or assigned from the position in the tree; the anchor follows from the number
("1.2" → ``s-1-2``), so it stays the same when the draft is imported again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)


def render_markdown(source: str | None) -> Markup:
    """Sanitised HTML for ``source``; safe to put into a page as is."""
    if not source:
        return Markup("")
    html = _md.render(source)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return Markup(clean)


# ------------------------------------------------------------------ parsing a draft


class DraftFormatError(ValueError):
    """The Markdown cannot be turned into a draft; the message says why."""


_NUMBERED = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)\.?\s+(\S.*)$")
MAX_TITLE = 300


@dataclass
class ParsedSection:
    number: str
    level: int
    title: str
    body: str
    parent: int | None  # index into ParsedDraft.sections
    position: int

    @property
    def anchor(self) -> str:
        return anchor_for(self.number)


@dataclass
class ParsedDraft:
    title: str | None
    introduction: str
    sections: list[ParsedSection] = field(default_factory=list)


def anchor_for(number: str) -> str:
    return "s-" + number.replace(".", "-")


def _strip_trailing_hashes(text: str) -> str:
    return re.sub(r"\s+#+\s*$", "", text).strip()


def parse_draft_markdown(source: str) -> ParsedDraft:
    source = source.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = source.split("\n")
    tokens = _md.parse(source)
    headings: list[tuple[int, int, int, str]] = []  # (markdown level, first line, end line, text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.map:
            text = tokens[index + 1].content if index + 1 < len(tokens) else ""
            headings.append((int(token.tag[1]), token.map[0], token.map[1], text.strip()))

    title = None
    h1_count = sum(1 for h in headings if h[0] == 1)
    if headings and headings[0][0] == 1 and h1_count == 1:
        title = _strip_trailing_hashes(headings[0][3])
        intro_start = headings[0][2]
        headings = headings[1:]
    else:
        intro_start = 0
    intro_end = headings[0][1] if headings else len(lines)
    introduction = "\n".join(lines[intro_start:intro_end]).strip()
    if not headings:
        raise DraftFormatError("The file has no section headings (## …).")

    draft = ParsedDraft(title=title, introduction=introduction)
    stack: list[tuple[int, int]] = []  # (markdown level, section index)
    children: dict[int | None, int] = {}
    seen: dict[str, int] = {}
    for position, (md_level, first, end, raw) in enumerate(headings):
        next_start = headings[position + 1][1] if position + 1 < len(headings) else len(lines)
        body = "\n".join(lines[end:next_start]).strip()
        while stack and stack[-1][0] >= md_level:
            stack.pop()
        parent = stack[-1][1] if stack else None
        children[parent] = children.get(parent, 0) + 1

        text = _strip_trailing_hashes(raw)
        match = _NUMBERED.match(text)
        if match:
            number, heading = match.group(1), match.group(2).strip()
        else:
            prefix = draft.sections[parent].number + "." if parent is not None else ""
            number, heading = f"{prefix}{children[parent]}", text
        if not heading:
            raise DraftFormatError(f"The heading on line {first + 1} has no text.")
        if len(heading) > MAX_TITLE:
            raise DraftFormatError(
                f"The heading on line {first + 1} is longer than {MAX_TITLE} characters."
            )
        if number in seen:
            raise DraftFormatError(
                f"Two sections have the number {number} (lines {seen[number]} and {first + 1})."
            )
        seen[number] = first + 1
        draft.sections.append(
            ParsedSection(
                number=number,
                level=len(stack) + 1,
                title=heading,
                body=body,
                parent=parent,
                position=position,
            )
        )
        stack.append((md_level, len(draft.sections) - 1))
    return draft
