"""security controls: session generation, password age, forced change, shared counters, audit hash chain

Revision ID: a11a00000001
Revises: a10w00000001
Create Date: 2026-11-28 09:10:00

Issue 11: sessions revoked at logout/password change (session_generation), password expiry and a forced
change after an administrator's reset, login counters shared by every worker, a tamper-evident audit log.
"""
from alembic import op
import sqlalchemy as sa


revision = 'a11a00000001'
down_revision = 'a10w00000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), nullable=False,
                                      server_default=sa.text('0')))
        batch_op.add_column(sa.Column('password_changed_on', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.text('false')))
    # Existing passwords count from the day of the upgrade.
    op.execute(sa.text("UPDATE ab_user SET password_changed_on = CURRENT_TIMESTAMP"))

    op.create_table(
        'security_counter',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index(op.f('ix_security_counter_expires_at'), 'security_counter', ['expires_at'], unique=False)

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
    op.create_table(
        'audit_chain_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.execute(sa.text("INSERT INTO audit_chain_head (id, last_hash) VALUES (1, NULL)"))
    op.create_table(
        'audit_checkpoint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('last_id', sa.Integer(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=False),
        sa.Column('pruned', sa.Integer(), nullable=False),
        sa.Column('mac', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    # Entries written before the chain existed stay unchained (verify starts at the first chained entry).


def downgrade():
    op.drop_table('audit_checkpoint')
    op.drop_table('audit_chain_head')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
    op.drop_index(op.f('ix_security_counter_expires_at'), table_name='security_counter')
    op.drop_table('security_counter')
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('password_changed_on')
        batch_op.drop_column('session_generation')
