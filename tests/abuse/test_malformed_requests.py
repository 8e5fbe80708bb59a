"""Property-based abuse suite: malformed requests against every form a browser
can reach, public and back office. Each one must get a 4xx with a translated
message, never a 5xx, and store nothing."""

from __future__ import annotations

import re
from urllib.parse import quote_plus

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from participation.extensions import db
from participation.models import Base
from tests.abuse.crawl import Form

pytestmark = pytest.mark.slow

# Plausible values by field name, so that the one malformed part is the only fault.
PLAUSIBLE = [
    (re.compile(r"e-?mail"), "kari.nordmann@example.no"),
    (re.compile(r"phone|telefon"), "912 34 567"),
    (re.compile(r"org_number|orgnr"), "974760673"),
    (re.compile(r"password"), "et-langt-passord-2026"),
    (re.compile(r"name|title|organisation|reason|venue|address"), "Kari Nordmann"),
    (re.compile(r"seats|capacity"), "30"),
]
LONG_TEXT = (
    "Vi trenger flere næringsarealer og bedre kollektivtilbud i regionen, og lokalmat "
    "bør løftes fram i reiselivet."
)
# Left out of "nothing stored": the audit log records refused staff actions on purpose.
NOT_COUNTED = {"audit_entry"}
HONEYPOT = re.compile(r"website|homepage|honeypot|url$|hp$")
NEVER_POST = re.compile(r"/logout|/logg-ut")


def plausible(form: Form) -> dict[str, str]:
    values = form.valid_values()
    for f in form.fields:
        if f.kind in ("text", "email", "tel", "textarea", "search", "number", "password"):
            if values.get(f.name):
                continue
            guess = next((v for pattern, v in PLAUSIBLE if pattern.search(f.name)), None)
            values[f.name] = guess or LONG_TEXT
        elif f.kind == "checkbox" and f.name not in values and not HONEYPOT.search(f.name):
            values[f.name] = f.value or "y"
        elif f.kind == "radio" and f.name not in values:
            values[f.name] = f.value
        elif f.kind == "select" and not values.get(f.name):
            values[f.name] = next((o for o in f.options if o), "")
        elif HONEYPOT.search(f.name):
            values[f.name] = ""
    return values


def text_fields(form: Form) -> list[str]:
    return [
        f.name
        for f in form.fields
        if f.kind in ("text", "email", "tel", "textarea", "search", "password")
        and not HONEYPOT.search(f.name)
    ]


def choice_fields(form: Form) -> list[str]:
    return [f.name for f in form.fields if f.kind in ("select", "radio")]


def row_counts() -> dict[str, int]:
    db.session.rollback()
    return {
        t.name: db.session.scalar(select(func.count()).select_from(t))
        for t in Base.metadata.sorted_tables
        if t.name not in NOT_COUNTED
    }


ATTACKS = [
    "missing_csrf",
    "forged_csrf",
    "oversized",
    "invalid_utf8",
    "nul_byte",
    "huge_field",
    "wrong_choice",
    "missing_field",
    "honeypot",
]


def build_request(app, form: Form, attack: str, data: st.DataObject):
    values = plausible(form)
    fields = text_fields(form)
    headers = {"Accept-Language": data.draw(st.sampled_from(["nb", "nn", "en"]))}
    if attack == "missing_csrf":
        values.pop("csrf_token", None)
        return values, None, headers
    if attack == "forged_csrf":
        values["csrf_token"] = data.draw(st.text(min_size=0, max_size=120))
        return values, None, headers
    if attack == "oversized":
        size = app.config["MAX_CONTENT_LENGTH"] + data.draw(st.integers(1, 4096))
        body = "x=" + "a" * size
        return None, body.encode(), headers
    if attack == "honeypot":
        trap = [f.name for f in form.fields if HONEYPOT.search(f.name)]
        if not trap:
            return None, None, None
        values[trap[0]] = data.draw(st.text(min_size=1, max_size=50).filter(str.strip))
        return values, None, headers
    if attack == "wrong_choice":
        choices = choice_fields(form)
        if not choices:
            return None, None, None
        name = data.draw(st.sampled_from(choices))
        options = {o for f in form.fields if f.name == name for o in (f.options or [f.value])}
        values[name] = data.draw(
            st.text(min_size=1, max_size=40).filter(lambda v: v not in options)
        )
        return values, None, headers
    if attack == "missing_field":
        required = [f.name for f in form.fields if f.required and f.kind != "hidden"]
        if not required:
            return None, None, None
        values[data.draw(st.sampled_from(required))] = ""
        return values, None, headers
    if not fields:
        return None, None, None
    name = data.draw(st.sampled_from(fields))
    if attack == "nul_byte":
        values[name] = values[name][:10] + "\x00" + values[name][10:]
        return values, None, headers
    if attack == "huge_field":
        values[name] = "å" * 100_000
        return values, None, headers
    if attack == "invalid_utf8":
        parts = [f"{quote_plus(k)}={quote_plus(v)}" for k, v in values.items() if k != name]
        parts.append(f"{quote_plus(name)}=%FF%FE%C3%28abc")
        return None, "&".join(parts).encode(), headers
    raise AssertionError(attack)


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(data=st.data())
def test_malformed_requests_are_refused_and_change_nothing(app, discovered, data):
    client, form = data.draw(st.sampled_from(discovered), label="form")
    attack = data.draw(st.sampled_from(ATTACKS), label="attack")
    values, raw, headers = build_request(app, form, attack, data)
    if headers is None:
        return  # this attack does not apply to this form
    before = row_counts()
    if raw is not None:
        response = client.post(
            form.action,
            data=raw,
            headers=headers,
            content_type="application/x-www-form-urlencoded",
        )
    else:
        response = client.post(form.action, data=values, headers=headers)
    after = row_counts()
    status = response.status_code
    context = f"{attack} on {form.action} (from {form.page}) -> {status}"
    assert 400 <= status < 500, context
    if attack == "oversized":
        assert status == 413, context
    if attack in ("missing_csrf", "forged_csrf"):
        assert status == 400, context
    assert after == before, context
    body = response.get_data(as_text=True)
    assert f'lang="{headers["Accept-Language"]}"' in body, context
    assert "Traceback" not in body
