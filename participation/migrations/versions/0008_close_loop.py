"""Close the loop: assessments, publications, priorities answers (Alembic revision 0008_close_loop)."""
from alembic import op
import sqlalchemy as sa

from participation.migrations import helpers as h

INDEXES = {
    'priority_answer': ('channel', 'created_on', 'flagged', 'meeting_id', 'region_id'),
    'priority_choice': ('answer_id', 'focus_area_id'),
    'input_assessment': ('group_code', 'state'),
}


def upgrade():
    h.create_table_with_id('publication',
    sa.Column('kind', sa.String(length=20), nullable=False),
    h.timestamp('published_at'),
    h.Reference('published_by_id', 'user_account', nullable=True, ondelete='SET NULL'),
    h.timestamp('notified_at', nullable=True),
    sa.UniqueConstraint('kind', name='uq_publication_kind')
    )
    h.create_table_with_id('priority_answer',
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    h.Reference('region_id', 'region', nullable=True, ondelete='SET NULL'),
    sa.Column('respondent_category', sa.String(length=30), nullable=True),
    h.Reference('meeting_id', 'meeting', nullable=True, ondelete='SET NULL'),
    sa.Column('flagged', sa.Boolean(), nullable=False)
    )
    h.create_indexes('priority_answer', *INDEXES['priority_answer'])

    h.create_table_with_id('priority_choice',
    h.Reference('answer_id', 'priority_answer', ondelete='CASCADE'),
    h.Reference('focus_area_id', 'focus_area', ondelete='CASCADE'),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.UniqueConstraint('answer_id', 'focus_area_id', name='uq_priority_choice_area'),
    sa.UniqueConstraint('answer_id', 'rank', name='uq_priority_choice_rank')
    )
    h.create_indexes('priority_choice', *INDEXES['priority_choice'])

    h.create_table('input_assessment',
    h.Reference('input_id', 'input', ondelete='CASCADE'),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('group_code', sa.String(length=16), nullable=True),
    h.Reference('drafted_by_id', 'user_account', nullable=True, ondelete='SET NULL'),
    h.timestamp('drafted_at'),
    h.Reference('approved_by_id', 'user_account', nullable=True, ondelete='SET NULL'),
    h.timestamp('approved_at', nullable=True),
    sa.PrimaryKeyConstraint('input_id', name=op.f('pk_input_assessment'))
    )
    h.create_indexes('input_assessment', *INDEXES['input_assessment'])

    h.create_link_table(
        'assessment_section',
        ('input_id', 'input_assessment.input_id'),
        ('section_id', 'draft_section'),
    )

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_outcome', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('notify_outcome')

    h.drop_link_table('assessment_section', 'section_id')
    h.drop_tables(INDEXES)
    op.drop_table('publication')


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0008_close_loop'
down_revision = '0005'
