"""Inputs and consultation (Alembic revision 0002_inputs)."""
from alembic import op
import sqlalchemy as sa

import participation.models.base


def upgrade():
    op.create_table('draft_strategy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('opens_at', participation.models.base.UTCDateTime(), nullable=False),
    sa.Column('closes_at', participation.models.base.UTCDateTime(), nullable=False),
    sa.Column('created_at', participation.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_strategy')),
    sa.UniqueConstraint('slug', name=op.f('uq_draft_strategy_slug'))
    )
    op.create_table('draft_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('anchor', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['draft_strategy.id'], name=op.f('fk_draft_section_draft_id_draft_strategy'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['draft_section.id'], name=op.f('fk_draft_section_parent_id_draft_section'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_section')),
    sa.UniqueConstraint('draft_id', 'anchor', name='uq_draft_section_draft_anchor'),
    sa.UniqueConstraint('draft_id', 'number', name='uq_draft_section_draft_number')
    )
    with op.batch_alter_table('draft_section', schema=None) as batch_op:
        batch_op.create_index('ix_draft_section_draft_position', ['draft_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_draft_section_parent_id'), ['parent_id'], unique=False)

    op.create_table('consultation_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('org_number', sa.String(length=9), nullable=True),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('may_publish', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('created_at', participation.models.base.UTCDateTime(), nullable=False),
    sa.Column('published_text', sa.Text(), nullable=True),
    sa.Column('published_at', participation.models.base.UTCDateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], name=op.f('fk_consultation_response_approved_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draft_id'], ['draft_strategy.id'], name=op.f('fk_consultation_response_draft_id_draft_strategy')),
    sa.ForeignKeyConstraint(['section_id'], ['draft_section.id'], name=op.f('fk_consultation_response_section_id_draft_section')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_response')),
    sa.UniqueConstraint('reference', name=op.f('uq_consultation_response_reference'))
    )
    with op.batch_alter_table('consultation_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_response_category'), ['category'], unique=False)
        batch_op.create_index('ix_consultation_response_published', ['draft_id', 'section_id', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_response_section_id'), ['section_id'], unique=False)

    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('created_at', participation.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['consultation_response.id'], name=op.f('fk_attachment_response_id_consultation_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_attachment_stored_name'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_response_id'), ['response_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_sha256'), ['sha256'], unique=False)

    op.create_table('input',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('redacted_text', sa.Text(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('respondent_category', sa.String(length=30), nullable=True),
    sa.Column('written_form', sa.String(length=8), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('duplicate_kind', sa.String(length=10), nullable=True),
    sa.Column('duplicate_score', sa.Float(), nullable=True),
    sa.Column('text_length', sa.Integer(), nullable=False),
    sa.Column('receipt_code', sa.String(length=16), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('consultation_response_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_response_id'], ['consultation_response.id'], name=op.f('fk_input_consultation_response_id_consultation_response'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['input.id'], name=op.f('fk_input_duplicate_of_id_input'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_input_meeting_id_meeting'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_input_region_id_region'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_input')),
    sa.UniqueConstraint('consultation_response_id', name=op.f('uq_input_consultation_response_id')),
    sa.UniqueConstraint('receipt_code', name=op.f('uq_input_receipt_code'))
    )
    with op.batch_alter_table('input', schema=None) as batch_op:
        batch_op.create_index('ix_input_channel_created_on', ['channel', 'created_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_input_created_on'), ['created_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_input_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_input_fingerprint'), ['fingerprint'], unique=False)
        batch_op.create_index(batch_op.f('ix_input_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_input_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_input_respondent_category'), ['respondent_category'], unique=False)
        batch_op.create_index('ix_input_status_created_on', ['status', 'created_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_input_written_form'), ['written_form'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # Full-text search for the back office (see participation.inputs.service).
        op.execute(
            "CREATE INDEX ix_input_redacted_text_fts ON input "
            "USING gin (to_tsvector('norwegian'::regconfig, redacted_text))"
        )

    op.create_table('input_focus_area',
    sa.Column('input_id', sa.Integer(), nullable=False),
    sa.Column('focus_area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['focus_area_id'], ['focus_area.id'], name=op.f('fk_input_focus_area_focus_area_id_focus_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['input_id'], ['input.id'], name=op.f('fk_input_focus_area_input_id_input'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('input_id', 'focus_area_id', name=op.f('pk_input_focus_area'))
    )
    with op.batch_alter_table('input_focus_area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_input_focus_area_focus_area_id'), ['focus_area_id'], unique=False)


def downgrade():
    with op.batch_alter_table('input_focus_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_input_focus_area_focus_area_id'))

    op.drop_table('input_focus_area')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_input_redacted_text_fts")
    with op.batch_alter_table('input', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_input_written_form'))
        batch_op.drop_index('ix_input_status_created_on')
        batch_op.drop_index(batch_op.f('ix_input_respondent_category'))
        batch_op.drop_index(batch_op.f('ix_input_region_id'))
        batch_op.drop_index(batch_op.f('ix_input_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_input_fingerprint'))
        batch_op.drop_index(batch_op.f('ix_input_duplicate_of_id'))
        batch_op.drop_index(batch_op.f('ix_input_created_on'))
        batch_op.drop_index('ix_input_channel_created_on')

    op.drop_table('input')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachment_response_id'))

    op.drop_table('attachment')
    with op.batch_alter_table('consultation_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_response_section_id'))
        batch_op.drop_index('ix_consultation_response_published')
        batch_op.drop_index(batch_op.f('ix_consultation_response_category'))

    op.drop_table('consultation_response')
    with op.batch_alter_table('draft_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_section_parent_id'))
        batch_op.drop_index('ix_draft_section_draft_position')

    op.drop_table('draft_section')
    op.drop_table('draft_strategy')


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0002_inputs'
down_revision = '0001_initial'
