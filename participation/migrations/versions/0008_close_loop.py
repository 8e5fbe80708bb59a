"""Close the loop: assessments, publications, priorities answers (Alembic revision 0008_close_loop)."""
from alembic import op
import sqlalchemy as sa

import participation.models.base


def upgrade():
    op.create_table('publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('published_at', participation.models.base.UTCDateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('notified_at', participation.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_publication_published_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication')),
    sa.UniqueConstraint('kind', name='uq_publication_kind')
    )
    op.create_table('priority_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('respondent_category', sa.String(length=30), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_priority_answer_meeting_id_meeting'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_priority_answer_region_id_region'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_answer'))
    )
    with op.batch_alter_table('priority_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_answer_channel'), ['channel'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_answer_created_on'), ['created_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_answer_flagged'), ['flagged'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_answer_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_answer_region_id'), ['region_id'], unique=False)

    op.create_table('priority_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('focus_area_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['priority_answer.id'], name=op.f('fk_priority_choice_answer_id_priority_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['focus_area_id'], ['focus_area.id'], name=op.f('fk_priority_choice_focus_area_id_focus_area'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_choice')),
    sa.UniqueConstraint('answer_id', 'focus_area_id', name='uq_priority_choice_area'),
    sa.UniqueConstraint('answer_id', 'rank', name='uq_priority_choice_rank')
    )
    with op.batch_alter_table('priority_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_choice_answer_id'), ['answer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_priority_choice_focus_area_id'), ['focus_area_id'], unique=False)

    op.create_table('input_assessment',
    sa.Column('input_id', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('group_code', sa.String(length=16), nullable=True),
    sa.Column('drafted_by_id', sa.Integer(), nullable=True),
    sa.Column('drafted_at', participation.models.base.UTCDateTime(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', participation.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], name=op.f('fk_input_assessment_approved_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['drafted_by_id'], ['user_account.id'], name=op.f('fk_input_assessment_drafted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['input_id'], ['input.id'], name=op.f('fk_input_assessment_input_id_input'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('input_id', name=op.f('pk_input_assessment'))
    )
    with op.batch_alter_table('input_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_input_assessment_group_code'), ['group_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_input_assessment_state'), ['state'], unique=False)

    op.create_table('assessment_section',
    sa.Column('input_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['input_id'], ['input_assessment.input_id'], name=op.f('fk_assessment_section_input_id_input_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['section_id'], ['draft_section.id'], name=op.f('fk_assessment_section_section_id_draft_section'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('input_id', 'section_id', name=op.f('pk_assessment_section'))
    )
    with op.batch_alter_table('assessment_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_section_section_id'), ['section_id'], unique=False)

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_outcome', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('notify_outcome')

    with op.batch_alter_table('assessment_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_section_section_id'))

    op.drop_table('assessment_section')
    with op.batch_alter_table('input_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_input_assessment_state'))
        batch_op.drop_index(batch_op.f('ix_input_assessment_group_code'))

    op.drop_table('input_assessment')
    with op.batch_alter_table('priority_choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_priority_choice_focus_area_id'))
        batch_op.drop_index(batch_op.f('ix_priority_choice_answer_id'))

    op.drop_table('priority_choice')
    with op.batch_alter_table('priority_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_priority_answer_region_id'))
        batch_op.drop_index(batch_op.f('ix_priority_answer_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_priority_answer_flagged'))
        batch_op.drop_index(batch_op.f('ix_priority_answer_created_on'))
        batch_op.drop_index(batch_op.f('ix_priority_answer_channel'))

    op.drop_table('priority_answer')
    op.drop_table('publication')


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0008_close_loop'
down_revision = '0005'
