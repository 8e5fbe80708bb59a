"""Jobs: background job rows; sign-up reminders and burst flags (Alembic revision 0010_jobs)."""
from alembic import op
import sqlalchemy as sa

from participation.migrations import helpers as h

JOB_INDEXES = ('kind', 'created_by_id', h.Index('ix_job_status_lease', ('status', 'lease_until')))


def upgrade():
    h.create_table_with_id(
        'job',
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('locale', sa.String(length=5), nullable=False),
        sa.Column('stage', sa.String(length=60), nullable=False),
        sa.Column('progress', sa.Float(), nullable=False),
        h.Reference('created_by_id', 'user_account', nullable=True, ondelete='SET NULL'),
        h.timestamp('created_at'),
        h.timestamp('started_at', nullable=True),
        h.timestamp('finished_at', nullable=True),
        h.timestamp('heartbeat_at', nullable=True),
        sa.Column('lease_owner', sa.String(length=120), nullable=True),
        h.timestamp('lease_until'),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('max_attempts', sa.Integer(), nullable=False),
        sa.Column('completions', sa.Integer(), nullable=False),
        sa.Column('cancel_requested', sa.Boolean(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('result', sa.JSON(), nullable=False),
        sa.Column('result_name', sa.String(length=200), nullable=True),
        sa.Column('result_mimetype', sa.String(length=120), nullable=True),
        sa.Column('result_size', sa.Integer(), nullable=True),
        sa.Column('result_data', sa.LargeBinary(), nullable=True),
        h.timestamp('result_expires_at', nullable=True),
    )
    h.create_indexes('job', *JOB_INDEXES)

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(h.timestamp('reminder_sent_at', nullable=True))
        batch_op.add_column(sa.Column('flagged_burst', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('flagged_burst')
        batch_op.drop_column('reminder_sent_at')
    h.drop_indexes('job', *JOB_INDEXES)
    op.drop_table('job')


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0010_jobs'
down_revision = '0008_close_loop'
