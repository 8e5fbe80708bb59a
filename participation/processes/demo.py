"""Demo processes: the Troms næringsstrategi (seed 004) as the active process, and
Verdiskaping Trøndelag Sør (seed 000) as an archived one with its four focus areas,
two past meetings and a few dozen inputs. Their texts are data, as a project group
would enter them in the back office. Idempotent.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.common import LOCAL_TIMEZONE, working_day
from participation.models import FocusArea, InputChannel, Meeting, Process, Region
from participation.processes import service

UTC = ZoneInfo("UTC")
TROMS_SLUG = "naeringsstrategi-troms"
TRONDELAG_SLUG = "verdiskaping-trondelag-sor"

# The areas only Trøndelag Sør chose; Troms takes the rest of the default set.
TRONDELAG_AREAS = ("bioeconomy", "circular_economy", "wood_processing", "local_food")
TROMS_LEAVES_OUT = ("bioeconomy", "circular_economy", "wood_processing")

TROMS_TEXTS = {
    "titles": {
        "nb": "Næringsstrategi for Troms",
        "nn": "Næringsstrategi for Troms",
        "en": "Business development strategy for Troms",
        "se": "Romssa ealáhusstrategiija",
    },
    "summaries": {
        "nb": "Troms fylkeskommune skriver en strategi for bærekraftig verdiskaping, flere "
        "arbeidsplasser og sterkere forskning og innovasjon i Troms. Vi vil høre fra "
        "innbyggere, bedrifter, kommuner og organisasjoner før strategien vedtas.",
        "nn": "Troms fylkeskommune skriv ein strategi for berekraftig verdiskaping, fleire "
        "arbeidsplassar og sterkare forsking og innovasjon i Troms. Vi vil høyre frå "
        "innbyggjarar, bedrifter, kommunar og organisasjonar før strategien blir vedteken.",
        "en": "Troms County Council is writing a strategy for sustainable value creation, "
        "more jobs and stronger research and innovation in Troms. We want to hear from "
        "citizens, businesses, municipalities and organisations before it is adopted.",
        "se": "Romssa fylkkagielda ráhkada strategiija guoddevaš árvoháhkamii, eanet "
        "bargosajiide ja nannoset dutkamii ja innovašuvdnii Romssas. Mii háliidit gullat "
        "maid ássit, fitnodagat, suohkanat ja organisašuvnnat oaivvildit, ovdal go "
        "strategiija mearriduvvo.",
    },
    "introductions": {
        "nb": "Målet med strategien er å utvikle et bærekraftig næringsliv som gir sunn og "
        "lokal verdiskaping i Troms.\n\nFylkeskommunen leder arbeidet, og en prosjektgruppe "
        "utvikler strategien med bakgrunn i innspill fra møter med næringslivet. "
        "**Smart spesialisering** brukes som metode.",
        "nn": "Målet med strategien er å utvikle eit berekraftig næringsliv som gir sunn og "
        "lokal verdiskaping i Troms.\n\nFylkeskommunen leier arbeidet, og ei prosjektgruppe "
        "utviklar strategien med bakgrunn i innspel frå møte med næringslivet. "
        "**Smart spesialisering** blir brukt som metode.",
        "en": "The strategy aims at a sustainable business life that gives healthy, local "
        "value creation in Troms.\n\nThe county leads the work; a project group develops "
        "the strategy from what businesses say at the meetings. **Smart specialisation** "
        "is the method.",
        "se": "Strategiija ulbmil lea ovdánahttit guoddevaš ealáhuseallima mii addá "
        "dearvvaš ja báikkálaš árvoháhkama Romssas.\n\nFylkkagielda jođiha barggu, ja "
        "prošeaktajoavku ráhkada strategiija cealkámušaid vuođul mat bohtet "
        "ealáhuseallimis čoahkkimiin. Vuohkin geavahuvvo **jierpmálaš spesialiseren** "
        "(smart spesialisering).",
    },
    "questions": {
        "nb": "Hvilke satsingsområder bør prioriteres i årene som kommer?",
        "nn": "Kva satsingsområde bør prioriterast i åra som kjem?",
        "en": "Which focus areas should be given priority in the years ahead?",
        "se": "Makkár fokussuorggit galget vuoruhuvvot boahtte jagiid?",
    },
}

# (nb, nn, en, description nb, description nn, first day, last day) relative to today
TROMS_PHASES = [
    (
        "Prosjektstart",
        "Prosjektstart",
        "Project start",
        "Prosjektgruppa settes sammen og kunnskapsgrunnlaget samles.",
        "Prosjektgruppa blir sett saman og kunnskapsgrunnlaget samla.",
        -150,
        -121,
    ),
    (
        "Organisering og analyse",
        "Organisering og analyse",
        "Organisation and analysis",
        "Analyse av næringslivet i regionen.",
        "Analyse av næringslivet i regionen.",
        -120,
        -31,
    ),
    (
        "Medvirkningsprosess",
        "Medverknadsprosess",
        "Participation",
        "Innspillsmøter i alle regioner, digital innspillkasse og høring på utkastet.",
        "Innspelsmøte i alle regionar, digital innspelskasse og høyring på utkastet.",
        -30,
        45,
    ),
    (
        "Intern forankring",
        "Intern forankring",
        "Internal anchoring",
        "Utkastet drøftes i fylkeskommunen.",
        "Utkastet blir drøfta i fylkeskommunen.",
        46,
        60,
    ),
    (
        "Høringsrunder",
        "Høyringsrundar",
        "Consultation rounds",
        "Tilbakemeldinger på det bearbeidede utkastet.",
        "Tilbakemeldingar på det bearbeidde utkastet.",
        61,
        90,
    ),
    (
        "Ferdigstillelse",
        "Ferdigstilling",
        "Completion",
        "Strategien skrives ferdig med en oppsummering av innspillene.",
        "Strategien blir skriven ferdig med ei oppsummering av innspela.",
        91,
        120,
    ),
    (
        "Fylkestinget",
        "Fylkestinget",
        "County council",
        "Fylkestinget behandler og vedtar strategien.",
        "Fylkestinget handsamar og vedtek strategien.",
        121,
        135,
    ),
]

# The phases' names and descriptions in Northern Sami (Troms has municipalities in the
# Sami language administrative area), by their Bokmål name.
TROMS_PHASES_SE = {
    "Prosjektstart": (
        "Prošeavtta álggaheapmi",
        "Prošeaktajoavku ásahuvvo ja máhttovuođđu čohkkejuvvo.",
    ),
    "Organisering og analyse": ("Organiseren ja analysa", "Guovllu ealáhuseallima analysa."),
    "Medvirkningsprosess": (
        "Oassálastinproseassa",
        "Cealkámuščoahkkimat buot guovlluin, digitála evttohusboksa ja evttohusa gulaskuddan.",
    ),
    "Intern forankring": ("Siskkáldas vuođđudeapmi", "Evttohus digaštallojuvvo fylkkagielddas."),
    "Høringsrunder": ("Gulaskuddanvuorut", "Máhcahagat divvojuvvon evttohussii."),
    "Ferdigstillelse": (
        "Loahpaheapmi",
        "Strategiija gárvvistuvvo, ja dasa čállojuvvo čoahkkáigeassu cealkámušain.",
    ),
    "Fylkestinget": ("Fylkkadiggi", "Fylkkadiggi meannuda ja mearrida strategiija."),
}

TRONDELAG_TEXTS = {
    "titles": {
        "nb": "Verdiskaping Trøndelag Sør",
        "nn": "Verdiskaping Trøndelag Sør",
        "en": "Value creation in Trøndelag Sør",
    },
    "summaries": {
        "nb": "Regionrådets strategiske handlingsplan for næringsutvikling, med "
        "satsingsområdene bioøkonomi, sirkulærøkonomi, treforedling og lokalmat.",
        "nn": "Regionrådet sin strategiske handlingsplan for næringsutvikling, med "
        "satsingsområda bioøkonomi, sirkulærøkonomi, treforedling og lokalmat.",
        "en": "The regional council's strategic action plan for business development, "
        "with the focus areas bioeconomy, circular economy, wood processing and local food.",
    },
    "introductions": {
        "nb": "En prosjektgruppe fra regionrådets arbeidsgruppe for næringsutvikling "
        "arbeidet med næringslivet i regionen for å utvikle prosjekter som kan støttes "
        "over regionrådets næringsfond.",
        "nn": "Ei prosjektgruppe frå arbeidsgruppa for næringsutvikling i regionrådet "
        "arbeidde med næringslivet i regionen for å utvikle prosjekt som kan støttast "
        "over næringsfondet til regionrådet.",
    },
    "questions": {
        "nb": "Hvilke prosjekter kan gi flere arbeidsplasser i regionen?",
        "nn": "Kva prosjekt kan gi fleire arbeidsplassar i regionen?",
    },
}

TRONDELAG_PHASES = [
    ("Kunnskapsgrunnlag", "Kunnskapsgrunnlag", "Knowledge base", -400, -341),
    ("Arbeidsmøter med næringslivet", "Arbeidsmøte med næringslivet", "Workshops", -340, -300),
    ("Behandling i regionrådet", "Handsaming i regionrådet", "Regional council", -299, -280),
]

# (slug, name, venue, address, days ago)
TRONDELAG_MEETINGS = [
    ("fjellregionen", "Fjellregionen", "Rørosmuseet", "Røros", 330),
    ("gauldal", "Gauldal", "Støren samfunnshus", "Støren", 320),
]

# (area key or None, region slug or None, category, text); the first two regions'
# notes come from the meetings, the rest through the suggestion box.
TRONDELAG_INPUTS = [
    (
        "local_food",
        "fjellregionen",
        "business",
        "Matnettverkene i regionen bør knyttes sammen, så små produsenter kan dele transport "
        "og markedsføring.",
    ),
    (
        "local_food",
        "gauldal",
        "business",
        "Vi trenger et felles pakkeri for lokalmat. I dag må hver gård gjøre alt selv.",
    ),
    (
        "local_food",
        None,
        "citizen",
        "Butikkene her selger nesten ikke lokal mat. Det burde vært en egen hylle for "
        "produkter fra regionen.",
    ),
    (
        "local_food",
        "fjellregionen",
        "organisation",
        "Reiselivet og matprodusentene bør samarbeide om matopplevelser for turistene på Røros.",
    ),
    (
        "local_food",
        "gauldal",
        "citizen",
        "Eg vil gjerne kjøpe kjøt direkte frå bonden, men det finst ingen felles "
        "hentestad i Gauldal.",
    ),
    (
        "local_food",
        None,
        "business",
        "Offentlige innkjøp til skoler og sykehjem burde bruke mer mat fra lokale bønder.",
    ),
    (
        "bioeconomy",
        "gauldal",
        "research_education",
        "Restråstoff fra landbruket kan bli biogass. Et felles biogassanlegg for regionen "
        "bør utredes.",
    ),
    (
        "bioeconomy",
        "fjellregionen",
        "business",
        "Skogen er vår største ressurs. Vi må foredle mer av tømmeret her i stedet for å "
        "sende det ut som rundvirke.",
    ),
    (
        "bioeconomy",
        None,
        "municipality",
        "Kommunene kan gå foran med å bygge i tre og bruke bioenergi i sine egne bygg.",
    ),
    (
        "bioeconomy",
        "gauldal",
        "business",
        "Gjødsel og matavfall bør bli til energi og jordforbedring i stedet for avfall.",
    ),
    (
        "bioeconomy",
        None,
        "citizen",
        "Det grøne skiftet gir nye moglegheiter for bygdene om vi tek i bruk det skogen "
        "og jorda gir.",
    ),
    (
        "bioeconomy",
        "fjellregionen",
        "organisation",
        "Forskning på nye produkter fra skog og landbruk bør skje i samarbeid med NTNU.",
    ),
    (
        "circular_economy",
        "gauldal",
        "business",
        "Vi vil starte ombruk av byggematerialer, men mangler lager og en møteplass mellom "
        "entreprenører.",
    ),
    (
        "circular_economy",
        None,
        "citizen",
        "Det bør være reparasjonsverksteder og utlånssentraler i hver kommune.",
    ),
    (
        "circular_economy",
        "fjellregionen",
        "municipality",
        "Avfall fra én bedrift kan være råvare for en annen. En oversikt over restmaterialer "
        "i regionen ville hjulpet.",
    ),
    (
        "circular_economy",
        None,
        "business",
        "Anbud frå kommunane bør gi poeng for ombruk og lang levetid, ikkje berre pris.",
    ),
    (
        "circular_economy",
        "gauldal",
        "research_education",
        "Elever på yrkesfag bør lære reparasjon og ombruk som en del av faget.",
    ),
    (
        "circular_economy",
        None,
        "organisation",
        "Tekstilinnsamling og redesign kan bli en ny næring for småbedrifter i regionen.",
    ),
    (
        "wood_processing",
        "fjellregionen",
        "business",
        "Sagbrukene trenger investeringer for å lage mer foredlede produkter, som "
        "limtre og ferdige byggelementer.",
    ),
    (
        "wood_processing",
        "gauldal",
        "business",
        "Massivtre til hus og hytter kan produseres her. Vi har skogen og kompetansen.",
    ),
    (
        "wood_processing",
        None,
        "research_education",
        "Treforedling krev fagfolk. Vi treng ei linje for trearbeid på vidaregåande skule.",
    ),
    (
        "wood_processing",
        "fjellregionen",
        "municipality",
        "Kommunale bygg bør bygges i tre fra regionen når det er mulig.",
    ),
    (
        "wood_processing",
        None,
        "citizen",
        "Flis og bark fra sagbrukene bør brukes til varme i nærområdet.",
    ),
    (
        None,
        "gauldal",
        "citizen",
        "Unge flytter fordi det er få jobber. Prosjektene må gi arbeidsplasser som passer "
        "for folk med utdanning.",
    ),
    (
        None,
        None,
        "citizen",
        "Bredbånd og mobildekning i hele regionen er en forutsetning for ny næring.",
    ),
    (
        None,
        "fjellregionen",
        "organisation",
        "Regionrådet må forankre arbeidet i kommunene, ellers blir det bare et dokument.",
    ),
    (
        "local_food",
        "gauldal",
        "business",
        "Matnettverkene i regionen bør knyttes sammen, så små produsenter kan dele "
        "transport og markedsføring.",
    ),
    (
        "bioeconomy",
        None,
        "business",
        "Skogen er vår største ressurs. Vi må foredle mer av tømmeret her i stedet for å "
        "sende det ut som rundvirke!",
    ),
    (
        "wood_processing",
        "gauldal",
        "organisation",
        "Trebyen Røros kan vise fram tradisjonelt treverk og nye treprodukter sammen.",
    ),
    (
        "circular_economy",
        "fjellregionen",
        "business",
        "Et felles system for å hente og levere paller og emballasje mellom bedriftene "
        "ville spart mye.",
    ),
]


def _utc(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=LOCAL_TIMEZONE).astimezone(UTC)


def _area_ids(session: Session, keys) -> list[int]:
    by_key = dict(session.execute(select(FocusArea.key, FocusArea.id)).all())
    return [by_key[k] for k in keys if k in by_key]


def seed_troms(session: Session, report, today: date) -> Process:
    """The active process; the meetings and inputs are added by their own demo steps."""
    process = service.get_by_slug(session, TROMS_SLUG)
    if process is not None:
        return process
    phases = [
        service.PhaseData(
            names={"nb": nb, "nn": nn, "en": en, "se": TROMS_PHASES_SE[nb][0]},
            descriptions={"nb": dnb, "nn": dnn, "se": TROMS_PHASES_SE[nb][1]},
            starts_on=today + timedelta(days=first),
            ends_on=today + timedelta(days=last),
        )
        for nb, nn, en, dnb, dnn, first, last in TROMS_PHASES
    ]
    process = service.create_process(
        session,
        None,
        service.ProcessData(
            slug=TROMS_SLUG,
            organisation="Troms fylkeskommune",
            contact_email="naeringsstrategi@example.no",
            phases=phases,
            **TROMS_TEXTS,
        ),
    )
    all_keys = list(session.execute(select(FocusArea.key).order_by(FocusArea.position)).scalars())
    service.set_focus_areas(
        session, process.id, _area_ids(session, [k for k in all_keys if k not in TROMS_LEAVES_OUT])
    )
    service.activate(session, None, process.id)
    report.created.append(f"process {process.title_nb} (active)")
    return process


def seed_trondelag(session: Session, report, today: date) -> Process:
    """The archived process, whole: regions, meetings, inputs, then archived."""
    from participation.inputs import service as inputs

    process = service.get_by_slug(session, TRONDELAG_SLUG)
    if process is not None:
        return process
    process = service.create_process(
        session,
        None,
        service.ProcessData(
            slug=TRONDELAG_SLUG,
            organisation="Trøndelag Sør regionråd",
            contact_email="naeringsutvikling@example.no",
            suggestions_open_at=_utc(today - timedelta(days=340), time(8, 0)),
            suggestions_close_at=_utc(today - timedelta(days=300), time(23, 59)),
            phases=[
                service.PhaseData(
                    names={"nb": nb, "nn": nn, "en": en},
                    starts_on=today + timedelta(days=first),
                    ends_on=today + timedelta(days=last),
                )
                for nb, nn, en, first, last in TRONDELAG_PHASES
            ],
            **TRONDELAG_TEXTS,
        ),
    )
    service.set_focus_areas(session, process.id, _area_ids(session, TRONDELAG_AREAS))
    service.activate(session, None, process.id)
    # Older than the Troms process: it was active first.
    process.activated_at = _utc(today - timedelta(days=400), time(8, 0))

    regions: dict[str, Region] = {}
    meetings: dict[str, Meeting] = {}
    for slug, name, venue, address, days_ago in TRONDELAG_MEETINGS:
        region = session.execute(select(Region).where(Region.slug == slug)).scalar_one_or_none()
        if region is None:
            region = Region(slug=slug, name=name, position=100 + len(regions))
            session.add(region)
            session.flush()
        regions[slug] = region
        day = working_day(
            today - timedelta(days=days_ago), forward=False
        )  # never a Sunday or holiday
        meeting = Meeting(
            process_id=process.id,
            region_id=region.id,
            title=f"Arbeidsmøte {name}",
            description="Arbeidsmøte med næringslivet om regionrådets satsingsområder.",
            starts_at=_utc(day, time(10, 0)),
            ends_at=_utc(day, time(14, 0)),
            venue=venue,
            address=address,
            seats=30,
            registration_deadline=_utc(day - timedelta(days=3), time(23, 59)),
        )
        session.add(meeting)
        session.flush()
        meetings[slug] = meeting
    service.set_regions(session, process.id, [r.id for r in regions.values()])

    areas = dict(session.execute(select(FocusArea.key, FocusArea.id)).all())
    for n, (area, region, category, text) in enumerate(TRONDELAG_INPUTS):
        # Every third input is a note from one of the two meetings, the rest came
        # through the suggestion box while it was open.
        from_meeting = region is not None and n % 3 == 0
        inputs.create_input(
            session,
            process_id=process.id,
            channel=InputChannel.WORKSHOP_NOTE if from_meeting else InputChannel.SUGGESTION_BOX,
            text=text,
            region_id=regions[region].id if region else None,
            respondent_category=category,
            focus_area_ids=[areas[area]] if area in areas else [],
            created_on=today - timedelta(days=335 - n),
            meeting_id=meetings[region].id if from_meeting else None,
            receipt_code=None if from_meeting else inputs.new_code(),
        )
    service.archive(session, None, process.id)
    report.created.append(f"process {process.title_nb} (archived, {len(TRONDELAG_INPUTS)} inputs)")
    return process
