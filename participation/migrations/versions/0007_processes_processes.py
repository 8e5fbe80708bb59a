"""Processes: participation processes own meetings, drafts, inputs and runs (0007_processes).

An existing installation's data moves into one active process, which chooses
every region and focus area there is; its texts are placeholders the project
group edits in the back office.
"""

import os
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import participation.models.base


def upgrade():
    op.create_table(
        "process",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("title_nb", sa.String(length=200), nullable=False),
        sa.Column("title_nn", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("summary_nb", sa.Text(), nullable=False),
        sa.Column("summary_nn", sa.Text(), nullable=False),
        sa.Column("summary_en", sa.Text(), nullable=False),
        sa.Column("introduction_nb", sa.Text(), nullable=False),
        sa.Column("introduction_nn", sa.Text(), nullable=False),
        sa.Column("introduction_en", sa.Text(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("question_nb", sa.Text(), nullable=False),
        sa.Column("question_nn", sa.Text(), nullable=False),
        sa.Column("question_en", sa.Text(), nullable=False),
        sa.Column("suggestions_open_at", participation.models.base.UTCDateTime(), nullable=True),
        sa.Column("suggestions_close_at", participation.models.base.UTCDateTime(), nullable=True),
        sa.Column("created_at", participation.models.base.UTCDateTime(), nullable=False),
        sa.Column("activated_at", participation.models.base.UTCDateTime(), nullable=True),
        sa.Column("archived_at", participation.models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process")),
        sa.UniqueConstraint("slug", name=op.f("uq_process_slug")),
    )
    with op.batch_alter_table("process", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_process_status"), ["status"], unique=False)

    op.create_table(
        "process_focus_area",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("focus_area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["focus_area_id"],
            ["focus_area.id"],
            name=op.f("fk_process_focus_area_focus_area_id_focus_area"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["process.id"],
            name=op.f("fk_process_focus_area_process_id_process"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("process_id", "focus_area_id", name=op.f("pk_process_focus_area")),
    )
    with op.batch_alter_table("process_focus_area", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_focus_area_focus_area_id"), ["focus_area_id"], unique=False
        )

    op.create_table(
        "process_phase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_nb", sa.String(length=200), nullable=False),
        sa.Column("name_nn", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("description_nb", sa.Text(), nullable=False),
        sa.Column("description_nn", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_process_phase_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["process.id"],
            name=op.f("fk_process_phase_process_id_process"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_phase")),
    )
    with op.batch_alter_table("process_phase", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_phase_process_id"), ["process_id"], unique=False
        )

    op.create_table(
        "process_region",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["process.id"],
            name=op.f("fk_process_region_process_id_process"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_process_region_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("process_id", "region_id", name=op.f("pk_process_region")),
    )
    with op.batch_alter_table("process_region", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_region_region_id"), ["region_id"], unique=False
        )

    op.create_table(
        "user_process",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["process.id"],
            name=op.f("fk_user_process_process_id_process"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_process_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "process_id", name=op.f("pk_user_process")),
    )
    with op.batch_alter_table("user_process", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_process_process_id"), ["process_id"], unique=False
        )

    with op.batch_alter_table("analysis_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("process_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_analysis_run_active"), type_="unique")
        batch_op.create_index(
            batch_op.f("ix_analysis_run_process_id"), ["process_id"], unique=False
        )
        batch_op.create_unique_constraint(
            "uq_analysis_run_process_active", ["process_id", "active"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_analysis_run_process_id_process"), "process", ["process_id"], ["id"]
        )

    with op.batch_alter_table("draft_strategy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("process_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_draft_strategy_process_id"), ["process_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_draft_strategy_process_id_process"), "process", ["process_id"], ["id"]
        )

    with op.batch_alter_table("input", schema=None) as batch_op:
        batch_op.add_column(sa.Column("process_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_input_process_id"), ["process_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_input_process_id_process"), "process", ["process_id"], ["id"]
        )

    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("process_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_meeting_process_id"), ["process_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_meeting_process_id_process"), "process", ["process_id"], ["id"]
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("current_process_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_user_account_current_process_id_process"),
            "process",
            ["current_process_id"],
            ["id"],
            ondelete="SET NULL",
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
    process = sa.table(
        "process",
        *(
            sa.column(name)
            for name in (
                "slug",
                "status",
                "title_nb",
                "title_nn",
                "title_en",
                "summary_nb",
                "summary_nn",
                "summary_en",
                "introduction_nb",
                "introduction_nn",
                "introduction_en",
                "organisation",
                "contact_email",
                "question_nb",
                "question_nn",
                "question_en",
                "created_at",
                "activated_at",
            )
        ),
    )
    bind.execute(
        process.insert().values(
            slug="medvirkning",
            status="active",
            title_nb="Medvirkningsprosess",
            title_nn="Medverknadsprosess",
            title_en="Participation process",
            summary_nb="",
            summary_nn="",
            summary_en="",
            introduction_nb="",
            introduction_nn="",
            introduction_en="",
            organisation=os.environ.get("INNSPILL_ORGANISATION_NAME", ""),
            contact_email=os.environ.get("INNSPILL_CONTACT_EMAIL", ""),
            question_nb="",
            question_nn="",
            question_en="",
            created_at=now,
            activated_at=now,
        )
    )
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
        batch_op.drop_constraint(
            batch_op.f("fk_user_account_current_process_id_process"), type_="foreignkey"
        )
        batch_op.drop_column("current_process_id")

    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_meeting_process_id_process"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_meeting_process_id"))
        batch_op.drop_column("process_id")

    with op.batch_alter_table("input", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_input_process_id_process"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_input_process_id"))
        batch_op.drop_column("process_id")

    with op.batch_alter_table("draft_strategy", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_draft_strategy_process_id_process"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_draft_strategy_process_id"))
        batch_op.drop_column("process_id")

    with op.batch_alter_table("analysis_run", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_analysis_run_process_id_process"), type_="foreignkey"
        )
        batch_op.drop_constraint("uq_analysis_run_process_active", type_="unique")
        batch_op.drop_index(batch_op.f("ix_analysis_run_process_id"))
        batch_op.create_unique_constraint(batch_op.f("uq_analysis_run_active"), ["active"])
        batch_op.drop_column("process_id")

    with op.batch_alter_table("user_process", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_process_process_id"))

    op.drop_table("user_process")
    with op.batch_alter_table("process_region", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_region_region_id"))

    op.drop_table("process_region")
    with op.batch_alter_table("process_phase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_phase_process_id"))

    op.drop_table("process_phase")
    with op.batch_alter_table("process_focus_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_focus_area_focus_area_id"))

    op.drop_table("process_focus_area")
    with op.batch_alter_table("process", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_status"))

    op.drop_table("process")


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = "0007_processes"
down_revision = "0006_promises"
