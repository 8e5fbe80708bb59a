"""Inputs and consultation (Alembic revision 0002_inputs)."""
from alembic import op
import sqlalchemy as sa

from participation.migrations import helpers as h

INDEXES = {
    'draft_section': (
        h.Index('ix_draft_section_draft_position', ('draft_id', 'position')),
        'parent_id',
    ),
    'consultation_response': (
        'category',
        h.Index('ix_consultation_response_published', ('draft_id', 'section_id', 'published_at')),
        'section_id',
    ),
    'attachment': ('response_id', 'sha256'),
    'input': (
        h.Index('ix_input_channel_created_on', ('channel', 'created_on')),
        'created_on',
        'duplicate_of_id',
        'fingerprint',
        'meeting_id',
        'region_id',
        'respondent_category',
        h.Index('ix_input_status_created_on', ('status', 'created_on')),
        'written_form',
    ),
}


def upgrade():
    h.create_table_with_id('draft_strategy',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    h.timestamp('opens_at'),
    h.timestamp('closes_at'),
    h.timestamp('created_at'),
    sa.UniqueConstraint('slug', name=op.f('uq_draft_strategy_slug'))
    )
    h.create_table_with_id('draft_section',
    h.Reference('draft_id', 'draft_strategy', ondelete='CASCADE'),
    h.Reference('parent_id', 'draft_section', nullable=True, ondelete='CASCADE'),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('anchor', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.UniqueConstraint('draft_id', 'anchor', name='uq_draft_section_draft_anchor'),
    sa.UniqueConstraint('draft_id', 'number', name='uq_draft_section_draft_number')
    )
    h.create_indexes('draft_section', *INDEXES['draft_section'])

    h.create_table_with_id('consultation_response',
    h.Reference('draft_id', 'draft_strategy'),
    h.Reference('section_id', 'draft_section', nullable=True),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('org_number', sa.String(length=9), nullable=True),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('may_publish', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    h.timestamp('created_at'),
    sa.Column('published_text', sa.Text(), nullable=True),
    h.timestamp('published_at', nullable=True),
    h.Reference('approved_by_id', 'user_account', nullable=True, ondelete='SET NULL'),
    sa.UniqueConstraint('reference', name=op.f('uq_consultation_response_reference'))
    )
    h.create_indexes('consultation_response', *INDEXES['consultation_response'])

    h.create_table_with_id('attachment',
    h.Reference('response_id', 'consultation_response', ondelete='CASCADE'),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    h.timestamp('created_at'),
    sa.UniqueConstraint('stored_name', name=op.f('uq_attachment_stored_name'))
    )
    h.create_indexes('attachment', *INDEXES['attachment'])

    h.create_table_with_id('input',
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('redacted_text', sa.Text(), nullable=False),
    h.Reference('region_id', 'region', nullable=True, ondelete='SET NULL'),
    sa.Column('respondent_category', sa.String(length=30), nullable=True),
    sa.Column('written_form', sa.String(length=8), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    h.Reference('duplicate_of_id', 'input', nullable=True, ondelete='SET NULL'),
    sa.Column('duplicate_kind', sa.String(length=10), nullable=True),
    sa.Column('duplicate_score', sa.Float(), nullable=True),
    sa.Column('text_length', sa.Integer(), nullable=False),
    sa.Column('receipt_code', sa.String(length=16), nullable=True),
    h.Reference('meeting_id', 'meeting', nullable=True, ondelete='SET NULL'),
    h.Reference('consultation_response_id', 'consultation_response', nullable=True, ondelete='CASCADE'),
    sa.UniqueConstraint('consultation_response_id', name=op.f('uq_input_consultation_response_id')),
    sa.UniqueConstraint('receipt_code', name=op.f('uq_input_receipt_code'))
    )
    h.create_indexes('input', *INDEXES['input'])

    if op.get_bind().dialect.name == "postgresql":
        # Full-text search for the back office (see participation.inputs.service).
        op.execute(
            "CREATE INDEX ix_input_redacted_text_fts ON input "
            "USING gin (to_tsvector('norwegian'::regconfig, redacted_text))"
        )

    h.create_link_table('input_focus_area', ('input_id', 'input'), ('focus_area_id', 'focus_area'))


def downgrade():
    h.drop_link_table('input_focus_area', 'focus_area_id')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_input_redacted_text_fts")
    h.drop_tables(INDEXES)
    op.drop_table('draft_strategy')


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0002_inputs'
down_revision = '0001_initial'
