"""Noark 5 version 3.1 arkivuttrekk as XML, built with lxml and checked against
Arkivverket's schemas (copies of ``../shared/noark5/`` in ``schemas/``).

Plain data in, element trees out; nothing here touches the database or the disk
except ``validate``, which reads the schemas. Element order follows the XSDs,
including v3.1's quirk that a type's extension elements come after its base type's
children: a saksmappe's registreringer precede its saksaar, a journalpost's
dokumentbeskrivelser precede its registreringsID.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from lxml import etree

OSLO = ZoneInfo("Europe/Oslo")
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_ARKIVSTRUKTUR = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
NS_LOEPENDE = "http://www.arkivverket.no/standarder/noark5/loependeJournal"
NS_OFFENTLIG = "http://www.arkivverket.no/standarder/noark5/offentligJournal"
NS_ADDML = "http://www.arkivverket.no/standarder/addml"

ARKIVSTRUKTUR = "arkivstruktur"
LOEPENDE_JOURNAL = "loependeJournal"
OFFENTLIG_JOURNAL = "offentligJournal"
ARKIVUTTREKK = "arkivuttrekk"

# The XML files of an uttrekk, their namespaces and main schemas.
SCHEMAS = {
    ARKIVSTRUKTUR: (NS_ARKIVSTRUKTUR, "arkivstruktur.xsd"),
    LOEPENDE_JOURNAL: (NS_LOEPENDE, "loependeJournal.xsd"),
    OFFENTLIG_JOURNAL: (NS_OFFENTLIG, "offentligJournal.xsd"),
    ARKIVUTTREKK: (NS_ADDML, "addml.xsd"),
}
# Every schema an uttrekk carries (metadatakatalog.xsd is imported by the others).
SCHEMA_FILES = (
    "addml.xsd",
    "arkivstruktur.xsd",
    "metadatakatalog.xsd",
    "loependeJournal.xsd",
    "offentligJournal.xsd",
)

SHA256 = "SHA-256"


# ------------------------------------------------------------------ the data


@dataclass(frozen=True)
class DocumentFile:
    """A dokumentbeskrivelse with its one dokumentobjekt."""

    system_id: str
    number: int  # dokumentnummer, 1 for the Hoveddokument
    role: str  # tilknyttetRegistreringSom: "Hoveddokument" or "Vedlegg"
    document_type: str  # dokumenttype
    title: str
    path: str  # referanseDokumentfil, relative to the uttrekk
    format: str
    format_details: str
    variant: str  # variantformat: "Arkivformat" or "Produksjonsformat"
    sha256: str
    size: int
    created_at: datetime


@dataclass(frozen=True)
class Sender:
    """The korrespondansepart who sent a response."""

    name: str  # the organisation, or the person's name
    public_name: str  # what the public journal shows
    is_private: bool  # a private person: the name stays out of the public journal
    contact_person: str | None
    email: str | None


@dataclass(frozen=True)
class Journalpost:
    system_id: str
    registration_id: str  # registreringsID, stored as the response's journalpost_id
    year: int  # journalaar
    sequence: int  # journalsekvensnummer
    number: int  # journalpostnummer within the saksmappe
    title: str
    public_title: str
    author: str
    received_at: datetime
    archived_at: datetime
    sender: Sender
    documents: tuple[DocumentFile, ...]

    @property
    def attachments(self) -> int:
        return sum(1 for d in self.documents if d.role == "Vedlegg")


@dataclass(frozen=True)
class Case:
    """The saksmappe for one consultation."""

    system_id: str
    folder_id: str  # mappeID "2026/3"
    year: int  # saksaar
    sequence: int  # sakssekvensnummer
    title: str
    public_title: str
    case_date: date
    created_at: datetime
    closed_at: datetime
    unit: str  # administrativEnhet
    owner: str  # saksansvarlig
    journalposts: tuple[Journalpost, ...]


@dataclass(frozen=True)
class Uttrekk:
    archive_id: str  # systemID of arkiv
    part_id: str  # arkivdel
    classification_id: str  # klassifikasjonssystem
    class_system_id: str  # klasse
    class_id: str  # klasseID
    class_title: str
    title: str
    part_title: str
    description: str
    creator_id: str
    creator_name: str
    system_name: str
    actor: str  # opprettetAv, avsluttetAv, arkivertAv …
    created_at: datetime
    exported_at: datetime
    period_start: date
    period_end: date
    case: Case


@dataclass(frozen=True)
class FileEntry:
    """A file of the uttrekk as ADDML lists it."""

    name: str  # path relative to the uttrekk
    sha256: str
    size: int
    format: str = "XML"
    format_version: str | None = "1.0"


# ------------------------------------------------------------------ helpers


def dt(value: datetime) -> str:
    """xs:dateTime in Oslo time with its offset, to the second."""
    return value.astimezone(OSLO).replace(microsecond=0).isoformat()


def d(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    return value.isoformat()


class _Builder:
    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def root(self, name: str, schema: str) -> etree._Element:
        root = etree.Element(f"{{{self.ns}}}{name}", nsmap={None: self.ns, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", f"{self.ns} {schema}")
        return root

    def el(self, parent: etree._Element, tag: str, text: object = None, **attrs):
        element = etree.SubElement(parent, f"{{{self.ns}}}{tag}", attrs)
        if text is not None:
            element.text = str(text)
        return element

    def stamp(self, parent: etree._Element, event: str, at: datetime, actor: str) -> None:
        """Noark's pair for an event: ``<event>Dato`` (date and time) and ``<event>Av``."""
        self.el(parent, f"{event}Dato", dt(at))
        self.el(parent, f"{event}Av", actor)

    def typed(self, parent: etree._Element, tag: str, xsi_type: str) -> etree._Element:
        element = self.el(parent, tag)
        element.set(f"{{{XSI}}}type", xsi_type)
        return element


# ------------------------------------------------------------------ arkivstruktur.xml


def _closed(b: _Builder, unit: etree._Element, u: Uttrekk, status_tag: str, status: str) -> None:
    """The archive and its part alike: closed by this export, electronic, created and
    closed when it was made, by whom made it."""
    b.el(unit, status_tag, status)
    b.el(unit, "dokumentmedium", "Elektronisk arkiv")
    b.stamp(unit, "opprettet", u.created_at, u.actor)
    b.stamp(unit, "avsluttet", u.exported_at, u.actor)


def arkivstruktur(u: Uttrekk) -> etree._ElementTree:
    b = _Builder(NS_ARKIVSTRUKTUR)
    arkiv = b.root("arkiv", "arkivstruktur.xsd")
    b.el(arkiv, "systemID", u.archive_id)
    b.el(arkiv, "tittel", u.title)
    b.el(arkiv, "beskrivelse", u.description)
    _closed(b, arkiv, u, "arkivstatus", "Avsluttet")
    skaper = b.el(arkiv, "arkivskaper")
    b.el(skaper, "arkivskaperID", u.creator_id)
    b.el(skaper, "arkivskaperNavn", u.creator_name)

    arkivdel = b.el(arkiv, "arkivdel")
    b.el(arkivdel, "systemID", u.part_id)
    b.el(arkivdel, "tittel", u.part_title)
    _closed(b, arkivdel, u, "arkivdelstatus", "Avsluttet periode")
    b.el(arkivdel, "arkivperiodeStartDato", d(u.period_start))
    b.el(arkivdel, "arkivperiodeSluttDato", d(u.period_end))

    system = b.el(arkivdel, "klassifikasjonssystem")
    b.el(system, "systemID", u.classification_id)
    b.el(system, "tittel", u.class_title)
    b.stamp(system, "opprettet", u.created_at, u.actor)
    klasse = b.el(system, "klasse")
    b.el(klasse, "systemID", u.class_system_id)
    b.el(klasse, "klasseID", u.class_id)
    b.el(klasse, "tittel", u.class_title)
    b.stamp(klasse, "opprettet", u.created_at, u.actor)

    case = u.case
    mappe = b.typed(klasse, "mappe", "saksmappe")
    b.el(mappe, "systemID", case.system_id)
    b.el(mappe, "mappeID", case.folder_id)
    b.el(mappe, "tittel", case.title)
    b.el(mappe, "offentligTittel", case.public_title)
    b.el(mappe, "dokumentmedium", "Elektronisk arkiv")
    b.stamp(mappe, "opprettet", case.created_at, u.actor)
    b.stamp(mappe, "avsluttet", case.closed_at, u.actor)
    for post in case.journalposts:
        _journalpost(b, mappe, post, u.actor)
    # saksmappe's own elements, after the base type's registreringer
    b.el(mappe, "saksaar", case.year)
    b.el(mappe, "sakssekvensnummer", case.sequence)
    b.el(mappe, "saksdato", d(case.case_date))
    b.el(mappe, "administrativEnhet", case.unit)
    b.el(mappe, "saksansvarlig", case.owner)
    b.el(mappe, "saksstatus", "Avsluttet")
    return etree.ElementTree(arkiv)


def _journalpost(b: _Builder, mappe, post: Journalpost, actor: str) -> None:
    reg = b.typed(mappe, "registrering", "journalpost")
    # registrering
    b.el(reg, "systemID", post.system_id)
    b.stamp(reg, "opprettet", post.received_at, actor)
    b.stamp(reg, "arkivert", post.archived_at, actor)
    for document in post.documents:
        _dokumentbeskrivelse(b, reg, document, post, actor)
    # basisregistrering
    b.el(reg, "registreringsID", post.registration_id)
    b.el(reg, "tittel", post.title)
    b.el(reg, "offentligTittel", post.public_title)
    b.el(reg, "forfatter", post.author)
    b.el(reg, "dokumentmedium", "Elektronisk arkiv")
    # journalpost
    b.el(reg, "journalaar", post.year)
    b.el(reg, "journalsekvensnummer", post.sequence)
    b.el(reg, "journalpostnummer", post.number)
    b.el(reg, "journalposttype", "Inngående dokument")
    b.el(reg, "journalstatus", "Arkivert")
    b.el(reg, "journaldato", d(post.archived_at))
    b.el(reg, "dokumentetsDato", d(post.received_at))
    b.el(reg, "mottattDato", dt(post.received_at))
    b.el(reg, "antallVedlegg", post.attachments)
    part = b.el(reg, "korrespondansepart")
    b.el(part, "korrespondanseparttype", "Avsender")
    b.el(part, "korrespondansepartNavn", post.sender.name)
    if post.sender.email:
        b.el(part, "epostadresse", post.sender.email)
    if post.sender.contact_person:
        b.el(part, "kontaktperson", post.sender.contact_person)


def _dokumentbeskrivelse(b: _Builder, reg, document: DocumentFile, post, actor: str) -> None:
    desc = b.el(reg, "dokumentbeskrivelse")
    b.el(desc, "systemID", document.system_id)
    b.el(desc, "dokumenttype", document.document_type)
    b.el(desc, "dokumentstatus", "Dokumentet er ferdigstilt")
    b.el(desc, "tittel", document.title)
    b.el(desc, "forfatter", post.author)
    b.stamp(desc, "opprettet", document.created_at, actor)
    b.el(desc, "dokumentmedium", "Elektronisk arkiv")
    b.el(desc, "tilknyttetRegistreringSom", document.role)
    b.el(desc, "dokumentnummer", document.number)
    b.stamp(desc, "tilknyttet", post.archived_at, actor)
    obj = b.el(desc, "dokumentobjekt")
    b.el(obj, "versjonsnummer", 1)
    b.el(obj, "variantformat", document.variant)
    b.el(obj, "format", document.format)
    b.el(obj, "formatDetaljer", document.format_details)
    b.stamp(obj, "opprettet", document.created_at, actor)
    b.el(obj, "referanseDokumentfil", document.path)
    b.el(obj, "sjekksum", document.sha256)
    b.el(obj, "sjekksumAlgoritme", SHA256)
    b.el(obj, "filstoerrelse", document.size)


# ------------------------------------------------------------------ the journals


def loepende_journal(u: Uttrekk) -> etree._ElementTree:
    """The full running journal: names included, the screened fields marked."""
    return _journal(u, public=False)


def offentlig_journal(u: Uttrekk) -> etree._ElementTree:
    """The public journal: no private person's name, public titles only."""
    return _journal(u, public=True)


def _journal(u: Uttrekk, *, public: bool) -> etree._ElementTree:
    b = _Builder(NS_OFFENTLIG if public else NS_LOEPENDE)
    name = OFFENTLIG_JOURNAL if public else LOEPENDE_JOURNAL
    root = b.root(name, SCHEMAS[name][1])
    posts = u.case.journalposts
    head = b.el(root, "journalhode")
    b.el(head, "journalStartDato", d(min(p.archived_at for p in posts)))
    b.el(head, "journalSluttDato", d(max(p.archived_at for p in posts)))
    b.el(head, "seleksjon", f"Saksmappe {u.case.folder_id}: {u.case.public_title}")
    b.el(head, "antallJournalposter", len(posts))
    skaper = b.el(head, "arkivskaper")
    b.el(skaper, "arkivskaperID", u.creator_id)
    b.el(skaper, "arkivskaperNavn", u.creator_name)
    for post in posts:
        entry = b.el(root, "journalregistrering")
        klasse = b.el(entry, "klasse")
        b.el(klasse, "klasseID", u.class_id)
        b.el(klasse, "tittel", u.class_title)
        mappe = b.el(entry, "saksmappe")
        b.el(mappe, "saksaar", u.case.year)
        b.el(mappe, "sakssekvensnummer", u.case.sequence)
        if not public:
            b.el(mappe, "tittel", u.case.title)
        b.el(mappe, "offentligTittel", u.case.public_title)
        jp = b.el(entry, "journalpost")
        b.el(jp, "systemID", post.system_id)
        b.el(jp, "journalaar", post.year)
        b.el(jp, "journalsekvensnummer", post.sequence)
        b.el(jp, "journalpostnummer", post.number)
        if not public:
            b.el(jp, "tittel", post.title)
        b.el(jp, "offentligTittel", post.public_title)
        if not public and post.sender.is_private:
            b.el(jp, "skjermingMetadata", "tittel")
        b.el(jp, "journaldato", d(post.archived_at))
        b.el(jp, "dokumentetsDato", d(post.received_at))
        part = b.el(jp, "korrespondansepart")
        b.el(part, "korrespondanseparttype", "Avsender")
        if public:
            b.el(part, "korrespondansepartNavn", post.sender.public_name)
        else:
            b.el(part, "korrespondansepartNavn", post.sender.name)
            if post.sender.is_private:
                b.el(part, "skjermingMetadata", "korrespondansepartNavn")
    return etree.ElementTree(root)


# ------------------------------------------------------------------ arkivuttrekk.xml (ADDML)


def _property(b: _Builder, parent, name: str, value: object = None, data_type: str | None = None):
    attrs = {"name": name}
    if data_type:
        attrs["dataType"] = data_type
    prop = b.el(parent, "property", **attrs)
    if value is not None:
        b.el(prop, "value", value)
    return prop


def _file_properties(b: _Builder, parent, entry: FileEntry) -> None:
    file_prop = _property(b, parent, "file")
    props = b.el(file_prop, "properties")
    _property(b, props, "name", entry.name)
    fmt = _property(b, props, "format", entry.format)
    if entry.format_version:
        _property(b, b.el(fmt, "properties"), "version", entry.format_version)
    _property(b, props, "size", entry.size, "integer")
    checksum = b.el(_property(b, props, "checksum"), "properties")
    _property(b, checksum, "algorithm", SHA256)
    _property(b, checksum, "value", entry.sha256)


def _schema_properties(b: _Builder, parent, entry: FileEntry, main: bool) -> None:
    schema = _property(b, parent, "schema", "main" if main else None)
    props = b.el(schema, "properties")
    _file_properties(b, props, entry)
    kind = _property(b, props, "type", "XML Schema")
    _property(b, b.el(kind, "properties"), "version", "1.0")


def addml(
    u: Uttrekk,
    xml_files: dict[str, FileEntry],
    schemas: dict[str, FileEntry],
    documents: list[FileEntry],
) -> etree._ElementTree:
    """``arkivuttrekk.xml``: what the uttrekk holds, every file with its SHA-256.

    ``xml_files`` by name (``arkivstruktur`` …), ``schemas`` by file name.
    Follows Arkivverket's ADDML template for Noark 5 uttrekk, with the document
    files listed as a dataObject of their own.
    """
    b = _Builder(NS_ADDML)
    root = b.root("addml", "addml.xsd")
    root.set("name", "Noark 5-arkivuttrekk")
    dataset = b.el(root, "dataset")
    b.el(dataset, "description", f"Noark 5-arkivuttrekk: {u.part_title}")
    reference = b.el(dataset, "reference")

    context = b.el(b.el(reference, "context"), "additionalElements")
    creators = b.el(context, "additionalElement", name="recordCreators")
    creator = b.el(b.el(creators, "additionalElements"), "additionalElement", name="recordCreator")
    b.el(creator, "value", u.creator_name)
    for element_name, value in (
        ("systemType", "Sakarkiv (Noark-5)"),
        ("systemName", u.system_name),
        ("archive", u.title),
    ):
        b.el(b.el(context, "additionalElement", name=element_name), "value", value)

    content = b.el(b.el(reference, "content"), "additionalElements")
    period = b.el(content, "additionalElement", name="archivalPeriod")
    period_props = b.el(period, "properties")
    _property(b, period_props, "startDate", d(u.period_start))
    _property(b, period_props, "endDate", d(u.period_end))

    objects = b.el(dataset, "dataObjects")
    uttrekk = b.el(objects, "dataObject", name="Noark 5-arkivuttrekk")
    info = b.el(_property(b, b.el(uttrekk, "properties"), "info"), "properties")
    kind = _property(b, info, "type", "Noark 5")
    _property(b, b.el(kind, "properties"), "version", "v3.1")
    extra = b.el(_property(b, info, "additionalInfo"), "properties")
    private = any(p.sender.is_private for p in u.case.journalposts)
    for name, value, data_type in (
        ("inneholderSkjermetInformasjon", str(private).lower(), "boolean"),
        ("omfatterDokumenterSomErKassert", "false", "boolean"),
        ("inneholderDokumenterSomSkalKasseres", "false", "boolean"),
        ("inneholderVirksomhetsspesifikkeMetadata", "false", "boolean"),
        ("antallDokumentfiler", len(documents), "integer"),
    ):
        _property(b, extra, name, value, data_type)

    children = b.el(uttrekk, "dataObjects")
    counts = {
        ARKIVSTRUKTUR: (("mappe", 1), ("registrering", len(u.case.journalposts))),
        LOEPENDE_JOURNAL: (("journalregistrering", len(u.case.journalposts)),),
        OFFENTLIG_JOURNAL: (("journalregistrering", len(u.case.journalposts)),),
    }
    for name, occurrences in counts.items():
        item = b.el(children, "dataObject", name=name)
        props = b.el(item, "properties")
        _file_properties(b, props, xml_files[name])
        main_schema = SCHEMAS[name][1]
        _schema_properties(b, props, schemas[main_schema], main=True)
        _schema_properties(b, props, schemas["metadatakatalog.xsd"], main=False)
        info = b.el(_property(b, props, "info"), "properties")
        for element, number in occurrences:
            occurrence = _property(b, info, "numberOfOccurrences", element)
            occurrence_props = b.el(occurrence, "properties")
            _property(b, occurrence_props, "elementPath", f"//{element}")
            _property(b, occurrence_props, "value", number, "integer")

    folder = b.el(children, "dataObject", name="dokumenter")
    _property(b, b.el(folder, "properties"), "numberOfFiles", len(documents), "integer")
    files = b.el(folder, "dataObjects")
    for entry in documents:
        item = b.el(files, "dataObject", name=entry.name)
        _file_properties(b, b.el(item, "properties"), entry)

    schema_object = b.el(children, "dataObject", name="addml")
    _schema_properties(b, b.el(schema_object, "properties"), schemas["addml.xsd"], main=True)
    return etree.ElementTree(root)


# ------------------------------------------------------------------ validation


@cache
def _schema(filename: str, directory: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(Path(directory) / filename)))


def validate(tree: etree._ElementTree, name: str, schema_dir: Path = SCHEMA_DIR) -> list[str]:
    """The schema errors of ``tree`` as the uttrekk file ``name`` (empty: valid)."""
    schema = _schema(SCHEMAS[name][1], str(schema_dir))
    if schema.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def write(tree: etree._ElementTree, path: Path) -> bytes:
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    path.write_bytes(data)
    return data
