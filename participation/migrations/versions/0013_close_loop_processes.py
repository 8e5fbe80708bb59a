"""Close the loop per process: publications and priorities answers belong to a process (0013_close_loop_processes)."""

from alembic import op
import sqlalchemy as sa

from participation.migrations import helpers as h


def _current_process(bind):
    """Where existing rows go: the most recently activated active process, else the newest."""
    return bind.execute(
        sa.text(
            "SELECT id FROM process ORDER BY CASE WHEN status = 'active' THEN 0 ELSE 1 END, "
            "activated_at DESC, id DESC LIMIT 1"
        )
    ).scalar()


def upgrade():
    with op.batch_alter_table("publication", schema=None) as batch_op:
        h.add_reference(
            batch_op, "publication", "process_id", "process", index=False, ondelete="CASCADE"
        )
    with op.batch_alter_table("priority_answer", schema=None) as batch_op:
        h.add_reference(batch_op, "priority_answer", "process_id", "process")

    # A workshop answer goes to its meeting's process, the rest to the current process;
    # with no process at all there can be no such rows to keep.
    bind = op.get_bind()
    current = _current_process(bind)
    if current is None:
        bind.execute(sa.text("DELETE FROM publication"))
        bind.execute(sa.text("DELETE FROM priority_answer"))
    else:
        bind.execute(
            sa.text(
                "UPDATE priority_answer SET process_id = (SELECT meeting.process_id FROM meeting "
                "WHERE meeting.id = priority_answer.meeting_id) WHERE meeting_id IS NOT NULL"
            )
        )
        bind.execute(
            sa.text("UPDATE priority_answer SET process_id = :p WHERE process_id IS NULL"),
            {"p": current},
        )
        bind.execute(sa.text("UPDATE publication SET process_id = :p"), {"p": current})

    with op.batch_alter_table("publication", schema=None) as batch_op:
        batch_op.alter_column("process_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("uq_publication_kind", type_="unique")
        batch_op.create_unique_constraint("uq_publication_process_kind", ["process_id", "kind"])
    with op.batch_alter_table("priority_answer", schema=None) as batch_op:
        batch_op.alter_column("process_id", existing_type=sa.Integer(), nullable=False)


def downgrade():
    # The old schema has one publication of each kind: the current process's stays.
    bind = op.get_bind()
    current = _current_process(bind)
    if current is not None:
        bind.execute(sa.text("DELETE FROM publication WHERE process_id <> :p"), {"p": current})
    with op.batch_alter_table("priority_answer", schema=None) as batch_op:
        h.drop_reference(batch_op, "priority_answer", "process_id", "process")
    with op.batch_alter_table("publication", schema=None) as batch_op:
        batch_op.drop_constraint("uq_publication_process_kind", type_="unique")
        batch_op.create_unique_constraint("uq_publication_kind", ["kind"])
        h.drop_reference(batch_op, "publication", "process_id", "process", index=False)


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = "0013_close_loop_processes"
down_revision = "0012_job_work"
