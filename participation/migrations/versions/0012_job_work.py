"""Workshop-note imports and messages to registrants as jobs (Alembic revision 0012_job_work)."""
from alembic import op
import sqlalchemy as sa

from participation.migrations import helpers as h

IMPORT_INDEXES = ('created_by_id', 'process_id')


def upgrade():
    h.create_table_with_id(
        'note_import',
        sa.Column('process_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        h.timestamp('created_at'),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('source', sa.Text(), nullable=True),
        sa.Column('default_meeting_id', sa.Integer(), nullable=True),
        sa.Column('rows_total', sa.Integer(), nullable=False),
        sa.Column('rows_done', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        h.timestamp('finished_at', nullable=True),
        h.foreign_key('note_import', 'created_by_id', 'user_account', ondelete='SET NULL'),
        h.foreign_key('note_import', 'default_meeting_id', 'meeting', ondelete='SET NULL'),
        h.foreign_key('note_import', 'process_id', 'process'),
    )
    h.create_indexes('note_import', *IMPORT_INDEXES)
    op.create_table(
        'note_import_row',
        sa.Column('import_id', sa.Integer(), nullable=False),
        sa.Column('row', sa.Integer(), nullable=False),
        sa.Column('input_id', sa.Integer(), nullable=False),
        h.foreign_key('note_import_row', 'import_id', 'note_import', ondelete='CASCADE'),
        h.foreign_key('note_import_row', 'input_id', 'input', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('import_id', 'row', name=op.f('pk_note_import_row')),
    )
    h.create_indexes('note_import_row', 'input_id')

    h.create_table_with_id(
        'meeting_message',
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('to_confirmed', sa.Boolean(), nullable=False),
        sa.Column('to_waiting', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        h.timestamp('created_at'),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('sent_count', sa.Integer(), nullable=False),
        h.timestamp('finished_at', nullable=True),
        h.foreign_key('meeting_message', 'created_by_id', 'user_account', ondelete='SET NULL'),
        h.foreign_key('meeting_message', 'meeting_id', 'meeting'),
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
