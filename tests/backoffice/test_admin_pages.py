"""Accounts, focus areas, regions and the audit log; languages of the back office."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from participation.backoffice import service as user_service
from participation.backoffice.service import check_password
from participation.models import AuditEntry, FocusArea, Region, User
from tests.helpers import PASSWORD, count, login, post_form


def test_admin_creates_an_account_that_can_log_in(as_admin, client, session):
    response = post_form(
        as_admin,
        "/admin/brukere/ny",
        {
            "email": "Ny.Person@Fylke.example.no",
            "name": "Ny Person",
            "role": "reviewer",
            "password": "et langt nok passord",
        },
    )
    assert response.status_code == 303
    user = session.execute(
        select(User).where(User.email == "ny.person@fylke.example.no")
    ).scalar_one()
    assert user.role == "reviewer"
    assert user.password_hash.startswith("scrypt:")
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "user.create")
    ).scalar_one()
    assert entry.object_id == str(user.id)


def test_account_form_errors(as_admin, admin, session):
    short = post_form(
        as_admin,
        "/admin/brukere/ny",
        {"email": "kort@example.no", "name": "Kort", "role": "reviewer", "password": "kort"},
        headers={"Accept-Language": "nn"},
    )
    assert short.status_code == 422
    assert "Passordet må ha minst 12 teikn." in short.text
    taken = post_form(
        as_admin,
        "/admin/brukere/ny",
        {
            "email": admin.email,
            "name": "Igjen",
            "role": "admin",
            "password": "et langt nok passord",
        },
    )
    assert "Det finnes allerede en konto med denne e-postadressen." in taken.text
    bad_role = post_form(
        as_admin,
        "/admin/brukere/ny",
        {
            "email": "rolle@example.no",
            "name": "Rolle",
            "role": "superuser",
            "password": "et langt nok passord",
        },
    )
    assert "Velg en rolle." in bad_role.text
    assert count(session, User.id) == 1


def test_edit_role_deactivate_and_reset_password(as_admin, session, make_user):
    user = make_user("reviewer")
    response = post_form(
        as_admin,
        f"/admin/brukere/{user.id}",
        {"name": "Omdøpt", "role": "admin", "active": "", "password": "helt nytt passord her"},
    )
    assert response.status_code == 303
    session.expire_all()
    changed = session.get(User, user.id)
    assert (changed.name, changed.role, changed.active) == ("Omdøpt", "admin", False)
    assert check_password(changed, "helt nytt passord her")
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "user.update")
    ).scalar_one()
    assert entry.details == {
        "changes": {"role": ["reviewer", "admin"], "active": [True, False], "password": True}
    }
    assert "helt nytt" not in str(entry.details)


def test_an_admin_cannot_lock_themselves_out(as_admin, admin, session):
    response = post_form(
        as_admin,
        f"/admin/brukere/{admin.id}",
        {"name": admin.name, "role": "reviewer", "active": "y"},
    )
    assert response.status_code == 422
    assert "Du kan ikke deaktivere din egen konto" in response.text
    session.expire_all()
    assert session.get(User, admin.id).role == "admin"


def test_there_is_always_an_active_administrator(session, admin, make_user):
    other = make_user("admin")
    user_service.update_user(session, other, admin.id, name="A", role="reviewer", active=True)
    session.commit()
    with pytest.raises(user_service.LastAdministrator):
        user_service.update_user(session, admin, other.id, name="B", role="admin", active=False)


def test_deactivated_account_is_logged_out_at_once(client, session, make_user):
    user = make_user("reviewer")
    login(client, user)
    assert client.get("/admin/").status_code == 200
    user.active = False
    session.commit()
    assert client.get("/admin/").status_code == 302


def test_cli_creates_accounts(runner, session):
    result = runner.invoke(
        args=["users", "create", "--email", "cli@example.no", "--role", "admin"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert (
        session.execute(select(User.role).where(User.email == "cli@example.no")).scalar_one()
        == "admin"
    )


def test_focus_areas_are_data(as_admin, session):
    response = post_form(
        as_admin,
        "/admin/satsingsomrader/ny",
        {
            "key": "havvind",
            "name_nb": "Havvind",
            "name_nn": "Havvind",
            "name_en": "Offshore wind",
            "seed_terms": "havvind, vindkraft\nflytende vind",
            "position": "3",
            "active": "y",
        },
    )
    assert response.status_code == 303
    area = session.execute(select(FocusArea)).scalar_one()
    assert area.seed_terms == ["havvind", "vindkraft", "flytende vind"]
    edit = post_form(
        as_admin,
        f"/admin/satsingsomrader/{area.id}",
        {
            "key": "ny-nokkel",
            "name_nb": "Havvind",
            "name_nn": "Havvind",
            "name_en": "Offshore wind",
            "seed_terms": "havvind",
            "position": "1",
        },
    )
    assert edit.status_code == 303
    session.expire_all()
    area = session.get(FocusArea, area.id)
    assert area.key == "havvind"  # fixed once created
    assert area.active is False
    bad = post_form(
        as_admin,
        "/admin/satsingsomrader/ny",
        {"key": "Hav Vind!", "name_nb": "x", "name_nn": "x", "name_en": "x"},
    )
    assert bad.status_code == 422
    assert "Bruk bare små bokstaver a–z" in bad.text
    taken = post_form(
        as_admin,
        "/admin/satsingsomrader/ny",
        {"key": "havvind", "name_nb": "x", "name_nn": "x", "name_en": "x"},
    )
    assert "Det finnes allerede et satsingsområde med denne nøkkelen." in taken.text


def test_regions(as_admin, session):
    response = post_form(as_admin, "/admin/regioner", {"name": "Sør-Troms og Ofoten"})
    assert response.status_code == 303
    region = session.execute(select(Region)).scalar_one()
    assert region.slug == "sor-troms-og-ofoten"
    post_form(as_admin, "/admin/regioner", {"name": "Sør-Troms og Ofoten"})
    slugs = set(session.execute(select(Region.slug)).scalars())
    assert slugs == {"sor-troms-og-ofoten", "sor-troms-og-ofoten-2"}


def test_audit_log_page_filters(as_admin, session, admin, make_input):
    from participation.inputs import service as inbox

    item = make_input()
    inbox.publish(session, admin, item.id)
    session.commit()
    page = as_admin.get("/admin/logg", headers={"Accept-Language": "en"})
    assert "Input published" in page.text and "Logged in" in page.text
    filtered = as_admin.get("/admin/logg?action=input", headers={"Accept-Language": "en"})
    assert "Input published" in filtered.text and "Logged in" not in filtered.text
    assert as_admin.get("/admin/logg?action=nonsense&page=-3").status_code == 200


@pytest.mark.parametrize(
    ("lang", "inbox", "logout"),
    [("nb", "Innboks", "Logg ut"), ("nn", "Innboks", "Logg ut"), ("en", "Inbox", "Log out")],
)
def test_back_office_speaks_three_languages(as_admin, lang, inbox, logout):
    pages = [
        "/admin/",
        "/admin/oversikt",
        "/admin/moter",
        "/admin/horing",
        "/admin/eksport",
        "/admin/personvern",
        "/admin/brukere",
        "/admin/logg",
        "/admin/satsingsomrader",
    ]
    for url in pages:
        page = as_admin.get(url, headers={"Accept-Language": lang})
        assert page.status_code == 200, url
        assert f'lang="{lang}"' in page.text
        assert inbox in page.text and logout in page.text


def test_nynorsk_pages_use_nynorsk(as_admin):
    page = as_admin.get("/admin/personvern", headers={"Accept-Language": "nn"})
    assert "Alt vi har om ei e-postadresse" in page.text
    dashboard = as_admin.get("/admin/oversikt", headers={"Accept-Language": "nn"})
    assert "Innspel per kanal" in dashboard.text


def test_every_message_of_the_back_office_is_translated():
    """No back-office message id lacks a Bokmål or Nynorsk translation."""
    import subprocess
    import sys
    from pathlib import Path

    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    root = Path(__file__).resolve().parents[2]
    missing = subprocess.run(
        [sys.executable, "scripts/i18n.py", "missing"], capture_output=True, text=True, cwd=root
    ).stdout
    gaps = {line.split("\t", 1)[1] for line in missing.splitlines() if "\t" in line}
    method_map = [
        ("participation/backoffice/**.py", "python"),
        ("participation/**/admin.py", "python"),
        ("participation/**/forms.py", "python"),
        ("participation/labels.py", "python"),
        ("templates/backoffice/**.html", "jinja2"),
    ]
    options = {"templates/backoffice/**.html": {"trimmed": "true"}}
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    ours = {
        (message if isinstance(message, str) else message[0])
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(root), method_map=method_map, options_map=options, keywords=keywords
        )
    }
    assert len(ours) > 400
    assert not (ours & gaps), sorted(ours & gaps)


def test_focus_area_names_in_sami_with_bokmaal_as_fallback(as_admin, client, session):
    """A focus area can be named in Northern Sami; the Sami suggestion box shows it,
    and an area without a Sami name shows its Bokmål name there."""
    for key, name_se in (("boazodoallu", "Boazodoallu"), ("havvind", "")):
        response = post_form(
            as_admin,
            "/admin/satsingsomrader/ny",
            {
                "key": key,
                "name_nb": key.capitalize() + " (nb)",
                "name_nn": key.capitalize() + " (nn)",
                "name_en": key.capitalize() + " (en)",
                "name_se": name_se,
                "description_se": "Guohtuneatnamat ja ealáhus" if name_se else "",
                "position": "1",
                "active": "y",
            },
        )
        assert response.status_code == 303
    area = session.execute(select(FocusArea).where(FocusArea.key == "boazodoallu")).scalar_one()
    assert area.name("se") == "Boazodoallu" and area.description("se").startswith("Guohtun")
    page = client.get("/innspill/", headers={"Accept-Language": "se"}).text
    assert "Boazodoallu" in page and "Boazodoallu (nb)" not in page
    assert "Havvind (nb)" in page  # no Sami name: Bokmål


def test_the_audit_log_says_what_changed_in_peoples_words(
    as_admin, session, make_meeting, make_draft, signup_data
):
    """Issue 9, point 9: translated names and details that say what changed, only what
    really changed; opening a registration list and an export are logged in words."""
    from datetime import UTC, datetime, timedelta

    from participation.meetings import service as meetings
    from tests.abuse.crawl import parse_forms

    starts = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=30)
    meeting = make_meeting(
        seats=40, description="Program:\n\nVelkommen og lunsj.", starts_at=starts
    )
    meetings.register(session, meeting.id, signup_data())
    session.commit()
    url = f"/admin/moter/{meeting.id}/endre"
    form = next(f for f in parse_forms(url, as_admin.get(url).text) if f.action.endswith(url))
    values = form.valid_values()
    # As a browser sends a textarea: line breaks as CRLF.
    values = {k: v.replace("\n", "\r\n") for k, v in values.items()}
    values["seats"] = "30"
    assert as_admin.post(url, data=values).status_code == 303
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.action == "meeting.update")
    ).scalar_one()
    assert entry.details == {"changes": {"seats": [40, 30]}}

    assert as_admin.get(f"/admin/moter/{meeting.id}").status_code == 200
    assert as_admin.get(f"/admin/moter/{meeting.id}/deltakarliste").status_code == 200
    draft = make_draft()
    assert as_admin.get(f"/admin/eksport/horingssvar/{draft.id}.csv").status_code == 200
    assert as_admin.get("/admin/eksport/innspill.csv").status_code == 200

    log = as_admin.get("/admin/logg", headers={"Accept-Language": "nb"}).text
    assert "Plasser: 40 → 30" in log
    assert "Beskrivelse" not in log
    assert log.count("Påmeldingslisten ble åpnet") == 2
    assert "Høringssvar" in log and "Format: CSV" in log
    for code in ("responses", "registrations", "filtered", "changed", "format:", "False"):
        assert code not in log, code
    nynorsk = as_admin.get("/admin/logg", headers={"Accept-Language": "nn"}).text
    assert "Plassar: 40 → 30" in nynorsk
    assert "Påmeldingslista vart opna" in nynorsk
