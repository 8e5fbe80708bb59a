"""Meeting titles and descriptions in Nynorsk, English and Northern Sami beside the Bokmål ones (Alembic revision 0014_meeting_texts)."""
from alembic import op
import sqlalchemy as sa


def upgrade():
    # Added, not renamed: the existing title and description stay the Bokmål texts.
    with op.batch_alter_table('meeting') as batch_op:
        for language in ('nn', 'en', 'se'):
            batch_op.add_column(sa.Column(f'title_{language}', sa.String(length=200), nullable=False, server_default=''))
        for language in ('nn', 'en', 'se'):
            batch_op.add_column(sa.Column(f'description_{language}', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('meeting') as batch_op:
        for language in ('se', 'en', 'nn'):
            batch_op.drop_column(f'description_{language}')
            batch_op.drop_column(f'title_{language}')


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0014_meeting_texts'
down_revision = '0013_close_loop_processes'
