"""``flask archive export``: the uttrekk, and a clear message and exit code, never a
traceback, for a slug that does not exist, an open consultation or a folder that
cannot be written."""

from __future__ import annotations

from datetime import timedelta

from lxml import etree
from sqlalchemy import func, select

from participation.models import ConsultationResponse, utcnow
from tests.archive.conftest import SCHEMA_DIR


def archived(session) -> int:
    session.expire_all()
    return session.scalar(
        select(func.count(ConsultationResponse.id)).where(
            ConsultationResponse.journalpost_id.is_not(None)
        )
    )


def test_export_command_writes_a_valid_uttrekk(runner, closed_demo, session, tmp_path):
    out = tmp_path / "arkiv" / "horing"
    result = runner.invoke(args=["archive", "export", "--draft", closed_demo.slug, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Skrev 5 journalposter (5 nylig arkivert) og 8 dokumenter til {out}." in result.stdout
    assert "Dokumenter: 1/9" in result.stderr and "Metadata: 9/9" in result.stderr
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "arkivstruktur.xsd")))
    assert schema.validate(etree.parse(str(out / "arkivstruktur.xml")))
    assert archived(session) == 5

    again = runner.invoke(
        args=["archive", "export", "--draft", closed_demo.slug, "-o", str(out), "--lang", "en"]
    )
    assert again.exit_code == 0, again.output
    assert "Wrote 5 journal entries (0 newly archived)" in again.stdout


def test_unknown_slug(runner, closed_demo, tmp_path):
    result = runner.invoke(
        args=["archive", "export", "--draft", "finst-ikkje", "-o", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "Det finnes ingen høring med URL-navnet finst-ikkje." in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit


def test_open_consultation_is_refused(runner, closed_demo, session, tmp_path):
    closed_demo.closes_at = utcnow() + timedelta(days=2)
    session.commit()
    out = tmp_path / "ut"
    result = runner.invoke(
        args=["archive", "export", "--draft", closed_demo.slug, "-o", str(out), "--lang", "nn"]
    )
    assert result.exit_code == 1
    assert "er ikkje avslutta enno" in result.output
    assert "Berre ei avslutta høyring kan arkiverast." in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and archived(session) == 0


def test_unwritable_folder(runner, closed_demo, session, tmp_path):
    blocker = tmp_path / "fil.txt"
    blocker.write_text("ikke en mappe")
    result = runner.invoke(
        args=["archive", "export", "--draft", closed_demo.slug, "-o", str(blocker / "ut")]
    )
    assert result.exit_code == 1
    assert f"Kan ikke skrive arkiveksporten til {blocker / 'ut'}" in result.output
    assert "Traceback" not in result.output
    assert archived(session) == 0

    other = tmp_path / "annet"
    other.mkdir()
    (other / "notat.txt").write_text("x")
    result = runner.invoke(
        args=["archive", "export", "--draft", closed_demo.slug, "-o", str(other), "--lang", "en"]
    )
    assert result.exit_code == 1
    assert "is not empty and holds no earlier archive export" in result.output


def test_missing_options_are_usage_errors(runner):
    result = runner.invoke(args=["archive", "export", "-o", "x"])
    assert result.exit_code == 2 and "--draft" in result.output
