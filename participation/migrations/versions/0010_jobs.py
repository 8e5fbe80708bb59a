"""Jobs: background job rows; sign-up reminders and burst flags (Alembic revision 0010_jobs)."""
from alembic import op
import sqlalchemy as sa

import participation.models.base


def upgrade():
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('locale', sa.String(length=5), nullable=False),
        sa.Column('stage', sa.String(length=60), nullable=False),
        sa.Column('progress', sa.Float(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', participation.models.base.UTCDateTime(), nullable=False),
        sa.Column('started_at', participation.models.base.UTCDateTime(), nullable=True),
        sa.Column('finished_at', participation.models.base.UTCDateTime(), nullable=True),
        sa.Column('heartbeat_at', participation.models.base.UTCDateTime(), nullable=True),
        sa.Column('lease_owner', sa.String(length=120), nullable=True),
        sa.Column('lease_until', participation.models.base.UTCDateTime(), nullable=False),
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
        sa.Column('result_expires_at', participation.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_job_created_by_id_user_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_job_status_lease', ['status', 'lease_until'], unique=False)

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_sent_at', participation.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('flagged_burst', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('flagged_burst')
        batch_op.drop_column('reminder_sent_at')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('ix_job_status_lease')
        batch_op.drop_index(batch_op.f('ix_job_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_job_kind'))
    op.drop_table('job')


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0010_jobs'
down_revision = '0008_close_loop'
