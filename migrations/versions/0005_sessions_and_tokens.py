"""Session version per user; API token expiry, last use and revocation time

``users.session_version`` starts at 0 for everyone (so existing browser
sessions, which carry no version, end at the first request after the
upgrade: people sign in once more). Existing API tokens get an expiry
``ECT_TOKEN_DAYS`` (default 90) days from the upgrade rather than from
their issue date, so no integration stops working on upgrade day.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 11:40:00

"""
import os
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_version', sa.Integer(), server_default=sa.text('0'), nullable=False)
        )

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))

    days = int(os.environ.get('ECT_TOKEN_DAYS') or 90)
    expires = (datetime.now(UTC) + timedelta(days=days)).replace(tzinfo=None)
    op.get_bind().execute(
        sa.text('UPDATE api_tokens SET expires_at = :expires WHERE expires_at IS NULL'), {'expires': expires}
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
