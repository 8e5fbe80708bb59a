"""Workshop-note imports and messages to registrants as jobs (Alembic revision 0012_job_work)."""
from alembic import op
import sqlalchemy as sa

from participation.migrations import helpers as h

IMPORT_INDEXES = ('created_by_id', 'process_id')


def upgrade():
    h.create_table_with_id(
        'note_import',
        h.Reference('process_id', 'process', nullable=True),
        h.Reference('created_by_id', 'user_account', nullable=True, ondelete='SET NULL'),
        h.timestamp('created_at'),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('source', sa.Text(), nullable=True),
        h.Reference('default_meeting_id', 'meeting', nullable=True, ondelete='SET NULL'),
        sa.Column('rows_total', sa.Integer(), nullable=False),
        sa.Column('rows_done', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        h.timestamp('finished_at', nullable=True),
    )
    h.create_indexes('note_import', *IMPORT_INDEXES)
    h.create_table(
        'note_import_row',
        h.Reference('import_id', 'note_import', ondelete='CASCADE'),
        sa.Column('row', sa.Integer(), nullable=False),
        h.Reference('input_id', 'input', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('import_id', 'row', name=op.f('pk_note_import_row')),
    )
    h.create_indexes('note_import_row', 'input_id')

    h.create_table_with_id(
        'meeting_message',
        h.Reference('meeting_id', 'meeting'),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('to_confirmed', sa.Boolean(), nullable=False),
        sa.Column('to_waiting', sa.Boolean(), nullable=False),
        h.Reference('created_by_id', 'user_account', nullable=True, ondelete='SET NULL'),
        h.timestamp('created_at'),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('sent_count', sa.Integer(), nullable=False),
        h.timestamp('finished_at', nullable=True),
    )
    h.create_indexes('meeting_message', 'meeting_id')
    h.create_link_table(
        'meeting_message_recipient',
        ('message_id', 'meeting_message'),
        ('registration_id', 'registration'),
    )


def downgrade():
    h.drop_link_table('meeting_message_recipient', 'registration_id')
    h.drop_indexes('meeting_message', 'meeting_id')
    op.drop_table('meeting_message')
    h.drop_indexes('note_import_row', 'input_id')
    op.drop_table('note_import_row')
    h.drop_indexes('note_import', *IMPORT_INDEXES)
    op.drop_table('note_import')


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0012_job_work'
down_revision = '0011_process_se'
