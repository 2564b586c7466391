"""The regulator's E2B(R3) acknowledgement on each report

Existing reports have no acknowledgement file recorded: every new column
is nullable and starts empty.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_COLUMNS = (
    ('ack_code', sa.String(length=2)),
    ('ack_batch_code', sa.String(length=2)),
    ('ack_date', sa.Date()),
    ('ack_batch_number', sa.String(length=100)),
    ('ack_local_report_number', sa.String(length=100)),
    ('ack_sender', sa.String(length=100)),
    ('ack_receiver', sa.String(length=100)),
    ('ack_messages', sa.JSON()),
    ('ack_recorded_at', sa.DateTime()),
)


def upgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        for name, type_ in _COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        for name, _ in reversed(_COLUMNS):
            batch_op.drop_column(name)
