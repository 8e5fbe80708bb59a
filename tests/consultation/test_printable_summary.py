"""The printable summary goes to the county council (issue 9, point 12): the
organisation and the print date at the top, and no page of "0 responses" tables for
the sections nobody answered."""

from __future__ import annotations

import re


def test_summary_leaves_out_empty_sections_and_has_a_letterhead(
    app, as_reviewer, draft, make_response
):
    app.config["ORGANISATION_NAME"] = "Troms fylkeskommune"
    sections = {s.number: s for s in draft.sections}
    make_response(draft, sections["2"], text="Om kompetanse: flere fagskoleplasser i nord.")
    page = as_reviewer.get(f"/admin/horing/{draft.id}/samandrag", headers={"Accept-Language": "nb"})
    assert page.status_code == 200
    html = page.text
    # One table: the one section with a response; none for the whole draft or the rest.
    assert html.count('class="ds-table stance-table"') == 1
    assert not re.search(r"<caption>\s*0 høringssvar", html)
    # The sections without a response are named once, in one line.
    assert "Deler uten høringssvar" in html
    assert sections["1.1"].label in html
    header = html[
        html.index('class="print-header"') : html.index(
            "</header>", html.index('class="print-header"')
        )
    ]
    assert "Troms fylkeskommune" in header
    assert re.search(r"Skrevet ut \w+dag \d+\. \w+ \d{4} kl\. \d\d\.\d\d", header)
    assert 'class="site-logo"' in header
