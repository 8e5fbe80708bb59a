"""Initial schema (Alembic revision 0001_initial)."""
from alembic import op
import sqlalchemy as sa

from participation.migrations import helpers as h

INDEXES = {
    'meeting': ('region_id',),
    'registration': (
        'email_normalized',
        'meeting_id',
        h.Index('ix_registration_meeting_status', ('meeting_id', 'status', 'id')),
        h.Index(
            'uq_registration_meeting_email_live',
            ('meeting_id', 'email_normalized'),
            unique=True,
            where="status != 'cancelled'",
        ),
    ),
    'outbox_message': ('registration_id', 'status'),
}


def upgrade():
    h.create_table_with_id('focus_area',
    sa.Column('key', sa.String(length=64), nullable=False),
    *h.per_language('name', sa.String(length=160)),
    *h.per_language('description', sa.Text()),
    sa.Column('seed_terms', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.UniqueConstraint('key', name=op.f('uq_focus_area_key'))
    )
    h.create_table_with_id('region',
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.UniqueConstraint('slug', name=op.f('uq_region_slug'))
    )
    h.create_table_with_id('user_account',
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    h.timestamp('created_at'),
    h.timestamp('last_login_at', nullable=True),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    h.create_table_with_id('meeting',
    h.Reference('region_id', 'region'),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    h.timestamp('starts_at'),
    h.timestamp('ends_at'),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    h.timestamp('registration_deadline'),
    sa.Column('confirmed_count', sa.Integer(), nullable=False),
    h.timestamp('cancelled_at', nullable=True),
    h.timestamp('created_at'),
    sa.CheckConstraint('confirmed_count <= seats', name=op.f('ck_meeting_not_oversold')),
    sa.CheckConstraint('seats >= 0', name=op.f('ck_meeting_seats_not_negative'))
    )
    h.create_indexes('meeting', *INDEXES['meeting'])

    h.create_table_with_id('registration',
    h.Reference('meeting_id', 'meeting'),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_normalized', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('org_number', sa.String(length=9), nullable=True),
    sa.Column('needs', sa.Text(), nullable=True),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    h.timestamp('consent_at'),
    h.timestamp('created_at'),
    h.timestamp('confirmed_at', nullable=True),
    h.timestamp('cancelled_at', nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    h.timestamp('purged_at', nullable=True),
    sa.UniqueConstraint('reference', name=op.f('uq_registration_reference'))
    )
    h.create_indexes('registration', *INDEXES['registration'])

    h.create_table_with_id('outbox_message',
    sa.Column('recipient', sa.String(length=254), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    h.timestamp('next_attempt_at'),
    sa.Column('last_error', sa.Text(), nullable=True),
    h.timestamp('created_at'),
    h.timestamp('sent_at', nullable=True),
    h.Reference('registration_id', 'registration', nullable=True, ondelete='SET NULL')
    )
    h.create_indexes('outbox_message', *INDEXES['outbox_message'])

    h.create_link_table(
        'registration_focus_area',
        ('registration_id', 'registration'),
        ('focus_area_id', 'focus_area'),
        index=False,
    )


def downgrade():
    h.drop_link_table('registration_focus_area')
    h.drop_tables(INDEXES)
    op.drop_table('user_account')
    op.drop_table('region')
    op.drop_table('focus_area')


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0001_initial'
down_revision = None
