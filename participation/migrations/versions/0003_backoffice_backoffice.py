"""Backoffice (Alembic revision 0003_backoffice)."""
from alembic import op
import sqlalchemy as sa

import participation.models.base


def upgrade():
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', participation.models.base.UTCDateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_audit_entry_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_audit_entry_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_user_id'), ['user_id'], unique=False)

    op.create_table('input_confirmed_focus_area',
    sa.Column('input_id', sa.Integer(), nullable=False),
    sa.Column('focus_area_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', participation.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], name=op.f('fk_input_confirmed_focus_area_confirmed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['focus_area_id'], ['focus_area.id'], name=op.f('fk_input_confirmed_focus_area_focus_area_id_focus_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['input_id'], ['input.id'], name=op.f('fk_input_confirmed_focus_area_input_id_input'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('input_id', 'focus_area_id', name=op.f('pk_input_confirmed_focus_area'))
    )
    with op.batch_alter_table('input_confirmed_focus_area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_input_confirmed_focus_area_focus_area_id'), ['focus_area_id'], unique=False)

    op.create_table('input_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('input_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('author', sa.String(length=254), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', participation.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['input_id'], ['input.id'], name=op.f('fk_input_note_input_id_input'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_input_note_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_input_note'))
    )
    with op.batch_alter_table('input_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_input_note_input_id'), ['input_id'], unique=False)

    op.create_table('input_review',
    sa.Column('input_id', sa.Integer(), nullable=False),
    sa.Column('focus_areas_confirmed_at', participation.models.base.UTCDateTime(), nullable=True),
    sa.Column('focus_areas_confirmed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['focus_areas_confirmed_by_id'], ['user_account.id'], name=op.f('fk_input_review_focus_areas_confirmed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['input_id'], ['input.id'], name=op.f('fk_input_review_input_id_input'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('input_id', name=op.f('pk_input_review'))
    )


def downgrade():
    op.drop_table('input_review')
    with op.batch_alter_table('input_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_input_note_input_id'))

    op.drop_table('input_note')
    with op.batch_alter_table('input_confirmed_focus_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_input_confirmed_focus_area_focus_area_id'))

    op.drop_table('input_confirmed_focus_area')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_user_id'))
        batch_op.drop_index('ix_audit_entry_object')
        batch_op.drop_index(batch_op.f('ix_audit_entry_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_action'))

    op.drop_table('audit_entry')


# Alembic reads these wherever they stand; kept last so each file's head is its own.
revision = '0003_backoffice'
down_revision = '0002_inputs'
