"""Small helpers every domain shares: reference codes, slugs, e-mail addresses,
organisation numbers, line breaks and the county's local time.

Plain functions with no Flask import: services and forms both use them.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

from stdnum.no import orgnr

from participation.config import Config
from participation.models import utcnow

# No 0/O, 1/I/L: codes are read aloud on the phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# The county's time zone: dates people see and type are local (config default).
LOCAL_TIMEZONE = ZoneInfo(Config.TIMEZONE)

_NORWEGIAN_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})


def random_code(length: int = 8) -> str:
    """``length`` characters from :data:`CODE_ALPHABET`."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def slugify(text: str, fallback: str) -> str:
    """An address-safe name: ASCII lower case and hyphens (``Nord-Troms`` → ``nord-troms``)."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_NORWEGIAN_LETTERS))
        .encode("ascii", "ignore")
        .decode()
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or fallback


def normalize_email(email: str) -> str:
    return email.strip().lower()


def normalize_newlines(text: str) -> str:
    # Browsers send CRLF from a textarea; count and store one character per line break.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def valid_org_number(value: str) -> bool:
    """Norwegian organisation number: 9 digits with a valid check digit (``stdnum.no.orgnr``)."""
    return bool(re.fullmatch(r"\d{9}", value)) and orgnr.is_valid(value)


def normalize_org_number(value: str | None) -> str:
    return re.sub(r"\s", "", value or "")


def local_date(moment: datetime | None = None) -> date:
    """The calendar day of ``moment`` (default: now) in the county's time zone."""
    return (moment or utcnow()).astimezone(LOCAL_TIMEZONE).date()


def clamp_page(page: int, total: int, per_page: int) -> int:
    """``page`` within 1 … the last page of ``total`` rows (an empty list has one page)."""
    return min(max(page, 1), max((total + per_page - 1) // per_page, 1))


class Paged:
    """``pages`` for a paged list that has ``total`` rows shown ``per_page`` at a time."""

    total: int
    per_page: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)
