"""PDF attachments: checked by content, stored outside the web root.

A file is accepted only when it starts like a PDF (magic bytes) and pypdf can
read its page tree; the name and content type the browser sent are not trusted.
Files are stored under ``UPLOAD_DIR/consultation`` with random names; the
original name is kept in the database for display and download.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

SUBDIR = "consultation"
PDF_MAGIC = b"%PDF-"


class AttachmentError(Exception):
    """An attachment the rules refuse; ``filename`` says which."""

    def __init__(self, filename: str = "") -> None:
        super().__init__(filename)
        self.filename = filename


class TooManyFiles(AttachmentError):
    pass


class FileTooLarge(AttachmentError):
    pass


class EmptyFile(AttachmentError):
    pass


class NotAPdf(AttachmentError):
    pass


class EncryptedPdf(AttachmentError):
    pass


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedPdf:
    filename: str
    data: bytes
    size: int
    sha256: str
    page_count: int


def clean_filename(name: str) -> str:
    """The last path part of what the browser sent, without control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().strip(".") or "vedlegg.pdf"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:8]) if dot else name[:200]
    return name


def check_pdf(upload: UploadedFile, max_bytes: int) -> CheckedPdf:
    """Accept ``upload`` as a PDF or raise an ``AttachmentError``."""
    filename = clean_filename(upload.filename)
    data = upload.data
    if not data:
        raise EmptyFile(filename)
    if len(data) > max_bytes:
        raise FileTooLarge(filename)
    if not data[:1024].lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(PDF_MAGIC):
        raise NotAPdf(filename)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise EncryptedPdf(filename)
            page_count = len(reader.pages)
    except AttachmentError:
        raise
    except Exception as error:  # pypdf raises many kinds on broken files
        raise NotAPdf(filename) from error
    if page_count < 1:
        raise NotAPdf(filename)
    return CheckedPdf(
        filename=filename,
        data=data,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        page_count=page_count,
    )


def check_pdfs(uploads: list[UploadedFile], *, max_bytes: int, max_files: int) -> list[CheckedPdf]:
    uploads = [u for u in uploads if u.filename or u.data]
    if len(uploads) > max_files:
        raise TooManyFiles()
    return [check_pdf(upload, max_bytes) for upload in uploads]


def storage_dir(upload_dir: str | os.PathLike) -> Path:
    path = Path(upload_dir) / SUBDIR
    path.mkdir(parents=True, exist_ok=True, mode=0o750)
    return path


def store(upload_dir: str | os.PathLike, pdf: CheckedPdf) -> str:
    """Write the file under a new random name and return that name."""
    directory = storage_dir(upload_dir)
    while True:
        name = secrets.token_hex(16) + ".pdf"
        try:
            fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        except FileExistsError:  # pragma: no cover - 128 random bits
            continue
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf.data)
        return name


def path_of(upload_dir: str | os.PathLike, stored_name: str) -> Path:
    """Where a stored attachment is; refuses names that could leave the folder."""
    if not re.fullmatch(r"[0-9a-f]{32}\.pdf", stored_name):
        raise ValueError("not a stored attachment name")
    return Path(upload_dir) / SUBDIR / stored_name


def remove(upload_dir: str | os.PathLike, stored_names: list[str]) -> None:
    for name in stored_names:
        with contextlib.suppress(OSError, ValueError):
            path_of(upload_dir, name).unlink(missing_ok=True)


# ---------------------------------------------------------------- kept between attempts
#
# PDFs chosen on a response form that was sent back (a mistake in another field, or
# too many requests) are kept for that form, so nothing attached is lost: under
# UPLOAD_DIR/pending/<token>/, never served by any route, at most the files one
# response may carry, and deleted when the response is sent, when the writer removes
# them, or when they have been left longer than PENDING_MINUTES (swept on every write
# and by the nightly purge).

PENDING_SUBDIR = "pending"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
_MANIFEST = "files.txt"


def _pending_path(upload_dir: str | os.PathLike, token: str) -> Path:
    if not _TOKEN.fullmatch(token or ""):
        raise ValueError("not a pending-upload token")
    return Path(upload_dir) / PENDING_SUBDIR / token


def keep_pending(
    upload_dir: str | os.PathLike, token: str | None, uploads: list[UploadedFile]
) -> str | None:
    """Keep ``uploads`` (already checked) for the next attempt, replacing what was kept
    under ``token``. Returns the token to remember, or None when nothing is kept."""
    if token:
        drop_pending(upload_dir, token)
    if not uploads:
        return None
    token = secrets.token_urlsafe(32)
    folder = _pending_path(upload_dir, token)
    folder.mkdir(parents=True, mode=0o750)
    names = []
    for index, upload in enumerate(uploads):
        fd = os.open(folder / f"{index}.pdf", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        with os.fdopen(fd, "wb") as fh:
            fh.write(upload.data)
        names.append(clean_filename(upload.filename))
    (folder / _MANIFEST).write_text("\n".join(names) + "\n", encoding="utf-8")
    return token


def load_pending(upload_dir: str | os.PathLike, token: str | None) -> list[UploadedFile]:
    """What was kept under ``token`` (nothing when it is unknown, expired or tampered)."""
    if not token:
        return []
    try:
        folder = _pending_path(upload_dir, token)
        names = (folder / _MANIFEST).read_text(encoding="utf-8").splitlines()
        return [
            UploadedFile(name, (folder / f"{index}.pdf").read_bytes())
            for index, name in enumerate(names)
        ]
    except (OSError, ValueError):
        return []


def drop_pending(upload_dir: str | os.PathLike, token: str | None) -> None:
    if not token:
        return
    with contextlib.suppress(OSError, ValueError):
        folder = _pending_path(upload_dir, token)
        for path in folder.iterdir():
            path.unlink(missing_ok=True)
        folder.rmdir()


def sweep_pending(upload_dir: str | os.PathLike, *, max_age_seconds: float, now: float) -> int:
    """Delete kept uploads left longer than ``max_age_seconds``; how many sets went."""
    root = Path(upload_dir) / PENDING_SUBDIR
    removed = 0
    with contextlib.suppress(FileNotFoundError):
        for folder in root.iterdir():
            with contextlib.suppress(OSError):
                if now - folder.stat().st_mtime > max_age_seconds:
                    drop_pending(upload_dir, folder.name)
                    removed += 1
    return removed
