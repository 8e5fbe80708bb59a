"""The Noark 5 arkivuttrekk of a closed consultation: valid against Arkivverket's
schemas, checksums and sizes that match the files, a public journal without private
persons' names, real PDF/A documents, and journalpost IDs that stay put."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

import pytest
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import func, select

from participation.archive import noark, service
from participation.consultation import attachments as files
from participation.models import ConsultationResponse, utcnow
from tests.archive.conftest import (
    BUSINESS_TEXT,
    PRIVATE_EMAIL,
    PRIVATE_NAME,
    PRIVATE_TEXT,
    SCHEMA_DIR,
    SHARED_SCHEMAS,
)

A = "{http://www.arkivverket.no/standarder/noark5/arkivstruktur}"
ADDML = "{http://www.arkivverket.no/standarder/addml}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

MAIN_SCHEMAS = {
    "arkivstruktur.xml": "arkivstruktur.xsd",
    "loependeJournal.xml": "loependeJournal.xsd",
    "offentligJournal.xml": "offentligJournal.xsd",
    "arkivuttrekk.xml": "addml.xsd",
}


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / name)))


def responses(session) -> list[ConsultationResponse]:
    session.expire_all()
    return list(
        session.execute(
            select(ConsultationResponse).order_by(
                ConsultationResponse.created_at, ConsultationResponse.id
            )
        ).scalars()
    )


def journalposts(tree) -> list:
    return [r for r in tree.iter(f"{A}registrering") if r.get(XSI_TYPE) == "journalpost"]


def text_of(element, name: str) -> str | None:
    child = element.find(f"{A}{name}")
    return child.text if child is not None else None


def test_every_file_validates_against_the_noark5_schemas(closed_demo, export, tmp_path):
    summary = export(closed_demo)
    out = summary.directory
    assert out == tmp_path / "out" / "uttrekk"
    for xml_name, xsd_name in MAIN_SCHEMAS.items():
        validator = schema(xsd_name)
        document = etree.parse(str(out / xml_name))
        assert validator.validate(document), (xml_name, list(validator.error_log)[:5])
    # The uttrekk carries the schemas it was written against, unchanged.
    for name in noark.SCHEMA_FILES:
        assert (out / name).read_bytes() == (SCHEMA_DIR / name).read_bytes(), name


def test_the_package_carries_arkivverkets_schemas_unchanged():
    if not SHARED_SCHEMAS.is_dir():
        pytest.skip("../shared/noark5 (the schemas as given) is not beside this checkout")
    for name in noark.SCHEMA_FILES:
        assert (noark.SCHEMA_DIR / name).read_bytes() == (SHARED_SCHEMAS / name).read_bytes()


def test_arkivstruktur_holds_one_journalpost_per_response(closed_demo, export, session):
    summary = export(closed_demo)
    tree = etree.parse(str(summary.directory / "arkivstruktur.xml"))
    arkiv = tree.getroot()
    assert arkiv.tag == f"{A}arkiv"
    arkivdel = arkiv.find(f"{A}arkivdel")
    klasse = arkivdel.find(f"{A}klassifikasjonssystem/{A}klasse")
    folders = klasse.findall(f"{A}mappe")
    assert [f.get(XSI_TYPE) for f in folders] == ["saksmappe"]
    folder = folders[0]
    assert text_of(folder, "tittel") == f"Høring: {closed_demo.title}"

    held = responses(session)
    posts = journalposts(tree)
    assert len(posts) == len(held) == summary.journalposts == 5
    by_id = {text_of(p, "registreringsID"): p for p in posts}
    for response in held:
        post = by_id[response.journalpost_id]
        assert text_of(post, "journalposttype") == "Inngående dokument"
        assert text_of(post, "mottattDato").startswith(
            response.created_at.astimezone(noark.OSLO).strftime("%Y-%m-%dT%H:%M")
        )
        part = post.find(f"{A}korrespondansepart")
        assert text_of(part, "korrespondanseparttype") == "Avsender"
        assert text_of(part, "korrespondansepartNavn") == (response.organisation or response.name)
        assert text_of(part, "epostadresse") == response.email
        assert int(text_of(post, "antallVedlegg")) == len(response.attachments)
        descriptions = post.findall(f"{A}dokumentbeskrivelse")
        assert [text_of(d, "tilknyttetRegistreringSom") for d in descriptions] == [
            "Hoveddokument"
        ] + ["Vedlegg"] * len(response.attachments)
        assert [text_of(d, "tittel") for d in descriptions[1:]] == [
            a.original_filename for a in response.attachments
        ]
        main = descriptions[0].find(f"{A}dokumentobjekt")
        assert text_of(main, "format") == "PDF/A-2a"
        assert text_of(main, "variantformat") == "Arkivformat"
        assert text_of(main, "sjekksumAlgoritme") == "SHA-256"


def test_checksums_and_sizes_match_the_files(closed_demo, export):
    out = export(closed_demo).directory
    tree = etree.parse(str(out / "arkivstruktur.xml"))
    objects = list(tree.iter(f"{A}dokumentobjekt"))
    assert len(objects) == 5 + 3  # five responses, three attachments
    for obj in objects:
        path = out / text_of(obj, "referanseDokumentfil")
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == text_of(obj, "sjekksum")
        assert len(data) == int(text_of(obj, "filstoerrelse"))

    # ADDML lists every file of the uttrekk but itself, each with its checksum.
    addml = etree.parse(str(out / "arkivuttrekk.xml"))
    listed = {}
    for file_prop in addml.iter(f"{ADDML}property"):
        if file_prop.get("name") != "file":
            continue
        props = {p.get("name"): p for p in file_prop.find(f"{ADDML}properties") if p.get("name")}
        name = props["name"].findtext(f"{ADDML}value")
        checksum = {
            p.get("name"): p.findtext(f"{ADDML}value")
            for p in props["checksum"].find(f"{ADDML}properties")
        }
        assert checksum["algorithm"] == "SHA-256"
        listed[name] = (checksum["value"], int(props["size"].findtext(f"{ADDML}value")))
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} - {
        "arkivuttrekk.xml"
    }
    assert set(listed) == on_disk
    for name, (checksum, size) in listed.items():
        data = (out / name).read_bytes()
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (checksum, size), name
    assert len([n for n in listed if n.startswith("dokumenter/")]) == 8


def test_the_public_journal_leaves_out_private_persons(closed_demo, export, session):
    out = export(closed_demo).directory
    public = (out / "offentligJournal.xml").read_text(encoding="utf-8")
    running = (out / "loependeJournal.xml").read_text(encoding="utf-8")
    for part in PRIVATE_NAME.split():
        assert part not in public
    assert PRIVATE_NAME in running
    # Organisations are named; contact people and e-mail addresses never are.
    for organisation in ("Senja Sjømat AS", "Nordreisa kommune", "Lyngen Reiseliv AS"):
        assert organisation in public
    for name in ("Kari Nordmann", "Ola Hansen", "Kristin Lyngstad", "Áile Somby"):
        assert name not in public and name not in running
    for response in responses(session):
        assert response.email not in public and response.email not in running
    assert "Privatperson" in public
    assert "Høringsinnspill fra privatperson" in public

    tree = etree.parse(str(out / "loependeJournal.xml"))
    ns = "{http://www.arkivverket.no/standarder/noark5/loependeJournal}"
    screened = [
        part.findtext(f"{ns}skjermingMetadata")
        for part in tree.iter(f"{ns}korrespondansepart")
        if part.findtext(f"{ns}korrespondansepartNavn") == PRIVATE_NAME
    ]
    assert screened == ["korrespondansepartNavn"]


def test_documents_are_pdfa_whose_text_extracts(closed_demo, export, session):
    out = export(closed_demo).directory
    by_text = {r.text: r for r in responses(session)}
    private = by_text[PRIVATE_TEXT]
    business = by_text[BUSINESS_TEXT]
    for response in (private, business):
        data = (out / "dokumenter" / response.reference / "innspill.pdf").read_bytes()
        assert data.startswith(b"%PDF-")
        reader = PdfReader(io.BytesIO(data))
        text = " ".join(page.extract_text() for page in reader.pages)
        flat = re.sub(r"\s+", " ", text)
        assert re.sub(r"\s+", " ", response.text) in flat
        assert response.name in flat and response.journalpost_id in flat
        assert response.reference in flat and "æ" in flat
        xmp = reader.xmp_metadata.stream.get_data()
        assert re.search(rb'pdfaid:part="2"', xmp) and re.search(rb'pdfaid:conformance="A"', xmp)
        catalog = reader.trailer["/Root"]
        assert "/OutputIntents" in catalog and "/StructTreeRoot" in catalog  # tagged
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                descendant = (
                    font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
                )
                descriptor = descendant["/FontDescriptor"].get_object()
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), (
                    "font not embedded"
                )
    assert (
        "Lyngen Reiseliv AS"
        in PdfReader(out / "dokumenter" / business.reference / "innspill.pdf")
        .pages[0]
        .extract_text()
    )


def test_attachments_are_kept_as_received(app, closed_demo, export, session):
    out = export(closed_demo).directory
    tree = etree.parse(str(out / "arkivstruktur.xml"))
    formats = {
        text_of(obj, "referanseDokumentfil"): (
            text_of(obj, "format"),
            text_of(obj, "variantformat"),
        )
        for obj in tree.iter(f"{A}dokumentobjekt")
    }
    seen = 0
    for response in responses(session):
        for n, attachment in enumerate(response.attachments, start=1):
            copy = out / "dokumenter" / response.reference / f"vedlegg-{n}.pdf"
            original = files.path_of(app.config["UPLOAD_DIR"], attachment.stored_name)
            assert copy.read_bytes() == original.read_bytes()
            seen += 1
            fmt = formats[str(copy.relative_to(out))]
            if attachment.original_filename == "vedlegg-pdfa.pdf":
                assert fmt == ("PDF/A-2a", "Arkivformat")
            else:
                assert fmt == ("PDF", "Produksjonsformat")
    assert seen == 3


def test_responses_are_marked_archived_and_keep_their_ids(closed_demo, export, session, tmp_path):
    first_time = utcnow().replace(microsecond=0)
    summary = export(closed_demo, now=first_time)
    held = responses(session)
    assert summary.newly_archived == 5
    assert [r.journalpost_id for r in held] == [
        f"{service.folder_id(closed_demo)}-{n}" for n in range(1, 6)
    ]
    assert all(r.archived_at == first_time for r in held)
    ids = [r.journalpost_id for r in held]

    # Again, into the same folder and into another: nothing changes in the database.
    again = export(closed_demo, now=first_time + timedelta(days=1))
    assert again.newly_archived == 0 and again.journalpost_ids == ids
    export(closed_demo, out=tmp_path / "kopi", now=first_time + timedelta(days=2))
    held = responses(session)
    assert [r.journalpost_id for r in held] == ids
    assert all(r.archived_at == first_time for r in held)
    # No staging or old folders left behind.
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["uttrekk"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]

    # Reopened, a late response comes in and is given the next number.
    from participation.consultation import service as consultation

    closed_demo.closes_at = utcnow() + timedelta(days=1)
    session.commit()
    late = consultation.submit_response(
        session,
        closed_demo.id,
        consultation.ResponseData(
            text="Et sent innspill om reiseliv og kystkultur i Nord-Troms.",
            name="Per Sen",
            email="per@example.no",
            category="citizen",
            locale="nb",
        ),
        upload_dir="",
        notify=False,
    )
    session.commit()
    with pytest.raises(service.ConsultationNotClosed):
        export(closed_demo)
    closed_demo.closes_at = utcnow() - timedelta(minutes=1)
    session.commit()
    summary = export(closed_demo)
    assert summary.newly_archived == 1 and summary.journalposts == 6
    session.refresh(late)
    assert late.journalpost_id == f"{service.folder_id(closed_demo)}-6"
    assert [r.journalpost_id for r in responses(session)][:5] == ids
    tree = etree.parse(str(summary.directory / "arkivstruktur.xml"))
    assert [text_of(p, "registreringsID") for p in journalposts(tree)] == ids + [
        late.journalpost_id
    ]
    assert schema("arkivstruktur.xsd").validate(tree)


def test_progress_is_reported(closed_demo, export):
    seen = []
    export(closed_demo, progress=lambda done, total, stage: seen.append((done, total, stage)))
    assert seen[0] == (1, 9, "documents")
    assert [s for s in seen if s[2] == "documents"][-1] == (5, 9, "documents")
    assert seen[-1] == (9, 9, "metadata")
    assert [done for done, _, _ in seen] == sorted(done for done, _, _ in seen)


def archived_count(session) -> int:
    session.expire_all()
    return session.scalar(
        select(func.count(ConsultationResponse.id)).where(
            ConsultationResponse.archived_at.is_not(None)
        )
    )


def test_a_missing_attachment_stops_the_export_with_nothing_written(
    app, closed_demo, export, session, tmp_path
):
    victim = next(r for r in responses(session) if r.attachments)
    files.path_of(app.config["UPLOAD_DIR"], victim.attachments[0].stored_name).unlink()
    with pytest.raises(service.AttachmentMissing) as caught:
        export(closed_demo)
    assert caught.value.reference == victim.reference
    # Neither the uttrekk nor its staging folder.
    assert list((tmp_path / "out").iterdir()) == []
    assert archived_count(session) == 0


def test_open_consultation_unknown_slug_and_no_responses_are_refused(
    export, session, closed_demo, tmp_path
):
    with pytest.raises(service.DraftNotFound):
        export("finst-ikkje")
    closed_demo.closes_at = utcnow() + timedelta(days=3)
    session.commit()
    with pytest.raises(service.ConsultationNotClosed):
        export(closed_demo)
    assert not (tmp_path / "out").exists()
    assert archived_count(session) == 0


def test_a_consultation_without_responses_is_refused(export, session, tmp_path):
    from participation.consultation import service as consultation

    draft = consultation.import_markdown(
        session,
        "# Tom høring\n\n## 1 Del\n",
        opens_at=utcnow() - timedelta(days=30),
        closes_at=utcnow() - timedelta(days=1),
    )
    session.commit()
    with pytest.raises(service.NoResponses):
        export(draft)
    assert not (tmp_path / "out").exists()


def test_the_target_must_be_new_empty_or_an_earlier_export(closed_demo, export, tmp_path, session):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notat.txt").write_text("viktig")
    with pytest.raises(service.OutputNotEmpty):
        export(closed_demo, out=foreign)
    assert [p.name for p in foreign.iterdir()] == ["notat.txt"]

    a_file = tmp_path / "fil"
    a_file.write_text("x")
    with pytest.raises(service.OutputNotWritable):
        export(closed_demo, out=a_file)
    with pytest.raises(service.OutputNotWritable):
        export(closed_demo, out=a_file / "under")
    assert archived_count(session) == 0

    empty = tmp_path / "tom"
    empty.mkdir()
    assert export(closed_demo, out=empty).directory == empty
    assert (empty / "arkivstruktur.xml").is_file()


def test_an_export_is_audited(closed_demo, export, session):
    from participation.models import AuditEntry

    export(closed_demo)
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "archive.export")
    ).scalar_one()
    assert entry.object_type == "draft" and entry.object_id == str(closed_demo.id)
    assert entry.details == {"journalposts": 5, "newly_archived": 5}
    assert PRIVATE_EMAIL not in str(entry.details)


def test_files_on_disk_are_named_by_reference(closed_demo, export, session):
    out = export(closed_demo).directory
    folders = sorted(p.name for p in (out / "dokumenter").iterdir())
    assert folders == sorted(r.reference for r in responses(session))


def test_an_uttrekk_that_does_not_validate_is_not_written(
    closed_demo, export, session, tmp_path, monkeypatch
):
    """The safety net for a bug: the schema check runs before anything is moved into place."""
    build = noark.arkivstruktur

    def without_a_required_element(uttrekk):
        tree = build(uttrekk)
        first = tree.getroot().find(f"{A}arkivdel/{A}arkivdelstatus")
        first.getparent().remove(first)
        return tree

    monkeypatch.setattr(noark, "arkivstruktur", without_a_required_element)
    with pytest.raises(service.InvalidUttrekk) as caught:
        export(closed_demo)
    assert caught.value.name == "arkivstruktur"
    assert any("arkivdelstatus" in e or "opprettetDato" in e for e in caught.value.errors)
    assert list((tmp_path / "out").iterdir()) == []
    assert archived_count(session) == 0
