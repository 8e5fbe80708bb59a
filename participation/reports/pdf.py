"""A long tagged PDF made in parts: each part is laid out by WeasyPrint on its own
and written to a temporary file, then the parts are joined into one PDF/UA-1 file
whose structure tree holds every part's tree in order.

WeasyPrint keeps every page's layout in memory until the file is written (about
0.4 MB a page), so a høringsnotat of thousands of pages in one piece needs
gigabytes; in parts, only one part's pages are held at a time, and joining them
works on the finished PDF objects.

Joining keeps what makes the file accessible: the catalog's ``/Lang``,
``/MarkInfo``, ``/ViewerPreferences`` and XMP metadata (with the PDF/UA
identification) of the first part; one ``Document`` structure element whose kids
are the parts' elements in reading order; the parent tree, renumbered so each
page's ``/StructParents`` key is its own; the outline (bookmarks); and structure
element IDs (the table header cells a data cell names) made unique per part.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import IO

PDF_UA = "pdf/ua-1"


class PartRenderer:
    """Renders HTML documents one after another into temporary PDF files, numbering
    the pages on from the previous part."""

    def __init__(self) -> None:
        from participation.archive.documents import font_configuration

        self.font_config = font_configuration()
        self.files: list[IO[bytes]] = []
        self.pages = 0

    def render(self, html: str) -> None:
        from participation.archive.documents import render_pdf_document

        handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed in save)
        self.pages += render_pdf_document(html, self.font_config, variant=PDF_UA, target=handle)
        handle.seek(0)
        self.files.append(handle)

    def save(self, target: str | IO[bytes]) -> None:
        try:
            if len(self.files) == 1:
                _copy(self.files[0], target)
            else:
                join(self.files, target)
        finally:
            for handle in self.files:
                handle.close()
            self.files = []


def _copy(source: IO[bytes], target: str | IO[bytes]) -> None:
    source.seek(0)
    if isinstance(target, str) or hasattr(target, "__fspath__"):
        with open(target, "wb") as out:
            shutil.copyfileobj(source, out)
    else:
        shutil.copyfileobj(source, target)


def join(sources: list[IO[bytes]], target: str | IO[bytes]) -> None:
    """Join tagged PDFs (WeasyPrint's PDF/UA output) into one tagged PDF."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = PdfWriter()
    document = DictionaryObject(
        {NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Document")}
    )
    document_ref = writer._add_object(document)
    tree = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    tree_ref = writer._add_object(tree)
    kids = ArrayObject()
    numbers = ArrayObject()
    next_key = 0

    def adopt(ref, parent_ref, part: int) -> None:
        """Point an element (and its descendants) at its new parent; IDs per part."""
        stack = [(ref, parent_ref)]
        while stack:
            ref, parent_ref = stack.pop()
            element = ref.get_object()
            if not isinstance(element, DictionaryObject) or "/S" not in element:
                continue  # a marked-content reference or an MCID
            element[NameObject("/P")] = parent_ref
            if "/ID" in element:
                element[NameObject("/ID")] = TextStringObject(f"p{part}-{element['/ID']}")
            attributes = element.get("/A")
            for attribute in attributes if isinstance(attributes, list) else [attributes]:
                if isinstance(attribute, DictionaryObject) and "/Headers" in attribute:
                    attribute[NameObject("/Headers")] = ArrayObject(
                        TextStringObject(f"p{part}-{h}") for h in attribute["/Headers"]
                    )
            children = element.raw_get("/K") if "/K" in element else None
            if isinstance(children, ArrayObject):
                stack.extend((child, ref) for child in children if hasattr(child, "idnum"))
            elif children is not None and hasattr(children, "idnum"):
                stack.append((children, ref))

    for part, source in enumerate(sources):
        source.seek(0)
        reader = PdfReader(source)
        start = len(writer.pages)
        writer.append(reader, import_outline=True)
        catalog = reader.trailer["/Root"]
        if part == 0:
            for key in ("/Lang", "/ViewerPreferences", "/MarkInfo", "/Metadata"):
                if key in catalog:
                    value = catalog.raw_get(key)
                    writer._root_object[NameObject(key)] = value.clone(writer)
        structure = catalog["/StructTreeRoot"].get_object()
        top = structure["/K"]
        top = top[0] if isinstance(top, list) else top
        for child in top.get_object().raw_get("/K"):
            if not hasattr(child, "idnum"):
                continue
            new = child.clone(writer, ignore_fields=("/P",))
            adopt(new, document_ref, part)
            kids.append(new)
        parent_tree = structure["/ParentTree"].get_object()["/Nums"]
        highest = -1
        for index in range(0, len(parent_tree), 2):
            key = int(parent_tree[index])
            highest = max(highest, key)
            numbers.append(NumberObject(key + next_key))
            numbers.append(parent_tree[index + 1].clone(writer, ignore_fields=("/P",)))
        # pypdf leaves /StructParents out when it copies a page: put it back, renumbered.
        for page, original in zip(writer.pages[start:], reader.pages, strict=True):
            if "/StructParents" in original:
                page[NameObject("/StructParents")] = NumberObject(
                    int(original["/StructParents"]) + next_key
                )
        next_key += highest + 1
    document[NameObject("/K")] = kids
    document[NameObject("/P")] = tree_ref
    tree[NameObject("/K")] = ArrayObject([document_ref])
    tree[NameObject("/ParentTree")] = writer._add_object(
        DictionaryObject({NameObject("/Nums"): numbers})
    )
    tree[NameObject("/ParentTreeNextKey")] = NumberObject(next_key)
    writer._root_object[NameObject("/StructTreeRoot")] = tree_ref
    writer.write(target)
