"""Every route, public and back office, answers with the security headers."""

import pytest

from participation.setup import CSP

DUMMY_ARGS = {
    "integer": "1",
    "number": "1",
    "default": "x",
    "string": "x",
    "path": "x",
    "uuid": "0" * 32,
}


def _all_get_urls(app):
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        values = {}
        for name, converter in rule._converters.items():
            kind = type(converter).__name__.replace("Converter", "").lower()
            values[name] = DUMMY_ARGS.get(kind, "x")
        if rule.endpoint == "static":
            values = {"filename": "css/app.css"}
        url = rule.build(values, append_unknown=False)[1]
        urls.append((rule.endpoint, url))
    return urls


def test_every_route_sends_security_headers(app, client):
    seen = 0
    for endpoint, url in _all_get_urls(app):
        response = client.get(url)
        assert response.status_code < 500, (endpoint, url, response.status_code)
        headers = response.headers
        assert headers["Content-Security-Policy"] == CSP, endpoint
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff", endpoint
        assert headers["Referrer-Policy"] == "same-origin", endpoint
        if endpoint != "static":
            assert headers["Cache-Control"] == "no-store", endpoint
        response.close()
        seen += 1
    assert seen >= 8


@pytest.mark.parametrize("env, expected", [("production", True), ("development", False)])
def test_hsts_outside_development_only(_migrated, tmp_path, env, expected):
    from participation import create_app
    from tests.conftest import base_config

    config = base_config(_migrated, tmp_path)
    config.update({"TESTING": False, "ENV": env})
    app = create_app(config)
    response = app.test_client().get("/healthz")
    assert ("Strict-Transport-Security" in response.headers) is expected
