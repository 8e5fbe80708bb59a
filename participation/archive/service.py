"""The Noark 5 archive export of a closed consultation, and what is archived.

``export_consultation`` writes a Noark 5 v3.1 arkivuttrekk of one consultation —
``arkivstruktur.xml``, ``loependeJournal.xml``, ``offentligJournal.xml``,
``arkivuttrekk.xml`` (ADDML), the schemas, and under ``dokumenter/`` each response
as PDF/A with its attachments as received — then marks every response archived
with its journalpost ID. Plain functions that take a session, flush, and raise an
``ArchiveError`` having changed nothing; the caller commits. It takes a progress
callback so that a background job can show how far it has come.

The uttrekk is built in a new folder beside the target and moved into place only
when every file is written and every XML file validates, so a failed export leaves
neither a half-written folder nor archived marks. Exporting again rewrites the
whole uttrekk; a response keeps the journalpost ID it was given the first time,
and responses that came in since (a consultation reopened) get the next numbers.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from participation import audit
from participation.archive import documents, noark
from participation.consultation import attachments as files
from participation.models import (
    ConsultationResponse,
    DraftStrategy,
    RespondentCategory,
    User,
    utcnow,
)

OSLO = ZoneInfo("Europe/Oslo")
DOCUMENT_DIR = "dokumenter"
PRIVATE_PERSON = "Privatperson"  # the public journal's name for a private sender
CLASS_ID = "horinger"
CLASS_TITLE = "Høringer"
SYSTEM_NAME = "Innspill"
ARCHIVE_FILES = {
    noark.ARKIVSTRUKTUR: "arkivstruktur.xml",
    noark.LOEPENDE_JOURNAL: "loependeJournal.xml",
    noark.OFFENTLIG_JOURNAL: "offentligJournal.xml",
    noark.ARKIVUTTREKK: "arkivuttrekk.xml",
}

Progress = Callable[[int, int, str], None]


# ------------------------------------------------------------------ errors


class ArchiveError(Exception):
    """An export the rules refuse; nothing was changed."""


class DraftNotFound(ArchiveError):
    def __init__(self, slug: str) -> None:
        super().__init__(slug)
        self.slug = slug


class ConsultationNotClosed(ArchiveError):
    """Only a closed consultation can be archived: its set of responses is final."""

    def __init__(self, draft: DraftStrategy) -> None:
        super().__init__(draft.slug)
        self.title = draft.title
        self.closes_at = draft.closes_at


class NoResponses(ArchiveError):
    """A journal needs at least one entry (the Noark 5 schemas say so)."""

    def __init__(self, draft: DraftStrategy) -> None:
        super().__init__(draft.slug)
        self.title = draft.title


class OutputNotWritable(ArchiveError):
    def __init__(self, path: Path, reason: str = "") -> None:
        super().__init__(str(path), reason)
        self.path = path
        self.reason = reason


class OutputNotEmpty(ArchiveError):
    """The target folder holds something other than an earlier arkivuttrekk."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


class AttachmentMissing(ArchiveError):
    """A stored attachment is not on disk (or has changed since it was received)."""

    def __init__(self, reference: str, filename: str) -> None:
        super().__init__(reference, filename)
        self.reference = reference
        self.filename = filename


class InvalidUttrekk(ArchiveError):
    """What we built does not validate: a bug, reported rather than written."""

    def __init__(self, name: str, errors: list[str]) -> None:
        super().__init__(name, errors)
        self.name = name
        self.errors = errors


# ------------------------------------------------------------------ settings and result


@dataclass(frozen=True)
class ArchiveSettings:
    creator_name: str  # arkivskaperNavn, administrativEnhet: the county
    creator_id: str = ""  # arkivskaperID (e.g. the organisation number); default: the name
    case_owner: str = ""  # saksansvarlig; default: the creator
    system_name: str = SYSTEM_NAME

    @property
    def creator(self) -> str:
        return self.creator_id or self.creator_name

    @property
    def owner(self) -> str:
        return self.case_owner or self.creator_name


def settings_from_config(config: Mapping) -> ArchiveSettings:
    return ArchiveSettings(
        creator_name=config.get("ORGANISATION_NAME") or SYSTEM_NAME,
        creator_id=config.get("ARCHIVE_CREATOR_ID") or "",
    )


@dataclass(frozen=True)
class ExportSummary:
    directory: Path
    draft_slug: str
    journalposts: int
    newly_archived: int
    documents: int  # files under dokumenter/
    total_bytes: int  # of every file in the uttrekk
    journalpost_ids: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ the export


def find_draft(session: Session, slug: str) -> DraftStrategy:
    draft = session.execute(
        select(DraftStrategy).where(DraftStrategy.slug == slug)
    ).scalar_one_or_none()
    if draft is None:
        raise DraftNotFound(slug)
    return draft


def export_consultation(
    session: Session,
    draft: DraftStrategy | str,
    out_dir: str | os.PathLike,
    progress: Progress | None = None,
    *,
    upload_dir: str | os.PathLike,
    settings: ArchiveSettings,
    actor: User | None = None,
    now: datetime | None = None,
) -> ExportSummary:
    """Write the arkivuttrekk of ``draft`` (or its slug) to ``out_dir`` and mark its
    responses archived.

    ``progress(done, total, stage)`` is called as documents are written (stage
    ``"documents"``) and for each metadata file (``"metadata"``); ``total`` is the
    number of responses plus four. Raises ``DraftNotFound``, ``ConsultationNotClosed``,
    ``NoResponses``, ``OutputNotWritable``, ``OutputNotEmpty``, ``AttachmentMissing``
    or ``InvalidUttrekk`` with nothing changed.
    """
    now = (now or utcnow()).replace(microsecond=0)
    if isinstance(draft, str):
        draft = find_draft(session, draft)
    if now < draft.closes_at:
        raise ConsultationNotClosed(draft)
    # One export of a consultation at a time (PostgreSQL): two at once would number
    # the same new responses (the unique journalpost_id would refuse the second).
    session.execute(select(DraftStrategy.id).where(DraftStrategy.id == draft.id).with_for_update())
    responses = _responses(session, draft)
    if not responses:
        raise NoResponses(draft)
    report = progress or (lambda done, total, stage: None)
    total = len(responses) + 4
    target = Path(out_dir).expanduser().absolute()
    staging = _staging_dir(target)
    try:
        ids = _journalpost_ids(draft, responses)
        actor_name = (actor.name or actor.email) if actor is not None else settings.system_name
        namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:innspill:{settings.creator}")
        posts, document_entries = [], []
        fonts = documents.font_configuration()
        for done, response in enumerate(responses, start=1):
            post, entries = _write_documents(
                staging,
                response,
                draft,
                ids[response.id],
                namespace,
                archived_at=response.archived_at or now,
                upload_dir=upload_dir,
                settings=settings,
                fonts=fonts,
            )
            posts.append(post)
            document_entries.extend(entries)
            report(done, total, "documents")
        uttrekk = _uttrekk(draft, posts, namespace, settings, actor_name, now)
        written = _write_metadata(staging, uttrekk, document_entries, report, total)
        _move_into_place(staging, target)
    except OSError as error:  # a full disk, say, while writing the staging folder
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputNotWritable(target, error.strerror or str(error)) from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    newly = [r for r in responses if r.archived_at is None]
    for response in newly:
        response.archived_at = now
        response.journalpost_id = ids[response.id]
    audit.record(
        session,
        actor,
        "archive.export",
        "draft",
        draft.id,
        details={"journalposts": len(responses), "newly_archived": len(newly)},
        now=now,
    )
    session.flush()
    return ExportSummary(
        directory=target,
        draft_slug=draft.slug,
        journalposts=len(responses),
        newly_archived=len(newly),
        documents=len(document_entries),
        total_bytes=written + sum(e.size for e in document_entries),
        journalpost_ids=[ids[r.id] for r in responses],
    )


def _responses(session: Session, draft: DraftStrategy) -> list[ConsultationResponse]:
    return list(
        session.execute(
            select(ConsultationResponse)
            .options(
                selectinload(ConsultationResponse.input),
                selectinload(ConsultationResponse.attachments),
                selectinload(ConsultationResponse.section),
            )
            .where(ConsultationResponse.draft_id == draft.id)
            .order_by(ConsultationResponse.created_at, ConsultationResponse.id)
        ).scalars()
    )


# ------------------------------------------------------------------ numbering


def case_year(draft: DraftStrategy) -> int:
    """saksaar: the year the consultation was created (it never changes)."""
    return draft.created_at.astimezone(OSLO).year


def folder_id(draft: DraftStrategy) -> str:
    """mappeID of the consultation's saksmappe: saksaar/sakssekvensnummer."""
    return f"{case_year(draft)}/{draft.id}"


_NUMBER = re.compile(r"-(\d+)$")


def _journalpost_ids(draft: DraftStrategy, responses: list[ConsultationResponse]) -> dict:
    """Each response's registreringsID "saksaar/sekvensnummer-journalpostnummer":
    kept where already given, the next numbers in order of receipt otherwise."""
    ids: dict[int, str] = {}
    taken = [
        int(match.group(1))
        for r in responses
        if r.journalpost_id and (match := _NUMBER.search(r.journalpost_id))
    ]
    number = max(taken, default=0)
    for response in responses:
        if response.journalpost_id:
            ids[response.id] = response.journalpost_id
        else:
            number += 1
            ids[response.id] = f"{folder_id(draft)}-{number}"
    return ids


def _journalpost_number(journalpost_id: str) -> int:
    match = _NUMBER.search(journalpost_id)
    return int(match.group(1)) if match else 0


# ------------------------------------------------------------------ files


def _staging_dir(target: Path) -> Path:
    """A new folder beside ``target``, after checking that ``target`` may be (re)written."""
    if target.exists() and not target.is_dir():
        raise OutputNotWritable(target, os.strerror(errno.ENOTDIR))
    if target.is_dir():
        try:
            entries = list(target.iterdir())
        except OSError as error:
            raise OutputNotWritable(target, error.strerror or str(error)) from error
        if entries and not (target / ARCHIVE_FILES[noark.ARKIVUTTREKK]).is_file():
            raise OutputNotEmpty(target)
    parent = target.parent
    existing = next(p for p in (parent, *parent.parents) if p.exists())
    if not existing.is_dir():  # a file where a folder should be
        raise OutputNotWritable(target, os.strerror(errno.ENOTDIR))
    try:
        parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=parent))
    except OSError as error:
        raise OutputNotWritable(target, error.strerror or str(error)) from error


def _move_into_place(staging: Path, target: Path) -> None:
    try:
        os.chmod(staging, 0o750)
        if target.exists():
            # Swap with renames so that the earlier uttrekk is gone only once the
            # new one is complete and in place.
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
            os.rename(target, old / target.name)
            os.rename(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(staging, target)
    except OSError as error:
        raise OutputNotWritable(target, error.strerror or str(error)) from error


def _write(staging: Path, name: str, data: bytes, fmt: str) -> noark.FileEntry:
    path = staging / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return noark.FileEntry(name, hashlib.sha256(data).hexdigest(), len(data), fmt, None)


def is_private_person(response: ConsultationResponse) -> bool:
    """A sender whose name the public journal leaves out: someone answering as a
    private individual, or without naming an organisation."""
    return response.category == RespondentCategory.CITIZEN or not response.organisation


def scope_label(response: ConsultationResponse) -> str:
    return response.section.label if response.section is not None else documents.WHOLE_DRAFT


def _titles(response: ConsultationResponse) -> tuple[str, str]:
    scope = f"til {scope_label(response)}" if response.section is not None else "til hele utkastet"
    sender = response.organisation if not is_private_person(response) else None
    title = f"Høringsinnspill fra {sender or response.name} {scope}"
    public = f"Høringsinnspill fra {sender or PRIVATE_PERSON.lower()} {scope}"
    return title, public


def _write_documents(
    staging: Path,
    response: ConsultationResponse,
    draft: DraftStrategy,
    journalpost_id: str,
    namespace: uuid.UUID,
    *,
    archived_at: datetime,
    upload_dir: str | os.PathLike,
    settings: ArchiveSettings,
    fonts,
) -> tuple[noark.Journalpost, list[noark.FileEntry]]:
    folder = f"{DOCUMENT_DIR}/{response.reference}"
    private = is_private_person(response)
    sender_name = response.name if private else response.organisation or response.name
    record = documents.ResponseRecord(
        organisation_name=settings.creator_name,
        draft_title=draft.title,
        scope=scope_label(response),
        reference=response.reference,
        journalpost_id=journalpost_id,
        received_at=response.created_at,
        name=response.name,
        organisation=response.organisation,
        org_number=response.org_number,
        category=response.category,
        stance=response.stance,
        may_publish=response.may_publish,
        locale=response.locale,
        text=response.text,
        attachments=tuple(a.original_filename for a in response.attachments),
    )
    main = _write(
        staging,
        f"{folder}/innspill.pdf",
        documents.render_response(record, fonts),
        documents.PDFA_FORMAT,
    )
    title, public_title = _titles(response)
    docs = [
        noark.DocumentFile(
            system_id=str(uuid.uuid5(namespace, f"dokument/{response.reference}/1")),
            number=1,
            role="Hoveddokument",
            document_type="Brev",
            title=title,
            path=main.name,
            format=documents.PDFA_FORMAT,
            format_details=documents.PDFA_DETAILS,
            variant="Arkivformat",
            sha256=main.sha256,
            size=main.size,
            created_at=response.created_at,
        )
    ]
    entries = [main]
    for number, attachment in enumerate(response.attachments, start=2):
        try:
            data = files.path_of(upload_dir, attachment.stored_name).read_bytes()
        except (OSError, ValueError) as error:
            raise AttachmentMissing(response.reference, attachment.original_filename) from error
        if hashlib.sha256(data).hexdigest() != attachment.sha256:
            raise AttachmentMissing(response.reference, attachment.original_filename)
        kind = documents.pdf_format(data)
        written = _write(staging, f"{folder}/vedlegg-{number - 1}.pdf", data, kind.format)
        docs.append(
            noark.DocumentFile(
                system_id=str(
                    uuid.uuid5(namespace, f"vedlegg/{attachment.sha256}/{attachment.id}")
                ),
                number=number,
                role="Vedlegg",
                document_type="Vedlegg",
                title=attachment.original_filename,
                path=written.name,
                format=kind.format,
                format_details=kind.details,
                variant="Arkivformat" if kind.archival else "Produksjonsformat",
                sha256=written.sha256,
                size=written.size,
                created_at=attachment.created_at,
            )
        )
        entries.append(written)
    post = noark.Journalpost(
        system_id=str(uuid.uuid5(namespace, f"journalpost/{response.reference}")),
        registration_id=journalpost_id,
        year=archived_at.astimezone(OSLO).year,
        # Unique and fixed once given; the receiving archive numbers its own journal.
        sequence=response.id,
        number=_journalpost_number(journalpost_id),
        title=title,
        public_title=public_title,
        author=sender_name,
        received_at=response.created_at,
        archived_at=archived_at,
        sender=noark.Sender(
            name=sender_name,
            public_name=PRIVATE_PERSON if private else sender_name,
            is_private=private,
            contact_person=None if private else response.name,
            email=response.email or None,
        ),
        documents=tuple(docs),
    )
    return post, entries


def _uttrekk(
    draft: DraftStrategy,
    posts: list[noark.Journalpost],
    namespace: uuid.UUID,
    settings: ArchiveSettings,
    actor_name: str,
    now: datetime,
) -> noark.Uttrekk:
    key = f"{draft.id}/{draft.created_at.isoformat()}"
    title = f"Høring: {draft.title}"
    # A draft can be entered after its period began (the demo is): the case
    # began no later than the consultation opened.
    created = min(draft.created_at, draft.opens_at)
    case = noark.Case(
        system_id=str(uuid.uuid5(namespace, f"saksmappe/{key}")),
        folder_id=folder_id(draft),
        year=case_year(draft),
        sequence=draft.id,
        title=title,
        public_title=title,
        case_date=draft.opens_at.astimezone(OSLO).date(),
        created_at=created,
        closed_at=draft.closes_at,
        unit=settings.creator_name,
        owner=settings.owner,
        journalposts=tuple(sorted(posts, key=lambda p: p.number)),
    )
    return noark.Uttrekk(
        archive_id=str(uuid.uuid5(namespace, f"arkiv/{key}")),
        part_id=str(uuid.uuid5(namespace, f"arkivdel/{key}")),
        classification_id=str(uuid.uuid5(namespace, f"klassifikasjonssystem/{key}")),
        class_system_id=str(uuid.uuid5(namespace, f"klasse/{key}")),
        class_id=CLASS_ID,
        class_title=CLASS_TITLE,
        title=f"Høringsinnspill til {settings.creator_name}",
        part_title=title,
        description=(
            f"Innspill til høringen «{draft.title}», mottatt gjennom {settings.system_name}."
        ),
        creator_id=settings.creator,
        creator_name=settings.creator_name,
        system_name=settings.system_name,
        actor=actor_name,
        created_at=created,
        exported_at=now,
        period_start=draft.opens_at.astimezone(OSLO).date(),
        period_end=draft.closes_at.astimezone(OSLO).date(),
        case=case,
    )


def _write_metadata(
    staging: Path,
    uttrekk: noark.Uttrekk,
    document_entries: list[noark.FileEntry],
    report: Progress,
    total: int,
) -> int:
    """Validate and write the XML files and schemas; the number of bytes written."""
    written = 0
    schemas = {}
    for name in noark.SCHEMA_FILES:
        data = (noark.SCHEMA_DIR / name).read_bytes()
        (staging / name).write_bytes(data)
        written += len(data)
        schemas[name] = noark.FileEntry(name, hashlib.sha256(data).hexdigest(), len(data))
    xml_files = {}
    done = total - 4
    for name, build in (
        (noark.ARKIVSTRUKTUR, noark.arkivstruktur),
        (noark.LOEPENDE_JOURNAL, noark.loepende_journal),
        (noark.OFFENTLIG_JOURNAL, noark.offentlig_journal),
    ):
        tree = build(uttrekk)
        _check(tree, name)
        data = noark.write(tree, staging / ARCHIVE_FILES[name])
        written += len(data)
        xml_files[name] = noark.FileEntry(
            ARCHIVE_FILES[name], hashlib.sha256(data).hexdigest(), len(data)
        )
        done += 1
        report(done, total, "metadata")
    tree = noark.addml(uttrekk, xml_files, schemas, document_entries)
    _check(tree, noark.ARKIVUTTREKK)
    written += len(noark.write(tree, staging / ARCHIVE_FILES[noark.ARKIVUTTREKK]))
    report(total, total, "metadata")
    return written


def _check(tree, name: str) -> None:
    errors = noark.validate(tree, name)
    if errors:
        raise InvalidUttrekk(name, errors)


# ------------------------------------------------------------------ what is archived


@dataclass(frozen=True)
class ArchiveStatus:
    responses: int
    archived: int
    last_archived_at: datetime | None

    @property
    def waiting(self) -> int:
        return self.responses - self.archived


def archive_status(session: Session, draft: DraftStrategy) -> ArchiveStatus:
    total, archived, last = session.execute(
        select(
            func.count(ConsultationResponse.id),
            func.count(ConsultationResponse.archived_at),
            func.max(ConsultationResponse.archived_at),
        ).where(ConsultationResponse.draft_id == draft.id)
    ).one()
    return ArchiveStatus(total or 0, archived or 0, last)


def journal(session: Session, draft: DraftStrategy) -> list[ConsultationResponse]:
    """The consultation's responses in order of receipt, with their journalpost IDs."""
    return list(
        session.execute(
            select(ConsultationResponse)
            .where(ConsultationResponse.draft_id == draft.id)
            .order_by(ConsultationResponse.created_at, ConsultationResponse.id)
        ).scalars()
    )
