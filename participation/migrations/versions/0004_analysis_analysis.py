"""Analysis (Alembic revision 0004_analysis)."""
from alembic import op
import sqlalchemy as sa

import participation.models.base


def upgrade():
    op.create_table('analysis_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('active', sa.String(length=8), nullable=True),
    sa.Column('stage', sa.String(length=40), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('created_at', participation.models.base.UTCDateTime(), nullable=False),
    sa.Column('started_at', participation.models.base.UTCDateTime(), nullable=True),
    sa.Column('heartbeat_at', participation.models.base.UTCDateTime(), nullable=False),
    sa.Column('finished_at', participation.models.base.UTCDateTime(), nullable=True),
    sa.Column('n_themes_requested', sa.Integer(), nullable=True),
    sa.Column('n_inputs', sa.Integer(), nullable=False),
    sa.Column('n_labelled', sa.Integer(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('versions', sa.JSON(), nullable=False),
    sa.Column('timings', sa.JSON(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('model', sa.JSON(), nullable=False),
    sa.Column('centres', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('pruned', sa.Boolean(), nullable=False),
    sa.Column('triggered_by_id', sa.Integer(), nullable=True),
    sa.Column('triggered_by', sa.String(length=254), nullable=False),
    sa.ForeignKeyConstraint(['triggered_by_id'], ['user_account.id'], name=op.f('fk_analysis_run_triggered_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_run')),
    sa.UniqueConstraint('active', name=op.f('uq_analysis_run_active'))
    )
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analysis_run_status'), ['status'], unique=False)

    op.create_table('analysis_theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label_words', sa.JSON(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('size_unique', sa.Integer(), nullable=False),
    sa.Column('representative_ids', sa.JSON(), nullable=False),
    sa.Column('spread', sa.JSON(), nullable=False),
    sa.Column('duplicate_groups', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['analysis_run.id'], name=op.f('fk_analysis_theme_run_id_analysis_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_theme')),
    sa.UniqueConstraint('run_id', 'number', name='uq_analysis_theme_run_number')
    )
    with op.batch_alter_table('analysis_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analysis_theme_run_id'), ['run_id'], unique=False)

    op.create_table('analysis_input',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('input_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.Integer(), nullable=True),
    sa.Column('duplicate_group', sa.Integer(), nullable=False),
    sa.Column('duplicate_count', sa.Integer(), nullable=False),
    sa.Column('x', sa.Float(), nullable=False),
    sa.Column('y', sa.Float(), nullable=False),
    sa.Column('uncertainty', sa.Float(), nullable=True),
    sa.Column('written_form', sa.String(length=8), nullable=False),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['input_id'], ['input.id'], name=op.f('fk_analysis_input_input_id_input'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['analysis_run.id'], name=op.f('fk_analysis_input_run_id_analysis_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'input_id', name=op.f('pk_analysis_input'))
    )
    with op.batch_alter_table('analysis_input', schema=None) as batch_op:
        batch_op.create_index('ix_analysis_input_input', ['input_id'], unique=False)
        batch_op.create_index('ix_analysis_input_run_theme', ['run_id', 'theme'], unique=False)
        batch_op.create_index('ix_analysis_input_run_uncertainty', ['run_id', 'uncertainty'], unique=False)

    op.create_table('analysis_suggestion',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('input_id', sa.Integer(), nullable=False),
    sa.Column('focus_area_id', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('suggested', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['focus_area_id'], ['focus_area.id'], name=op.f('fk_analysis_suggestion_focus_area_id_focus_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['input_id'], ['input.id'], name=op.f('fk_analysis_suggestion_input_id_input'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['analysis_run.id'], name=op.f('fk_analysis_suggestion_run_id_analysis_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'input_id', 'focus_area_id', name=op.f('pk_analysis_suggestion'))
    )
    with op.batch_alter_table('analysis_suggestion', schema=None) as batch_op:
        batch_op.create_index('ix_analysis_suggestion_input', ['input_id'], unique=False)
        batch_op.create_index('ix_analysis_suggestion_run_area', ['run_id', 'focus_area_id', 'suggested'], unique=False)


def downgrade():
    with op.batch_alter_table('analysis_suggestion', schema=None) as batch_op:
        batch_op.drop_index('ix_analysis_suggestion_run_area')
        batch_op.drop_index('ix_analysis_suggestion_input')

    op.drop_table('analysis_suggestion')
    with op.batch_alter_table('analysis_input', schema=None) as batch_op:
        batch_op.drop_index('ix_analysis_input_run_uncertainty')
        batch_op.drop_index('ix_analysis_input_run_theme')
        batch_op.drop_index('ix_analysis_input_input')

    op.drop_table('analysis_input')
    with op.batch_alter_table('analysis_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analysis_theme_run_id'))

    op.drop_table('analysis_theme')
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analysis_run_status'))

    op.drop_table('analysis_run')


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0004_analysis'
down_revision = '0003_backoffice'
