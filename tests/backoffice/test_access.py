"""Access to the back office: login, roles, session lifetime, throttling, audit."""

from __future__ import annotations

import re

import pytest

from participation import create_app
from participation.models import AuditEntry
from tests.conftest import base_config
from tests.helpers import PASSWORD, count, csrf_token, login, reset_request_state

# Placeholder values for URL variables when walking the URL map.
SAMPLE_VALUES = {"int": "1", "default": "x", "string": "x", "path": "x"}


def backoffice_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("backoffice.") and rule.endpoint != "backoffice.static"
    ]


def sample_url(rule) -> str:
    url = rule.rule
    for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
        pattern = rf"<(?:{converter}(?:\([^)]*\))?:)?{name}>" if converter else rf"<{name}>"
        value = "csv" if name == "fmt" else SAMPLE_VALUES.get(converter or "default", "x")
        url = re.sub(pattern, value, url)
    return url


def test_every_backoffice_route_refuses_anonymous_requests(app, client):
    """Walk the URL map: every back-office URL (the blueprint's, and any other
    under /admin) and method answers an anonymous request with a redirect to the
    login page (or 401/403), never with content."""
    app.config["WTF_CSRF_ENABLED"] = False  # so the access check, not CSRF, answers POSTs
    rules = backoffice_rules(app) + [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin") and not rule.endpoint.startswith("backoffice.")
    ]
    assert len(rules) > 30
    checked = 0
    for rule in rules:
        url = sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"email": "x@example.no"})
            if rule.endpoint == "backoffice.login":
                continue
            checked += 1
            assert response.status_code in (302, 303, 401, 403), (method, url, response.status_code)
            if response.status_code in (302, 303):
                assert response.headers["Location"].startswith("/admin/logg-inn"), (method, url)
            assert "<main" not in response.text, (method, url)
    assert checked > 40


def test_every_backoffice_view_declares_its_role(app):
    for rule in backoffice_rules(app):
        view = app.view_functions[rule.endpoint]
        assert hasattr(view, "required_role"), rule.endpoint


def test_reviewer_gets_403_on_every_admin_route(app, as_reviewer):
    app.config["WTF_CSRF_ENABLED"] = False
    admin_rules = [
        rule
        for rule in backoffice_rules(app)
        if getattr(app.view_functions[rule.endpoint], "required_role", None) == "admin"
    ]
    assert {r.endpoint for r in admin_rules} >= {
        "backoffice.users",
        "backoffice.meeting_new",
        "backoffice.meeting_cancel",
        "backoffice.privacy",
        "backoffice.audit_log",
        "backoffice.focus_areas",
        "backoffice.draft_new",
    }
    for rule in admin_rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = as_reviewer.open(sample_url(rule), method=method)
            assert response.status_code == 403, (method, rule.rule)


def test_reviewer_reaches_the_inbox_but_sees_no_admin_menu(as_reviewer):
    page = as_reviewer.get("/admin/")
    assert page.status_code == 200
    assert "/admin/brukere" not in page.text
    assert "/admin/logg" not in page.text.replace("/admin/logg-", "")


def test_login_redirects_back_to_the_page_asked_for(client, admin):
    first = client.get("/admin/moter")
    assert first.status_code == 302
    assert first.headers["Location"].startswith("/admin/logg-inn?next=")
    page = client.get(first.headers["Location"])
    response = client.post(
        "/admin/logg-inn",
        data={
            "email": admin.email,
            "password": PASSWORD,
            "next": "/admin/moter",
            "csrf_token": csrf_token(page.text),
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/moter"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/admin", "/moter/"])
def test_login_is_not_an_open_redirect(client, admin, target):
    page = client.get("/admin/logg-inn")
    response = client.post(
        "/admin/logg-inn",
        data={
            "email": admin.email,
            "password": PASSWORD,
            "next": target,
            "csrf_token": csrf_token(page.text),
        },
    )
    assert response.headers["Location"] == "/admin/"


def test_wrong_password_is_refused_and_logged(client, session, admin):
    response = login(client, admin, "wrong password here", lang="en")
    assert response.status_code == 401
    assert "The e-mail address or the password is wrong." in response.text
    assert client.get("/admin/").status_code == 302
    assert count(session, AuditEntry.id, AuditEntry.action == "login.failed") == 1


def test_unknown_account_gets_the_same_answer(client, admin):
    response = login(client, "nobody@example.no", lang="en")
    assert response.status_code == 401
    assert "The e-mail address or the password is wrong." in response.text


def test_deactivated_account_cannot_log_in(client, session, make_user):
    user = make_user("admin")
    user.active = False
    session.commit()
    assert login(client, user).status_code == 401


def test_login_and_logout_are_audited(client, session, admin):
    assert login(client, admin).status_code == 303
    page = client.get("/admin/")
    response = client.post("/admin/logg-ut", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 303
    assert client.get("/admin/").status_code == 302
    actions = [e.action for e in session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["login", "logout"]


def test_session_ends_after_idle_minutes(client, admin, monkeypatch):
    from participation.backoffice import blueprint as access

    now = 1_900_000_000.0
    monkeypatch.setattr(access, "clock", lambda: now)
    login(client, admin)
    assert client.get("/admin/").status_code == 200
    now += 29 * 60
    assert client.get("/admin/").status_code == 200  # activity moves the idle clock
    now += 29 * 60
    assert client.get("/admin/").status_code == 200
    now += 31 * 60
    response = client.get("/admin/moter", headers={"Accept-Language": "en"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/admin/logg-inn")
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert "the session expired" in page.text
    assert client.get("/admin/").status_code == 302


def test_session_ends_after_twelve_hours_however_active(client, admin, monkeypatch):
    from participation.backoffice import blueprint as access

    now = 1_900_000_000.0
    monkeypatch.setattr(access, "clock", lambda: now)
    login(client, admin)
    for _ in range(12 * 3):  # a request every 20 minutes for 12 hours
        now += 20 * 60
        if client.get("/admin/").status_code != 200:
            break
    assert now - 1_900_000_000.0 <= 12 * 3600
    now += 20 * 60
    assert client.get("/admin/").status_code == 303


def test_session_cookie_flags_outside_development(database_url, tmp_path, _migrated):
    config = base_config(_migrated, tmp_path) | {"ENV": "production", "TESTING": False}
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.permanent_session_lifetime.total_seconds() == 12 * 3600


def test_session_cookie_is_httponly_and_samesite(client, admin):
    response = login(client, admin)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.fixture
def limited_app(app, _migrated, tmp_path):
    """The app with rate limiting on (the shared fixture, made first, turns it off)."""
    from participation.extensions import db

    app = create_app(
        base_config(_migrated, tmp_path)
        | {
            "RATELIMIT_ENABLED": True,
            "LOGIN_ACCOUNT_LIMIT": "3 per 15 minutes",
            "LOGIN_CLIENT_LIMIT": "5 per 15 minutes",
        }
    )
    reset_request_state(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    # Leave the shared limiter as the other tests expect it.
    create_app(base_config(_migrated, tmp_path))


def _attempt(client, email, password, *, lang="en", address="10.1.1.1"):
    page = client.get("/admin/logg-inn", environ_base={"REMOTE_ADDR": address})
    return client.post(
        "/admin/logg-inn",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
        headers={"Accept-Language": lang},
        environ_base={"REMOTE_ADDR": address},
    )


def test_failed_logins_are_throttled_per_account(limited_app, app, admin):
    client = limited_app.test_client()
    for _ in range(3):
        assert _attempt(client, admin.email, "wrong password!!").status_code == 401
    # From another client, the account is still paused, even with the right password.
    blocked = _attempt(client, admin.email, PASSWORD, address="10.2.2.2")
    assert blocked.status_code == 429
    assert "Too many failed attempts to log in" in blocked.text
    nynorsk = _attempt(client, admin.email, PASSWORD, lang="nn", address="10.3.3.3")
    assert nynorsk.status_code == 429
    assert "For mange mislukka forsøk" in nynorsk.text


def test_failed_logins_are_throttled_per_client(limited_app, app, admin, make_user):
    client = limited_app.test_client()
    for n in range(5):
        assert _attempt(client, f"guess{n}@example.no", "wrong password!!").status_code == 401
    blocked = _attempt(client, admin.email, PASSWORD, lang="nb")
    assert blocked.status_code == 429
    assert "For mange mislykkede forsøk" in blocked.text
    # Another client is not affected.
    assert _attempt(client, admin.email, PASSWORD, address="10.9.9.9").status_code == 303


def test_successful_logins_do_not_count(limited_app, app, admin):
    client = limited_app.test_client()
    for _ in range(6):
        assert _attempt(client, admin.email, PASSWORD).status_code == 303
        client.delete_cookie("innspill_session")
