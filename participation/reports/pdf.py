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
    if isinstance(target, str) or hasattr(target, "__fspath__"):
        with open(target, "wb") as out:
            _Joiner(out).join(sources)
    else:
        _Joiner(target).join(sources)


# What each part's catalog has that the joined file has once, for the whole.
_CATALOG_OWN = ("/Pages", "/StructTreeRoot", "/Outlines", "/Names", "/Dests")
# Object numbers of what the joined file has once: the parts' own are left out.
_CATALOG, _PAGES, _TREE, _DOCUMENT, _PARENT_TREE, _OUTLINES, _INFO = range(1, 8)


class _Joiner:
    """Writes the joined PDF object by object: each part's objects are read with
    pypdf, renumbered (part object ``n`` becomes ``base + n``) and written at once,
    so only one part is in memory; what the parts each have once (catalog, page
    tree, structure tree root and its ``Document`` element, parent tree, outline,
    document information) is written once for the whole, at the end."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.offsets: dict[int, int] = {}
        self.next = _INFO + 1
        self.pages: list[int] = []
        self.kids: list = []
        self.numbers: list = []
        self.next_key = 0
        self.outline: list[tuple[int, str, list]] = []  # (level, title, destination)
        self.catalog = None
        self.document_extra = None
        self.info = None
        self.role_map = None

    # ------------------------------------------------------------ writing

    def _write(self, number: int, obj) -> None:
        self.offsets[number] = self.out.tell()
        self.out.write(f"{number} 0 obj\n".encode())
        obj.write_to_stream(self.out)
        self.out.write(b"\nendobj\n")

    def _renumber(self, obj, base: int):
        """``obj`` with every reference ``n`` made ``base + n`` (changed in place)."""
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

        if isinstance(obj, IndirectObject):
            # Not tied to the part's reader: what is kept for the end (parent tree,
            # bookmarks) must not keep a finished part's objects in memory.
            return IndirectObject(base + obj.idnum, 0, None)
        if isinstance(obj, DictionaryObject):  # streams too
            for key in list(obj.keys()):
                obj[key] = self._renumber(obj.raw_get(key), base)
        elif isinstance(obj, ArrayObject):
            for index, item in enumerate(obj):
                obj[index] = self._renumber(item, base)
        return obj

    def join(self, sources: list[IO[bytes]]) -> None:
        from pypdf import PdfReader

        self.out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        for part, source in enumerate(sources):
            source.seek(0)
            self._part(part, PdfReader(source))
        self._finish()

    # ------------------------------------------------------------ one part

    def _part(self, part: int, reader) -> None:
        from pypdf.generic import (
            ArrayObject,
            DictionaryObject,
            IndirectObject,
            NameObject,
            NumberObject,
            TextStringObject,
        )

        base = self.next
        numbers = set(reader.xref_objStm) | {n for table in reader.xref.values() for n in table}
        self.next = base + max(numbers) + 1
        trailer = reader.trailer
        catalog_ref = trailer.raw_get("/Root")
        catalog = catalog_ref.get_object()
        skip = {catalog_ref.idnum}
        if "/Info" in trailer:
            skip.add(trailer.raw_get("/Info").idnum)
            if self.info is None:
                self.info = self._renumber(DictionaryObject(trailer["/Info"]), base)
        pages_ref = catalog.raw_get("/Pages")
        skip.add(pages_ref.idnum)
        tree_ref = catalog.raw_get("/StructTreeRoot")
        tree = tree_ref.get_object()
        skip.add(tree_ref.idnum)
        top = tree.raw_get("/K")
        top = top[0] if isinstance(top, ArrayObject) else top
        skip.add(top.idnum)
        document = top.get_object()
        children = document.raw_get("/K")
        children = children if isinstance(children, ArrayObject) else [children]
        top_kids = {child.idnum for child in children if isinstance(child, IndirectObject)}
        self.kids.extend(
            IndirectObject(base + child.idnum, 0, None)
            for child in children
            if isinstance(child, IndirectObject)
        )
        # The parent tree: MCID owners per page, keys renumbered after the parts before.
        highest = -1
        stack = [tree.raw_get("/ParentTree")]
        while stack:
            node_ref = stack.pop()
            skip.add(node_ref.idnum)
            node = node_ref.get_object()
            stack.extend(node.get("/Kids", []))
            nums = node.get("/Nums", [])
            for index in range(0, len(nums), 2):
                key = int(nums[index])
                highest = max(highest, key)
                self.numbers.append(NumberObject(key + self.next_key))
                self.numbers.append(self._renumber(nums[index + 1], base))
        if "/Outlines" in catalog:
            self._outline(catalog.raw_get("/Outlines"), 0, base, skip)
        if self.catalog is None:
            kept = {k: catalog.raw_get(k) for k in catalog if k not in _CATALOG_OWN}
            self.catalog = self._renumber(DictionaryObject(kept), base)
            extra = DictionaryObject(
                {k: v for k, v in document.items() if k not in ("/K", "/P", "/Type", "/S")}
            )
            self.document_extra = self._renumber(extra, base)
            role_map = tree.raw_get("/RoleMap") if "/RoleMap" in tree else None
            self.role_map = self._renumber(role_map, base) if role_map is not None else None
        page_numbers = {page.indirect_reference.idnum for page in reader.pages}
        for number in sorted(numbers - skip):
            obj = reader.get_object(IndirectObject(number, 0, reader))
            if obj is None or (
                isinstance(obj, DictionaryObject) and obj.get("/Type") in ("/ObjStm", "/XRef")
            ):
                continue
            obj = self._renumber(obj, base)
            if number in page_numbers:
                obj[NameObject("/Parent")] = IndirectObject(_PAGES, 0, None)
                if "/StructParents" in obj:
                    obj[NameObject("/StructParents")] = NumberObject(
                        int(obj["/StructParents"]) + self.next_key
                    )
            elif isinstance(obj, DictionaryObject) and "/StructParent" in obj:
                obj[NameObject("/StructParent")] = NumberObject(
                    int(obj["/StructParent"]) + self.next_key
                )
            if isinstance(obj, DictionaryObject) and obj.get("/Type") == "/StructElem":
                if number in top_kids:
                    obj[NameObject("/P")] = IndirectObject(_DOCUMENT, 0, None)
                # IDs (the header cells a data cell names) unique in the whole file.
                if "/ID" in obj:
                    obj[NameObject("/ID")] = TextStringObject(f"p{part}-{obj['/ID']}")
                attributes = obj.raw_get("/A") if "/A" in obj else None
                for attribute in attributes if isinstance(attributes, list) else [attributes]:
                    if isinstance(attribute, DictionaryObject) and "/Headers" in attribute:
                        attribute[NameObject("/Headers")] = ArrayObject(
                            TextStringObject(f"p{part}-{h}") for h in attribute["/Headers"]
                        )
            self._write(base + number, obj)
        self.pages.extend(base + page.indirect_reference.idnum for page in reader.pages)
        self.next_key += highest + 1

    def _outline(self, ref, level: int, base: int, skip: set[int]) -> None:
        """Collect the part's bookmarks (title, level, destination), skipping their objects."""
        from pypdf.generic import ArrayObject

        skip.add(ref.idnum)
        node = ref.get_object()
        child = node.raw_get("/First") if "/First" in node else None
        while child is not None:
            skip.add(child.idnum)
            item = child.get_object()
            destination = item.get("/Dest")
            if isinstance(destination, ArrayObject):
                self.outline.append(
                    (level, item.get("/Title", ""), self._renumber(ArrayObject(destination), base))
                )
            if "/First" in item:
                self._outline(child, level + 1, base, skip)
            child = item.raw_get("/Next") if "/Next" in item else None

    # ------------------------------------------------------------ the whole

    def _finish(self) -> None:
        from pypdf.generic import (
            ArrayObject,
            BooleanObject,
            DictionaryObject,
            IndirectObject,
            NameObject,
            NumberObject,
        )

        def ref(number: int):
            return IndirectObject(number, 0, None)

        catalog = self.catalog if self.catalog is not None else DictionaryObject()
        catalog[NameObject("/Type")] = NameObject("/Catalog")
        catalog[NameObject("/Pages")] = ref(_PAGES)
        catalog[NameObject("/StructTreeRoot")] = ref(_TREE)
        catalog[NameObject("/MarkInfo")] = DictionaryObject(
            {NameObject("/Marked"): BooleanObject(True)}
        )
        outline_items = self._outline_objects(ref)
        if outline_items:
            catalog[NameObject("/Outlines")] = ref(_OUTLINES)
        self._write(_CATALOG, catalog)
        self._write(
            _PAGES,
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Pages"),
                    NameObject("/Kids"): ArrayObject(ref(n) for n in self.pages),
                    NameObject("/Count"): NumberObject(len(self.pages)),
                }
            ),
        )
        tree = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/StructTreeRoot"),
                NameObject("/K"): ArrayObject([ref(_DOCUMENT)]),
                NameObject("/ParentTree"): ref(_PARENT_TREE),
                NameObject("/ParentTreeNextKey"): NumberObject(self.next_key),
            }
        )
        if self.role_map is not None:
            tree[NameObject("/RoleMap")] = self.role_map
        self._write(_TREE, tree)
        document = DictionaryObject(self.document_extra or {})
        document.update(
            {
                NameObject("/Type"): NameObject("/StructElem"),
                NameObject("/S"): NameObject("/Document"),
                NameObject("/P"): ref(_TREE),
                NameObject("/K"): ArrayObject(self.kids),
            }
        )
        self._write(_DOCUMENT, document)
        self._write(
            _PARENT_TREE, DictionaryObject({NameObject("/Nums"): ArrayObject(self.numbers)})
        )
        for number, obj in outline_items:
            self._write(number, obj)
        self._write(_INFO, self.info if self.info is not None else DictionaryObject())
        self._xref(ref)

    def _outline_objects(self, ref) -> list:
        """The bookmarks as outline item objects under one outline root (``_OUTLINES``)."""
        from pypdf.generic import DictionaryObject, NameObject, NumberObject

        if not self.outline:
            return []
        numbers = list(range(self.next, self.next + len(self.outline)))
        self.next += len(self.outline)
        items = [
            DictionaryObject({NameObject("/Title"): title, NameObject("/Dest"): destination})
            for _level, title, destination in self.outline
        ]
        levels = [level for level, _title, _destination in self.outline]
        root = DictionaryObject({NameObject("/Type"): NameObject("/Outlines")})
        parents: list[tuple[int, int]] = [(-1, _OUTLINES)]  # (level, object number)
        last_child: dict[int, int] = {}
        counts: dict[int, int] = {}
        nodes = {_OUTLINES: root}
        for index, (number, item) in enumerate(zip(numbers, items, strict=True)):
            nodes[number] = item
            while parents[-1][0] >= levels[index]:
                parents.pop()
            parent = parents[-1][1]
            item[NameObject("/Parent")] = ref(parent)
            previous = last_child.get(parent)
            if previous is None:
                nodes[parent][NameObject("/First")] = ref(number)
            else:
                nodes[previous][NameObject("/Next")] = ref(number)
                item[NameObject("/Prev")] = ref(previous)
            nodes[parent][NameObject("/Last")] = ref(number)
            last_child[parent] = number
            for _level, ancestor in parents:
                counts[ancestor] = counts.get(ancestor, 0) + 1
            parents.append((levels[index], number))
        for number, count in counts.items():
            nodes[number][NameObject("/Count")] = NumberObject(count)
        return [(_OUTLINES, root), *zip(numbers, items, strict=True)]

    def _xref(self, ref) -> None:
        import hashlib

        from pypdf.generic import (
            ArrayObject,
            ByteStringObject,
            DictionaryObject,
            NameObject,
            NumberObject,
        )

        size = max(self.offsets) + 1
        start = self.out.tell()
        lines = [f"xref\n0 {size}\n", "0000000000 65535 f \n"]
        for number in range(1, size):
            offset = self.offsets.get(number)
            lines.append(
                f"{offset:010d} 00000 n \n" if offset is not None else "0000000000 00000 f \n"
            )
        self.out.write("".join(lines).encode())
        identifier = ByteStringObject(
            hashlib.md5(str(self.offsets[_CATALOG]).encode() + str(size).encode()).digest()
        )
        trailer = DictionaryObject(
            {
                NameObject("/Size"): NumberObject(size),
                NameObject("/Root"): ref(_CATALOG),
                NameObject("/Info"): ref(_INFO),
                NameObject("/ID"): ArrayObject([identifier, identifier]),
            }
        )
        self.out.write(b"trailer\n")
        trailer.write_to_stream(self.out)
        self.out.write(f"\nstartxref\n{start}\n%%EOF\n".encode())
