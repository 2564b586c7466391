"""Failed sign-ins per account and client address (the sign-in lock-out)

A new empty table: nothing to carry forward. See ect_reporting/sign_in_guard.py.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 12:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_hash', sa.String(length=64), nullable=False),
        sa.Column('client_address', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('window_started_at', sa.DateTime(), nullable=False),
        sa.Column('last_failed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures')),
        sa.UniqueConstraint('account_hash', 'client_address', name=op.f('uq_login_failures_account_hash')),
    )


def downgrade():
    op.drop_table('login_failures')
