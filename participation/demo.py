"""Demo data: the two demo processes (the Troms næringsstrategi, active, with its
input meetings from seed 004; Verdiskaping Trøndelag Sør, archived), focus areas
and an admin.

Idempotent: running it again adds nothing that is already there.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.backoffice.service import set_password
from participation.common import LOCAL_TIMEZONE, is_working_day, working_day
from participation.models import FocusArea, Meeting, Region, Role, User, utcnow
from participation.models.base import OTHER_LANGUAGES

DEMO_ADMIN_EMAIL = "admin@example.no"

# (slug, name, venue, address, days after the first meeting, seats)
TROMS_MEETINGS = [
    ("midt-troms", "Midt-Troms", "Kunnskaps- og næringsparken Senja", "Finnsnes", 0, 40),
    ("sor-troms", "Sør-Troms", "Thon Hotell Harstad", "Harstad", 1, 40),
    ("tromsoregionen", "Tromsøregionen", "Radisson Blu Hotel", "Tromsø", 3, 60),
    ("nord-troms", "Nord-Troms", "På Taket Kafé AS", "Nordreisa", 16, 12),
]

# The meetings' titles and descriptions in each language of the site. Troms's area holds
# municipalities of the administrative area for Sami language (Kåfjord and Storfjord in
# Nord-Troms, Lavangen and Tjeldsund in Sør-Troms, Tromsø), so every meeting has its
# Northern Sami text; its title names the region in Sami (Troms is Romsa), then in
# Norwegian.
MEETING_TITLES = {
    "nb": "Innspillsmøte {name}",
    "nn": "Innspelsmøte {name}",
    "en": "Input meeting in {name}",
    "se": "Cealkámuščoahkkin {sami} ({name})",
}
SAMI_REGION_IN = {
    "midt-troms": "Gaska-Romssas",
    "sor-troms": "Lulli-Romssas",
    "tromsoregionen": "Romssa guovllus",
    "nord-troms": "Davvi-Romssas",
}
MEETING_DESCRIPTIONS = {
    "nb": (
        "Innspillsmøte til næringsstrategien for Troms, i samarbeid med regionrådet. "
        "Vi vil høre hva næringslivet, kommunene og organisasjonene i regionen mener "
        "strategien bør prioritere.\n\n"
        "Program: velkommen og bakgrunn, gruppearbeid om utfordringer og muligheter, "
        "oppsummering. Det serveres lunsj."
    ),
    "nn": (
        "Innspelsmøte til næringsstrategien for Troms, i samarbeid med regionrådet. "
        "Vi vil høyre kva næringslivet, kommunane og organisasjonane i regionen meiner "
        "strategien bør prioritere.\n\n"
        "Program: velkomst og bakgrunn, gruppearbeid om utfordringar og moglegheiter, "
        "oppsummering. Det blir servert lunsj."
    ),
    "en": (
        "An input meeting for the business development strategy for Troms, held together "
        "with the regional council. We want to hear what businesses, municipalities and "
        "organisations in the region think the strategy should give priority to.\n\n"
        "Programme: welcome and background, group work on challenges and opportunities, "
        "summing up. Lunch is served."
    ),
    "se": (
        "Cealkámuščoahkkin Romssa ealáhusstrategiija birra, ovttasbarggus regionrádiin. "
        "Mii háliidit gullat maid ealáhuseallin, gielddat ja organisašuvnnat guovllus "
        "oaivvildit ahte strategiija galggašii vuoruhit.\n\n"
        "Prográmma: buresboahtin ja duogáš, joavkobargu hástalusaid ja vejolašvuođaid "
        "birra, čoahkkáigeassu. Gaskabeaivebiebmu fállojuvvo."
    ),
}


def meeting_texts(slug: str, name: str) -> dict[str, str]:
    """A demo meeting's title and description in every language, by column name."""
    texts: dict[str, str] = {}
    for language in ("nb", *OTHER_LANGUAGES):
        title = MEETING_TITLES[language].format(name=name, sami=SAMI_REGION_IN.get(slug, name))
        texts[f"title_{language}"] = title
        texts[f"description_{language}"] = MEETING_DESCRIPTIONS[language]
    return texts


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    admin_email: str = DEMO_ADMIN_EMAIL
    admin_password: str = ""


def oslo_datetime(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=LOCAL_TIMEZONE).astimezone(ZoneInfo("UTC"))


def first_meeting_day(today: date) -> date:
    """The next Monday at least three weeks away (so the demo is always upcoming) from
    which every meeting day of the tour falls on a working day: never in romjul or on
    a public holiday."""
    start = today + timedelta(days=21)
    first = start + timedelta(days=(7 - start.weekday()) % 7)
    while not all(is_working_day(first + timedelta(days=m[4])) for m in TROMS_MEETINGS):
        first += timedelta(days=7)
    return first


def registration_deadline(day: date) -> date:
    """Three days before the meeting, or the working day before that."""
    return working_day(day - timedelta(days=3), forward=False)


def seed_focus_areas(session: Session, report: DemoReport) -> None:
    from analysis.focus_areas import load_default_focus_areas

    existing = set(session.execute(select(FocusArea.key)).scalars())
    for position, spec in enumerate(load_default_focus_areas()):
        if spec.key in existing:
            continue
        session.add(
            FocusArea(
                key=spec.key,
                name_nb=spec.names["nb"],
                name_nn=spec.names["nn"],
                name_en=spec.names["en"],
                description_nb=spec.descriptions.get("nb", ""),
                description_nn=spec.descriptions.get("nn", ""),
                description_en=spec.descriptions.get("en", ""),
                seed_terms=list(spec.seed_terms),
                position=position,
            )
        )
        report.created.append(f"focus area {spec.key}")


def seed_meetings(session: Session, report: DemoReport, today: date, process_id: int) -> None:
    from participation.processes import service as processes

    first = first_meeting_day(today)
    for position, (slug, name, venue, address, offset, seats) in enumerate(TROMS_MEETINGS):
        region = session.execute(select(Region).where(Region.slug == slug)).scalar_one_or_none()
        if region is None:
            region = Region(slug=slug, name=name, position=position)
            session.add(region)
            session.flush()
            report.created.append(f"region {name}")
        processes.add_regions(session, process_id, [region.id])
        texts = meeting_texts(slug, name)
        existing = session.execute(
            select(Meeting)
            .where(Meeting.region_id == region.id, Meeting.process_id == process_id)
            .limit(1)
        ).scalar_one_or_none()
        if existing is not None:
            # A demo meeting from before meetings had texts in every language gets them.
            if existing.title == texts["title_nb"]:
                for column, value in texts.items():
                    if not getattr(existing, column):
                        setattr(existing, column, value)
            continue
        day = first + timedelta(days=offset)
        session.add(
            Meeting(
                process_id=process_id,
                region_id=region.id,
                **texts,
                starts_at=oslo_datetime(day, time(9, 0)),
                ends_at=oslo_datetime(day, time(13, 0)),
                venue=venue,
                address=address,
                seats=seats,
                registration_deadline=oslo_datetime(registration_deadline(day), time(23, 59)),
            )
        )
        report.created.append(f"meeting {name}")


def seed_admin(session: Session, report: DemoReport) -> None:
    user = session.execute(select(User).where(User.email == DEMO_ADMIN_EMAIL)).scalar_one_or_none()
    if user is None:
        user = User(email=DEMO_ADMIN_EMAIL, name="Demo administrator", role=Role.ADMIN)
        session.add(user)
        report.created.append("admin user")
    # A fresh password each run, printed once: it is never stored in clear text.
    password = secrets.token_urlsafe(12)
    set_password(user, password)
    report.admin_password = password


# Other areas append their own steps here (e.g. a draft strategy, demo inputs); they
# run after the active Troms process and its meetings exist.
def _consultation_and_inputs(session: Session, report: DemoReport, today: date) -> None:
    from participation.inputs.demo import seed_consultation_and_inputs

    seed_consultation_and_inputs(session, report, today)


def _closing(session: Session, report: DemoReport, today: date) -> None:
    from participation.assessments.demo import seed_closing

    seed_closing(session, report, today)


def _archived_process(session: Session, report: DemoReport, today: date) -> None:
    from participation.processes.demo import seed_trondelag

    seed_trondelag(session, report, today)


EXTRA_STEPS: list = [_consultation_and_inputs, _closing, _archived_process]


def seed_demo(session: Session, today: date | None = None) -> DemoReport:
    from participation.processes.demo import seed_troms

    today = today or utcnow().astimezone(LOCAL_TIMEZONE).date()
    report = DemoReport()
    seed_focus_areas(session, report)
    troms = seed_troms(session, report, today)
    seed_meetings(session, report, today, troms.id)
    session.flush()
    for step in EXTRA_STEPS:
        step(session, report, today)
    seed_admin(session, report)
    return report
