"""duplicate resident ID reports for SASAC (issue 11)

Revision ID: a11d00000001
Revises: a11a00000001
Create Date: 2026-11-28 09:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a11d00000001'
down_revision = 'a11a00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'duplicate_id_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resident_id', sa.String(length=18), nullable=False),
        sa.Column('claimant_id', sa.Integer(), nullable=False),
        sa.Column('holder_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('reported_by_id', sa.Integer(), nullable=True),
        sa.Column('reported_at', sa.DateTime(), nullable=False),
        sa.Column('resolved', sa.Boolean(), nullable=False),
        sa.Column('resolution', sa.String(length=500), nullable=True),
        sa.Column('changed_on', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['claimant_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['holder_id'], ['org_unit.id']),
        sa.ForeignKeyConstraint(['reported_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('duplicate_id_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_id_report_claimant_id'), ['claimant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_id_report_resident_id'), ['resident_id'], unique=False)


def downgrade():
    with op.batch_alter_table('duplicate_id_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_id_report_resident_id'))
        batch_op.drop_index(batch_op.f('ix_duplicate_id_report_claimant_id'))
    op.drop_table('duplicate_id_report')
