"""The processes migration moves an existing installation's data into one process.

A database is filled through the schema just before the migration (meetings,
registrations, suggestions, consultation responses, an analysis run), then upgraded:
every row is still there and belongs to the one new, active process.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from participation.config import MIGRATION_DIR
from participation.extensions import db
from tests.test_migrations import differences, empty_database, fresh_app  # noqa: F401

REVISION = "0007_processes"


def _previous() -> str:
    script = ScriptDirectory(str(MIGRATION_DIR))
    return script.get_revision(REVISION).down_revision


def _filler(column: sa.Column):
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer | sa.Float | sa.Numeric):
        return 0
    if isinstance(kind, sa.DateTime):
        return datetime.now(UTC).replace(tzinfo=None)
    if isinstance(kind, sa.Date):
        return date.today()
    if isinstance(kind, sa.JSON):
        return {}
    return "x"


def _insert(conn, table_name: str, /, **values) -> int:
    """A row in the table as the old schema has it; unnamed required columns filled."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
    row = {
        c.name: _filler(c)
        for c in table.columns
        if not c.nullable and not c.primary_key and c.name not in values
    }
    row.update(values)
    return conn.execute(
        table.insert().values(**row).returning(table.c[list(table.primary_key)[0].name])
    ).scalar_one()


def test_existing_rows_all_belong_to_one_active_process_after_the_upgrade(fresh_app):  # noqa: F811
    upgrade(revision=_previous())
    with db.engine.begin() as conn:
        region = _insert(conn, "region", slug="nord", name="Nord")
        area = _insert(conn, "focus_area", key="lokalmat", name_nb="Lokalmat", active=True)
        meeting = _insert(conn, "meeting", region_id=region, seats=10, title="Møte")
        _insert(conn, "registration", meeting_id=meeting, reference="R1", status="confirmed")
        _insert(conn, "registration", meeting_id=meeting, reference="R2", status="waiting")
        _insert(conn, "input", channel="suggestion_box", text="Forslag", receipt_code="ABC")
        _insert(conn, "input", channel="workshop_note", text="Notat", meeting_id=meeting)
        draft = _insert(conn, "draft_strategy", slug="utkast", title="Utkast")
        response = _insert(
            conn, "consultation_response", draft_id=draft, reference="H1", email="a@b.no"
        )
        _insert(
            conn,
            "input",
            channel="consultation_response",
            text="Svar",
            consultation_response_id=response,
            fingerprint="f3",
        )
        _insert(conn, "analysis_run", status="running", active="active")
        _insert(conn, "analysis_run", status="done")
        before = {
            name: conn.execute(sa.text(f"SELECT COUNT(*) FROM {name}")).scalar()
            for name in (
                "meeting",
                "registration",
                "input",
                "draft_strategy",
                "consultation_response",
                "analysis_run",
                "region",
                "focus_area",
            )
        }

    upgrade()
    assert differences(db.engine) == []
    with db.engine.connect() as conn:
        after = {
            name: conn.execute(sa.text(f"SELECT COUNT(*) FROM {name}")).scalar() for name in before
        }
        assert after == before
        processes = conn.execute(sa.text("SELECT id, status FROM process")).all()
        assert len(processes) == 1 and processes[0].status == "active"
        process_id = processes[0].id
        for name in ("meeting", "input", "draft_strategy", "analysis_run"):
            owners = conn.execute(sa.text(f"SELECT DISTINCT process_id FROM {name}")).scalars()
            assert list(owners) == [process_id], name
        # The process chose every region and focus area there was.
        assert conn.execute(sa.text("SELECT region_id FROM process_region")).scalars().all() == [
            region
        ]
        assert conn.execute(
            sa.text("SELECT focus_area_id FROM process_focus_area")
        ).scalars().all() == [area]
        # The active run is still the one active run.
        active = conn.execute(sa.text("SELECT COUNT(*) FROM analysis_run WHERE active IS NOT NULL"))
        assert active.scalar() == 1


def test_a_new_installation_gets_no_process(fresh_app):  # noqa: F811
    upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM process")).scalar() == 0
