"""Personal data typed by mistake: detection and redaction (plain functions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from participation.inputs.redaction import (
    PLACEHOLDERS,
    Kind,
    find_personal_data,
    redact,
    shaped_like_national_id,
    valid_account_number,
    valid_national_id,
)

WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def with_check_digits(first_nine: str) -> str | None:
    """Complete a fødselsnummer with its two mod-11 check digits (None if impossible)."""
    digits = [int(c) for c in first_nine]
    for weights in (WEIGHTS_1, WEIGHTS_2):
        check = 11 - sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
        check = 0 if check == 11 else check
        if check == 10:
            return None
        digits.append(check)
    return "".join(map(str, digits))


def valid_ids(prefix: str, count: int = 3) -> list[str]:
    found = []
    for individual in range(100, 1000):
        number = with_check_digits(prefix + str(individual))
        if number:
            found.append(number)
        if len(found) == count:
            return found
    raise AssertionError("no valid numbers")


FNR = valid_ids("150585")[0]  # 15 May 1985
D_NUMBER = valid_ids("550585")[0]  # day + 40


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_personal_data(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Skriv til ola.nordmann@example.no om dette.",
        "Kontakt: Kari_Nord+innspill@sub.troms-fylke.no",
        "e-post: PER@EXAMPLE.COM.",
        "Tlf 912 34 567 etter klokka fire.",
        "Ring 91234567.",
        "Ring +47 912 34 567",
        "Ring +4791234567",
        "Ring 0047 91 23 45 67",
        "Sentralbord 77 78 80 00",
        "Mobil 9123 4567.",
        "Nummeret er 412-34-567",
        f"Fødselsnummer {FNR} her",
        f"Fødselsnummer {FNR[:6]} {FNR[6:]} her",
        f"D-nummer {D_NUMBER}",
        "Kontonummer 1234 56 78903.",
        "Kontonummer 1234.56.78903.",
        "Pengane til konto 12345678903, takk.",
        "Feilskrive fødselsnummer 01017012345 her.",
        "Ring svensk nummer +46 8 123 456 78",
    ],
)
def test_finds_personal_data(text):
    assert len(find_personal_data(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Vi trenger 45 000 000 kroner til dette.",
        "Prosjektet koster kr 45000000 i alt.",
        "Budsjettet er 45000000 kroner.",
        "Organisasjonsnummer 974 760 673 (Troms fylkeskommune).",
        "Organisasjonsnummer 974760673.",
        "Møtet er 12.05.2023 kl. 12:00.",
        "Det bor 167 000 mennesker i Troms.",
        "Elleve siffer som ikke er en dato eller et kontonummer: 99999999999.",
        "Kontonummer med feil kontrollsiffer: 1234.56.78904.",
        "Postnummer 9008 Tromsø, år 2030.",
        "Ingen personopplysninger her, bare tekst om @-tegn og e-post.",
        "Telefonnummeret starter med 1: 12345678 er ikke norsk mobil.",
    ],
)
def test_leaves_ordinary_numbers_and_text_alone(text):
    assert find_personal_data(text) == []
    assert redact(text).text == text


def test_check_digits_decide_whether_eleven_digits_are_an_identity_number():
    assert valid_national_id(FNR)
    assert valid_national_id(D_NUMBER)
    wrong = FNR[:10] + str((int(FNR[10]) + 1) % 10)
    assert not valid_national_id(wrong)
    assert kinds(f"nr {wrong}") == [Kind.NATIONAL_ID]  # still shaped like one: redacted
    assert not valid_national_id("00000000000")  # day 0 is no date


def test_redact_replaces_each_finding_with_a_placeholder():
    text = f"Mail ola@example.no, ring 912 34 567 eller +47 22 33 44 55. Fnr {FNR}."
    result = redact(text)
    assert result.text == (
        "Mail [e-post], ring [telefonnummer] eller [telefonnummer]. Fnr [fødselsnummer]."
    )
    assert [f.kind for f in result.findings] == [
        Kind.EMAIL,
        Kind.PHONE,
        Kind.PHONE,
        Kind.NATIONAL_ID,
    ]
    assert result.kinds == [Kind.EMAIL, Kind.PHONE, Kind.NATIONAL_ID]
    assert "ola@example.no" not in result.text and FNR not in result.text


def test_findings_carry_positions_of_the_original():
    text = "Ring 91234567 nå"
    (finding,) = find_personal_data(text)
    assert text[finding.start : finding.end] == "91234567" == finding.text


def test_placeholders_read_the_same_in_bokmaal_and_nynorsk():
    assert set(PLACEHOLDERS.values()) == {
        "[e-post]",
        "[telefonnummer]",
        "[fødselsnummer]",
        "[kontonummer]",
    }


def test_identity_number_is_not_also_read_as_a_phone_number():
    assert kinds(f"{FNR}") == [Kind.NATIONAL_ID]


def test_empty_text():
    assert redact("").text == "" and redact("").findings == ()


def test_mistyped_national_id_is_still_personal_data():
    """Issue 9 point 11: eleven digits with a date in front but wrong check digits."""
    assert not valid_national_id("01017012345")
    assert shaped_like_national_id("01017012345")
    result = redact("Fødselsnummeret mitt er 01017012345, skreiv eg.")
    assert result.text == "Fødselsnummeret mitt er [fødselsnummer], skreiv eg."
    assert result.kinds == [Kind.NATIONAL_ID]
    # No date in front (month 34): not a fødselsnummer, and no valid account number.
    assert not shaped_like_national_id("12345678904")
    assert find_personal_data("Referanse 12345678904.") == []


def test_bank_account_numbers_are_caught_by_their_check_digit():
    assert valid_account_number("8601 11 17947")
    assert not valid_account_number("8601 11 17949")
    result = redact("Send pengane til 8601.11.17947 eller 8601 11 17947.")
    assert result.text == "Send pengane til [kontonummer] eller [kontonummer]."
    assert result.kinds == [Kind.ACCOUNT]


def test_organisation_number_is_left_alone_and_not_read_as_a_phone():
    for text in ("Org.nr. 974760673", "orgnr 923 609 016", "Org.nr. 974 760 673 MVA"):
        assert find_personal_data(text) == [], text


def test_year_ranges_are_not_phone_numbers():
    for text in ("Planperioden 2024-2030.", "I 2023 2024 og 2025.", "Postnummer 9008-9019."):
        assert find_personal_data(text) == [], text


CORPUS = Path(__file__).parent / "data" / "redaction_corpus.jsonl"


def test_corpus_is_redacted_exactly():
    """The hand-written corpus (both written forms, benchmarks/redaction_eval.py):
    every piece of personal data found with its kind, no ordinary number taken for one."""
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 100 and {row["form"] for row in rows} == {"nb", "nn"}
    for row in rows:
        found = [(f.kind.value, f.text) for f in find_personal_data(row["text"])]
        wanted = [(item["kind"], item["text"]) for item in row["personal_data"]]
        assert found == wanted, row["text"]
