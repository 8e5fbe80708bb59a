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
