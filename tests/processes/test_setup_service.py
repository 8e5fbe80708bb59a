"""``processes.service`` as the back office's process pages use it: a process's focus
areas and regions set and copied with its texts, the suggestion box's period, what an
update's audit entry names, and the list's counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from participation.models import AuditEntry, Process
from participation.processes import service

OPENS = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)


def _data(slug: str = "ny", **overrides) -> service.ProcessData:
    values = {"slug": slug, "titles": {"nb": "Ny prosess", "se": "Ođđa proseassa"}}
    values.update(overrides)
    return service.ProcessData(**values)


def _state(session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count(Process.id))),
        session.scalar(select(func.count(AuditEntry.id))),
    )


def test_a_process_is_created_with_its_sets_and_those_of_an_earlier_one(
    session, focus_areas, make_region, make_process
):
    north, south = make_region(name="Nord"), make_region(name="Sør")
    earlier = make_process(slug="tidligere")
    service.set_focus_areas(session, earlier.id, [focus_areas[1].id])
    service.set_regions(session, earlier.id, [south.id])
    made = service.create_process(
        session,
        None,
        _data(focus_area_ids=[focus_areas[0].id], region_ids=[north.id], copy_from=earlier.id),
    )
    session.commit()
    assert made.title_se == "Ođđa proseassa"
    assert [a.key for a in service.focus_areas(session, made.id)] == ["lokalmat", "reiseliv"]
    assert [r.name for r in service.regions(session, made.id)] == ["Nord", "Sør"]
    actions = session.execute(
        select(AuditEntry.action).where(AuditEntry.object_id == str(made.id))
    ).scalars()
    assert sorted(actions) == ["process.copy", "process.create"]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        (
            {"suggestions_open_at": OPENS, "suggestions_close_at": OPENS},
            service.BoxClosesBeforeOpening,
        ),
        (
            {"suggestions_open_at": OPENS, "suggestions_close_at": OPENS - timedelta(days=1)},
            service.BoxClosesBeforeOpening,
        ),
        ({"focus_area_ids": [999999]}, service.UnknownChoice),
        ({"region_ids": [999999]}, service.UnknownChoice),
        ({"copy_from": 999999}, service.ProcessNotFound),
    ],
)
def test_bad_setup_is_refused_and_changes_nothing(session, overrides, error):
    before = _state(session)
    with pytest.raises(error):
        service.create_process(session, None, _data(**overrides))
    session.rollback()
    assert _state(session) == before


def test_a_region_with_the_processs_meetings_stays_in_its_set(
    session, process, make_region, make_meeting
):
    used, other = make_region(name="Brukt"), make_region(name="Annen")
    service.set_regions(session, process.id, [used.id, other.id])
    make_meeting(region=used)
    before = _state(session)
    with pytest.raises(service.RegionInUse) as refused:
        service.update_process(session, None, process.id, _data("standard", region_ids=[other.id]))
    assert refused.value.name == "Brukt"
    session.rollback()
    assert _state(session) == before
    # Leaving the set empty means every region: the meetings' region is still in it.
    service.update_process(session, None, process.id, _data("standard", region_ids=[]))
    assert service.regions(session, process.id) == []


def test_an_update_names_what_changed(session, focus_areas, make_process):
    made = make_process(slug="plan", titles={"nb": "Plan"})
    same = service.ProcessData(slug="plan", titles={"nb": "Plan"})
    service.update_process(session, None, made.id, same)
    changed = service.ProcessData(
        slug="plan",
        titles={"nb": "Plan", "se": "Plána"},
        phases=[service.PhaseData({"nb": "Fase"}, date(2027, 1, 4), date(2027, 2, 1))],
        focus_area_ids=[focus_areas[0].id],
    )
    service.update_process(session, None, made.id, changed)
    entries = session.execute(
        select(AuditEntry.details)
        .where(AuditEntry.action == "process.update")
        .order_by(AuditEntry.id)
    ).scalars()
    assert [d["changed"] for d in entries] == [[], ["title", "phases", "focus_areas"]]


def test_the_overview_counts_what_each_process_holds(
    session, process, make_process, make_meeting, make_input, make_draft, focus_areas
):
    other = make_process(slug="annen")
    make_meeting()
    make_meeting()
    make_input("Et innspill om hurtigbåtene mellom øyene.", process_id=process.id)
    make_draft(process_id=other.id)
    service.set_focus_areas(session, other.id, [a.id for a in focus_areas[:2]])
    rows = {row.process.slug: row for row in service.overview(session)}
    assert (rows["standard"].meetings, rows["standard"].inputs, rows["standard"].drafts) == (
        2,
        1,
        0,
    )
    assert (rows["annen"].meetings, rows["annen"].drafts, rows["annen"].focus_areas) == (0, 1, 2)
