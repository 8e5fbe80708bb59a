"""Promises (Alembic revision 0006_promises): the suggestion box keeps only the
redacted text. Suggestions stored before kept the text as written next to it;
that text is replaced by the redacted one. Not reversible (that is the point)."""
from alembic import op
import sqlalchemy as sa


def upgrade():
    input_table = sa.table(
        'input',
        sa.column('channel', sa.String),
        sa.column('text', sa.Text),
        sa.column('redacted_text', sa.Text),
    )
    op.execute(
        input_table.update()
        .where(input_table.c.channel == 'suggestion_box')
        .where(input_table.c.text != input_table.c.redacted_text)
        .values(text=input_table.c.redacted_text)
    )


def downgrade():
    # The text as written is gone for good.
    pass


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0006_promises'
down_revision = '0009_law'
