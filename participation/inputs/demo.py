"""Demo data for the consultation and the inbox: the Troms draft strategy (from
``participation/demo_data/troms_naeringsstrategi.md``, shaped like seed 003:
goal areas → sub-goals → numbered strategies), some suggestions in Bokmål and
Nynorsk, and a few consultation responses. Idempotent.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.common import LOCAL_TIMEZONE, working_day
from participation.models import (
    ConsultationResponse,
    DraftStrategy,
    FocusArea,
    Input,
    InputChannel,
    Region,
)

UTC = ZoneInfo("UTC")
DRAFT_SLUG = "naeringsstrategi-troms"
DRAFT_FILE = "troms_naeringsstrategi.md"

# Sent twice, nine days apart: the inbox shows the second as an exact duplicate.
LOCAL_FOOD = (
    "Eg driv med lokalmat på Senja og opplever at det er vanskeleg å få varene ut til "
    "kundane. Ei felles løysing for transport og lager for små matprodusentar ville "
    "gjort stor skilnad. Offentlege innkjøp burde òg vere opne for oss."
)

# (days ago, region slug, category, focus area key, text)
SUGGESTIONS = [
    (
        12,
        "nord-troms",
        "business",
        "fisheries_aquaculture",
        "Vi trenger mottak for fisk i Nord-Troms hele året. I dag må båtene levere i "
        "Finnmark eller Tromsø store deler av vinteren, og da forsvinner arbeidsplassene "
        "på land. Strategien bør prioritere helårsdrift i fiskeindustrien.",
    ),
    (
        11,
        "tromsoregionen",
        "citizen",
        "tourism",
        "Reiselivet i Tromsø vokser for fort om vinteren. Det er kø på turveiene og "
        "parkeringen ved Ersfjordbotn er full. Fylket bør satse på besøksforvaltning og "
        "produkter om sommeren og høsten i stedet for enda flere nordlysturer.",
    ),
    (
        10,
        "midt-troms",
        "business",
        "local_food",
        LOCAL_FOOD,
    ),
    (
        9,
        "sor-troms",
        "research_education",
        "skills",
        "Det er stor mangel på fagarbeidere i Sør-Troms, særlig innen elektro og "
        "mekaniske fag. Fagskolen i Harstad bør få flere studieplasser, og bedriftene må "
        "ta inn flere lærlinger. Desentralisert utdanning er helt avgjørende for oss.",
    ),
    (
        8,
        "nord-troms",
        "organisation",
        "reindeer_herding",
        "Reindrifta må takast med tidleg når det blir planlagt vindkraft, gruver og "
        "hytteområde. Beiteområda blir stykka opp bit for bit, og summen av inngrepa blir "
        "aldri vurdert. Strategien må seie tydeleg korleis omsynet til reindrifta skal "
        "takast vare på.",
    ),
    (
        7,
        "tromsoregionen",
        "business",
        "energy",
        "Vi har planer om å utvide produksjonen, men får ikke nok strøm før om mange år. "
        "Mangel på nettkapasitet stopper ny industri i hele Troms. Dette må være øverst på "
        "lista i næringsstrategien. Kontakt meg gjerne på 912 34 567 hvis dere vil vite mer.",
    ),
    (
        6,
        None,
        None,
        None,
        "Boliger! Vi får ikke folk til å flytte hit når det ikke finnes noe å leie. "
        "Kommunene og fylket må samarbeide om boliger for tilflyttere.",
    ),
    (
        5,
        "midt-troms",
        "municipality",
        "infrastructure_transport",
        "Fergesambanda i Midt-Troms er for dårlege til at næringslivet kan stole på dei. "
        "Sjømatbedriftene treng faste avgangar og plass til vogntog. Fylkesvegane treng òg "
        "opprusting, særleg der det går tungtransport med fisk.",
    ),
    (
        4,
        "sor-troms",
        "business",
        "maritime",
        "Verftene i Harstad-regionen har kompetansen som trengs for grønn omstilling av "
        "flåten. Fylkeskommunen bør stille krav om nullutslipp i ferge- og "
        "hurtigbåtkontraktene, så får vi oppdragene her i stedet for i utlandet.",
    ),
    (
        3,
        "tromsoregionen",
        "citizen",
        "entrepreneurship",
        "Det bør være lettere å starte bedrift utenfor Tromsø. Gründere i distriktene "
        "har lang vei til rådgivning og kapital. Et gründerprogram som reiser rundt i "
        "fylket kunne hjulpet mange.",
    ),
    (
        2,
        "nord-troms",
        "citizen",
        None,
        "Eg veit ikkje heilt kva område dette høyrer til, men ungdomen flyttar ut fordi "
        "det er for få jobbar for folk med høgare utdanning. Fjernarbeid og kontorfellesskap "
        "i bygdene kunne fått fleire til å bli.",
    ),
    (
        1,
        "midt-troms",
        "business",
        "local_food",
        LOCAL_FOOD,
    ),
]

# (hours after opening, section number or None, stance, category, name, organisation,
#  org number, locale, may publish, publish, text)
RESPONSES = [
    (
        20,
        "1.1.2",
        "support",
        "business",
        "Kari Nordmann",
        "Senja Sjømat AS",
        None,
        "nb",
        True,
        True,
        "Vi støtter at det lages interkommunale kystsoneplaner. Det er viktig for oss som "
        "driver havbruk at planene er forutsigbare, og at fiskeriene og reindriften er med "
        "fra starten. Vi ber om at fylkeskommunen setter av midler til planarbeidet.",
    ),
    (
        30,
        None,
        "partly",
        "municipality",
        "Ola Hansen",
        "Nordreisa kommune",
        None,
        "nb",
        True,
        True,
        "Kommunen stiller seg i hovedsak bak utkastet, men savner konkrete tiltak for "
        "Nord-Troms. Nettkapasitet, boliger og rekruttering må prioriteres høyere, og "
        "handlingsplanene bør ha egne tiltak for distriktene.",
    ),
    (
        40,
        "4.2.1",
        "oppose",
        "organisation",
        "Áile Somby",
        "Reinbeitedistrikt i Nord-Troms",
        None,
        "nn",
        False,
        False,
        "Vi er usamde i at mineralnæringa skal utviklast vidare utan at reindrifta får "
        "reell innverknad. Tidleg dialog er ikkje nok; reindrifta må få vere med og "
        "avgjere om prosjekta kan gjennomførast i det heile.",
    ),
]


def _exists(session: Session, column, condition) -> bool:
    """Whether the demo data was seeded already (seeding twice adds nothing)."""
    return session.execute(select(column).where(condition).limit(1)).first() is not None


def _troms(session: Session):
    """The demo's Troms process, else the current process (these steps alone)."""
    from participation.processes import service as processes
    from participation.processes.demo import TROMS_SLUG

    found = processes.get_by_slug(session, TROMS_SLUG) or processes.current_process(session)
    if found is None:
        raise processes.NoCurrentProcess()
    return found


def _draft_source() -> str:
    return (
        resources.files("participation")
        .joinpath("demo_data", DRAFT_FILE)
        .read_text(encoding="utf-8")
    )


def seed_draft(session: Session, report, today: date) -> DraftStrategy:
    from participation.consultation import service

    draft = service.get_draft(session, DRAFT_SLUG)
    if draft is not None:
        return draft
    # Open since a few days ago, for five more weeks: the demo is always open.
    opens_at = datetime.combine(today - timedelta(days=3), time(9, 0), LOCAL_TIMEZONE).astimezone(
        UTC
    )
    # The deadline is a working day, never a public holiday or in romjul.
    closes_at = datetime.combine(
        working_day(today + timedelta(weeks=5)), time(23, 59), LOCAL_TIMEZONE
    ).astimezone(UTC)
    draft = service.import_markdown(
        session,
        _draft_source(),
        opens_at=opens_at,
        closes_at=closes_at,
        slug=DRAFT_SLUG,
        process_id=_troms(session).id,
    )
    report.created.append(f"draft strategy {draft.title} ({len(draft.sections)} sections)")
    return draft


def seed_suggestions(session: Session, report, today: date) -> None:
    from participation.suggestions import service as suggestions

    process = _troms(session)
    if _exists(
        session,
        Input.id,
        (Input.channel == InputChannel.SUGGESTION_BOX) & (Input.process_id == process.id),
    ):
        return
    regions = {r.slug: r.id for r in session.execute(select(Region)).scalars()}
    areas = {a.key: a.id for a in session.execute(select(FocusArea)).scalars()}
    for days_ago, region, category, area, text in SUGGESTIONS:
        suggestions.submit_suggestion(
            session,
            suggestions.SuggestionData(
                text=text,
                focus_area_id=areas.get(area) if area else None,
                region_id=regions.get(region) if region else None,
                category=category,
            ),
            today=today - timedelta(days=days_ago),
            process_id=process.id,
        )
    report.created.append(f"{len(SUGGESTIONS)} suggestions")


def seed_responses(session: Session, report, draft: DraftStrategy) -> None:
    from participation.consultation import service

    if _exists(session, ConsultationResponse.id, ConsultationResponse.draft_id == draft.id):
        return
    sections = {s.number: s.id for s in draft.sections}
    for n, (
        hours,
        number,
        stance,
        category,
        name,
        org,
        org_no,
        locale,
        may,
        publish,
        text,
    ) in enumerate(RESPONSES):
        response = service.submit_response(
            session,
            draft.id,
            service.ResponseData(
                text=text,
                name=name,
                email=f"demo{n + 1}@example.no",
                category=category,
                locale=locale,
                stance=stance,
                may_publish=may,
                section_id=sections.get(number) if number else None,
                organisation=org,
                org_number=org_no,
            ),
            upload_dir="",
            now=draft.opens_at + timedelta(hours=hours),
            notify=False,
        )
        if publish:
            service.approve_for_publication(
                session, response.id, response.input.redacted_text, now=response.created_at
            )
    report.created.append(f"{len(RESPONSES)} consultation responses")


def seed_consultation_and_inputs(session: Session, report, today: date) -> None:
    draft = seed_draft(session, report, today)
    seed_suggestions(session, report, today)
    seed_responses(session, report, draft)
