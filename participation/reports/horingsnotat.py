"""The høringsnotat: the document the county council receives, generated from the data.

One builder (:func:`build`) walks the data once, in order, and tells a writer what
comes next (a heading, a paragraph, a table and its rows, a quote). Two writers:
:class:`DocxWriter` (python-docx, real heading styles and repeated table header
rows, so the document stays accessible and editable in Word) and
:class:`HtmlWriter` (escaped HTML for WeasyPrint's tagged PDF/UA-1). Inputs are read
in keyset batches (``figures.every_input``), so memory grows with the document, not
with anything else.

What is printed about people: a consultation response published with its writer's
consent is named by its organisation, else its name; the suggestion box is
"Anonym"; a workshop note is named by its meeting; nothing else. Texts are the
redacted ones (a published response's approved text). Headings are in the
report's language (``locale``), through the catalogs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Protocol

import nh3
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from participation import formatting
from participation.assessments import figures
from participation.consultation.markdown import render_markdown
from participation.consultation.service import list_drafts
from participation.labels import CATEGORY_LABELS, CHANNEL_LABELS, OUTCOME_LABELS
from participation.models import (
    ConsultationResponse,
    DraftSection,
    DraftStrategy,
    Input,
    InputChannel,
    Process,
    assessment_section,
)

QUOTES_PER_AREA = 3
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text: str | None) -> str:
    """Text any XML document can carry (Word and PDF both refuse control characters)."""
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n"))


def plain_comment(markdown: str | None) -> str:
    """The administration's Markdown comment as plain text (sanitised, tags dropped)."""
    if not markdown:
        return ""
    rendered = str(render_markdown(markdown))
    rendered = re.sub(r"</(p|li|blockquote|pre|tr)>", "\n", rendered)
    stripped = nh3.clean(rendered, tags=set())
    return printable(html.unescape(stripped)).strip()


def sender(item: Input) -> str:
    if item.channel == InputChannel.CONSULTATION_RESPONSE:
        return figures.sender_of(item) or gettext("Anonymous")
    if item.channel == InputChannel.WORKSHOP_NOTE and item.meeting is not None:
        return item.meeting.title
    return gettext("Anonymous")


def reference(item: Input) -> str:
    response = item.consultation_response
    return response.reference if response is not None else f"#{item.id}"


# ---------------------------------------------------------------- writers


class Writer(Protocol):
    def title(self, text: str, subtitle: str) -> None: ...
    def heading(self, level: int, text: str) -> None: ...
    def paragraph(self, text: str) -> None: ...
    def quote(self, text: str) -> None: ...
    def table(self, caption: str, header: Sequence[str]) -> None: ...
    def row(self, cells: Sequence[str]) -> None: ...
    def end_table(self) -> None: ...
    def save(self, target: str | IO[bytes]) -> None: ...


class DocxWriter:
    """Word: the built-in Title/Heading 1–3 styles (a navigable outline), tables in
    the "Table Grid" style whose first row repeats on every page as a header row."""

    def __init__(self, locale: str) -> None:
        from docx import Document

        self.doc = Document()
        self.doc.core_properties.language = {"nb": "nb-NO", "nn": "nn-NO"}.get(locale, locale)
        self._table = None

    def title(self, text: str, subtitle: str) -> None:
        self.doc.core_properties.title = text
        self.doc.add_heading(printable(text), level=0)
        self.doc.add_paragraph(printable(subtitle))

    def heading(self, level: int, text: str) -> None:
        self.doc.add_heading(printable(text), level=level)

    def paragraph(self, text: str) -> None:
        self.doc.add_paragraph(printable(text))

    def quote(self, text: str) -> None:
        self.doc.add_paragraph(printable(text), style="Quote")

    def table(self, caption: str, header: Sequence[str]) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        self.doc.add_paragraph(printable(caption), style="Caption")
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        first = table.rows[0]
        for cell, text in zip(first.cells, header, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(printable(text)).bold = True
        # w:tblHeader: the row is the table's header, repeated on each page and read
        # as column headings by assistive technology.
        properties = first._tr.get_or_add_trPr()
        marker = OxmlElement("w:tblHeader")
        marker.set(qn("w:val"), "true")
        properties.append(marker)
        self._table = table

    def row(self, cells: Sequence[str]) -> None:
        row = self._table.add_row()
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = printable(text)

    def end_table(self) -> None:
        self._table = None

    def save(self, target) -> None:
        self.doc.save(target)


PDF_CSS = """
@page { size: A4; margin: 2cm;
        @bottom-right { content: counter(page); font-size: 9pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.4; }
h1 { font-size: 20pt; } h2 { font-size: 14pt; margin-top: 1.4em; } h3 { font-size: 12pt; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; table-layout: fixed; }
caption { text-align: left; font-weight: bold; margin-bottom: .2em; }
th, td { border: 1px solid #555; padding: 3pt 4pt; vertical-align: top; text-align: left;
         overflow-wrap: break-word; }
table.inputs { font-size: 8.5pt; line-height: 1.3; }
table.inputs col.reference { width: 13%; } table.inputs col.sender { width: 15%; }
table.inputs col.extract { width: 38%; } table.inputs col.comment { width: 22%; }
table.inputs col.outcome { width: 12%; }
thead { display: table-header-group; }
blockquote { margin: .4em 1.2em; font-style: italic; white-space: pre-wrap; }
p { white-space: pre-wrap; overflow-wrap: break-word; }
"""
# A fixed table layout and break-word (not "anywhere"): WeasyPrint lays a 200-row table
# out in 2.5 s of CPU instead of 15 s (benchmarks/report.py). The tables of inputs get
# widths to suit their columns (a wide extract) and a smaller type: fewer, fuller pages.

# The input tables' five columns (see ``_build``), by their width classes.
INPUT_COLUMNS = ("reference", "sender", "extract", "comment", "outcome")
ROWS_PER_TABLE = 100  # a long table is printed as several, each with its header row
BLOCKS_PER_PART = 400  # rows, paragraphs and headings laid out by WeasyPrint at a time


class HtmlWriter:
    """Escaped HTML, rendered by WeasyPrint as tagged PDF/UA-1, in parts.

    A long table becomes several tables of ``rows_per_table`` rows, each with the
    header row and its caption ("… (continued)" after the first). Every
    ``blocks_per_part`` rows, paragraphs and headings, the HTML so far is laid out and
    written to a temporary file as one part (``reports/pdf.py``); the parts are
    joined into one tagged file at the end. A part ends only between tables or
    before a heading, and begins on a new page."""

    def __init__(
        self,
        locale: str,
        *,
        rows_per_table: int = ROWS_PER_TABLE,
        blocks_per_part: int = BLOCKS_PER_PART,
    ) -> None:
        from participation.reports.pdf import PartRenderer

        self.locale = locale
        self.parts: list[str] = []
        self._title = ""
        self._rows_per_table = rows_per_table
        self._blocks_per_part = blocks_per_part
        self._blocks = 0
        self._table: tuple[str, Sequence[str]] | None = None
        self._rows = 0
        self._renderer = PartRenderer()

    @staticmethod
    def _e(text: str) -> str:
        return html.escape(printable(text))

    def _add(self, markup: str) -> None:
        self.parts.append(markup)
        self._blocks += 1

    def _maybe_end_part(self) -> None:
        if self._blocks >= self._blocks_per_part:
            self._render_part()

    def title(self, text: str, subtitle: str) -> None:
        self._title = text
        self._add(f"<h1>{self._e(text)}</h1><p>{self._e(subtitle)}</p>")

    def heading(self, level: int, text: str) -> None:
        self._maybe_end_part()
        level = min(max(level, 1), 5) + 1  # h1 is the title
        self._add(f"<h{level}>{self._e(text)}</h{level}>")

    def paragraph(self, text: str) -> None:
        self._add(f"<p>{self._e(text)}</p>")

    def quote(self, text: str) -> None:
        self._add(f"<blockquote>{self._e(text)}</blockquote>")

    def _open_table(self, caption: str) -> None:
        header = self._table[1] if self._table is not None else []
        cells = "".join(f'<th scope="col">{self._e(h)}</th>' for h in header)
        wide = len(header) == len(INPUT_COLUMNS)
        columns = (
            "<colgroup>" + "".join(f'<col class="{c}">' for c in INPUT_COLUMNS) + "</colgroup>"
            if wide
            else ""
        )
        kind = ' class="inputs"' if wide else ""
        self._add(
            f"<table{kind}><caption>{self._e(caption)}</caption>"
            f"{columns}<thead><tr>{cells}</tr></thead><tbody>"
        )
        self._rows = 0

    def table(self, caption: str, header: Sequence[str]) -> None:
        self._maybe_end_part()
        self._table = (caption, list(header))
        self._open_table(caption)

    def row(self, cells: Sequence[str]) -> None:
        if self._table is not None and self._rows >= self._rows_per_table:
            self.parts.append("</tbody></table>")
            self._maybe_end_part()
            self._open_table(gettext("%(caption)s (continued)", caption=self._table[0]))
        self._rows += 1
        self._add("<tr>" + "".join(f"<td>{self._e(c)}</td>" for c in cells) + "</tr>")

    def end_table(self) -> None:
        self.parts.append("</tbody></table>")
        self._table = None

    def document(self, first_page: int = 1) -> str:
        """The HTML so far as one document whose pages are numbered from ``first_page``."""
        numbering = f"@page:first {{ counter-reset: page {first_page} }}"
        return (
            f'<!DOCTYPE html><html lang="{self.locale}"><head><meta charset="utf-8">'
            f"<title>{self._e(self._title)}</title><style>{PDF_CSS}{numbering}</style></head>"
            "<body>" + "".join(self.parts) + "</body></html>"
        )

    def _render_part(self) -> None:
        if not self.parts:
            return
        self._renderer.render(self.document(first_page=self._renderer.pages + 1))
        self.parts = []
        self._blocks = 0

    def save(self, target) -> None:
        self._render_part()
        self._renderer.save(target)


# ---------------------------------------------------------------- the builder


@dataclass
class ReportOptions:
    process_id: int  # the process reported on: nothing of another is read
    locale: str = "nb"
    organisation: str = ""
    today: date | None = None
    # Extra sections other domains contribute (priorities, a process's phases): each
    # is called with the writer at its place in the document.
    about: Callable[[Writer], None] | None = None
    priorities: Callable[[Writer], None] | None = None


Progress = Callable[[float, str], None]


def build(
    session: Session, writer: Writer, options: ReportOptions, progress: Progress | None = None
) -> None:
    """Write the whole høringsnotat into ``writer``, in ``options.locale``."""
    step = progress or (lambda fraction, stage: None)
    with force_locale(options.locale):
        _build(session, writer, options, step)


def _outcome(row) -> str:
    if row.assessment is None:
        return gettext("Not assessed")
    label = str(OUTCOME_LABELS.get(row.assessment.outcome, row.assessment.outcome))
    if row.assessment.state != "approved":
        label += " (" + gettext("draft") + ")"
    return label


def _build(session: Session, writer: Writer, options: ReportOptions, step: Progress) -> None:
    today = options.today or date.today()
    pid = options.process_id
    process = session.get(Process, pid)
    title = process.text("title", options.locale) if process is not None else ""
    writer.title(
        gettext("Consultation memo"),
        " · ".join(p for p in (title, options.organisation, formatting.date_medium(today)) if p),
    )

    # 1 About the process
    step(0.02, "about")
    writer.heading(1, gettext("About the process"))
    if process is not None:
        if summary := process.text("summary", options.locale):
            writer.paragraph(summary)
        for phase in process.phases:
            writer.paragraph(
                f"{phase.text('name', options.locale)}: {formatting.date_medium(phase.starts_on)}"
                f" – {formatting.date_medium(phase.ends_on)}"
            )
    if options.about is not None:
        options.about(writer)
    for draft in reversed(list_drafts(session, pid)):  # the earliest period first
        writer.paragraph(
            gettext(
                "Draft: %(title)s. Consultation from %(start)s to %(end)s.",
                title=draft.title,
                start=formatting.date_medium(draft.opens_at),
                end=formatting.date_medium(draft.closes_at),
            )
        )

    # 2 Participation
    step(0.05, "participation")
    p = figures.participation(session, pid)
    writer.heading(1, gettext("Participation"))
    writer.paragraph(ngettext("%(num)d input came in.", "%(num)d inputs came in.", p.total))
    writer.table(gettext("Inputs by channel"), [gettext("Channel"), gettext("Inputs")])
    for channel, n in figures.channel_counts(p):
        writer.row([str(CHANNEL_LABELS.get(channel, channel)), str(n)])
    writer.end_table()
    writer.table(
        gettext("Input meetings held"),
        [gettext("Meeting"), gettext("Date"), gettext("Signed up"), gettext("Attended")],
    )
    for m in p.meetings:
        writer.row(
            [
                m.meeting.title,
                formatting.date_short(m.meeting.starts_at),
                str(m.confirmed),
                str(m.attended) if m.attended is not None else gettext("Not recorded"),
            ]
        )
    writer.end_table()
    writer.table(gettext("Inputs by region"), [gettext("Region"), gettext("Inputs")])
    for name, n in p.by_region:
        writer.row([name or gettext("Not given"), str(n)])
    writer.end_table()
    writer.table(
        gettext("Inputs by respondent category"),
        [gettext("Respondent category"), gettext("Inputs")],
    )
    for key, n in p.by_category.items():
        writer.row([str(CATEGORY_LABELS.get(key, key)) if key else gettext("Not given"), str(n)])
    writer.end_table()

    # 3 Priorities
    step(0.1, "priorities")
    writer.heading(1, gettext("Priorities"))
    if options.priorities is not None:
        options.priorities(writer)
    else:
        writer.paragraph(gettext("No priorities were asked for."))

    # 4 What was said
    step(0.15, "said")
    writer.heading(1, gettext("What was said"))
    areas = figures.by_focus_area(session, pid, quotes=QUOTES_PER_AREA, approved_only=True)
    writer.table(
        gettext("Inputs by focus area"),
        [gettext("Focus area"), gettext("Inputs")] + [str(v) for v in OUTCOME_LABELS.values()],
    )
    for f in areas:
        writer.row(
            [f.area.name(options.locale), str(f.inputs)]
            + [str(f.outcomes.get(k, 0)) for k in OUTCOME_LABELS]
        )
    writer.end_table()
    for f in areas:
        if f.quotes:
            writer.heading(2, f.area.name(options.locale))
            writer.paragraph(ngettext("%(num)d input.", "%(num)d inputs.", f.inputs))
            for text in f.quotes:
                writer.quote(text)
    _themes(session, pid, writer)

    # 5 Inputs per draft section
    step(0.2, "sections")
    writer.heading(1, gettext("The inputs and their assessment"))
    header = [
        gettext("Reference"),
        gettext("Sender"),
        gettext("Extract"),
        gettext("Assessment"),
        gettext("Outcome"),
    ]
    sections = list(
        session.execute(
            select(DraftSection)
            .join(DraftStrategy, DraftStrategy.id == DraftSection.draft_id)
            .where(DraftStrategy.process_id == pid)
            .order_by(DraftSection.draft_id, DraftSection.position)
        ).scalars()
    )
    total = max(len(sections) + 1, 1)
    for index, section in enumerate(sections):
        condition = or_(
            Input.id.in_(
                select(assessment_section.c.input_id).where(
                    assessment_section.c.section_id == section.id
                )
            ),
            Input.consultation_response_id.in_(
                select(ConsultationResponse.id).where(ConsultationResponse.section_id == section.id)
            ),
        )
        rows = figures.every_input(session, pid, where=condition)
        first = next(rows, None)
        if first is None:
            continue
        writer.heading(2, section.label)
        writer.table(section.label, header)
        for row in _chain(first, rows):
            writer.row(_input_cells(row))
        writer.end_table()
        step(0.2 + 0.6 * (index + 1) / total, "sections")
    others = or_(
        Input.id.not_in(select(assessment_section.c.input_id)),
    ) & or_(
        Input.consultation_response_id.is_(None),
        Input.consultation_response_id.in_(
            select(ConsultationResponse.id).where(ConsultationResponse.section_id.is_(None))
        ),
    )
    rows = figures.every_input(session, pid, where=others)
    first = next(rows, None)
    if first is not None:
        title = gettext("Input not tied to a section")
        writer.heading(2, title)
        writer.table(title, header)
        for row in _chain(first, rows):
            writer.row(_input_cells(row))
        writer.end_table()

    # 6 Appendix
    step(0.85, "appendix")
    writer.heading(1, gettext("Appendix: the published consultation responses"))
    any_published = False
    responses = Input.consultation_response_id.is_not(None)
    for row in figures.every_input(session, pid, where=responses):
        response = row.input.consultation_response
        if response is None or not response.is_published:
            continue
        any_published = True
        scope = response.section.label if response.section else gettext("The whole draft")
        writer.heading(
            2, f"{response.reference} · {figures.sender_of(row.input) or gettext('Anonymous')}"
        )
        writer.paragraph(gettext("Concerns:") + " " + scope)
        writer.paragraph(response.published_text or row.input.redacted_text)
    if not any_published:
        writer.paragraph(gettext("No consultation response was published."))
    step(1.0, "done")


def _chain(first, rest):
    yield first
    yield from rest


def _input_cells(row) -> list[str]:
    item = row.input
    comment = plain_comment(row.assessment.comment) if row.assessment else ""
    return [
        reference(item),
        sender(item),
        figures.extract(figures.public_text(item)),
        comment,
        _outcome(row),
    ]


def _themes(session: Session, process_id: int, writer: Writer) -> None:
    from participation.insights.results import quotes_for
    from participation.insights.runs import latest_done_run

    run = latest_done_run(session, process_id)
    if run is None or not run.themes:
        return
    writer.heading(2, gettext("Themes found by the analysis"))
    writer.table(gettext("Themes"), [gettext("Theme"), gettext("Inputs")])
    for theme in run.themes:
        writer.row([", ".join(theme.label_words), str(theme.size)])
    writer.end_table()
    for theme in run.themes:
        published = _published_ids(session, theme.representative_ids[: QUOTES_PER_AREA * 2])
        quotes = quotes_for(session, published)
        if not quotes:
            continue
        writer.heading(3, ", ".join(theme.label_words))
        for text in list(quotes.values())[:QUOTES_PER_AREA]:
            writer.quote(text)


def _published_ids(session: Session, ids: Sequence[int]) -> list[int]:
    if not ids:
        return []
    return list(
        session.execute(
            select(Input.id).where(Input.id.in_(list(ids)), Input.status == "published")
        ).scalars()
    )


def write(
    session: Session,
    target: str | IO[bytes],
    fmt: str,
    options: ReportOptions,
    progress: Progress | None = None,
) -> None:
    """Build the report as ``fmt`` ("docx" or "pdf") into ``target``."""
    writer: Writer = DocxWriter(options.locale) if fmt == "docx" else HtmlWriter(options.locale)
    build(session, writer, options, progress)
    writer.save(target)
