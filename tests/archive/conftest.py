"""A closed consultation like the demo's, for the archive export: the demo draft
and its three responses from organisations, moved into the past, plus a private
person writing Nynorsk with two attachments and a business with one."""

from __future__ import annotations

import io
import types
from datetime import date, timedelta
from pathlib import Path

import pytest

from participation.archive import documents, noark, service

ROOT = Path(__file__).resolve().parents[2]
# Arkivverket's schemas as the project was given them; the package carries copies.
SHARED_SCHEMAS = ROOT.parent / "shared" / "noark5"
SCHEMA_DIR = SHARED_SCHEMAS if SHARED_SCHEMAS.is_dir() else noark.SCHEMA_DIR

PRIVATE_NAME = "Bjørn Åsmund Ærøy"
PRIVATE_EMAIL = "bjorn.aeroy@example.no"
PRIVATE_TEXT = (
    "Eg bur på Senja og meiner at strategien må seie meir om korleis småbrukarar og "
    "fiskarar kan leve av det dei driv med. Æ, ø og å skal kome med heile vegen."
)
BUSINESS_TEXT = (
    "Vi i Lyngen Reiseliv AS støtter satsingen på helårsturisme, men ber om at "
    "fylkeskommunen prioriterer besøksforvaltning i fjordene."
)


def pdf_with_text(text: str) -> bytes:
    """A small PDF made the way a respondent's word processor might (not PDF/A)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def closed_demo(app, session):
    """The demo consultation, closed a few weeks ago, with five responses."""
    from participation.consultation import service as consultation
    from participation.consultation.attachments import UploadedFile
    from participation.inputs import demo

    report = types.SimpleNamespace(created=[])
    draft = demo.seed_draft(session, report, date.today() - timedelta(days=60))
    demo.seed_responses(session, report, draft)
    upload_dir = app.config["UPLOAD_DIR"]
    private_files = [
        UploadedFile("Kart over beiteområde – Øyfjord.pdf", pdf_with_text("Kart")),
        UploadedFile(
            "vedlegg-pdfa.pdf",
            documents.render_pdf(
                '<html lang="nb"><body><p>Vedlegg i PDF/A, med æøå</p></body></html>'
            ),
        ),
    ]
    consultation.submit_response(
        session,
        draft.id,
        consultation.ResponseData(
            text=PRIVATE_TEXT,
            name=PRIVATE_NAME,
            email=PRIVATE_EMAIL,
            category="citizen",
            locale="nn",
            stance="partly",
        ),
        private_files,
        upload_dir=upload_dir,
        now=draft.opens_at + timedelta(hours=50),
        notify=False,
    )
    sections = {s.number: s.id for s in draft.sections}
    consultation.submit_response(
        session,
        draft.id,
        consultation.ResponseData(
            text=BUSINESS_TEXT,
            name="Kristin Lyngstad",
            email="kristin@lyngen-reiseliv.example.no",
            category="business",
            locale="nb",
            stance="support",
            organisation="Lyngen Reiseliv AS",
            org_number="974760673",
            section_id=next(iter(sections.values())),
        ),
        [UploadedFile("Innspill fra Lyngen.pdf", pdf_with_text("Lyngen"))],
        upload_dir=upload_dir,
        now=draft.opens_at + timedelta(hours=60),
        notify=False,
    )
    session.commit()
    return draft


@pytest.fixture
def settings():
    return service.ArchiveSettings(creator_name="Troms fylkeskommune", creator_id="974760673")


@pytest.fixture
def export(app, session, settings, tmp_path):
    """Export a draft into ``tmp_path/out/uttrekk`` (or ``out``) and commit."""

    def run(draft, out: Path | None = None, **kwargs):
        summary = service.export_consultation(
            session,
            draft,
            out or tmp_path / "out" / "uttrekk",
            upload_dir=app.config["UPLOAD_DIR"],
            settings=settings,
            **kwargs,
        )
        session.commit()
        return summary

    return run
