"""Personal data typed by mistake into free text: find it and redact it.

Plain functions, no Flask. The number checks come from libraries made for them,
not from code of our own: python-stdnum (``stdnum.no.fodselsnummer``,
``stdnum.no.kontonr``, ``stdnum.no.orgnr``) and phonenumbers' matcher for phone
numbers in running text. Four kinds are caught:

- e-mail addresses;
- phone numbers as phonenumbers' matcher finds them in running text (Norwegian numbers
  written together or grouped as Norwegians write them, ``912 34 567``,
  ``91 23 45 67``, ``9123 4567``, with or without ``+47``/``0047``, and foreign numbers
  written with their country code), each a valid number of its numbering plan, and
  not an amount of money (``kr 45 000 000``, ``45000000 kroner``, ``40 000 000``
  grouped in thousands) nor a range of years or postcodes (``2024-2030``,
  ``9300-9395``);
- national identity numbers (fødselsnummer, D- and H-numbers): 11 digits, optionally
  ``DDMMYY NNNNN``, valid by ``stdnum.no.fodselsnummer`` — and also eleven digits that
  merely *look* like one (their first six digits a date, D- or H-number included) with
  wrong check digits: a mistyped fødselsnummer is still personal data;
- bank account numbers: 11 digits, optionally ``NNNN NN NNNNN`` or ``NNNN.NN.NNNNN``,
  valid by ``stdnum.no.kontonr``.

Organisation numbers (``stdnum.no.orgnr``) identify a business, not a person: they are
left in the text, and never read as a phone number.

The placeholders (``[e-post]``, ``[telefonnummer]``, ``[fødselsnummer]``,
``[kontonummer]``) are spelled the same in Bokmål and Nynorsk, so a redacted text reads
right in either written form and the analysis sees the same token whatever the writer's
language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from stdnum.no import fodselsnummer, kontonr, orgnr


class Kind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    NATIONAL_ID = "national_id"
    ACCOUNT = "account"


PLACEHOLDERS: dict[Kind, str] = {
    Kind.EMAIL: "[e-post]",
    Kind.PHONE: "[telefonnummer]",
    Kind.NATIONAL_ID: "[fødselsnummer]",
    Kind.ACCOUNT: "[kontonummer]",
}

# Phone numbers are read as written in Norway unless they carry a country code.
PHONE_REGION = "NO"


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

# Eleven digits not glued to other digits, also across one separator: together,
# DDMMYY NNNNN (fødselsnummer) or NNNN NN NNNNN / NNNN.NN.NNNNN (account number).
_BEFORE = r"(?<![\d+])(?<!\d[ .\-])"
_AFTER = r"(?!\d)(?![ .\-]\d)"
_ELEVEN = re.compile(
    _BEFORE + r"(?:\d{6} \d{5}|\d{4}([ .\-])\d{2}\1\d{5}|\d{11})" + _AFTER,
)

# An amount of money is not a phone number: "kr 45 000 000", "45000000 kroner".
_MONEY_BEFORE = re.compile(r"(?:kr\.?|nok|,-)\s*$", re.IGNORECASE)
_MONEY_AFTER = re.compile(r"^\s*(?:kr\b|kroner|nok\b|,-|mill|mrd)", re.IGNORECASE)


# "9008-9019", "2024-2030": a range of postcodes or years, not a phone number.
_RANGE = re.compile(r"(\d{4})\s?[\-–]\s?(\d{4})")
_RANGE_SPAN = 1000


# "40 000 000": grouped in thousands, as amounts are; Norwegians group phone numbers
# 2-2-2-2, 3-2-3 or 4-4.
_THOUSANDS = re.compile(r"\d{1,3}(?:[ .]\d{3})+")


def _is_range(raw: str) -> bool:
    match = _RANGE.fullmatch(raw)
    return bool(match) and 0 < int(match[2]) - int(match[1]) < _RANGE_SPAN


def _compact(value: str) -> str:
    return re.sub(r"[ .\-]", "", value)


def _date_shaped(digits: str) -> bool:
    """The first six digits read as DDMMYY (D-number: day + 40; H-number: month + 40;
    synthetic test numbers: month + 80)."""
    day, month = int(digits[0:2]), int(digits[2:4])
    if day > 40:
        day -= 40
    if month > 80:
        month -= 80
    elif month > 40:
        month -= 40
    return 1 <= day <= 31 and 1 <= month <= 12


def _check_digits_valid(digits: str) -> bool:
    first = fodselsnummer.calc_check_digit1(digits[:9])
    second = fodselsnummer.calc_check_digit2(digits[:10])
    return digits[9] == first and digits[10] == second


def valid_national_id(value: str) -> bool:
    """Fødselsnummer, D-number or H-number whose check digits are valid.

    ``stdnum.no.fodselsnummer`` decides; numbers it turns down only for their date
    (synthetic test numbers, a birth date it reads as in the future) still count when
    their check digits are right and their date part is plausible.
    """
    digits = _compact(value)
    if not re.fullmatch(r"\d{11}", digits):
        return False
    if fodselsnummer.is_valid(digits):
        return True
    return _check_digits_valid(digits) and _date_shaped(digits)


def shaped_like_national_id(value: str) -> bool:
    """Eleven digits whose first six are a date: a fødselsnummer, perhaps mistyped."""
    digits = _compact(value)
    return bool(re.fullmatch(r"\d{11}", digits)) and _date_shaped(digits)


def valid_account_number(value: str) -> bool:
    """A Norwegian bank account number (11 digits, check digit by ``stdnum.no.kontonr``)."""
    digits = _compact(value)
    return len(digits) == 11 and kontonr.is_valid(digits)


def _is_money(text: str, start: int, end: int) -> bool:
    return bool(
        _MONEY_BEFORE.search(text[max(0, start - 6) : start])
        or _MONEY_AFTER.match(text[end : end + 8])
    )


def _eleven_digit_kind(raw: str, separator: str | None) -> Kind | None:
    if separator is None and valid_national_id(raw):
        return Kind.NATIONAL_ID
    if valid_account_number(raw):
        return Kind.ACCOUNT
    # Grouped as an account number (NNNN.NN.NNNNN) but failing its check: not a person's
    # number. Together or as DDMMYY NNNNN with a date in front: a mistyped fødselsnummer.
    if separator is None and shaped_like_national_id(raw):
        return Kind.NATIONAL_ID
    return None


def _phone_findings(text: str) -> list[Finding]:
    findings = []
    matcher = phonenumbers.PhoneNumberMatcher(
        text, PHONE_REGION, leniency=phonenumbers.Leniency.VALID
    )
    for match in matcher:
        if _is_money(text, match.start, match.end):
            continue
        if _is_range(match.raw_string) or _THOUSANDS.fullmatch(match.raw_string):
            continue
        if orgnr.is_valid(_compact(match.raw_string)):
            continue  # an organisation number identifies a business
        findings.append(Finding(Kind.PHONE, match.start, match.end, match.raw_string))
    return findings


def find_personal_data(text: str) -> list[Finding]:
    """Every e-mail address, phone number, national identity number (also mistyped)
    and bank account number in ``text``.

    Findings are ordered by position and never overlap.
    """
    candidates: list[Finding] = []
    for match in _EMAIL.finditer(text):
        candidates.append(Finding(Kind.EMAIL, match.start(), match.end(), match.group()))
    for match in _ELEVEN.finditer(text):
        kind = _eleven_digit_kind(match.group(), match.group(1))
        if kind is not None:
            candidates.append(Finding(kind, match.start(), match.end(), match.group()))
    candidates.extend(_phone_findings(text))

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
