"""Archive (Alembic revision 0005)."""
from alembic import op
import sqlalchemy as sa

from participation.migrations import helpers as h


def upgrade():
    with op.batch_alter_table('consultation_response', schema=None) as batch_op:
        batch_op.add_column(h.timestamp('archived_at', nullable=True))
        batch_op.add_column(sa.Column('journalpost_id', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_consultation_response_journalpost_id'), ['journalpost_id'])


def downgrade():
    with op.batch_alter_table('consultation_response', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_consultation_response_journalpost_id'), type_='unique')
        batch_op.drop_column('journalpost_id')
        batch_op.drop_column('archived_at')


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0005'
down_revision = '0004_analysis'
