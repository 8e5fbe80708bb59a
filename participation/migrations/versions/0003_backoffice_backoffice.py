"""Backoffice (Alembic revision 0003_backoffice)."""
from alembic import op
import sqlalchemy as sa

from participation.migrations import helpers as h

INDEXES = {
    'audit_entry': (
        'action',
        'created_at',
        h.Index('ix_audit_entry_object', ('object_type', 'object_id')),
        'user_id',
    ),
    'input_confirmed_focus_area': ('focus_area_id',),
    'input_note': ('input_id',),
}


def upgrade():
    h.create_table_with_id('audit_entry',
    h.timestamp('created_at'),
    h.Reference('user_id', 'user_account', nullable=True, ondelete='SET NULL'),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False)
    )
    h.create_indexes('audit_entry', *INDEXES['audit_entry'])

    h.create_table('input_confirmed_focus_area',
    h.Reference('input_id', 'input', ondelete='CASCADE'),
    h.Reference('focus_area_id', 'focus_area', ondelete='CASCADE'),
    h.Reference('confirmed_by_id', 'user_account', nullable=True, ondelete='SET NULL'),
    h.timestamp('confirmed_at'),
    sa.PrimaryKeyConstraint('input_id', 'focus_area_id', name=op.f('pk_input_confirmed_focus_area'))
    )
    h.create_indexes('input_confirmed_focus_area', *INDEXES['input_confirmed_focus_area'])

    h.create_table_with_id('input_note',
    h.Reference('input_id', 'input', ondelete='CASCADE'),
    h.Reference('user_id', 'user_account', nullable=True, ondelete='SET NULL'),
    sa.Column('author', sa.String(length=254), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    h.timestamp('created_at')
    )
    h.create_indexes('input_note', *INDEXES['input_note'])

    h.create_table('input_review',
    h.Reference('input_id', 'input', ondelete='CASCADE'),
    h.timestamp('focus_areas_confirmed_at', nullable=True),
    h.Reference('focus_areas_confirmed_by_id', 'user_account', nullable=True, ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('input_id', name=op.f('pk_input_review'))
    )


def downgrade():
    op.drop_table('input_review')
    h.drop_tables(INDEXES)


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0003_backoffice'
down_revision = '0002_inputs'
