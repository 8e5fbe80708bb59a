"""promises: the suggestion box keeps only the redacted text

Suggestions stored before this revision kept the text as written next to the
redacted one. The box promises that personal data is removed, so the text as
written is replaced by the redacted text. Not reversible (that is the point).

Revision ID: 0006_promises
Revises: 0005
Create Date: 2026-12-04 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_promises'
down_revision = '0005'
branch_labels = None
depends_on = None


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
