"""``flask consultation import`` and the demo data."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from participation.models import ConsultationResponse, DraftStrategy, Input
from tests.helpers import DRAFT_MD

OSLO = ZoneInfo("Europe/Oslo")


def test_import_creates_a_draft_from_markdown(runner, session, tmp_path):
    source = tmp_path / "utkast.md"
    source.write_text(DRAFT_MD, encoding="utf-8")
    result = runner.invoke(
        args=[
            "consultation",
            "import",
            str(source),
            "--opens",
            "2026-03-01 09:00",
            "--closes",
            "2026-04-15",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "6 sections" in result.output
    draft = session.execute(select(DraftStrategy)).scalar_one()
    assert draft.title == "Næringsstrategi for Testfylket"
    assert draft.slug == "naeringsstrategi-for-testfylket"
    assert draft.opens_at == datetime(2026, 3, 1, 9, 0, tzinfo=OSLO).astimezone(UTC)
    assert draft.closes_at == datetime(2026, 4, 15, 23, 59, tzinfo=OSLO).astimezone(UTC)
    assert [s.number for s in draft.sections] == ["1", "1.1", "1.1.1", "1.1.2", "2", "2.1"]


def test_import_with_title_and_default_period(runner, session, tmp_path):
    source = tmp_path / "utkast.md"
    source.write_text("## Første del\n\n### Strategi\n", encoding="utf-8")
    result = runner.invoke(
        args=["consultation", "import", str(source), "--title", "Høringsutkast", "--slug", "h1"]
    )
    assert result.exit_code == 0, result.output
    draft = session.execute(select(DraftStrategy)).scalar_one()
    assert draft.title == "Høringsutkast" and draft.slug == "h1"
    assert draft.closes_at.astimezone(OSLO).strftime("%H:%M") == "23:59"
    assert (draft.closes_at - draft.opens_at).days >= 41


def test_import_refusals_store_nothing(runner, session, tmp_path):
    no_title = tmp_path / "a.md"
    no_title.write_text("## Del\n", encoding="utf-8")
    result = runner.invoke(args=["consultation", "import", str(no_title)])
    assert result.exit_code != 0 and "--title" in result.output

    no_sections = tmp_path / "b.md"
    no_sections.write_text("# Tittel\n\nBare tekst.\n", encoding="utf-8")
    result = runner.invoke(args=["consultation", "import", str(no_sections)])
    assert result.exit_code != 0 and "no section headings" in result.output

    good = tmp_path / "c.md"
    good.write_text(DRAFT_MD, encoding="utf-8")
    result = runner.invoke(
        args=[
            "consultation",
            "import",
            str(good),
            "--opens",
            "2026-05-01",
            "--closes",
            "2026-04-01",
        ]
    )
    assert result.exit_code != 0 and "must close after it opens" in result.output
    result = runner.invoke(args=["consultation", "import", str(good), "--opens", "1. mai"])
    assert result.exit_code != 0
    assert session.scalar(select(func.count(DraftStrategy.id))) == 0

    assert runner.invoke(args=["consultation", "import", str(good)]).exit_code == 0
    again = runner.invoke(args=["consultation", "import", str(good)])
    assert again.exit_code != 0 and "already exists" in again.output
    assert session.scalar(select(func.count(DraftStrategy.id))) == 1


def test_seed_demo_has_an_open_draft_and_inputs_and_is_idempotent(runner, session):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "draft strategy" in first.output and "12 suggestions" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "draft strategy" not in second.output

    draft = session.execute(select(DraftStrategy)).scalar_one()
    assert draft.is_open(datetime.now(UTC))
    numbers = [s.number for s in draft.sections]
    assert {"1", "1.1", "1.1.1", "4.2.1", "6.1.3"} <= set(numbers)
    assert max(s.level for s in draft.sections) == 3  # goal area → sub-goal → strategy
    titles = " ".join(s.title for s in draft.sections).lower()
    for sector in (
        "fiskeri",
        "havbruk",
        "reiseliv",
        "landbruk",
        "reindrift",
        "mineral",
        "energi",
        "maritim",
        "petroleum",
    ):
        assert sector in titles or sector in " ".join(s.body for s in draft.sections).lower()

    forms = dict(
        session.execute(select(Input.written_form, func.count()).group_by(Input.written_form)).all()
    )
    assert forms.get("nb", 0) >= 3 and forms.get("nn", 0) >= 3
    channels = dict(
        session.execute(
            select(Input.channel, func.count())
            .where(Input.process_id == draft.process_id)
            .group_by(Input.channel)
        ).all()
    )
    assert channels["suggestion_box"] == 12 and channels["consultation_response"] == 3
    assert (
        session.scalar(
            select(func.count(ConsultationResponse.id)).where(
                ConsultationResponse.published_at.is_not(None)
            )
        )
        == 2
    )
    assert (
        session.scalar(select(func.count(Input.id)).where(Input.duplicate_of_id.is_not(None))) >= 1
    )
