"""Workshop-note imports and messages to registrants as jobs (Alembic revision 0011_job_work)."""
from alembic import op
import sqlalchemy as sa

import participation.models.base


def upgrade():
    op.create_table(
        'note_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', participation.models.base.UTCDateTime(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('source', sa.Text(), nullable=True),
        sa.Column('default_meeting_id', sa.Integer(), nullable=True),
        sa.Column('rows_total', sa.Integer(), nullable=False),
        sa.Column('rows_done', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('finished_at', participation.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_note_import_created_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['default_meeting_id'], ['meeting.id'], name=op.f('fk_note_import_default_meeting_id_meeting'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_note_import_process_id_process')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_note_import')),
    )
    with op.batch_alter_table('note_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_import_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_note_import_process_id'), ['process_id'], unique=False)

    op.create_table(
        'note_import_row',
        sa.Column('import_id', sa.Integer(), nullable=False),
        sa.Column('row', sa.Integer(), nullable=False),
        sa.Column('input_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['import_id'], ['note_import.id'], name=op.f('fk_note_import_row_import_id_note_import'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['input_id'], ['input.id'], name=op.f('fk_note_import_row_input_id_input'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('import_id', 'row', name=op.f('pk_note_import_row')),
    )
    with op.batch_alter_table('note_import_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_import_row_input_id'), ['input_id'], unique=False)

    op.create_table(
        'meeting_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('to_confirmed', sa.Boolean(), nullable=False),
        sa.Column('to_waiting', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', participation.models.base.UTCDateTime(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('sent_count', sa.Integer(), nullable=False),
        sa.Column('finished_at', participation.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_meeting_message_created_by_id_user_account'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_message_meeting_id_meeting')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_message')),
    )
    with op.batch_alter_table('meeting_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_message_meeting_id'), ['meeting_id'], unique=False)

    op.create_table(
        'meeting_message_recipient',
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['meeting_message.id'], name=op.f('fk_meeting_message_recipient_message_id_meeting_message'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_meeting_message_recipient_registration_id_registration'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('message_id', 'registration_id', name=op.f('pk_meeting_message_recipient')),
    )
    with op.batch_alter_table('meeting_message_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_message_recipient_registration_id'), ['registration_id'], unique=False)


def downgrade():
    op.drop_table('meeting_message_recipient')
    op.drop_table('meeting_message')
    op.drop_table('note_import_row')
    op.drop_table('note_import')


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0011_job_work'
down_revision = '0007_processes'
