"""The høringsnotat (.docx, tagged .pdf) and merknader.xlsx, read back from the files."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from participation.assessments import service
from participation.consultation import service as consultation
from participation.inputs import service as inputs
from participation.models import AuditEntry

COMMENT = 'Vi følger opp **sjømat** og =HYPERLINK("http://x") <script>alert(1)</script>.'


@pytest.fixture
def assessed(session, make_input, draft, make_response, make_meeting, reviewer, admin, focus_areas):
    lokalmat = focus_areas[0]
    box = make_input(
        "Lokalmat fra Nord-Troms bør få egen hylle i butikkene – også rømmegrøt og tørrfisk.",
        focus_area_ids=[lokalmat.id],
    )
    inputs.publish(session, admin, box.id)
    section = draft.sections[1]
    public = make_response(
        draft,
        section=section,
        organisation="Kystlaget Øst",
        name="Per Privatperson",
        text="Vi i Kystlaget Øst ønsker at sjømatnæringen løftes fram i strategien.",
    )
    consultation.approve_for_publication(
        session,
        public.id,
        "Vi i Kystlaget Øst ønsker at sjømatnæringen løftes fram.",
        approved_by_id=admin.id,
    )
    private = make_response(
        draft,
        section=section,
        may_publish=False,
        organisation=None,
        name="Åse Hemmelig",
        text="Jeg vil ikke bli nevnt, men mener at kompetanse er viktigst for oss.",
    )
    meeting = make_meeting(title="Innspillsmøte Sør-Troms")
    note = make_input(
        "Gruppe 2: bedre ferjesamband til øyene.", channel="workshop_note", meeting_id=meeting.id
    )
    session.commit()
    from participation.priorities import service as priorities

    priorities.submit(session, priorities.PriorityData([lokalmat.id, focus_areas[1].id]))
    priorities.submit(session, priorities.PriorityData([lokalmat.id]))
    ids = [box.id, public.input.id, private.input.id]
    service.draft(session, reviewer, ids, service.AssessmentData("partly", COMMENT, [section.id]))
    service.approve(session, admin, ids)
    service.draft(session, reviewer, [note.id], service.AssessmentData("noted", "Til orientering."))
    session.commit()
    return {
        "section": section.label,
        "public": public.input.id,
        "private": private.input.id,
        "note": note.id,
    }


def test_docx(runner, session, assessed, tmp_path):
    from docx import Document

    target = tmp_path / "høringsnotat.docx"
    result = runner.invoke(args=["report", "horingsnotat", "-o", str(target)])
    assert result.exit_code == 0, result.output
    doc = Document(str(target))
    headings = [
        (p.style.name, p.text)
        for p in doc.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    names = [text for _style, text in headings]
    assert ("Title", "Høringsnotat") in headings
    for expected in (
        "Om prosessen",
        "Medvirkning",
        "Prioriteringer",
        "Hva som ble sagt",
        "Innspillene og vurderingen av dem",
        "Vedlegg: de publiserte høringssvarene",
    ):
        assert ("Heading 1", expected) in headings, names
    assert ("Heading 2", assessed["section"]) in headings
    priorities = next(t for t in doc.tables if t.rows[0].cells[0].text == "Plass")
    assert [c.text for c in priorities.rows[1].cells] == ["1", "Lokalmat", "2", "100.0 %", "2"]
    assert "Bygger på 2 svar." in "\n".join(p.text for p in doc.paragraphs)
    text = "\n".join(p.text for p in doc.paragraphs)
    body = text + "\n" + "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "Lokalmat fra Nord-Troms" in body and "rømmegrøt og tørrfisk" in body
    # Names: the organisation of a response that may be published; never a private person.
    assert "Kystlaget Øst" in body
    assert "Per Privatperson" not in body and "Åse Hemmelig" not in body
    assert "Innspillsmøte Sør-Troms" in body  # workshop note named by its meeting
    assert "Anonym" in body
    # The comment: Markdown made plain text; the markup someone typed stays text.
    assert 'Vi følger opp sjømat og =HYPERLINK("http://x") <script>alert(1)</script>.' in body
    # The section's table: a real header row, repeated on each page.
    section_table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Referanse")
    assert [c.text for c in section_table.rows[0].cells] == [
        "Referanse",
        "Avsender",
        "Utdrag",
        "Vurdering",
        "Utfall",
    ]
    assert section_table.rows[0]._tr.trPr.xpath("./w:tblHeader")
    outcomes = {r.cells[4].text for r in section_table.rows[1:]}
    assert outcomes == {"Delvis tatt til følge"}
    # Appendix: the published response in full, not the private one.
    assert "Vi i Kystlaget Øst ønsker at sjømatnæringen løftes fram." in text
    assert "Jeg vil ikke bli nevnt" not in text
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "report.generate")
    ).scalar_one()
    assert entry.details == {"kind": "horingsnotat", "format": "docx"}


def test_docx_in_nynorsk(runner, assessed, tmp_path):
    from docx import Document

    target = tmp_path / "notat.docx"
    assert (
        runner.invoke(args=["report", "horingsnotat", "--lang", "nn", "-o", str(target)]).exit_code
        == 0
    )
    headings = {
        p.text for p in Document(str(target)).paragraphs if p.style.name.startswith("Heading")
    }
    assert "Medverknad" in headings and "Kva som vart sagt" in headings


def test_pdf_is_tagged_and_reads_in_order(runner, assessed, tmp_path):
    from pypdf import PdfReader

    target = tmp_path / "notat.pdf"
    result = runner.invoke(args=["report", "horingsnotat", "-o", str(target)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(str(target))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "nb"
    text = "\n".join(page.extract_text() for page in reader.pages)
    order = [
        "Høringsnotat",
        "Om prosessen",
        "Medvirkning",
        "Prioriteringer",
        "Hva som ble sagt",
        "Innspillene og vurderingen av dem",
        "Vedlegg: de publiserte høringssvarene",
    ]
    positions = [text.index(h) for h in order]
    assert positions == sorted(positions)
    assert "rømmegrøt" in text and "Kystlaget Øst" in text
    assert "Åse Hemmelig" not in text and "Per Privatperson" not in text


def test_merknader_xlsx_is_formula_safe(runner, assessed, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "merknader.xlsx"
    result = runner.invoke(args=["report", "merknader", "-o", str(target)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(str(target)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "Innspill" and "Utfall" in header
    assert len(rows) == 1 + 4
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    note = by_id[assessed["note"]]
    assert note["Vurdering"] == "Utkast" and note["Utfall"] == "Til orientering"
    public = by_id[assessed["public"]]
    assert public["Avsender"] == "Kystlaget Øst"
    assert by_id[assessed["private"]]["Avsender"] == "Anonym"
    comment = public["Administrasjonens kommentar"]
    assert comment.startswith("Vi følger opp sjømat")  # not a formula
    formulas = [c for r in sheet.iter_rows() for c in r if c.data_type == "f"]
    assert formulas == []
    assert any("rømmegrøt" in str(v) for r in rows for v in r)


def test_bad_output_names(runner, tmp_path):
    result = runner.invoke(args=["report", "horingsnotat", "-o", str(tmp_path / "x.txt")])
    assert result.exit_code != 0 and ".docx or .pdf" in result.output
    result = runner.invoke(args=["report", "merknader", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code != 0 and ".xlsx" in result.output
    result = runner.invoke(
        args=["report", "merknader", "-o", str(tmp_path / "no" / "such" / "x.xlsx")]
    )
    assert result.exit_code != 0


def test_report_from_the_back_office_as_a_job(client, session, assessed, reviewer, run_jobs):
    import io

    from docx import Document

    from tests.helpers import csrf_token, login

    login(client, reviewer)
    page = client.get("/admin/rapportar")
    assert page.status_code == 200
    refused = client.post(
        "/admin/rapportar",
        data={"csrf_token": csrf_token(page.text), "report": "odt", "language": "nb"},
    )
    assert refused.status_code == 422
    response = client.post(
        "/admin/rapportar",
        data={"csrf_token": csrf_token(page.text), "report": "docx", "language": "nn"},
    )
    assert response.status_code == 303
    job_url = response.headers["Location"]
    assert run_jobs() == 1
    status = client.get(job_url + "/status").get_json()
    assert status["status"] == "done" and status["percent"] == 100
    download = client.get(status["download_url"])
    assert download.status_code == 200
    headings = {p.text for p in Document(io.BytesIO(download.data)).paragraphs}
    assert "Høyringsnotat" in headings and "Medverknad" in headings


def test_a_long_pdf_is_laid_out_in_parts_and_joined_into_one_tagged_file(app, tmp_path):
    """Small parts and tables force the joining: the result reads in order and its
    structure tree, parent tree, header IDs and bookmarks hold together."""
    from flask_babel import force_locale
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject

    from participation.reports.horingsnotat import HtmlWriter

    writer = HtmlWriter("nb", rows_per_table=20, blocks_per_part=40)
    with force_locale("nb"):
        writer.title("Høringsnotat", "Troms fylkeskommune")
        writer.heading(1, "Innspillene og vurderingen av dem")
        writer.table("Havnæringene", ["Referanse", "Avsender", "Utdrag", "Vurdering", "Utfall"])
        for n in range(90):
            writer.row([f"#{n}", "Anonym", "Lokalmat og sjømat æøå " * 4, "Følges opp.", "Tatt"])
        writer.end_table()
        writer.heading(1, "Vedlegg: de publiserte høringssvarene")
        writer.paragraph("Siste avsnitt.")
    target = tmp_path / "deler.pdf"
    writer.save(str(target))
    reader = PdfReader(str(target))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nb" and bool(root["/MarkInfo"]["/Marked"])
    assert b"pdfuaid" in root["/Metadata"].get_data()
    text = "\n".join(page.extract_text() for page in reader.pages)
    positions = [text.index(s) for s in ("Høringsnotat", "#0 ", "#89 ", "Siste avsnitt.")]
    assert positions == sorted(positions)
    assert text.count("Havnæringene (fortsettelse)") == 4  # 90 rows, 20 a table
    # Page numbers run on across the parts.
    assert reader.pages[-1].extract_text().rstrip().endswith(str(len(reader.pages)))
    # One Document element; every page's marked content is owned by elements on it.
    tree = root["/StructTreeRoot"]
    (document,) = tree["/K"]
    assert document["/S"] == "/Document"
    keys = [page["/StructParents"] for page in reader.pages]
    assert len(set(keys)) == len(keys) == len(reader.pages)
    nums = tree["/ParentTree"]["/Nums"]
    owners = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    assert int(tree["/ParentTreeNextKey"]) > max(owners)
    for page in reader.pages:
        for element in owners[page["/StructParents"]]:
            assert element.get_object().raw_get("/Pg").idnum == page.indirect_reference.idnum
    # Every element's parent is the element that lists it; header IDs unique and named.
    ids, headers, tables, stack = [], [], 0, [(document.get_object(), None)]
    while stack:
        element, parent = stack.pop()
        if parent is not None:
            assert element["/P"] is parent
        tables += element["/S"] == "/Table"
        ids += [element["/ID"]] if "/ID" in element else []
        attributes = element.get("/A")
        for a in attributes if isinstance(attributes, ArrayObject) else [attributes]:
            if isinstance(a, DictionaryObject) and "/Headers" in a:
                headers += list(a["/Headers"])
        kids = element.get("/K")
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, DictionaryObject) and "/S" in kid:
                stack.append((kid, element))
    assert tables >= 5  # (WeasyPrint tags a table broken over pages once per page)
    assert len(ids) == len(set(ids)) and set(headers) <= set(ids)
    titles = []
    outline = list(reader.outline)
    while outline:
        item = outline.pop(0)
        if isinstance(item, list):
            outline = item + outline
        else:
            titles.append(item.title)
    assert titles[0] == "Høringsnotat" and "Vedlegg: de publiserte høringssvarene" in titles
