"""The archive copy of a consultation response: a PDF/A-2a document made by WeasyPrint
from HTML built with lxml (so every value is escaped), and what we can tell about an
attachment's format.

The document is a record, not interface: its labels are in Bokmål whatever language
the export is run in, like the Noark 5 vocabulary in the metadata beside it, so every
copy in an archive reads the same.
"""

from __future__ import annotations

import io
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree
from lxml.html import builder as E
from pypdf import PdfReader

from participation import formatting

OSLO = ZoneInfo("Europe/Oslo")

# Tagged PDF/A (level A): archival and readable with assistive technology.
PDF_VARIANT = "pdf/a-2a"
PDFA_FORMAT = "PDF/A-2a"
PDFA_DETAILS = "ISO 19005-2:2011, nivå A (PRONOM fmt/476)"

CATEGORY = {
    "citizen": "Privatperson",
    "business": "Næringsliv",
    "municipality": "Kommune",
    "county_state": "Fylkeskommune eller statlig virksomhet",
    "research_education": "FoU og utdanning",
    "organisation": "Organisasjon eller lag",
}
STANCE = {
    "support": "Støtter",
    "partly": "Støtter delvis",
    "oppose": "Imot",
    "none": "Ingen standpunkt",
}
WHOLE_DRAFT = "Hele utkastet"

CSS = """
@page { size: A4; margin: 2.2cm 2cm 2.4cm;
        @bottom-right { content: "Side " counter(page) " av " counter(pages);
                        font-size: 9pt; color: #333; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.45;
       color: #000; }
h1 { font-size: 17pt; margin: 0 0 .2em; }
.organisation { font-size: 10pt; margin: 0 0 1.2em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25em 1.2em; margin: 0 0 1.4em; }
dt { font-weight: bold; }
dd { margin: 0; }
h2 { font-size: 12pt; margin: 1.2em 0 .4em; border-bottom: 1px solid #444; }
.text { white-space: pre-wrap; overflow-wrap: break-word; }
"""


@dataclass(frozen=True)
class ResponseRecord:
    """What the archive copy of one response shows."""

    organisation_name: str  # the body that received it
    draft_title: str
    scope: str  # "1.2 Title" or WHOLE_DRAFT
    reference: str
    journalpost_id: str
    received_at: datetime
    name: str
    organisation: str | None
    org_number: str | None
    category: str
    stance: str
    may_publish: bool
    locale: str
    text: str
    attachments: tuple[str, ...]  # original file names


def oslo_datetime(value: datetime) -> str:
    return formatting.datetime_long(value, locale="nb")


def response_html(record: ResponseRecord) -> str:
    sender = record.organisation or record.name
    rows = [
        ("Høring", record.draft_title),
        ("Gjelder", record.scope),
        ("Avsender", sender),
    ]
    if record.organisation:
        rows.append(("Kontaktperson", record.name))
    if record.org_number:
        rows.append(("Organisasjonsnummer", record.org_number))
    rows += [
        ("Svarer som", CATEGORY.get(record.category, record.category)),
        ("Standpunkt", STANCE.get(record.stance, record.stance)),
        ("Mottatt", oslo_datetime(record.received_at)),
        ("Referanse", record.reference),
        ("Journalpost", record.journalpost_id),
        ("Kan publiseres", "Ja" if record.may_publish else "Nei"),
        ("Vedlegg", ", ".join(record.attachments) if record.attachments else "Ingen"),
    ]
    definitions = []
    for term, value in rows:
        definitions += [E.DT(term), E.DD(value)]
    title = f"Høringsinnspill fra {sender}"
    lang = record.locale if record.locale in {"nb", "nn", "en", "se"} else "nb"
    page = E.HTML(
        E.HEAD(
            E.META(charset="utf-8"),
            E.TITLE(title),
            E.META(name="author", content=sender),
            E.META(name="description", content=f"{record.draft_title}: {record.scope}"),
            E.STYLE(CSS),
        ),
        E.BODY(
            E.H1(title),
            E.P(record.organisation_name, E.CLASS("organisation")),
            E.DL(*definitions),
            E.H2("Innspill"),
            E.DIV(_printable(record.text), E.CLASS("text"), lang=lang),
        ),
        lang="nb",
    )
    return etree.tostring(page, encoding="unicode", method="html", doctype="<!DOCTYPE html>")


def _printable(text: str) -> str:
    # Control characters other than line breaks and tabs cannot be drawn.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text.replace("\r\n", "\n"))


@contextmanager
def _quiet_weasyprint():
    with warnings.catch_warnings():
        # WeasyPrint warns at import when the optional HarfBuzz-Subset library is
        # missing (it subsets fonts with fontTools instead), and leaves the file of
        # its sRGB output profile to the garbage collector; neither affects the PDF.
        warnings.filterwarnings("ignore", message=".*HarfBuzz-Subset", category=DeprecationWarning)
        warnings.simplefilter("ignore", ResourceWarning)
        yield


def font_configuration():
    """WeasyPrint's font set-up, to share between the documents of one export: a new
    one for each document keeps a fontconfig set alive each (about 0.2 MB a document)."""
    with _quiet_weasyprint():
        from weasyprint.text.fonts import FontConfiguration

        return FontConfiguration()


def render_pdf(html: str, font_config=None, *, variant: str = PDF_VARIANT, target=None):
    """HTML to PDF bytes (PDF/A-2a unless another ``variant``), or into ``target``."""
    with _quiet_weasyprint():
        import weasyprint

        return weasyprint.HTML(string=html).write_pdf(
            target, pdf_variant=variant, font_config=font_config
        )


def render_pdf_document(html: str, font_config=None, *, variant: str = PDF_VARIANT, target) -> int:
    """HTML to PDF into ``target``; returns the number of pages."""
    with _quiet_weasyprint():
        import weasyprint

        document = weasyprint.HTML(string=html).render(font_config=font_config, pdf_variant=variant)
        document.write_pdf(target, pdf_variant=variant)
        return len(document.pages)


def render_response(record: ResponseRecord, font_config=None) -> bytes:
    return render_pdf(response_html(record), font_config)


@dataclass(frozen=True)
class PdfFormat:
    format: str  # Noark 5 "format" (M701)
    details: str  # "formatDetaljer" (M702)
    archival: bool  # already PDF/A: "Arkivformat", else "Produksjonsformat"


_PDFAID = re.compile(rb"pdfaid:part\s*(?:=\s*[\"']|>)\s*(\d)", re.IGNORECASE)
_CONFORMANCE = re.compile(rb"pdfaid:conformance\s*(?:=\s*[\"']|>)\s*([abuefABUEF])")
_VERSION = re.compile(rb"%PDF-(\d\.\d)")


def pdf_format(data: bytes) -> PdfFormat:
    """What an attachment, kept as received, declares itself to be."""
    match = _VERSION.search(data[:1024])
    version = match.group(1).decode() if match else "?"
    xmp = b""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            metadata = PdfReader(io.BytesIO(data), strict=False).xmp_metadata
            if metadata is not None:
                xmp = metadata.stream.get_data()
    except Exception:  # pypdf raises many kinds; the file was checked on upload
        xmp = b""
    part, conformance = _PDFAID.search(xmp), _CONFORMANCE.search(xmp)
    if part and conformance:
        name = f"PDF/A-{part.group(1).decode()}{conformance.group(1).decode().lower()}"
        return PdfFormat(name, f"{name}, PDF {version}, slik den ble mottatt", True)
    return PdfFormat("PDF", f"PDF {version}, slik den ble mottatt", False)
