"""Personal data typed by mistake into free text: find it and redact it.

Plain functions, no Flask. Three kinds are caught:

- e-mail addresses;
- Norwegian phone numbers: 8 digits starting 2–9, written together or grouped as
  Norwegians write them (``912 34 567``, ``91 23 45 67``, ``9123 4567``), with or
  without ``+47``/``0047``;
- national identity numbers (fødselsnummer, D- and H-numbers): 11 digits, optionally
  ``DDMMYY NNNNN``, whose two modulus-11 check digits are valid and whose date part is
  plausible. Eleven digits that fail the check are left alone.

The placeholders (``[e-post]``, ``[telefonnummer]``, ``[fødselsnummer]``) are spelled
the same in Bokmål and Nynorsk, so a redacted text reads right in either written form
and the analysis sees the same token whatever the writer's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    NATIONAL_ID = "national_id"


PLACEHOLDERS: dict[Kind, str] = {
    Kind.EMAIL: "[e-post]",
    Kind.PHONE: "[telefonnummer]",
    Kind.NATIONAL_ID: "[fødselsnummer]",
}


@dataclass(frozen=True)
class Finding:
    kind: Kind
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Redaction:
    text: str
    findings: tuple[Finding, ...]

    @property
    def kinds(self) -> list[Kind]:
        """The kinds found, each once, in a stable order."""
        found = {f.kind for f in self.findings}
        return [kind for kind in Kind if kind in found]


_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}", re.UNICODE)

# Not glued to other digits, also across one separator ("1 23 45 67 89" is not a phone).
_BEFORE = r"(?<![\d+])(?<!\d[ .\-])"
_AFTER = r"(?!\d)(?![ .\-]\d)"
_SEP = r"[ .\-]?"
_PHONE = re.compile(
    _BEFORE
    + r"(?:(?:\+|00)47[ \-]?)?"
    + r"(?:[2-9]\d{7}"
    + rf"|[2-9]\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{3}}"
    + rf"|[2-9]\d{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{2}}"
    + rf"|[2-9]\d{{3}}{_SEP}\d{{4}})"
    + _AFTER
)
# An amount of money is not a phone number: "kr 45 000 000", "45000000 kroner".
_MONEY_BEFORE = re.compile(r"(?:kr\.?|nok|,-)\s*$", re.IGNORECASE)
_MONEY_AFTER = re.compile(r"^\s*(?:kr\b|kroner|nok\b|,-|mill|mrd)", re.IGNORECASE)

_NATIONAL_ID = re.compile(r"(?<!\d)(?<!\d[ .\-])(\d{6})[ ]?(\d{5})(?!\d)(?![ .\-]\d)")
_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int | None:
    remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    check = 11 - remainder
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def valid_national_id(value: str) -> bool:
    """Fødselsnummer, D-number (day + 40) or H-number (month + 40), check digits valid."""
    value = value.replace(" ", "")
    if not re.fullmatch(r"\d{11}", value):
        return False
    digits = [int(c) for c in value]
    k1 = _check_digit(digits[:9], _K1)
    if k1 is None or k1 != digits[9]:
        return False
    k2 = _check_digit(digits[:10], _K2)
    if k2 is None or k2 != digits[10]:
        return False
    day, month = int(value[0:2]), int(value[2:4])
    if day > 40:
        day -= 40  # D-number
    if month > 80:
        month -= 80  # synthetic test numbers (Tenor)
    elif month > 40:
        month -= 40  # H-number
    return 1 <= day <= 31 and 1 <= month <= 12


def _is_money(text: str, start: int, end: int) -> bool:
    return bool(
        _MONEY_BEFORE.search(text[max(0, start - 6) : start])
        or _MONEY_AFTER.match(text[end : end + 8])
    )


def find_personal_data(text: str) -> list[Finding]:
    """Every e-mail address, phone number and valid national identity number in ``text``.

    Findings are ordered by position and never overlap.
    """
    candidates: list[Finding] = []
    for match in _EMAIL.finditer(text):
        candidates.append(Finding(Kind.EMAIL, match.start(), match.end(), match.group()))
    for match in _NATIONAL_ID.finditer(text):
        if valid_national_id(match.group()):
            candidates.append(Finding(Kind.NATIONAL_ID, match.start(), match.end(), match.group()))
    for match in _PHONE.finditer(text):
        if not _is_money(text, match.start(), match.end()):
            candidates.append(Finding(Kind.PHONE, match.start(), match.end(), match.group()))

    # Earliest first; of two starting together the longer wins; overlaps are dropped.
    candidates.sort(key=lambda f: (f.start, -(f.end - f.start)))
    findings: list[Finding] = []
    for candidate in candidates:
        if findings and candidate.start < findings[-1].end:
            continue
        findings.append(candidate)
    return findings


def redact(text: str) -> Redaction:
    """``text`` with each finding replaced by its placeholder, and the findings."""
    findings = find_personal_data(text)
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(text[position : finding.start])
        parts.append(PLACEHOLDERS[finding.kind])
        position = finding.end
    parts.append(text[position:])
    return Redaction("".join(parts), tuple(findings))
