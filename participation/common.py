"""Small helpers every domain shares: reference codes, slugs, e-mail addresses,
organisation numbers, line breaks and the county's local time.

Plain functions with no Flask import: services and forms both use them.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
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


@cache
def _public_holidays(year: int) -> frozenset[date]:
    # Norway's public holidays (helligdager) for the year; Sundays count as weekend.
    return frozenset(holidays.country_holidays("NO", years=year))


def in_christmas_week(day: date) -> bool:
    """Romjul and the days around it (24 December – 1 January): offices are thin."""
    return (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1)


def is_working_day(day: date) -> bool:
    """A weekday that is neither a Norwegian public holiday nor in the Christmas week."""
    return (
        day.weekday() < 5 and day not in _public_holidays(day.year) and not in_christmas_week(day)
    )


def working_day(day: date, *, forward: bool = True) -> date:
    """``day`` if it is a working day, else the next (or, backwards, the last) one."""
    step = timedelta(days=1 if forward else -1)
    while not is_working_day(day):
        day += step
    return day


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
