"""Script and HTML payloads in every text field are shown as inert text everywhere.

Payloads go in through the real forms (public and back office, over HTTP with the
CSRF tokens the pages hand out), each tagged with a marker (``XSS-<field>.``) so
we can tell where it shows up. Then:

- every HTML page reachable by the crawler (public, and the back office as an
  administrator) carries no element with an injected ``on*`` attribute, no inline
  ``<script>``, no ``javascript:``/``data:`` link, and shows each expected payload
  as text (``{{7*7}}`` stays ``{{7*7}}``);
- forms shown again after a validation error give the payload back as the field's
  value, and an edit form sent back unchanged stores the very same text;
- parameters echoed into pages (search, filters, ``next``/``back``) are escaped too;
- CSV and Excel exports hold the payload as plain text, with formula-like cells
  neutralised (a leading ``'``) and no formula cell in the workbook;
- e-mails are text/plain only and carry the payload verbatim (not HTML-escaped);
- in headless Chromium, with the Content-Security-Policy switched off so that only
  the escaping stands between the payload and the page, ``window.__xss`` stays
  undefined, no dialog opens and the DOM has no injected handler or script.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.models import (
    Attachment,
    ConsultationResponse,
    DraftSection,
    DraftStrategy,
    FocusArea,
    Input,
    Meeting,
    OutboxMessage,
    Process,
    Region,
    User,
)
from participation.models.base import OTHER_LANGUAGES
from participation.models.processes import TEXT_LANGUAGES
from tests.abuse.crawl import Form, crawl, parse_forms
from tests.helpers import login, reset_request_state

PASSWORD = "riktig hest batteri stift"
ADMIN_EMAIL = "admin@fylke.example.no"

# The template-syntax part comes first, so even a shortened excerpt shows it unevaluated.
HTML_PAYLOAD = (
    '{{7*7}} <script>window.__xss=1</script>"><img src=x onerror="window.__xss=1">'
    "'><svg onload=window.__xss=1><details open ontoggle=alert(1)>"
)
SHORT_PAYLOAD = "{{7*7}} <script>window.__xss=1</script><svg onload=window.__xss=1>"
MARKDOWN_PAYLOAD = (
    "\n\n[lenke](javascript:window.__xss=1) [stor](JaVaScRiPt:window.__xss=1) "
    "<javascript:window.__xss=1> [data](data:text/html;base64,PHNjcmlwdD4=) "
    '![bilde](x" onerror="window.__xss=1) <a href="javascript:window.__xss=1">rå</a>'
)
# What a page must show as text after the marker: the template syntax unevaluated and
# the script element as characters.
SHOWN = " {{7*7}} <script>window.__xss=1</script>"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Browsers send a double quote in a file name as %22, so the name has none.
ATTACHMENT_NAME = "'><img src=x onerror=window.__xss=1>xss-vedlegg.pdf"


PREFIXES: dict[str, str] = {}  # tag -> the formula-like start its payload was given


def payload(tag: str, prefix: str = "", *, short: bool = False, markdown: bool = False) -> str:
    """A payload for one field, marked ``XSS-<tag>.`` (optionally formula-like first)."""
    PREFIXES[tag] = prefix
    text = f"{prefix}XSS-{tag}. {SHORT_PAYLOAD if short else HTML_PAYLOAD}"
    return text + (MARKDOWN_PAYLOAD if markdown else "")


def marker(tag: str) -> str:
    return f"XSS-{tag}."


MARKERS = re.compile(r"XSS-([a-z0-9-]+)\.")

# Text fields that are not free text: validated to a fixed shape, so a payload is
# refused (the form is shown again with the value escaped; tested below).
SHAPED_FIELDS = {
    "org_number",
    "key",
    "number",
    "homepage",
    "q",
    "email",
    "password",
    "phone",
    "code",
    "slug",
}
TEXT_KINDS = {"text", "textarea", "search"}


def field_key(name: str) -> str:
    """A field's name, one for every row of a repeated sub-form ("phases-3-name_nb")."""
    return re.sub(r"-\d+-", "-N-", name)


def shape(url: str) -> str:
    """The endpoint a form posts to: one name for every meeting's, draft's … form."""
    from flask import current_app

    adapter = current_app.url_map.bind("localhost")
    return adapter.match(urlsplit(url).path, method="POST")[0]


# ---------------------------------------------------------------- pages


@dataclass
class Page:
    url: str
    text: str = ""  # the text nodes, entities decoded
    attributes: str = ""  # every attribute value, entities decoded
    problems: list[str] = field(default_factory=list)

    def markers(self) -> set[str]:
        return set(MARKERS.findall(self.text))

    def shows(self, tag: str) -> bool:
        """The payload is shown as text (not only inside an attribute or a form field)."""
        return marker(tag) + SHOWN in self.text


DANGEROUS_URL = re.compile(r"^(javascript|vbscript|data):", re.I)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "srcdoc"}


class _Inspector(HTMLParser):
    """Finds markup that could only have come from a payload."""

    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.texts: list[str] = []
        self.attrs: list[str] = []
        self._script: str | None = None
        self._in_textarea = False

    def handle_starttag(self, tag, attrs):
        problems = self.page.problems
        for name, value in attrs:
            value = value or ""
            self.attrs.append(value)
            if name.startswith("on"):
                problems.append(f"<{tag} {name}={value!r}>: an event-handler attribute")
            compact = re.sub(r"[\x00-\x20]", "", value)
            if name in URL_ATTRIBUTES and DANGEROUS_URL.match(compact):
                problems.append(f"<{tag} {name}={value!r}>: a script URL")
        if tag == "script":
            if not dict(attrs).get("src"):
                problems.append("an inline <script> element")
            self._script = ""
        if tag == "img" and dict(attrs).get("src") == "x":
            problems.append("an injected <img>")
        if tag == "textarea":
            self._in_textarea = True

    def handle_endtag(self, tag):
        if tag == "script":
            if self._script and self._script.strip():
                self.page.problems.append(f"script content {self._script[:80]!r}")
            self._script = None
        if tag == "textarea":
            self._in_textarea = False

    def handle_data(self, data):
        if self._script is not None:
            self._script += data
        elif self._in_textarea:
            self.attrs.append(data)  # a form field's value, not text shown on the page
        else:
            self.texts.append(data)


def inspect(url: str, html: str) -> Page:
    page = Page(url)
    parser = _Inspector(page)
    parser.feed(html)
    parser.close()
    page.text = " ".join(" ".join(parser.texts).split())
    page.attributes = "\n".join(parser.attrs)
    lowered = html.lower()
    for raw in ("<script>window.__xss", "<img src=x", "<svg onload", "<details open ontoggle"):
        if raw in lowered:
            page.problems.append(f"raw {raw!r} in the HTML")
    return page


class RecordingClient:
    """A test client that inspects every HTML page the crawler fetches."""

    def __init__(self, client) -> None:
        self.client = client
        self.pages: dict[str, Page] = {}

    def get(self, path: str, **kwargs):
        response = self.client.get(path, **kwargs)
        if "text/html" in response.content_type:
            self.pages[path] = inspect(path, response.get_data(as_text=True))
        return response


# ---------------------------------------------------------------- submitting forms


class Submitter:
    """Fills and sends the forms a page offers, as a browser would."""

    def __init__(self) -> None:
        self.covered: set[tuple[str, str]] = set()

    def form(self, client, page_url: str, action: str | None = None) -> Form:
        response = client.get(page_url)
        assert response.status_code == 200, (page_url, response.status_code)
        forms = parse_forms(page_url, response.get_data(as_text=True))
        wanted = action or urlsplit(page_url).path
        found = [f for f in forms if urlsplit(f.action).path == wanted]
        assert found, f"no form posting to {wanted} on {page_url}"
        return found[0]

    def submit(
        self,
        client,
        page_url: str,
        values: dict,
        *,
        action: str | None = None,
        files: dict | None = None,
        expect: int = 303,
    ):
        form = self.form(client, page_url, action)
        data = form.valid_values()
        names = {f.name for f in form.fields}
        for key, value in values.items():
            # Prefixed back-office forms name their fields "<prefix>-<name>".
            name = key if key in names else next(n for n in names if n.endswith(f"-{key}"))
            data[name] = value
        for name, value in data.items():  # what we typed, and what the page gave back
            kinds = {f.kind for f in form.fields if f.name == name}
            if kinds & TEXT_KINDS and isinstance(value, str) and "xss-" in value.lower():
                self.covered.add((shape(form.action), field_key(name)))
        for name, (content, filename) in (files or {}).items():
            data[name] = (content, filename)
            if "xss-" in filename.lower() or b"xss-" in content.getvalue().lower():
                self.covered.add((shape(form.action), name))
        response = client.post(form.action, data=data)
        assert response.status_code == expect, (
            form.action,
            response.status_code,
            re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', response.get_data(as_text=True)),
        )
        return response


ORDINARY_TEXTS = [
    "Vi trenger mer lokalmat i butikkene og på hotellene i regionen.",
    "Reiselivet må satse på sesongforlengelse og helårsarbeidsplasser.",
    "Havbruksnæringa treng fleire fagfolk og betre vegar langs kysten.",
    "Bygg ut bredbånd og mobildekning i hele fylket, det er avgjørende for næringslivet.",
    "Vi treng fleire lærlingplassar og betre samarbeid mellom skule og næringsliv.",
    "Gründere trenger enklere tilgang til kapital og rådgivning.",
]


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass
class World:
    meeting: int
    full_meeting: int
    cancelled_meeting: int
    draft: int
    draft_slug: str
    imported_draft: int
    imported_slug: str
    section: int
    anchor: str
    response: int
    suggestion: int
    response_input: int
    note_input: int
    focus_area: int
    user: int
    submitter: Submitter
    staff: object  # a logged-in test client
    receipts: dict[str, Page]  # the receipt pages seen after sending the public forms


def analyse_inputs(app, session, region: int) -> None:
    """Some ordinary inputs, and a real analysis run over them and the payloads."""
    from participation.inputs import service as inputs
    from participation.insights import runs

    for n, text in enumerate(ORDINARY_TEXTS * 2):
        inputs.create_input(
            session, channel="suggestion_box", text=f"{text} ({n})", region_id=region
        )
    session.commit()
    run = runs.run_now(session, model_dir=app.config["MODEL_DIR"], actor="test")
    assert run.status == "done", run.error
    session.commit()


def run_queued_jobs(app, session) -> None:
    from participation.jobs import get_engine

    session.rollback()
    get_engine(app).run_pending()
    session.rollback()


def seed(app, session, *, analyse: bool = False) -> World:
    """Send a payload through every text field of every form, public and back office."""
    from participation.backoffice.service import create_user

    reset_request_state(app)
    app.config["SUGGESTION_MIN_SECONDS"] = 0
    create_user(session, email=ADMIN_EMAIL, password=PASSWORD, role="admin", name="Ada Admin")
    session.add(FocusArea(key="lokalmat", name_nb="Lokalmat", name_nn="Lokalmat", name_en="Food"))
    session.commit()
    s = Submitter()
    staff = app.test_client()
    assert login(staff, ADMIN_EMAIL).status_code == 303

    def public():
        return app.test_client()

    # regions and meetings (back office)
    s.submit(staff, "/admin/regioner", {"name": payload("region", "=", short=True)})
    region = session.scalar(select(Region.id))
    day = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    deadline = (datetime.now(UTC) + timedelta(days=25)).date().isoformat()

    def new_meeting(title: str, seats: int, **values) -> int:
        s.submit(
            staff,
            "/admin/moter/ny",
            {
                "region": str(region),
                "title": title,
                "description": "Beskrivelse",
                "day": day,
                "starts": "09:00",
                "ends": "12:00",
                "venue": "Rådhuset",
                "seats": str(seats),
                "deadline_day": deadline,
                "deadline_time": "23:59",
                **values,
            },
        )
        session.expire_all()
        return session.scalar(select(Meeting.id).order_by(Meeting.id.desc()).limit(1))

    meeting = new_meeting(
        payload("meeting-title", "="),
        5,
        description=payload("meeting-description"),
        venue=payload("meeting-venue", "+"),
        address=payload("meeting-address", "-"),
        # The title and description in the other languages (public pages in that language).
        **{
            f"{field}_{language}": payload(f"meeting-{field}-{language}")
            for field in ("title", "description")
            for language in OTHER_LANGUAGES
        },
    )
    # The edit form sent back unchanged: the payloads it shows go back in.
    s.submit(staff, f"/admin/moter/{meeting}/endre", {})
    full = new_meeting("Lite møte", 1)
    cancelled = new_meeting("Avlyst møte", 10)

    # sign-ups (public): a seat, the waiting list, and one at the meeting to be cancelled
    def sign_up(meeting_id: int, name: str, email: str, **values):
        client = public()
        s.submit(
            client,
            f"/moter/{meeting_id}/pamelding",
            {
                "name": name,
                "email": email,
                "category": "business",
                "consent": "y",
                **values,
            },
        )
        return client

    receipts: dict[str, Page] = {}

    def receipt(client, url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, url
        receipts[url] = inspect(url, response.get_data(as_text=True))

    kari = sign_up(
        meeting,
        payload("signup-name", "="),
        "kari@example.no",
        organisation=payload("signup-org", "+"),
        needs=payload("signup-needs", "-"),
    )
    receipt(kari, "/moter/pamelding/kvittering")
    sign_up(full, "Ola Først", "ola@example.no")
    sign_up(full, payload("waiting-name", "@"), "vente@example.no")
    sign_up(cancelled, "Per Avlyst", "per@example.no")
    s.submit(
        staff,
        f"/admin/moter/{cancelled}/avlys",
        {"reason": payload("cancel-reason"), "confirm": "y"},
    )
    # a message to the registrants: previewed (a page only a POST reaches), then sent
    preview = s.submit(
        staff,
        f"/admin/moter/{meeting}/melding",
        {
            "subject": payload("message-subject", short=True),
            "body": payload("message-body"),
            "action": "preview",
        },
        expect=200,
    )
    html = preview.get_data(as_text=True)
    assert not inspect(f"/admin/moter/{meeting}/melding (preview)", html).problems
    forms = parse_forms(f"/admin/moter/{meeting}/melding", html)
    form = next(f for f in forms if any(x.name == "confirm" for x in f.fields))
    sent = staff.post(form.action, data={**form.valid_values(), "action": "send", "confirm": "y"})
    assert sent.status_code == 303
    run_queued_jobs(app, session)  # the message is a job
    s.submit(staff, f"/admin/moter/{meeting}/oppmote", {"attended": "y"}, expect=422)

    # the suggestion box (public)
    s.submit(public(), "/innspill/", {"text": payload("suggestion", "+")})
    suggestion = session.scalar(
        select(Input.id).where(Input.channel == "suggestion_box").order_by(Input.id.desc())
    )
    # … and a process's own box, at its own address
    from participation.processes.service import current_process

    box = f"/prosess/{current_process(session).slug}/innspill"
    s.submit(public(), box, {"text": payload("process-suggestion", "+")})

    # the consultation: a draft and a section made in the back office, edited once
    opens = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    period = {"opens_day": opens, "opens_time": "00:00", "closes_day": day, "closes_time": "23:59"}
    s.submit(
        staff,
        "/admin/horing/ny",
        {
            "title": payload("draft-title"),
            "introduction": payload("draft-intro", markdown=True),
            **period,
        },
    )
    session.expire_all()
    draft = session.scalar(select(DraftStrategy.id).order_by(DraftStrategy.id.desc()).limit(1))
    s.submit(staff, f"/admin/horing/{draft}/endre", {})
    s.submit(
        staff,
        f"/admin/horing/{draft}/del/ny",
        {
            "number": "1",
            "title": payload("section-title", "="),
            "body": payload("section-body", markdown=True),
        },
    )
    session.expire_all()
    section = session.scalar(select(DraftSection.id).where(DraftSection.draft_id == draft))
    s.submit(staff, f"/admin/horing/{draft}/del/{section}", {})
    # Drafts imported from Markdown: pasted (the title from its # heading) and as a file.
    imported_md = (
        f"# {payload('import-title', short=True)}\n\n{payload('import-intro', markdown=True)}\n\n"
        f"## 1 {payload('import-heading', short=True)}\n\n{payload('import-body', markdown=True)}\n"
    )
    s.submit(staff, "/admin/horing/import", {"source": imported_md, "title": "", **period})
    session.expire_all()
    imported = session.scalar(select(DraftStrategy).order_by(DraftStrategy.id.desc()).limit(1))
    file_md = (
        f"## 1 {payload('file-heading', short=True)}\n\n{payload('file-body', markdown=True)}\n"
    )
    s.submit(
        staff,
        "/admin/horing/import",
        {"title": payload("file-title", short=True), **period},
        files={"file": (io.BytesIO(file_md.encode()), "XSS-file-name.md")},
    )
    found = session.get(DraftStrategy, draft)
    slug, anchor = found.slug, found.sections[0].anchor

    # a consultation response (public) with an attachment whose name is a payload
    respondent = public()
    s.submit(
        respondent,
        f"/horing/{slug}/svar",
        {
            "section": anchor,
            "stance": "support",
            "text": payload("response-text", "="),
            "name": payload("response-name", "@"),
            "email": "svar@example.no",
            "category": "business",
            "organisation": payload("response-org", "-"),
            "may_publish": "yes",
        },
        files={
            "attachments": (
                io.BytesIO(pdf_bytes()),
                ATTACHMENT_NAME,
            )
        },
    )
    receipt(respondent, f"/horing/{slug}/kvittering")
    response = session.scalar(select(ConsultationResponse.id).order_by(ConsultationResponse.id))
    response_input = session.scalar(
        select(Input.id).where(Input.consultation_response_id == response)
    )
    s.submit(
        staff,
        f"/admin/horing/svar/{response}",
        {"published_text": payload("published-text", "+")},
    )

    # workshop notes: one by one, and imported from CSV
    s.submit(
        staff,
        "/admin/innspill/motenotat",
        {"meeting": str(meeting), "text": payload("workshop-note", "-")},
    )
    note_input = session.scalar(
        select(Input.id).where(Input.channel == "workshop_note").order_by(Input.id.desc())
    )
    rows = io.StringIO()
    writer = csv.writer(rows, delimiter=";")
    writer.writerow(["text", "meeting_id"])
    writer.writerow([payload("workshop-import", "@"), meeting])
    s.submit(
        staff,
        "/admin/innspill/import",
        {},
        files={"file": (io.BytesIO(rows.getvalue().encode()), "notater.csv")},
    )
    run_queued_jobs(app, session)  # the import is a job

    # the administration's assessment of the suggestion, before it is hidden (shown to participants later)
    s.submit(
        staff,
        f"/admin/vurdering/svar?input={suggestion}",
        {"outcome": "noted", "comment": payload("assessment", "=")},
        action="/admin/vurdering/svar",
    )

    # the receipt look-up refuses a payload as a code of the wrong shape (and shows it escaped)
    s.submit(public(), "/svar/kvittering", {"code": payload("receipt-code")}, expect=422)

    # moderation of the suggestion: a note, a redaction edit, hidden with a reason
    detail = f"/admin/innspill/{suggestion}"
    s.submit(staff, detail, {"note": payload("note")}, action=f"{detail}/notat")
    s.submit(
        staff,
        detail,
        {"redacted_text": payload("redaction", "=")},
        action=f"{detail}/sladding",
    )
    s.submit(
        staff,
        detail,
        {"action": "hide", "reason": payload("hide-reason", "-")},
        action=f"{detail}/status",
    )
    s.submit(
        staff,
        "/admin/",
        {"ids": str(note_input), "action": "hide", "reason": payload("bulk-reason", "@")},
        action="/admin/innspill/utval",
    )

    # focus areas and staff accounts, each edit form sent back unchanged
    s.submit(
        staff,
        "/admin/satsingsomrader/ny",
        {
            "key": "xss-omrade",
            **{
                f"name_{lang}": payload(f"area-name-{lang}", short=True)
                for lang in ("nb", "nn", "en", "se")
            },
            **{
                f"description_{lang}": payload(f"area-description-{lang}")
                for lang in ("nb", "nn", "en", "se")
            },
            "seed_terms": payload("area-terms"),
        },
    )
    session.expire_all()
    area = session.scalar(select(FocusArea.id).where(FocusArea.key == "xss-omrade"))
    s.submit(
        staff,
        "/admin/brukere/ny",
        {
            "email": "ny@fylke.example.no",
            "name": payload("user-name"),
            "role": "reviewer",
            "password": PASSWORD,
        },
    )
    user = session.scalar(select(User.id).where(User.email == "ny@fylke.example.no"))
    # Edit forms sent back unchanged: the payloads they show go back in.
    s.submit(staff, f"/admin/satsingsomrader/{area}", {})
    s.submit(staff, f"/admin/brukere/{user}", {})
    # a process (being prepared) with every text in every language and a phase; its
    # edit form sent back unchanged
    s.submit(
        staff,
        "/admin/prosesser/ny",
        {
            "slug": "xss-prosess",
            **{
                f"{name}_{lang}": payload(f"process-{name}-{lang}", short=name == "title")
                for name in ("title", "summary", "introduction", "question")
                for lang in TEXT_LANGUAGES
            },
            "organisation": payload("process-organisation", short=True),
            "phases-0-starts_on": "2027-01-04",
            "phases-0-ends_on": "2027-02-26",
            **{
                f"phases-0-{name}_{lang}": payload(f"phase-{name}-{lang}", short=name == "name")
                for name in ("name", "description")
                for lang in TEXT_LANGUAGES
            },
        },
    )
    process = session.scalar(select(Process.id).where(Process.slug == "xss-prosess"))
    s.submit(staff, f"/admin/prosesser/{process}", {})
    # the statements' own texts, and a report of an accessibility problem (public)
    for statement, keys in STATEMENT_FIELDS.items():
        s.submit(
            staff,
            f"/admin/erklaeringar?erklaering={statement}&tekstsprak=nb",
            {key: payload(f"{statement}-{key}".replace("_", "-"), short=True) for key in keys},
        )
    s.submit(
        public(),
        "/tilgjengelighet",
        {"text": payload("a11y-report"), "page": payload("a11y-page", short=True)},
    )
    if analyse:
        analyse_inputs(app, session, region)
    session.expire_all()
    return World(
        meeting=meeting,
        full_meeting=full,
        cancelled_meeting=cancelled,
        draft=draft,
        draft_slug=slug,
        imported_draft=imported.id,
        imported_slug=imported.slug,
        section=section,
        anchor=anchor,
        response=response,
        suggestion=suggestion,
        response_input=response_input,
        note_input=note_input,
        focus_area=area,
        user=user,
        submitter=s,
        staff=staff,
        receipts=receipts,
    )


@pytest.fixture
def world(app, session) -> World:
    return seed(app, session)


# ---------------------------------------------------------------- where payloads must show


STATEMENT_FIELDS = {
    "accessibility": ("responsible", "known_breaches", "answer_time", "other_testing"),
    "privacy": ("controller", "contact", "dpo", "recipients"),
}


def expected_pages(world: World) -> dict[str, list[str]]:
    """Tag -> pages that must show it as text ("public " pages are fetched anonymously)."""
    slug, draft, m = world.draft_slug, world.draft, world.meeting
    published = f"public /horing/{slug}/horingssvar"
    return {
        "region": ["public /moter/", "/admin/regioner", "/admin/moter", "/admin/oversikt"],
        "meeting-title": [
            f"public /moter/{m}",
            f"public /moter/{m}/pamelding",
            "/admin/moter",
            f"/admin/moter/{m}",
            f"/admin/moter/{m}/deltakarliste",
            "/admin/innspill/motenotat",
            "/admin/eksport",
        ],
        "meeting-description": [f"public /moter/{m}"],
        "meeting-venue": [f"public /moter/{m}", f"/admin/moter/{m}"],
        "meeting-address": [f"public /moter/{m}", f"/admin/moter/{m}"],
        "signup-name": [
            f"/admin/moter/{m}",
            f"/admin/moter/{m}/deltakarliste",
            f"/admin/moter/{m}/oppmote",
        ],
        "signup-org": [f"/admin/moter/{m}", f"/admin/moter/{m}/deltakarliste"],
        "signup-needs": [f"/admin/moter/{m}", f"/admin/moter/{m}/deltakarliste"],
        "waiting-name": [f"/admin/moter/{world.full_meeting}"],
        # A suggestion keeps only its redacted text, which the redaction edit replaced:
        # the text as written is shown nowhere (issue 9).
        "suggestion": [],
        "redaction": ["/admin/", f"/admin/innspill/{world.suggestion}"],
        "note": [f"/admin/innspill/{world.suggestion}"],
        "hide-reason": [f"/admin/innspill/{world.suggestion}"],
        "bulk-reason": [f"/admin/innspill/{world.note_input}"],
        "workshop-note": ["/admin/", f"/admin/innspill/{world.note_input}"],
        "workshop-import": ["/admin/", f"/admin/?meeting={m}"],
        "response-text": [
            "/admin/",
            f"/admin/innspill/{world.response_input}",
            f"/admin/horing/{draft}/svar",
            f"/admin/horing/svar/{world.response}",
        ],
        "response-name": [f"/admin/horing/{draft}/svar", f"/admin/horing/svar/{world.response}"],
        "response-org": [
            published,
            f"/admin/horing/{draft}/svar",
            f"/admin/horing/svar/{world.response}",
            f"/admin/horing/{draft}/samandrag",
        ],
        "published-text": [
            published,
            f"{published}?del={world.anchor}",
            f"/admin/horing/{draft}/samandrag",
        ],
        "draft-title": [
            "public /horing/",
            f"public /horing/{slug}",
            published,
            "/admin/horing",
            f"/admin/horing/{draft}",
        ],
        "draft-intro": [f"public /horing/{slug}"],
        "section-title": [
            f"public /horing/{slug}",
            f"public /horing/{slug}/svar",
            published,
            f"/admin/horing/{draft}",
            f"/admin/horing/{draft}/samandrag",
        ],
        "section-body": [f"public /horing/{slug}"],
        "import-title": [f"public /horing/{world.imported_slug}", "/admin/horing"],
        "import-intro": [f"public /horing/{world.imported_slug}"],
        "import-heading": [f"public /horing/{world.imported_slug}"],
        "import-body": [f"public /horing/{world.imported_slug}"],
        "area-name-nb": [
            "public /innspill/",
            f"public /moter/{m}/pamelding",
            "/admin/satsingsomrader",
        ],
        "area-name-nn": ["/admin/satsingsomrader"],
        "area-name-en": ["/admin/satsingsomrader"],
        "user-name": ["/admin/brukere"],
        "process-title-nb": ["/admin/prosesser"],
        **{
            f"{statement}-{key}".replace("_", "-"): [page]
            for statement, page in (
                ("accessibility", "public /tilgjengelighet"),
                ("privacy", "public /personvern"),
            )
            for key in STATEMENT_FIELDS[statement]
        },
        "a11y-report": ["/admin/"],
    }


def fetch(app, world: World, key: str) -> Page:
    if key.startswith("public "):
        client, url = app.test_client(), key.removeprefix("public ")
    else:
        client, url = world.staff, key
    response = client.get(url)
    assert response.status_code == 200, (key, response.status_code)
    return inspect(key, response.get_data(as_text=True))


# ---------------------------------------------------------------- tests over HTTP


def crawl_pages(app, world: World) -> dict[str, Page]:
    """Every HTML page the public and an administrator can reach, inspected."""
    skip = re.compile(r"/logg-ut|/eksport/.+\.|/vedlegg/|/sprak/")
    public = RecordingClient(app.test_client())
    crawl(public, ["/"], limit=400, skip=lambda url: bool(skip.search(url)))
    staff = RecordingClient(world.staff)
    crawl(staff, ["/admin/"], limit=400, skip=lambda url: bool(skip.search(url)))
    return {**{f"public {u}": p for u, p in public.pages.items()}, **staff.pages}


def test_payloads_are_text_on_every_page(app, session):
    """Crawl everything: no page carries injected markup, and wherever a payload shows,
    it shows whole, as text; then the pages where each one must show."""
    world = seed(app, session, analyse=True)
    pages = crawl_pages(app, world)
    assert len(pages) > 60
    problems = [f"{p.url}: {problem}" for p in pages.values() for problem in p.problems]
    assert not problems, "\n".join(problems)

    shown_on: dict[str, set[str]] = defaultdict(set)
    for key, page in pages.items():
        for tag in page.markers():
            assert page.shows(tag), (key, tag)
            shown_on[tag].add(key)
    # The analysis shows the inputs' texts too (quotes, lists, review queue).
    analysis = {k for keys in shown_on.values() for k in keys if k.startswith("/admin/analyse")}
    assert analysis, "the analysis pages show no input"

    missing = []
    for tag, keys in expected_pages(world).items():
        for key in keys:
            page = pages.get(key) or fetch(app, world, key)
            assert not page.problems, (key, page.problems)
            if not page.shows(tag):
                missing.append(f"{tag} not shown on {key}")
    assert not missing, "\n".join(missing)

    # The receipts after sending a public form.
    signed_up = world.receipts["/moter/pamelding/kvittering"]
    responded = world.receipts[f"/horing/{world.draft_slug}/kvittering"]
    for page in world.receipts.values():
        assert not page.problems, (page.url, page.problems)
    assert signed_up.shows("meeting-title") and signed_up.shows("meeting-venue")
    assert responded.shows("draft-title") and responded.shows("section-title")

    # The attachment's name, on the staff page and (published) on the public one.
    for key in (
        f"/admin/horing/svar/{world.response}",
        f"public /horing/{world.draft_slug}/horingssvar",
    ):
        page = fetch(app, world, key)
        assert ATTACHMENT_NAME in page.text and not page.problems, key
    # Downloaded, it is a PDF to save, whatever its name says.
    attachment = session.scalar(select(Attachment.id))
    for client, url in (
        (world.staff, f"/admin/horing/vedlegg/{attachment}"),
        (app.test_client(), f"/horing/{world.draft_slug}/vedlegg/{attachment}"),
    ):
        download = client.get(url)
        assert download.status_code == 200 and download.mimetype == "application/pdf", url
        assert download.headers["Content-Disposition"].startswith("attachment;"), url
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        download.close()


def test_every_free_text_field_got_a_payload(app, world):
    """The crawler finds every form; each free-text field in it was sent a payload."""
    skip = re.compile(r"/logg-ut|/eksport/.+\.|/vedlegg/|/sprak/")
    forms = crawl(app.test_client(), ["/"], limit=400, skip=lambda u: bool(skip.search(u)))
    forms += crawl(world.staff, ["/admin/"], limit=400, skip=lambda u: bool(skip.search(u)))
    fields = {
        (shape(form.action), field_key(f.name))
        for form in forms
        for f in form.fields
        if f.kind in TEXT_KINDS | {"file"} and f.name.rpartition("-")[2] not in SHAPED_FIELDS
    }
    assert len(fields) > 30
    not_covered = sorted(fields - world.submitter.covered)
    assert not not_covered, "\n".join(map(str, not_covered))


def test_forms_give_payloads_back_as_field_values(app, world, session):
    """A form shown again after a mistake, or an edit form, holds the payload as the
    field's value; sent back unchanged, the stored text stays exactly the same."""
    s = world.submitter
    value = payload("echo")

    def values_of(response, action):
        html = response.get_data(as_text=True)
        page = inspect(action, html)
        assert not page.problems, (action, page.problems)
        form = next(f for f in parse_forms(action, html) if urlsplit(f.action).path == action)
        # A browser drops the one line break that follows <textarea>.
        return {f.name: re.sub(r"^\r?\n", "", f.value) for f in form.fields}

    # public forms with one mistake each: everything typed comes back, inert
    refused = s.submit(
        app.test_client(),
        f"/moter/{world.meeting}/pamelding",
        {
            "name": value,
            "organisation": value,
            "needs": value,
            "org_number": value,
            "email": "x@example.no",
        },
        expect=422,
    )  # no consent, and the organisation number is not one
    got = values_of(refused, f"/moter/{world.meeting}/pamelding")
    assert got["name"] == got["organisation"] == got["needs"] == got["org_number"] == value
    refused = s.submit(
        app.test_client(), "/innspill/", {"text": value, "region": "999999"}, expect=422
    )
    assert values_of(refused, "/innspill/")["text"] == value
    url = f"/horing/{world.draft_slug}/svar"
    refused = s.submit(
        app.test_client(),
        url,
        {"text": value, "name": value, "organisation": value, "org_number": value, "email": ""},
        expect=422,
    )
    got = values_of(refused, url)
    assert got["text"] == got["name"] == got["organisation"] == got["org_number"] == value

    # back-office forms with a mistake
    refused = s.submit(
        world.staff,
        "/admin/moter/ny",
        {"title": value, "description": value, "venue": value, "address": value, "day": ""},
        expect=422,
    )
    got = values_of(refused, "/admin/moter/ny")
    assert got["title"] == got["description"] == got["venue"] == got["address"] == value
    url = f"/admin/horing/{world.draft}/del/ny"
    refused = s.submit(
        world.staff, url, {"number": value, "title": value, "body": value}, expect=422
    )
    got = values_of(refused, url)
    assert got["number"] == got["title"] == got["body"] == value
    refused = s.submit(
        world.staff, "/admin/satsingsomrader/ny", {"key": value, "name_nb": value}, expect=422
    )
    got = values_of(refused, "/admin/satsingsomrader/ny")
    assert got["key"] == got["name_nb"] == value

    # edit forms sent back unchanged store exactly what was there (no double escaping)
    def stored():
        session.expire_all()
        meeting = session.get(Meeting, world.meeting)
        draft = session.get(DraftStrategy, world.draft)
        section = session.get(DraftSection, world.section)
        area = session.get(FocusArea, world.focus_area)
        response = session.get(ConsultationResponse, world.response)
        return [
            meeting.title,
            meeting.description,
            meeting.venue,
            meeting.address,
            draft.title,
            draft.introduction,
            section.title,
            section.body,
            area.name_nb,
            area.name_nn,
            area.name_en,
            area.description_nb,
            area.seed_terms,
            session.get(User, world.user).name,
            response.published_text,
            session.get(Input, world.suggestion).redacted_text,
        ]

    before = stored()
    assert all("xss-" in str(v).lower() for v in before), before
    detail = f"/admin/innspill/{world.suggestion}"
    for page, action in [
        (f"/admin/moter/{world.meeting}/endre", None),
        (f"/admin/horing/{world.draft}/endre", None),
        (f"/admin/horing/{world.draft}/del/{world.section}", None),
        (f"/admin/satsingsomrader/{world.focus_area}", None),
        (f"/admin/brukere/{world.user}", None),
        (f"/admin/horing/svar/{world.response}", None),
        (detail, f"{detail}/sladding"),
    ]:
        s.submit(world.staff, page, {}, action=action)
    assert stored() == before


PAYLOAD_PARAM = quote(payload("param"))


def test_echoed_parameters_are_escaped(app, world):
    """Query strings and paths that pages repeat back; script URLs in next/back."""
    staff_urls = [
        f"/admin/?q={PAYLOAD_PARAM}",
        f"/admin/?q={PAYLOAD_PARAM}&channel={PAYLOAD_PARAM}&date_from={PAYLOAD_PARAM}",
        f"/admin/logg?action={PAYLOAD_PARAM}&object_type={PAYLOAD_PARAM}&object_id={PAYLOAD_PARAM}",
        f"/admin/horing/{world.draft}/svar?del={PAYLOAD_PARAM}&status={PAYLOAD_PARAM}",
        f"/admin/innspill/{world.suggestion}?back={PAYLOAD_PARAM}",
        f"/admin/innspill/{world.suggestion}?back=javascript:window.__xss=1",
        f"/admin/innspill/motenotat?meeting={PAYLOAD_PARAM}",
        f"/admin/oversikt?duplicates={PAYLOAD_PARAM}",
        f"/admin/analyse/innspill?satsingsomrade={PAYLOAD_PARAM}",
        f"/admin/{PAYLOAD_PARAM}",
    ]
    public_urls = [
        f"/horing/{world.draft_slug}/svar?del={PAYLOAD_PARAM}",
        f"/horing/{world.draft_slug}/horingssvar?del={PAYLOAD_PARAM}",
        f"/horing/{PAYLOAD_PARAM}",
        f"/moter/region/{PAYLOAD_PARAM}",
        f"/{PAYLOAD_PARAM}",
        f"/admin/logg-inn?next={PAYLOAD_PARAM}",
        "/admin/logg-inn?next=javascript:window.__xss=1",
    ]
    problems = []
    for client, urls in ((world.staff, staff_urls), (app.test_client(), public_urls)):
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 303, 404), (url, response.status_code)
            if "text/html" in response.content_type:
                page = inspect(url, response.get_data(as_text=True))
                problems += [f"{url}: {p}" for p in page.problems]
    assert not problems, "\n".join(problems)
    searched = inspect("q", world.staff.get(f"/admin/?q={PAYLOAD_PARAM}").get_data(as_text=True))
    assert payload("param") in searched.attributes  # in the search box, as its value

    # Redirect targets: never a script URL, never another site.
    for target in (
        "javascript:window.__xss=1",
        "//evil.example/",
        "/\\evil.example/",
        "https://evil.example/",
    ):
        location = app.test_client().get(f"/sprak/nn?next={quote(target)}").headers["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        anonymous = app.test_client()
        login_page = anonymous.get(f"/admin/logg-inn?next={quote(target)}")
        form = parse_forms("/admin/logg-inn", login_page.get_data(as_text=True))[0]
        data = form.valid_values() | {"email": ADMIN_EMAIL, "password": PASSWORD}
        location = anonymous.post(form.action, data=data).headers["Location"]
        assert location.startswith("/admin") and "\\" not in location, location


def exported_cells(response, fmt: str) -> list[str]:
    assert response.status_code == 200
    if fmt == "csv":
        text = response.get_data().decode("utf-8-sig")
        return [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.get_data()))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"a formula in {sheet.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    cells.append(cell.value)
    return cells


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_hold_payloads_as_inert_text(app, world, fmt):
    exports = {
        f"/admin/eksport/innspill.{fmt}": {
            "redaction",
            "workshop-note",
            "workshop-import",
            "response-text",
            "hide-reason",
            "bulk-reason",
            "meeting-title",
            "region",
            "section-title",
        },
        f"/admin/eksport/pameldingar.{fmt}": {
            "meeting-title",
            "region",
            "signup-name",
            "signup-org",
            "signup-needs",
            "waiting-name",
        },
        f"/admin/eksport/horingssvar/{world.draft}.{fmt}": {
            "section-title",
            "response-name",
            "response-org",
            "response-text",
            "published-text",
        },
    }
    for url, tags in exports.items():
        cells = exported_cells(world.staff.get(url), fmt)
        found, neutralised = set(), set()
        for cell in cells:
            assert not cell.startswith(FORMULA_START), (url, cell[:60])
            for tag in MARKERS.findall(cell):
                found.add(tag)
                assert marker(tag) + SHOWN in cell, (url, cell[:80])  # as typed, not as HTML
                if cell.startswith("'" + PREFIXES[tag] + marker(tag)):
                    neutralised.add(tag)
        assert tags <= found, (url, tags - found)
        # Each of these payloads starts with =, +, - or @ and fills a cell of its own
        # (the section's title is also part of a "number title" label in the inputs).
        whole_cells = {t for t in tags if PREFIXES[t]} - {"section-title"} | (
            {"section-title"} if "horingssvar" in url else set()
        )
        assert whole_cells <= neutralised, (url, whole_cells - neutralised)


def test_emails_are_plain_text_with_the_payloads_verbatim(app, world, session, smtp_server):
    from participation import outbox

    messages = list(session.execute(select(OutboxMessage)).scalars())
    expected = {
        "signup-name",
        "meeting-title",
        "meeting-venue",
        "meeting-address",
        "waiting-name",
        "cancel-reason",
        "message-subject",
        "message-body",
        "response-name",
        "response-org",
        "draft-title",
        "section-title",
    }
    found = set()
    for message in messages:
        for text in (message.subject, message.body_text):
            assert "&lt;" not in text and "&#" not in text and "&gt;" not in text, text[:200]
            for tag in MARKERS.findall(text):
                found.add(tag)
                assert marker(tag) + SHOWN.split("<svg")[0] in text, (tag, text[:200])
    assert expected <= found, expected - found

    app.config.update(
        MAIL_TRANSPORT="smtp", SMTP_HOST=smtp_server.hostname, SMTP_PORT=smtp_server.port
    )
    report = outbox.send_due(db.session)
    assert report.sent == len(messages) and not report.failed
    assert len(smtp_server.received) == len(messages)
    for received in smtp_server.received:
        types = [part.get_content_type() for part in received.walk()]
        assert "text/html" not in types, types
        body = next(p for p in received.walk() if p.get_content_type() == "text/plain")
        text = body.get_payload(decode=True).decode(body.get_content_charset())
        for tag in MARKERS.findall(text):
            assert marker(tag) + " {{7*7}} <script>window.__xss=1</script>" in text
        assert "<html" not in text.lower() and "&lt;" not in text


# ---------------------------------------------------------------- in a real browser

BROWSER_CHECK = """() => {
  const found = [];
  const urlAttributes = ["href", "src", "action", "formaction", "xlink:href"];
  for (const el of document.querySelectorAll("*")) {
    for (const a of Array.from(el.attributes)) {
      const name = a.name.toLowerCase();
      const value = a.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      if (name.startsWith("on")) found.push(el.tagName + " " + name);
      if (urlAttributes.includes(name) && /^(javascript|vbscript|data):/.test(value)) {
        found.push(el.tagName + " " + name + "=" + a.value);
      }
    }
  }
  for (const s of document.querySelectorAll("script")) {
    if (!s.src || s.textContent.trim() || s.textContent.includes("__xss")) {
      found.push("script " + s.outerHTML.slice(0, 120));
    }
  }
  return {xss: typeof window.__xss, found: found, text: document.body.textContent};
}"""


@pytest.mark.e2e
def test_no_injected_script_runs_in_a_browser(app, session, live_server, monkeypatch):
    """Chromium with the Content-Security-Policy bypassed: only the escaping protects."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    world = seed(app, session, analyse=True)
    pages = crawl_pages(app, world)
    with_payloads = sorted(k for k, p in pages.items() if p.markers())
    public = [k.removeprefix("public ") for k in with_payloads if k.startswith("public ")]
    staff = [k for k in with_payloads if k.startswith("/admin")]
    assert len(public) >= 8 and len(staff) >= 30

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url, locale="nb-NO", bypass_csp=True)
        context.set_default_timeout(30_000)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

        def visit(url: str) -> dict:
            response = page.goto(url, wait_until="load")
            assert response is not None and response.status == 200, url
            result = page.evaluate(BROWSER_CHECK)
            assert result["xss"] == "undefined", f"script ran on {url}"
            assert not result["found"], (url, result["found"])
            assert not dialogs, (url, dialogs)
            result["text"] = " ".join(result["text"].split())
            return result

        # A person types payloads into the sign-up form in the browser itself.
        page.goto(f"/moter/{world.meeting}/pamelding")
        page.fill("#name", payload("browser-name"))
        page.fill("#email", "nettlesar@example.no")
        page.fill("#organisation", payload("browser-org"))
        page.fill("#needs", payload("browser-needs"))
        page.select_option("#category", "citizen")
        page.check("#consent")
        page.click("form.form button[type=submit]")
        page.wait_for_url("**/kvittering")
        for url in public:
            result = visit(url)
            for tag in MARKERS.findall(result["text"]):
                assert marker(tag) + SHOWN in result["text"], (url, tag)

        page.goto("/admin/logg-inn")
        page.fill("#email", ADMIN_EMAIL)
        page.fill("#password", PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url("**/admin/")
        for url in [*staff, f"/admin/moter/{world.meeting}"]:
            result = visit(url)
            for tag in MARKERS.findall(result["text"]):
                assert marker(tag) + SHOWN in result["text"], (url, tag)
        assert "browser-name" in MARKERS.findall(result["text"])
        context.close()
        browser.close()
