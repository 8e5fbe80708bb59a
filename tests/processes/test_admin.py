"""The back office's process pages: the list, creating and editing a process with its
texts in every language, phases, focus areas and regions, activating and archiving it
after a confirmation; every refusal on the form, translated, with nothing changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from participation.models import AuditEntry, Process, ProcessPhase
from participation.models.processes import TEXT_LANGUAGES
from participation.processes import service

TODAY = date.today()
URLS = [
    "/admin/prosesser",
    "/admin/prosesser/ny",
    "/admin/prosesser/{id}",
    "/admin/prosesser/{id}/aktiver",
    "/admin/prosesser/{id}/arkiver",
]


@pytest.fixture
def admin_client(as_admin, app):
    app.config["WTF_CSRF_ENABLED"] = False
    return as_admin


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def form(**overrides) -> dict:
    """A complete form: every language's texts, two phases and a blank row."""
    data = {"slug": "kompetanseplan", "organisation": "Testfylket", "contact_email": ""}
    for lang in TEXT_LANGUAGES:
        data[f"title_{lang}"] = f"Kompetanseplan {lang}"
        data[f"summary_{lang}"] = f"Kort {lang}"
        data[f"introduction_{lang}"] = f"Innledning **{lang}**"
        data[f"question_{lang}"] = f"Spørsmål {lang}?"
    phases = [("Medvirkning", "Oassálastin", -5, 20), ("Vedtak", "Mearrádus", 21, 40)]
    for n, (nb, se, first, last) in enumerate(phases):
        data[f"phases-{n}-name_nb"] = nb
        data[f"phases-{n}-name_se"] = se
        data[f"phases-{n}-starts_on"] = _day(first)
        data[f"phases-{n}-ends_on"] = _day(last)
        data[f"phases-{n}-description_nb"] = f"Om {nb}"
    data["phases-2-name_nb"] = ""  # the empty row the form offers
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _counts(session) -> tuple[int, int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count(Process.id))),
        session.scalar(select(func.count(ProcessPhase.id))),
        session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action.like("process%"))),
    )


# ---------------------------------------------------------------- who may


def test_only_administrators_reach_the_process_pages(as_reviewer, app, process):
    app.config["WTF_CSRF_ENABLED"] = False
    for url in URLS:
        url = url.format(id=process.id)
        assert as_reviewer.get(url).status_code == 403, url
        if url != "/admin/prosesser":
            assert as_reviewer.post(url, data=form(confirm="y")).status_code == 403, url
    assert "/admin/prosesser" not in as_reviewer.get("/admin/").text
    assert process.status == "active"


def test_the_navigation_links_to_the_processes_for_administrators(as_admin):
    page = as_admin.get("/admin/")
    assert 'href="/admin/prosesser">Prosesser</a>' in page.text
    assert as_admin.get("/admin/prosesser/999999").status_code == 404


# ---------------------------------------------------------------- the list


def test_the_list_shows_status_dates_and_counts(
    admin_client, session, process, make_process, make_meeting, make_input
):
    make_meeting()
    make_input("Et innspill om fergetilbudet i regionen.")
    make_input("Et innspill om bredbånd i bygdene, som mangler.")
    prepared = make_process(
        status="draft",
        slug="neste",
        titles={"nb": "Neste plan"},
        phases=[service.PhaseData({"nb": "Oppstart"}, date(2027, 1, 4), date(2027, 2, 26))],
    )
    make_process(status="archived", slug="ferdig", titles={"nb": "Ferdig plan"})
    page = admin_client.get("/admin/prosesser")
    assert page.status_code == 200
    text = page.text
    assert text.index("Standardprosess") < text.index("Neste plan") < text.index("Ferdig plan")
    assert "Under forberedelse" in text and "Arkivert" in text
    assert "4. januar 2027–26. februar 2027" in text
    row = text.split("<tbody>")[1].split("</tr>")[0]
    assert "Standardprosess" in row
    assert '<td class="number">1</td>' in row  # one meeting
    assert '<td class="number">2</td>' in row  # two inputs
    assert f'href="/admin/prosesser/{prepared.id}/aktiver"' in text
    # Only a process being prepared can be activated; an archived one only read.
    assert f'href="/admin/prosesser/{process.id}/aktiver"' not in text
    assert f'href="/admin/prosesser/{process.id}/arkiver"' in text


# ---------------------------------------------------------------- create


def test_a_new_process_is_created_with_every_language_phases_and_sets(
    admin_client, session, focus_areas, make_region, make_process
):
    north, south = make_region(name="Nord"), make_region(name="Sør")
    earlier = make_process(slug="tidligere")
    service.set_focus_areas(session, earlier.id, [focus_areas[2].id])
    service.set_regions(session, earlier.id, [south.id])
    session.commit()
    page = admin_client.get("/admin/prosesser/ny")
    assert page.status_code == 200
    for lang in TEXT_LANGUAGES:
        assert f'id="title_{lang}"' in page.text and f'lang="{lang}"' in page.text
    assert "Tittel (Nordsamisk)" in page.text
    # The page's own language menu is untouched by the form's languages.
    assert 'hreflang="nn"' in page.text and 'hreflang="n"' not in page.text

    response = admin_client.post(
        "/admin/prosesser/ny",
        data=form(
            contact_email="plan@example.no",
            opens_day=_day(1),
            opens_time="08:00",
            closes_day=_day(30),
            focus_areas=[str(focus_areas[0].id)],
            regions=[str(north.id)],
            copy_from=str(earlier.id),
        ),
    )
    assert response.status_code == 303
    made = session.execute(select(Process).where(Process.slug == "kompetanseplan")).scalar_one()
    assert response.headers["Location"] == f"/admin/prosesser/{made.id}"
    assert made.status == "draft"
    for lang in TEXT_LANGUAGES:
        assert made.text("title", lang) == f"Kompetanseplan {lang}"
        assert made.text("question", lang) == f"Spørsmål {lang}?"
    assert made.title_se == "Kompetanseplan se"
    assert [(p.name_nb, p.name_se) for p in made.phases] == [
        ("Medvirkning", "Oassálastin"),
        ("Vedtak", "Mearrádus"),
    ]
    assert made.contact_email == "plan@example.no"
    # Norwegian time in the form, UTC in the database; an empty close time is 23:59.
    opens = made.suggestions_open_at.astimezone(UTC)
    assert opens.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Oslo")).hour == 8
    closes = made.suggestions_close_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Oslo"))
    assert (closes.date().isoformat(), closes.strftime("%H:%M")) == (_day(30), "23:59")
    # The chosen sets, with the earlier process's copied in.
    assert {a.key for a in service.focus_areas(session, made.id)} == {"lokalmat", "havbruk"}
    assert {r.name for r in service.regions(session, made.id)} == {"Nord", "Sør"}
    actions = session.execute(
        select(AuditEntry.action).where(AuditEntry.object_id == str(made.id))
    ).scalars()
    assert set(actions) == {"process.create", "process.copy"}
    saved = admin_client.get(response.headers["Location"])
    assert "Prosessen Kompetanseplan nb ble lagret." in saved.text


def test_add_a_phase_shows_one_more_row_and_saves_nothing(admin_client, session):
    before = _counts(session)
    page = admin_client.post("/admin/prosesser/ny", data=form(action="add_phase"))
    assert page.status_code == 200
    assert 'id="phases-3-name_nb"' in page.text
    assert "Fase 4" in page.text
    assert _counts(session) == before


# ---------------------------------------------------------------- edit


def test_editing_fills_the_form_and_saves_changes_removals_and_new_phases(
    admin_client, session, make_process
):
    made = make_process(
        slug="plan",
        titles={"nb": "Plan", "se": "Plána"},
        phases=[
            service.PhaseData({"nb": "Først"}, TODAY, TODAY + timedelta(days=5)),
            service.PhaseData({"nb": "Så"}, TODAY + timedelta(days=6), TODAY + timedelta(days=9)),
        ],
    )
    page = admin_client.get(f"/admin/prosesser/{made.id}")
    assert page.status_code == 200
    assert 'value="Plána"' in page.text and 'value="Først"' in page.text
    assert 'id="phases-2-name_nb"' in page.text  # room for one more

    data = form(slug="plan")
    data["title_nn"] = "Plan på nynorsk"
    data["phases-0-remove"] = "y"  # Medvirkning goes
    data["phases-2-name_nb"] = "Høring"
    data["phases-2-starts_on"] = _day(50)
    data["phases-2-ends_on"] = _day(60)
    response = admin_client.post(f"/admin/prosesser/{made.id}", data=data)
    assert response.status_code == 303
    session.expire_all()
    made = session.get(Process, made.id)
    assert made.title_nn == "Plan på nynorsk"
    assert [p.name_nb for p in made.phases] == ["Vedtak", "Høring"]
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "process.update")
    ).scalar_one()
    assert entry.object_id == str(made.id)
    assert {"title", "summary", "phases"} <= set(entry.details["changed"])


def test_phases_are_ordered_by_their_dates(admin_client, session, make_process):
    made = make_process(slug="plan")
    data = form(slug="plan")
    # Written in the wrong order: the timeline follows the days.
    data["phases-0-starts_on"], data["phases-1-starts_on"] = _day(21), _day(-5)
    data["phases-0-ends_on"], data["phases-1-ends_on"] = _day(40), _day(20)
    assert admin_client.post(f"/admin/prosesser/{made.id}", data=data).status_code == 303
    session.expire_all()
    assert [p.name_nb for p in session.get(Process, made.id).phases] == ["Vedtak", "Medvirkning"]


# ---------------------------------------------------------------- bad input


def _overlap() -> dict:
    return {"phases-1-starts_on": _day(20)}


BAD = [
    ({"slug": "standard"}, "slug", "En annen prosess har allerede denne adressen."),
    ({"slug": "Ikke gyldig!"}, "slug", "Adressen kan bare inneholde små bokstaver"),
    ({"slug": ""}, "slug", "Skriv en adresse."),
    ({"title_nb": "  "}, "title_nb", "Skriv en tittel på bokmål."),
    (_overlap(), "phases-1-starts_on", "Fase 2 overlapper fasen før."),
    ({"phases-0-ends_on": _day(-10)}, "phases-0-ends_on", "Fase 1 slutter før den begynner."),
    ({"phases-1-name_nb": ""}, "phases-1-name_nb", "Skriv navnet på fasen på bokmål."),
    ({"phases-1-starts_on": ""}, "phases-1-starts_on", "Skriv den første dagen i fasen."),
    ({"phases-1-ends_on": "31.12.2027"}, "phases-1-ends_on", "Skriv datoen som ÅÅÅÅ-MM-DD"),
    ({"phases-1-ends_on": "0001-01-01"}, "phases-1-ends_on", "mellom årene 2000 og 2100"),
    (
        {"opens_day": _day(10), "closes_day": _day(5)},
        "closes_day",
        "Innspillskassen må stenge etter at den åpner.",
    ),
    ({"opens_time": "08:00"}, "opens_time", "Skriv datoen også."),
    ({"closes_day": "9999-12-31"}, "closes_day", "mellom årene 2000 og 2100"),
    ({"contact_email": "ikke-en-adresse"}, "contact_email", "Skriv en gyldig e-postadresse"),
    ({"focus_areas": "999999"}, "focus_areas", "Velg blant alternativene som vises."),
    ({"copy_from": "999999"}, "copy_from", "Velg en av prosessene i lista."),
    ({"title_se": "x" * 201}, "title_se", "Skriv høyst 200 tegn."),
    ({"introduction_nb": "Kontroll\x07tegn"}, "introduction_nb", "tegn som ikke er tillatt"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD)
def test_bad_input_on_the_new_process_form(admin_client, session, changes, field, message):
    before = _counts(session)
    page = admin_client.post("/admin/prosesser/ny", data=form(**changes))
    assert page.status_code == 422
    assert message in page.text
    assert f'href="#{field}' in page.text  # the error summary leads to the field
    assert _counts(session) == before


@pytest.mark.parametrize(("changes", "field", "message"), BAD[:12])
def test_bad_input_on_the_edit_form(admin_client, session, make_process, changes, field, message):
    made = make_process(slug="plan", titles={"nb": "Uendret"})
    before = _counts(session)
    data = form(slug="plan")
    data.update(changes)
    page = admin_client.post(f"/admin/prosesser/{made.id}", data=data)
    assert page.status_code == 422
    assert message in page.text
    assert _counts(session) == before
    session.expire_all()
    assert session.get(Process, made.id).title_nb == "Uendret"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nn", "Fase 2 overlappar fasen før."),
        ("en", "Phase 2 overlaps the phase before it."),
    ],
)
def test_the_errors_are_in_the_readers_language(admin_client, session, language, message):
    admin_client.set_cookie("lang", language)
    page = admin_client.post("/admin/prosesser/ny", data=form(**_overlap()))
    assert page.status_code == 422
    assert message in page.text


def test_a_region_with_meetings_stays_in_the_process(
    admin_client, session, process, make_region, make_meeting
):
    used, other = make_region(name="Brukt"), make_region(name="Annen")
    service.set_regions(session, process.id, [used.id, other.id])
    session.commit()
    make_meeting(region=used)
    data = form(slug="standard", regions=[str(other.id)])
    page = admin_client.post(f"/admin/prosesser/{process.id}", data=data)
    assert page.status_code == 422
    assert "Prosessen har møter i Brukt" in page.text
    assert {r.name for r in service.regions(session, process.id)} == {"Brukt", "Annen"}


def test_an_archived_process_cannot_be_edited(admin_client, session, make_process):
    done = make_process(status="archived", slug="ferdig", titles={"nb": "Ferdig"})
    page = admin_client.get(f"/admin/prosesser/{done.id}")
    assert "Prosessen er arkivert og kan ikke endres." in page.text
    assert 'value="save"' not in page.text
    before = _counts(session)
    page = admin_client.post(f"/admin/prosesser/{done.id}", data=form(slug="ferdig"))
    assert page.status_code == 422
    assert "Prosessen er arkivert og kan ikke endres." in page.text
    assert _counts(session) == before


# ---------------------------------------------------------------- activate and archive


def test_activating_asks_first_then_makes_the_process_public(
    admin_client, session, make_process, client
):
    prepared = make_process(status="draft", slug="neste", titles={"nb": "Neste"})
    url = f"/admin/prosesser/{prepared.id}/aktiver"
    page = admin_client.get(url)
    assert page.status_code == 200 and "Aktiver Neste" in page.text
    refused = admin_client.post(url, data={})
    assert refused.status_code == 422
    assert "Kryss av for å bekrefte." in refused.text
    session.expire_all()
    assert session.get(Process, prepared.id).status == "draft"
    done = admin_client.post(url, data={"confirm": "y"})
    assert done.status_code == 303 and done.headers["Location"] == "/admin/prosesser"
    session.expire_all()
    assert session.get(Process, prepared.id).status == "active"
    assert (
        session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "process.activate")
        )
        == 1
    )
    # Once active, there is nothing to activate.
    again = admin_client.post(url, data={"confirm": "y"})
    assert again.status_code == 422
    assert "Prosessen er ikke i en tilstand der dette kan gjøres." in again.text


def test_archiving_is_refused_while_a_consultation_is_open(
    admin_client, session, process, make_draft
):
    make_draft(process_id=process.id)
    url = f"/admin/prosesser/{process.id}/arkiver"
    assert admin_client.get(url).status_code == 200
    before = _counts(session)
    page = admin_client.post(url, data={"confirm": "y"})
    assert page.status_code == 422
    assert "Prosessen kan ikke arkiveres mens en av høringene er åpen." in page.text
    assert _counts(session) == before
    session.expire_all()
    assert session.get(Process, process.id).status == "active"


def test_archiving_after_confirmation(admin_client, session, process, make_draft):
    now = datetime.now(UTC)
    make_draft(
        process_id=process.id, opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1)
    )
    url = f"/admin/prosesser/{process.id}/arkiver"
    assert admin_client.post(url, data={}).status_code == 422
    response = admin_client.post(url, data={"confirm": "y"})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Process, process.id).status == "archived"
    assert (
        session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "process.archive")
        )
        == 1
    )
    page = admin_client.get(url)
    assert "Prosessen er ikke i en tilstand der dette kan gjøres." in page.text
    assert admin_client.post(url, data={"confirm": "y"}).status_code == 422


def test_a_new_process_can_be_made_while_an_archived_one_is_shown(
    admin_client, session, admin, make_process
):
    done = make_process(status="archived", slug="ferdig")
    service.switch_process(session, admin, done.id)
    session.commit()
    response = admin_client.post("/admin/prosesser/ny", data=form())
    assert response.status_code == 303
