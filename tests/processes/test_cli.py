"""``flask processes list|create|activate|archive``: bad input is refused with a
translated message and changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from participation.models import Process
from participation.processes import service


def _count(session) -> int:
    return session.scalar(select(func.count(Process.id)))


def test_create_list_activate_and_archive(runner, session, make_process, make_region):
    earlier = make_process()
    region = make_region()
    service.set_regions(session, earlier.id, [region.id])
    session.commit()
    result = runner.invoke(
        args=[
            "processes", "create", "--slug", "kompetanseplan", "--title-nb", "Kompetanseplan",
            "--phase", "Medvirkning|2027-01-01|2027-02-28",
            "--phase", "Høring|2027-03-01|2027-03-31",
            "--copy-from", earlier.slug,
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "draft kompetanseplan"
    made = service.get_by_slug(session, "kompetanseplan")
    assert [p.name_nb for p in made.phases] == ["Medvirkning", "Høring"]
    assert [r.id for r in service.regions(session, made.id)] == [region.id]

    assert runner.invoke(args=["processes", "activate", "kompetanseplan"]).exit_code == 0
    listing = runner.invoke(args=["processes", "list"]).output
    assert "active    kompetanseplan" in listing
    result = runner.invoke(args=["processes", "archive", "kompetanseplan"])
    assert result.exit_code == 0 and result.output.strip() == "archived kompetanseplan"


def test_bad_input_is_refused_in_the_chosen_language(runner, session, make_draft, process):
    before = _count(session)
    taken = runner.invoke(args=["processes", "create", "--slug", process.slug, "--title-nb", "X"])
    assert taken.exit_code != 0 and "En annen prosess har allerede denne adressen" in taken.output
    overlap = runner.invoke(
        args=[
            "processes", "create", "--slug", "ny", "--title-nb", "Ny", "--lang", "nn",
            "--phase", "A|2027-01-01|2027-02-01", "--phase", "B|2027-01-15|2027-03-01",
        ]
    )  # fmt: skip
    assert overlap.exit_code != 0 and "Fase 2 overlappar fasen før" in overlap.output
    backwards = runner.invoke(
        args=["processes", "create", "--slug", "ny", "--title-nb", "Ny",
              "--phase", "A|2027-02-01|2027-01-01"]
    )  # fmt: skip
    assert backwards.exit_code != 0 and "Fase 1 slutter før den begynner" in backwards.output
    assert _count(session) == before
    make_draft()  # an open consultation in the current process
    refused = runner.invoke(args=["processes", "archive", process.slug])
    assert refused.exit_code != 0 and "høringene er åpen" in refused.output
    session.expire_all()
    assert session.get(Process, process.id).status == "active"
    unknown = runner.invoke(args=["processes", "archive", "finnes-ikke"])
    assert unknown.exit_code != 0 and "Det finnes ingen slik prosess" in unknown.output
