"""${message} (Alembic revision ${up_revision})."""
from alembic import op
import sqlalchemy as sa

import participation.models.base
${imports if imports else ""}

def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
