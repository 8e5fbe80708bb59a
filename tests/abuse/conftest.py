from __future__ import annotations

import pytest

from participation.extensions import db
from tests.abuse.crawl import crawl
from tests.abuse.test_malformed_requests import NEVER_POST, plausible


@pytest.fixture
def discovered(app):
    from participation.demo import seed_demo

    report = seed_demo(db.session)
    db.session.commit()
    public = app.test_client()
    forms = [(public, f) for f in crawl(public, ["/"])]
    staff = app.test_client()
    if "backoffice.login" in app.view_functions:
        login_page = crawl(staff, ["/admin/login"], limit=1)
        login = login_page[0] if login_page else None
        if login is not None:
            values = plausible(login)
            values.update({k: v for k, v in values.items() if "csrf" in k})
            for f in login.fields:
                if "mail" in f.name or f.name == "username":
                    values[f.name] = report.admin_email
                if "password" in f.name:
                    values[f.name] = report.admin_password
            staff.post(login.action, data=values)
            forms += [
                (staff, f)
                for f in crawl(staff, ["/admin/"], skip=lambda url: bool(NEVER_POST.search(url)))
                if not f.action.startswith("/admin/login")
            ]
    forms = [(c, f) for c, f in forms if not NEVER_POST.search(f.action)]
    assert len(forms) >= 2, "the crawler found too few forms"
    return forms
