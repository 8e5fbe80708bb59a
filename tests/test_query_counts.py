"""Every list page runs a number of SQL statements that does not grow with its rows.

One test builds a small world (about 10 rows of every kind a page lists), finds
the pages by crawling the public site and the back office (as an administrator)
with the abuse suite's crawler, adds an explicit list of the list pages that
matter most, and counts the statements of each request with SQLAlchemy's
``before_cursor_execute`` event. It then grows the world to about 1 000 rows of
every kind with bulk inserts and requests the same URLs again (and later pages
of the paged lists): each page must send exactly as many statements as before.

Kinds grown: regions, meetings of one region, registrations and the waiting
list of a meeting, inputs of every channel (with focus areas, confirmed areas,
notes, duplicates and analysis results), consultation responses per section
(with attachments, two in three published), draft sections, audit entries,
staff accounts and focus areas. Exports and downloads are left out.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, insert, select, update

from participation.extensions import db
from participation.models import (
    AnalysisRun,
    AnalysisTheme,
    Attachment,
    AuditEntry,
    ConfirmedFocusArea,
    ConsultationResponse,
    DraftSection,
    FocusArea,
    Input,
    InputAnalysis,
    InputNote,
    InputReview,
    InputSuggestion,
    Meeting,
    Process,
    Region,
    Registration,
    User,
    input_focus_area,
    registration_focus_area,
)
from tests.abuse.crawl import crawl
from tests.helpers import login, reset_request_state

pytestmark = pytest.mark.slow

SMALL = 10
LARGE = 1000
PASSWORD = "riktig hest batteri stift"

# Downloads, language switches and JSON polling are not list pages.
SKIP = re.compile(
    r"/admin/eksport/.+\.(csv|xlsx)|/vedlegg/|/sprak/|/status$|/admin/logg-ut|/avmelding/"
)
# Pages of one shape (ids replaced by N) visited by the crawl: enough to cover every
# kind of page without visiting all 1 000 meetings.
PER_SHAPE = 2

# Short, varied inputs in both written forms, so the analysis finds themes.
TEXTS = [
    "Vi trenger mer lokalmat i butikkene og på hotellene i regionen.",
    "Lokale matprodusenter må få hjelp til å selge direkte til forbrukerne.",
    "Reiselivet må satse på sesongforlengelse og helårsarbeidsplasser.",
    "Fleire cruiseturistar krev betre planlegging i hamnene våre.",
    "Havbruksnæringa treng fleire fagfolk og betre vegar langs kysten.",
    "Fiskeriene er ryggraden i kystsamfunnene, og kvotene må forbli lokale.",
    "Bygg ut bredbånd og mobildekning i hele fylket, det er avgjørende for næringslivet.",
    "Ferjetilbudet og veiene må bli bedre for at folk skal kunne pendle.",
    "Vi treng fleire lærlingplassar og betre samarbeid mellom skule og næringsliv.",
    "Universitetet bør samarbeide mer med bedriftene om forskning og innovasjon.",
    "Fornybar energi og kraftlinjer må bygges ut for ny industri.",
    "Gründere trenger enklere tilgang til kapital og rådgivning.",
]

DRAFT_MD = """# Strategi for Storfylket

Innledning.

## 1 Havnæringene

Om havet.

### 1.1 Mer foredling

## 2 Reiseliv

Om reiseliv.
"""


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


class CountingClient:
    """A test client whose GETs are counted, each on a fresh session as in production."""

    def __init__(self, client) -> None:
        self.client = client
        self.counts: dict[str, list[str]] = {}
        self.status: dict[str, int] = {}

    def get(self, path: str):
        db.session.remove()
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN")):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            response = self.client.get(path)
            response.get_data()
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        self.counts[path] = statements
        self.status[path] = response.status_code
        return response


class World:
    """Rows of every listed kind, grown in bulk; the parents are made once."""

    def __init__(self, session, admin: User) -> None:
        from participation.consultation import service as consultation
        from participation.demo import DemoReport, seed_focus_areas

        self.session = session
        self.n = 0
        now = datetime.now(UTC)
        seed_focus_areas(session, DemoReport())
        self.process_id = session.execute(select(Process.id)).scalar_one()
        region = Region(slug="storregionen", name="Storregionen", position=0)
        session.add(region)
        session.flush()

        def meeting(days: int, **values) -> Meeting:
            starts = now + timedelta(days=days)
            return Meeting(
                process_id=self.process_id,
                region_id=region.id,
                starts_at=starts,
                ends_at=starts + timedelta(hours=4),
                registration_deadline=starts - timedelta(days=3),
                address="Storgata 1",
                confirmed_count=0,
                **values,
            )

        # many confirmed registrations; one seat taken and a long waiting list
        big = meeting(30, title="Stort møte", description="Mange.", venue="Huset", seats=5000)
        full = meeting(31, title="Lite møte", description="Én plass.", venue="Biblo", seats=1)
        session.add_all([big, full])
        draft = consultation.import_markdown(
            session,
            DRAFT_MD,
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=30),
            slug="storutkast",
        )
        session.flush()
        # Ids only from here on: every counted request starts from an empty session.
        self.admin_id, self.admin_email = admin.id, admin.email
        self.password_hash = admin.password_hash
        self.region_id, self.region_slug = region.id, region.slug
        self.big_id, self.full_id = big.id, full.id
        self.draft_id, self.draft_slug = draft.id, draft.slug
        self.section_ids = [sec.id for sec in draft.sections]  # 1, 1.1, 2
        self.anchor = draft.sections[0].anchor
        self.areas = list(
            session.execute(select(FocusArea.id).order_by(FocusArea.position)).scalars()
        )
        self.first_input: int | None = None

    def _ids(self, model, rows: list[dict]) -> list[int]:
        if not rows:
            return []
        return list(
            self.session.execute(
                insert(model).returning(model.id, sort_by_parameter_order=True), rows
            ).scalars()
        )

    def grow(self, count: int) -> None:
        """Add ``count`` rows of every kind."""
        s = self.session
        start, self.n = self.n, self.n + count
        now = datetime.now(UTC)
        today = date.today()
        seq = range(start, start + count)

        # regions and meetings of one region (most of the added ones are past)
        self._ids(
            Region, [{"slug": f"r-{i}", "name": f"Region {i}", "position": i + 1} for i in seq]
        )
        meetings = []
        for i in seq:
            past, cancelled = i % 3 == 1 or i >= SMALL, i % 3 == 2
            starts = now + timedelta(days=-40 - i if past else 40 + i)
            meetings.append(
                {
                    "process_id": self.process_id,
                    "region_id": self.region_id,
                    "title": f"Møte {i}",
                    "description": "Beskrivelse",
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=3),
                    "venue": f"Sted {i}",
                    "address": "Gata 1",
                    "seats": 30,
                    "registration_deadline": starts - timedelta(days=2),
                    "confirmed_count": 0,
                    "cancelled_at": now if cancelled else None,
                    "created_at": now,
                }
            )
        meeting_ids = self._ids(Meeting, meetings)
        if start == 0:
            self.notes_meeting = meeting_ids[1]  # a past meeting: its notes are inputs

        # registrations: confirmed (and some cancelled) at the big meeting, a waiting list
        registrations = []
        for i in seq:
            for meeting_id, status in (
                (self.big_id, "cancelled" if i % 10 == 9 else "confirmed"),
                (self.full_id, "confirmed" if i == 0 else "waiting"),
            ):
                registrations.append(
                    {
                        "meeting_id": meeting_id,
                        "reference": f"R{meeting_id}-{i}"[:16],
                        "status": status,
                        "name": f"Deltaker {i}",
                        "email": f"d{i}@example.no",
                        "email_normalized": f"d{i}@example.no",
                        "phone": "91234567",
                        "organisation": "Bedrift AS",
                        "needs": "Rullestol" if i % 4 == 0 else None,
                        "category": "business",
                        "locale": "nb",
                        "consent_at": now,
                        "created_at": now,
                        "confirmed_at": now if status == "confirmed" else None,
                        "cancelled_at": now if status == "cancelled" else None,
                        "attended": True if i % 5 == 0 else None,
                    }
                )
        registration_ids = self._ids(Registration, registrations)
        s.execute(
            insert(registration_focus_area),
            [
                {"registration_id": r, "focus_area_id": self.areas[k % 3]}
                for k, r in enumerate(registration_ids)
            ],
        )
        for meeting_id in (self.big_id, self.full_id):
            confirmed = sum(
                1
                for r in registrations
                if r["meeting_id"] == meeting_id and r["status"] == "confirmed"
            )
            s.execute(
                update(Meeting)
                .where(Meeting.id == meeting_id)
                .values(confirmed_count=Meeting.confirmed_count + confirmed)
            )

        # draft sections, then consultation responses spread over them (and the whole draft)
        self._ids(
            DraftSection,
            [
                {
                    "draft_id": self.draft_id,
                    "parent_id": None,
                    "number": str(100 + i),
                    "level": 1,
                    "title": f"Strategi {100 + i}",
                    "body": "Tekst om **strategien**.",
                    "anchor": f"s-{100 + i}",
                    "position": 100 + i,
                }
                for i in seq
            ],
        )
        section_ids = self.section_ids
        responses = []
        for i in seq:
            published = i % 3 != 2
            responses.append(
                {
                    "draft_id": self.draft_id,
                    "section_id": None if i % 4 == 3 else section_ids[i % 3],
                    "reference": f"H{i}",
                    "stance": ("support", "partly", "oppose", "none")[i % 4],
                    "name": f"Svarer {i}",
                    "email": f"s{i}@example.no",
                    "organisation": "Lag og forening" if i % 2 else None,
                    "category": ("business", "citizen", "organisation")[i % 3],
                    "may_publish": i % 5 != 4,
                    "locale": "nb",
                    "created_at": now,
                    "published_text": f"Publisert svar {i}." if published else None,
                    "published_at": now if published else None,
                    "approved_by_id": self.admin_id if published else None,
                }
            )
        response_ids = self._ids(ConsultationResponse, responses)
        self._ids(
            Attachment,
            [
                {
                    "response_id": r,
                    "original_filename": f"vedlegg-{k}.pdf",
                    "stored_name": f"{start + k:032x}.pdf",
                    "size": 1000,
                    "sha256": f"{start + k:064x}",
                    "page_count": 1,
                    "published": k % 2 == 0,
                    "created_at": now,
                }
                for k, r in enumerate(response_ids)
                if k % 3 == 0
            ],
        )

        # inputs: suggestions, the responses' texts and workshop notes
        inputs = []
        for k, i in enumerate(seq):
            text = f"{TEXTS[i % len(TEXTS)]} ({i})"
            common = {
                "process_id": self.process_id,
                "text": text,
                "redacted_text": text,
                "written_form": "nb" if i % 3 else "nn",
                "created_on": today - timedelta(days=i % 40),
                "fingerprint": f"{i:064x}",
                "text_length": len(text),
            }
            inputs.append(
                {
                    **common,
                    "channel": "suggestion_box",
                    "region_id": self.region_id,
                    "respondent_category": "citizen" if i % 2 else "business",
                    "status": ("new", "published", "hidden")[i % 3],
                    "hidden_reason": "Utenfor tema" if i % 3 == 2 else None,
                    "receipt_code": f"C{i:07d}",
                    "duplicate_kind": "near" if i % 7 in (4, 6) else None,
                }
            )
            inputs.append(
                {
                    **common,
                    "channel": "consultation_response",
                    "fingerprint": f"{i:063x}r",
                    "respondent_category": responses[k]["category"],
                    "status": "published" if responses[k]["published_at"] else "new",
                    "consultation_response_id": response_ids[k],
                }
            )
            if i % 2 == 0:
                inputs.append(
                    {
                        **common,
                        "channel": "workshop_note",
                        "fingerprint": f"{i:063x}w",
                        "region_id": self.region_id,
                        "status": "new",
                        "meeting_id": self.notes_meeting,
                    }
                )
        input_ids = self._ids(Input, inputs)
        if self.first_input is None:
            self.first_input = input_ids[0]
        s.execute(
            update(Input)
            .where(Input.id.in_(input_ids), Input.duplicate_kind.is_not(None))
            .values(duplicate_of_id=self.first_input, duplicate_score=0.9)
        )
        s.execute(
            insert(input_focus_area),
            [
                {"input_id": x, "focus_area_id": a}
                for k, x in enumerate(input_ids)
                for a in self.areas[k % 4 : k % 4 + 2]
            ],
        )
        confirmed = input_ids[::3]
        s.execute(
            insert(ConfirmedFocusArea),
            [
                {
                    "input_id": x,
                    "focus_area_id": self.areas[k % 5],
                    "confirmed_by_id": self.admin_id,
                    "confirmed_at": now,
                }
                for k, x in enumerate(confirmed)
            ],
        )
        s.execute(
            insert(InputReview),
            [
                {
                    "input_id": x,
                    "focus_areas_confirmed_at": now,
                    "focus_areas_confirmed_by_id": self.admin_id,
                }
                for x in confirmed
            ],
        )
        self._ids(
            InputNote,
            [
                {
                    "input_id": x,
                    "user_id": self.admin_id,
                    "author": self.admin_email,
                    "text": "Notat",
                    "created_at": now,
                }
                for x in input_ids[::4]
            ],
        )
        self.input_ids = getattr(self, "input_ids", []) + input_ids

        # the audit log, staff accounts and focus areas
        self._ids(
            AuditEntry,
            [
                {
                    "created_at": now - timedelta(minutes=i),
                    "user_id": self.admin_id,
                    "actor": self.admin_email,
                    "action": ("input.publish", "meeting.update", "login", "export")[i % 4],
                    "object_type": "input",
                    "object_id": str(i),
                    "details": {"n": i},
                }
                for i in seq
            ],
        )
        self._ids(
            User,
            [
                {
                    "email": f"ansatt{i}@fylke.example.no",
                    "name": f"Ansatt {i}",
                    "password_hash": self.password_hash,
                    "role": "reviewer",
                    "active": i % 6 != 5,
                    "created_at": now,
                }
                for i in seq
            ],
        )
        self._ids(
            FocusArea,
            [
                {
                    "key": f"omrade-{i}",
                    "name_nb": f"Område {i}",
                    "name_nn": f"Område {i}",
                    "name_en": f"Area {i}",
                    "description_nb": "",
                    "description_nn": "",
                    "description_en": "",
                    "seed_terms": ["ord"],
                    "active": i % 2 == 0,
                    "position": 100 + i,
                }
                for i in seq
            ],
        )
        s.commit()

    def analyse(self, model_dir: str) -> AnalysisRun:
        """A real analysis run over what is there now."""
        from participation.insights import runs

        run = runs.run_now(self.session, model_dir=model_dir, actor="test")
        assert run.status == "done", run.error
        self.session.commit()
        return run

    def review(self, input_ids: list[int]) -> None:
        """Reviewers confirm focus areas of inputs (after a run: scored against it)."""
        now = datetime.now(UTC) + timedelta(seconds=1)
        self.session.execute(
            insert(ConfirmedFocusArea),
            [
                {"input_id": x, "focus_area_id": self.areas[0], "confirmed_by_id": self.admin_id}
                for x in input_ids
            ],
        )
        self.session.execute(
            insert(InputReview),
            [
                {
                    "input_id": x,
                    "focus_areas_confirmed_at": now,
                    "focus_areas_confirmed_by_id": self.admin_id,
                }
                for x in input_ids
            ],
        )
        self.session.commit()

    def grow_analysis(self, run_id: int, input_ids: list[int]) -> None:
        """Results of the run for inputs added after it (as if it had seen them)."""
        s = self.session
        themes = list(
            s.execute(select(AnalysisTheme.number).where(AnalysisTheme.run_id == run_id)).scalars()
        )
        s.execute(
            insert(InputAnalysis),
            [
                {
                    "run_id": run_id,
                    "input_id": x,
                    "theme": themes[k % len(themes)],
                    "duplicate_group": x,
                    "duplicate_count": 1,
                    "x": (k % 37) / 37,
                    "y": (k % 41) / 41,
                    "uncertainty": (k % 97) / 97,
                    "written_form": "nb",
                    "confirmed": False,
                }
                for k, x in enumerate(input_ids)
            ],
        )
        s.execute(
            insert(InputSuggestion),
            [
                {
                    "run_id": run_id,
                    "input_id": x,
                    "focus_area_id": self.areas[(k + j) % 6],
                    "probability": 0.9 - 0.3 * j,
                    "suggested": j == 0,
                }
                for k, x in enumerate(input_ids)
                for j in range(2)
            ],
        )
        s.commit()


def test_list_pages_send_as_many_statements_at_1000_rows_as_at_10(app, session):
    from participation.backoffice.service import create_user

    reset_request_state(app)
    # The counts are of rendering a page; served from the page cache it sends none.
    app.extensions["innspill_page_cache"] = False
    admin = create_user(
        session, email="admin@fylke.example.no", password=PASSWORD, role="admin", name="Ada"
    )
    session.commit()
    world = World(session, admin)
    world.grow(SMALL)
    run_id = world.analyse(app.config["MODEL_DIR"]).id
    analysed = len(world.input_ids)
    world.review(world.input_ids[1:3])  # confirmed after the run: the quality page scores them
    theme = session.scalar(
        select(AnalysisTheme.number).where(AnalysisTheme.run_id == run_id).limit(1)
    )
    draft_id, slug, big, full = world.draft_id, world.draft_slug, world.big_id, world.full_id
    area_key = session.scalar(select(FocusArea.key).where(FocusArea.id == world.areas[0]))
    anchor = world.anchor

    public = CountingClient(app.test_client())
    staff = CountingClient(app.test_client())
    assert login(staff.client, world.admin_email, PASSWORD).status_code == 303

    # The list pages that matter most, requested even if the crawl missed them.
    public_pages = [
        "/",
        "/moter/",
        f"/moter/region/{world.region_slug}",
        f"/moter/{big}",
        f"/moter/{big}/pamelding",
        "/innspill/",
        "/horing/",
        f"/horing/{slug}",
        f"/horing/{slug}/svar",
        f"/horing/{slug}/horingssvar",
        f"/horing/{slug}/horingssvar?del={anchor}",
        f"/horing/{slug}/horingssvar?del=whole",
    ]
    staff_pages = [
        "/admin/",
        f"/admin/?channel=suggestion_box&status=new&focus_area={world.areas[0]}&q=lokalmat",
        f"/admin/?meeting={world.notes_meeting}",
        "/admin/?reviewed=no&duplicates=only",
        "/admin/oversikt",
        "/admin/moter",
        f"/admin/moter/{big}",
        f"/admin/moter/{full}",
        f"/admin/moter/{big}/deltakarliste",
        f"/admin/moter/{full}/deltakarliste",
        f"/admin/moter/{big}/oppmote",
        f"/admin/moter/{big}/melding",
        "/admin/regioner",
        "/admin/horing",
        f"/admin/horing/{draft_id}",
        f"/admin/horing/{draft_id}/svar",
        f"/admin/horing/{draft_id}/svar?del={anchor}",
        f"/admin/horing/{draft_id}/svar?del=whole&status=published",
        f"/admin/horing/{draft_id}/samandrag",
        f"/admin/innspill/{world.first_input}",
        "/admin/innspill/motenotat",
        "/admin/eksport",
        "/admin/logg",
        "/admin/brukere",
        "/admin/satsingsomrader",
        "/admin/personvern",
        "/admin/analyse/",
        f"/admin/analyse/tema/{theme}",
        f"/admin/analyse/innspill?satsingsomrade={area_key}",
        "/admin/analyse/ko",
        "/admin/analyse/kart",
        "/admin/analyse/kvalitet",
        "/admin/analyse/kjoringar",
        f"/admin/analyse/kjoringar/{run_id}",
    ]
    paged = {  # later page (only there at 1 000 rows) -> the page it is compared with
        "/admin/?page=7": "/admin/",
        "/admin/logg?page=9": "/admin/logg",
        f"/admin/analyse/tema/{theme}?page=3": f"/admin/analyse/tema/{theme}",
        f"/admin/analyse/innspill?satsingsomrade={area_key}&page=3": (
            f"/admin/analyse/innspill?satsingsomrade={area_key}"
        ),
        "/admin/analyse/ko?page=5": "/admin/analyse/ko",
    }

    # ---- 10 rows of each kind: crawl, then the explicit pages
    shapes: Counter = Counter()

    def skip(path: str) -> bool:
        if SKIP.search(path):
            return True
        shapes[_shape(path)] += 1
        return shapes[_shape(path)] > PER_SHAPE

    crawl(public, ["/"], limit=400, skip=skip)
    crawl(staff, ["/admin/"], limit=400, skip=skip)
    for path in public_pages:
        public.get(path)
    for path in staff_pages:
        staff.get(path)
    small = {
        "public": {p: len(s) for p, s in public.counts.items() if public.status[p] == 200},
        "staff": {p: len(s) for p, s in staff.counts.items() if staff.status[p] == 200},
    }
    small_statements = {"public": dict(public.counts), "staff": dict(staff.counts)}
    for path in public_pages:
        assert public.status[path] == 200, path
    for path in staff_pages:
        assert staff.status[path] == 200, path
    assert len(small["staff"]) >= 60, sorted(small["staff"])  # the crawl found the back office

    # ---- 1 000 rows of each kind
    world.grow(LARGE - SMALL)
    world.grow_analysis(run_id, world.input_ids[analysed:])
    assert session.scalar(select(func.count(Registration.id))) == 2 * LARGE
    assert session.scalar(select(func.count(DraftSection.id))) >= LARGE

    problems = []
    for who, client in (("public", public), ("staff", staff)):
        client.counts.clear()
        for path, before in small[who].items():
            client.get(path)
            after = len(client.counts[path])
            if client.status[path] != 200 or after != before:
                problems.append(_explain(who, path, before, client, small_statements[who][path]))
    for path, compared in paged.items():
        staff.get(path)
        before = small["staff"][compared]
        if staff.status[path] != 200 or len(staff.counts[path]) != before:
            problems.append(
                _explain("staff", path, before, staff, small_statements["staff"][compared])
            )
    assert not problems, "\n\n".join(problems)


def _explain(who, path, before, client, old) -> str:
    new = client.counts[path]
    grown = Counter(new) - Counter(old)
    top = "\n".join(f"  {n}× {s[:300]}" for s, n in grown.most_common(3))
    return (
        f"{who} {path}: {before} statements at {SMALL} rows, {len(new)} at {LARGE} "
        f"(status {client.status[path]}); repeated:\n{top}"
    )
