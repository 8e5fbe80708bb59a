"""Proof that the suggestion box keeps nothing that identifies the writer."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Date, DateTime, inspect, select, text

from participation.models import Base, Input
from tests.suggestions.conftest import GOOD_TEXT, URL, hidden_value

ADDRESS = "203.0.113.77"
AGENT = f"DistinctiveAgent/7.7 (from {ADDRESS}; KariNordmannsMaskin)"
IDENTIFYING = {
    "ip",
    "addr",
    "address",
    "agent",
    "ua",
    "browser",
    "session",
    "cookie",
    "user",
    "account",
    "email",
    "name",
    "phone",
    "host",
    "referer",
    "referrer",
    "time",
    "timestamp",
    "datetime",
}


def test_input_table_has_no_identifying_columns(app, session):
    columns = inspect(session.get_bind()).get_columns("input")
    names = {c["name"] for c in columns}
    for name in names:
        if name in {"hidden_reason", "meeting_id"}:  # staff's reason; a workshop's meeting
            continue
        assert not set(name.split("_")) & IDENTIFYING, name
        assert not name.endswith("_at"), name  # no timestamps
    # No time of day anywhere: the only date column is a plain DATE.
    model_columns = Base.metadata.tables["input"].columns
    assert not [c.name for c in model_columns if isinstance(c.type, DateTime)]
    assert [c.name for c in model_columns if isinstance(c.type, Date)] == ["created_on"]
    foreign = {fk.column.table.name for fk in Base.metadata.tables["input"].foreign_keys}
    assert "user_account" not in foreign  # no link to an account


@pytest.fixture
def watched_app(_migrated, tmp_path):
    """Rate limiting on (so the limiter's key function reads the address) and one
    proxy in front (so X-Forwarded-For is taken as the client's address)."""
    from flask_babel import refresh

    from participation import create_app
    from participation.extensions import db, limiter
    from tests.conftest import base_config

    config = base_config(_migrated, tmp_path)
    config.update(
        RATELIMIT_ENABLED=True,
        SUGGESTION_RATE_LIMIT="5 per minute",
        SUGGESTION_MIN_SECONDS=0,
        PROXY_COUNT=1,
    )
    app = create_app(config)
    app.before_request(refresh)
    with app.app_context():
        limiter.reset()
        yield app
        limiter.reset()
        db.session.remove()
        from tests.conftest import _empty_tables

        _empty_tables()
        db.engine.dispose()


def dump_database(session) -> str:
    """Every value of every row of every table, as text."""
    bind = session.get_bind()
    parts = []
    for table in inspect(bind).get_table_names():
        for row in session.execute(text(f'SELECT * FROM "{table}"')):
            parts.extend(str(value) for value in row)
    return "\n".join(parts)


def test_address_and_browser_are_found_nowhere(watched_app, session, focus_areas, caplog):
    caplog.set_level(logging.DEBUG)
    client = watched_app.test_client()
    environ = {"REMOTE_ADDR": ADDRESS}
    headers = {"X-Forwarded-For": ADDRESS, "User-Agent": AGENT, "Accept-Language": "nb"}

    def send(**fields):
        page = client.get(URL, environ_base=environ, headers=headers)
        data = {
            "csrf_token": hidden_value(page.text, "csrf_token"),
            "started": hidden_value(page.text, "started"),
            "text": GOOD_TEXT,
            "homepage": "",
            **fields,
        }
        return client.post(URL, data=data, environ_base=environ, headers=headers)

    assert send(focus_area=str(focus_areas[0].id)).status_code == 303
    assert send(text="Ring meg på 912 34 567 om reiseliv i Troms.").status_code == 200
    assert (
        send(
            text="Ring meg på 912 34 567 om reiseliv i Troms.", confirm_personal_data="1"
        ).status_code
        == 303
    )
    assert send(text="kort").status_code == 422
    assert send().status_code == 303  # a duplicate, marked
    assert send().status_code == 429  # the sixth POST within the minute
    assert client.get("/innspill/kvittering", environ_base=environ).status_code == 200

    session.expire_all()
    stored = session.execute(select(Input)).scalars().all()
    assert len(stored) == 3
    assert stored[2].duplicate_of_id == stored[0].id

    everything = dump_database(session)
    assert GOOD_TEXT in everything  # the dump does see the data
    for secret in (ADDRESS, "203.0.113", "DistinctiveAgent", "KariNordmannsMaskin"):
        assert secret not in everything, secret

    assert caplog.records, "nothing was captured: the check would prove nothing"
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {getattr(r, '__dict__', {})!r}"
        for r in caplog.records
    )
    for secret in (ADDRESS, "203.0.113", "DistinctiveAgent"):
        assert secret not in logged, secret


def test_personal_data_in_a_suggestion_is_stored_and_logged_nowhere(
    app, client, session, suggest, caplog, admin
):
    """The box says personal data "is removed": after "send anyway", no table and no
    log line holds the e-mail address, the phone number, or a valid or mistyped
    national identity number; staff cannot open an original either."""
    from tests.helpers import login
    from tests.inputs.test_redaction import valid_ids

    caplog.set_level(logging.DEBUG)
    # Every SQL statement with its parameters: the INSERT itself must not carry it.
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    national_id = valid_ids("150585")[0]
    mistyped = "01017012345"  # a date and eleven digits, but the check digits are wrong
    secrets = ["kari.nordmann@example.no", "912 34 567", "91234567", national_id, mistyped]
    written = (
        "Skriv til kari.nordmann@example.no eller ring 912 34 567. Fødselsnummeret mitt er "
        f"{national_id}, eller kanskje {mistyped}. Vi trenger mer lokalmat i Troms."
    )
    warned = suggest(text=written)
    assert warned.status_code == 200
    assert "personal-data-warning" in warned.text
    assert suggest(text=written, confirm_personal_data="1").status_code == 303

    session.expire_all()
    item = session.execute(select(Input)).scalar_one()
    assert item.text == item.redacted_text
    assert "[e-post]" in item.text and "[telefonnummer]" in item.text
    assert item.text.count("[fødselsnummer]") == 2
    everything = dump_database(session)
    assert "lokalmat i Troms" in everything  # the dump does see the data
    assert caplog.records, "nothing was captured: the check would prove nothing"
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {getattr(r, '__dict__', {})!r}"
        for r in caplog.records
    )
    for secret in secrets:
        assert secret not in everything, secret
        assert secret not in logged, secret

    # The page and the privacy statement say exactly that.
    english = {"Accept-Language": "en"}
    assert "it is removed before the text is stored" in client.get(URL, headers=english).text
    statement = client.get("/personvern", headers=english).text
    assert "the text as you wrote it is not stored anywhere, not in a log either" in statement
    assert "every time someone does, it is recorded in a log" in statement  # responses

    # No "show the original" for a suggestion, and no original to open.
    login(client, admin)
    page = client.get(f"/admin/innspill/{item.id}")
    assert page.status_code == 200
    assert f"/admin/innspill/{item.id}/original" not in page.text
    assert client.get(f"/admin/innspill/{item.id}/original").status_code == 404
