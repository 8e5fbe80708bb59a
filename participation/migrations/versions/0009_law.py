"""What a county owes by law: statement texts, accessibility test record, Sami focus-area names (Alembic revision 0009_law)."""
from alembic import op
import sqlalchemy as sa

from participation.migrations import helpers as h


def upgrade():
    h.create_table_with_id('statement_text',
    sa.Column('statement', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    h.timestamp('updated_at'),
    sa.UniqueConstraint('statement', 'key', 'locale', name=op.f('uq_statement_text_statement')),
    )
    h.create_table_with_id('accessibility_test',
    h.timestamp('tested_at'),
    sa.Column('tool', sa.String(length=80), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('pages', sa.JSON(), nullable=False),
    h.timestamp('recorded_at'),
    )
    with op.batch_alter_table('focus_area') as batch_op:
        batch_op.add_column(sa.Column('name_se', sa.String(length=160), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('description_se', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('focus_area') as batch_op:
        batch_op.drop_column('description_se')
        batch_op.drop_column('name_se')
    op.drop_table('accessibility_test')
    op.drop_table('statement_text')


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0009_law'
down_revision = '0010_jobs'
