"""retiree end of record and correction requests

Revision ID: a10w00000001
Revises: a13t00000001
Create Date: 2026-11-28 09:45:00

A record with handover steps behind it ends with a reason instead of being deleted; a locked record is corrected
through a request that the other side accepts (issue 10).
"""
from alembic import op
import sqlalchemy as sa


revision = 'a10w00000001'
down_revision = 'a13t00000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('retiree', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('end_note', sa.String(length=500), nullable=True))
    op.create_table(
        'retiree_correction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('retiree_id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('receiving_county_id', sa.Integer(), nullable=True),
        sa.Column('receiving_township_id', sa.Integer(), nullable=True),
        sa.Column('receiving_community_id', sa.Integer(), nullable=True),
        sa.Column('liaison_office_id', sa.Integer(), nullable=True),
        sa.Column('field', sa.String(length=32), nullable=False),
        sa.Column('old_value', sa.String(length=200), nullable=True),
        sa.Column('new_value', sa.String(length=200), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('requested_side', sa.String(length=16), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('requested_on', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_on', sa.DateTime(), nullable=True),
        sa.Column('decision_note', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['retiree_id'], ['retiree.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['enterprise_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['receiving_county_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['receiving_township_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['receiving_community_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['liaison_office_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['requested_by_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['decided_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('retiree_correction', schema=None) as batch_op:
        for column in ('retiree_id', 'enterprise_id', 'receiving_county_id', 'receiving_township_id',
                       'receiving_community_id', 'liaison_office_id', 'status'):
            batch_op.create_index(batch_op.f(f'ix_retiree_correction_{column}'), [column], unique=False)


def downgrade():
    op.drop_table('retiree_correction')
    with op.batch_alter_table('retiree', schema=None) as batch_op:
        batch_op.drop_column('end_note')
        batch_op.drop_column('end_reason')
        batch_op.drop_column('ended_on')
