"""Processes: participation processes own meetings, drafts, inputs and runs (0007_processes).

An existing installation's data moves into one active process, which chooses
every region and focus area there is; its texts are placeholders the project
group edits in the back office.
"""

import os
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

from participation.migrations import helpers as h

# Each is (table, first column and what it refers to, second column and what it refers to).
LINK_TABLES = (
    ("process_focus_area", ("process_id", "process"), ("focus_area_id", "focus_area")),
    ("process_region", ("process_id", "process"), ("region_id", "region")),
    ("user_process", ("user_id", "user_account"), ("process_id", "process")),
)


def upgrade():
    h.create_table_with_id(
        "process",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        *h.per_language("title", sa.String(length=200)),
        *h.per_language("summary", sa.Text()),
        *h.per_language("introduction", sa.Text()),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        *h.per_language("question", sa.Text()),
        h.timestamp("suggestions_open_at", nullable=True),
        h.timestamp("suggestions_close_at", nullable=True),
        h.timestamp("created_at"),
        h.timestamp("activated_at", nullable=True),
        h.timestamp("archived_at", nullable=True),
        sa.UniqueConstraint("slug", name=op.f("uq_process_slug")),
    )
    h.create_indexes("process", "status")

    h.create_table_with_id(
        "process_phase",
        h.Reference("process_id", "process", ondelete="CASCADE"),
        sa.Column("position", sa.Integer(), nullable=False),
        *h.per_language("name", sa.String(length=200)),
        *h.per_language("description", sa.Text()),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_process_phase_ends_after_start")),
    )
    h.create_indexes("process_phase", "process_id")
    for link_table in LINK_TABLES:
        h.create_link_table(*link_table)

    with op.batch_alter_table("analysis_run", schema=None) as batch_op:
        h.add_reference(batch_op, "analysis_run", "process_id", "process")
        batch_op.drop_constraint(batch_op.f("uq_analysis_run_active"), type_="unique")
        batch_op.create_unique_constraint(
            "uq_analysis_run_process_active", ["process_id", "active"]
        )

    for table in OWNED[1:]:
        with op.batch_alter_table(table, schema=None) as batch_op:
            h.add_reference(batch_op, table, "process_id", "process")

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        h.add_reference(
            batch_op, "user_account", "current_process_id", "process", index=False, ondelete="SET NULL"
        )

    move_existing_data()

    for table in OWNED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("process_id", existing_type=sa.Integer(), nullable=False)


OWNED = ("analysis_run", "draft_strategy", "input", "meeting")


def move_existing_data():
    """Everything already there becomes one active process's."""
    bind = op.get_bind()
    count = lambda table: bind.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar()  # noqa: E731
    if not any(count(table) for table in (*OWNED, "region", "focus_area")):
        return  # a new installation: processes are made in the back office or the CLI
    now = datetime.now(UTC).replace(tzinfo=None)
    values = {
        "slug": "medvirkning",
        "status": "active",
        "title_nb": "Medvirkningsprosess",
        "title_nn": "Medverknadsprosess",
        "title_en": "Participation process",
        **{f"{field}_{language}": "" for field in ("summary", "introduction", "question") for language in h.LANGUAGES},
        "organisation": os.environ.get("INNSPILL_ORGANISATION_NAME", ""),
        "contact_email": os.environ.get("INNSPILL_CONTACT_EMAIL", ""),
        "created_at": now,
        "activated_at": now,
    }
    process = sa.table("process", *(sa.column(name) for name in values))
    bind.execute(process.insert().values(**values))
    process_id = bind.execute(sa.text("SELECT id FROM process WHERE slug = 'medvirkning'")).scalar()
    for table in OWNED:
        bind.execute(sa.text(f"UPDATE {table} SET process_id = :p"), {"p": process_id})
    bind.execute(
        sa.text("INSERT INTO process_region (process_id, region_id) SELECT :p, id FROM region"),
        {"p": process_id},
    )
    bind.execute(
        sa.text(
            "INSERT INTO process_focus_area (process_id, focus_area_id) "
            "SELECT :p, id FROM focus_area"
        ),
        {"p": process_id},
    )


def downgrade():
    # The old schema allows one active run in all: only the oldest process's stays.
    op.execute(
        "UPDATE analysis_run SET active = NULL WHERE process_id <> (SELECT MIN(id) FROM process)"
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        h.drop_reference(batch_op, "user_account", "current_process_id", "process", index=False)

    for table in reversed(OWNED[1:]):
        with op.batch_alter_table(table, schema=None) as batch_op:
            h.drop_reference(batch_op, table, "process_id", "process")

    with op.batch_alter_table("analysis_run", schema=None) as batch_op:
        batch_op.drop_constraint("uq_analysis_run_process_active", type_="unique")
        h.drop_reference(batch_op, "analysis_run", "process_id", "process")
        batch_op.create_unique_constraint(batch_op.f("uq_analysis_run_active"), ["active"])

    for name, _, (indexed, _) in reversed(LINK_TABLES):
        h.drop_link_table(name, indexed)
    h.drop_indexes("process_phase", "process_id")
    op.drop_table("process_phase")
    h.drop_indexes("process", "status")
    op.drop_table("process")


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = "0007_processes"
down_revision = "0006_promises"
