"""``flask --app participation seed-demo``: the two demo processes (the Troms meetings
in the active one), idempotent."""

from __future__ import annotations

import re
from datetime import date, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from participation.backoffice.service import check_password
from participation.models import FocusArea, Input, Meeting, Process, Region, User

OSLO = ZoneInfo("Europe/Oslo")
TROMS = {
    "Midt-Troms": ("Kunnskaps- og næringsparken Senja", "Finnsnes", 0),
    "Sør-Troms": ("Thon Hotell Harstad", "Harstad", 1),
    "Tromsøregionen": ("Radisson Blu Hotel", "Tromsø", 3),
    "Nord-Troms": ("På Taket Kafé AS", "Nordreisa", 16),
}


def totals(session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model))
        for model in (Region, Meeting, FocusArea, User)
    }


def login_from(output: str) -> tuple[str, str]:
    match = re.search(r"Admin login: (\S+)\s+password: (\S+)", output)
    assert match, output
    return match.group(1), match.group(2)


def test_seed_demo_loads_the_troms_meetings_and_prints_the_admin_login(runner, session):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    email, password = login_from(result.output)
    admin = session.execute(select(User).where(User.email == email)).scalar_one()
    assert admin.is_admin and check_password(admin, password)

    troms = session.execute(
        select(Process).where(Process.slug == "naeringsstrategi-troms")
    ).scalar_one()
    assert troms.status == "active"
    meetings = (
        session.execute(select(Meeting).join(Meeting.region).where(Meeting.process_id == troms.id))
        .scalars()
        .all()
    )
    by_region = {m.region.name: m for m in meetings}
    assert set(by_region) == set(TROMS)
    first_day = by_region["Midt-Troms"].starts_at.astimezone(OSLO).date()
    assert first_day.weekday() == 0  # a Monday, as in the seed
    for name, (venue, address, offset) in TROMS.items():
        meeting = by_region[name]
        starts = meeting.starts_at.astimezone(OSLO)
        ends = meeting.ends_at.astimezone(OSLO)
        assert (starts.time(), ends.time()) == (time(9), time(13))
        assert (starts.date() - first_day).days == offset
        assert (meeting.venue, meeting.address) == (venue, address)
        assert meeting.registration_deadline < meeting.starts_at
        assert meeting.status(meeting.created_at) == "open"
    assert first_day > date.today()
    assert session.scalar(select(func.count(FocusArea.id))) > 0


def test_seed_demo_is_idempotent(runner, session):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = totals(session)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "demo data already present" in second.output
    assert "created" not in second.output
    assert totals(session) == counts
    # Each run prints a fresh password, and that one works.
    email, password = login_from(second.output)
    session.expire_all()
    admin = session.execute(select(User).where(User.email == email)).scalar_one()
    assert check_password(admin, password)
    assert login_from(first.output)[1] != password


def test_seed_demo_has_an_archived_process_with_its_own_areas_meetings_and_inputs(
    runner, session
):
    from participation.processes import service as processes

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    earlier = session.execute(
        select(Process).where(Process.slug == "verdiskaping-trondelag-sor")
    ).scalar_one()
    assert earlier.status == "archived"
    keys = {a.key for a in processes.focus_areas(session, earlier.id)}
    assert keys == {"bioeconomy", "circular_economy", "wood_processing", "local_food"}
    meetings = session.execute(select(Meeting).where(Meeting.process_id == earlier.id)).scalars()
    assert [m.status(earlier.archived_at) for m in meetings] == ["past", "past"]
    inputs = session.scalar(select(func.count(Input.id)).where(Input.process_id == earlier.id))
    assert inputs >= 24
    # The active process is what the public pages lead to; its box asks its own question.
    current = processes.current_process(session)
    assert current.slug == "naeringsstrategi-troms"
    assert current.text("question", "nn").startswith("Kva satsingsområde")
    assert current.current_phase(date.today()).name_nb == "Medvirkningsprosess"
