"""Analysis (Alembic revision 0004_analysis)."""
from alembic import op
import sqlalchemy as sa

from participation.migrations import helpers as h

INDEXES = {
    'analysis_run': ('status',),
    'analysis_theme': ('run_id',),
    'analysis_input': (
        h.Index('ix_analysis_input_input', ('input_id',)),
        h.Index('ix_analysis_input_run_theme', ('run_id', 'theme')),
        h.Index('ix_analysis_input_run_uncertainty', ('run_id', 'uncertainty')),
    ),
    'analysis_suggestion': (
        h.Index('ix_analysis_suggestion_input', ('input_id',)),
        h.Index('ix_analysis_suggestion_run_area', ('run_id', 'focus_area_id', 'suggested')),
    ),
}


def upgrade():
    h.create_table_with_id('analysis_run',
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('active', sa.String(length=8), nullable=True),
    sa.Column('stage', sa.String(length=40), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    h.timestamp('created_at'),
    h.timestamp('started_at', nullable=True),
    h.timestamp('heartbeat_at'),
    h.timestamp('finished_at', nullable=True),
    sa.Column('n_themes_requested', sa.Integer(), nullable=True),
    sa.Column('n_inputs', sa.Integer(), nullable=False),
    sa.Column('n_labelled', sa.Integer(), nullable=False),
    *(sa.Column(name, sa.JSON(), nullable=False) for name in ('parameters', 'versions', 'timings', 'metrics', 'model')),
    sa.Column('centres', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('pruned', sa.Boolean(), nullable=False),
    h.Reference('triggered_by_id', 'user_account', nullable=True, ondelete='SET NULL'),
    sa.Column('triggered_by', sa.String(length=254), nullable=False),
    sa.UniqueConstraint('active', name=op.f('uq_analysis_run_active'))
    )
    h.create_indexes('analysis_run', *INDEXES['analysis_run'])

    h.create_table_with_id('analysis_theme',
    h.Reference('run_id', 'analysis_run', ondelete='CASCADE'),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label_words', sa.JSON(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('size_unique', sa.Integer(), nullable=False),
    *(sa.Column(name, sa.JSON(), nullable=False) for name in ('representative_ids', 'spread', 'duplicate_groups')),
    sa.UniqueConstraint('run_id', 'number', name='uq_analysis_theme_run_number')
    )
    h.create_indexes('analysis_theme', *INDEXES['analysis_theme'])

    h.create_table('analysis_input',
    h.Reference('run_id', 'analysis_run', ondelete='CASCADE'),
    h.Reference('input_id', 'input', ondelete='CASCADE'),
    sa.Column('theme', sa.Integer(), nullable=True),
    sa.Column('duplicate_group', sa.Integer(), nullable=False),
    sa.Column('duplicate_count', sa.Integer(), nullable=False),
    sa.Column('x', sa.Float(), nullable=False),
    sa.Column('y', sa.Float(), nullable=False),
    sa.Column('uncertainty', sa.Float(), nullable=True),
    sa.Column('written_form', sa.String(length=8), nullable=False),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('run_id', 'input_id', name=op.f('pk_analysis_input'))
    )
    h.create_indexes('analysis_input', *INDEXES['analysis_input'])

    h.create_table('analysis_suggestion',
    h.Reference('run_id', 'analysis_run', ondelete='CASCADE'),
    h.Reference('input_id', 'input', ondelete='CASCADE'),
    h.Reference('focus_area_id', 'focus_area', ondelete='CASCADE'),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('suggested', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('run_id', 'input_id', 'focus_area_id', name=op.f('pk_analysis_suggestion'))
    )
    h.create_indexes('analysis_suggestion', *INDEXES['analysis_suggestion'])


def downgrade():
    h.drop_tables(INDEXES)


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0004_analysis'
down_revision = '0003_backoffice'
