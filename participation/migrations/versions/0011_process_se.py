"""Northern Sami texts of processes and phases (Alembic revision 0011_process_se)."""
from alembic import op
import sqlalchemy as sa

PROCESS = (('title_se', sa.String(length=200)), ('summary_se', sa.Text()),
           ('introduction_se', sa.Text()), ('question_se', sa.Text()))
PHASE = (('name_se', sa.String(length=200)), ('description_se', sa.Text()))


def upgrade():
    with op.batch_alter_table('process') as batch_op:
        for name, type_ in PROCESS:
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=''))
    with op.batch_alter_table('process_phase') as batch_op:
        for name, type_ in PHASE:
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('process_phase') as batch_op:
        for name, _ in reversed(PHASE):
            batch_op.drop_column(name)
    with op.batch_alter_table('process') as batch_op:
        for name, _ in reversed(PROCESS):
            batch_op.drop_column(name)


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0011_process_se'
down_revision = '0007_processes'
