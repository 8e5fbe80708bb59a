"""A favicon and the organisation's logo on every page, served from the site itself
(issue 9, point 12); the logo is configurable."""

from __future__ import annotations

import re


def test_every_page_has_a_favicon_and_the_configured_logo(app, client, as_admin):
    for url in ("/", "/innspill/", "/personvern", "/admin/"):
        page = as_admin.get(url)
        assert page.status_code == 200, url
        icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', page.text)
        assert icon, url
        logo = re.search(r'<img class="site-logo" src="([^"]+)" alt=""', page.text)
        assert logo, url
        for asset in (icon.group(1), logo.group(1)):
            assert asset.startswith("/static/"), asset  # no third-party request
            served = client.get(asset)
            assert served.status_code == 200 and served.mimetype == "image/svg+xml"
            assert served.get_data().startswith(b"<svg")
            served.close()
    app.config["LOGO"] = "img/favicon.svg"
    assert '<img class="site-logo" src="/static/img/favicon.svg"' in client.get("/").text
