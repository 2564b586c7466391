"""Audit trail is append-only in the database: triggers refuse UPDATE and DELETE

On PostgreSQL a trigger function raises on UPDATE, DELETE (per row) and
TRUNCATE (per statement) of ``audit_events``; on SQLite two BEFORE
triggers RAISE(ABORT). No table changes, so the models are unaffected.

The chain is also keyed (HMAC) from this release: existing unkeyed rows
are not rewritten (the app is pre-release; re-seed the demo database).

A database owner or superuser can still disable the trigger; the
deployment guide (docs/security.md) also revokes UPDATE and DELETE from
the app's own role.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-27 10:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_MESSAGE = 'audit_events is append-only: UPDATE, DELETE and TRUNCATE are refused'

_PG_FUNCTION = f"""
CREATE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END;
$$
"""


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute(_PG_FUNCTION)
        op.execute(
            'CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events '
            'FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()'
        )
        op.execute(
            'CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events '
            'FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()'
        )
    elif dialect == 'sqlite':
        for event in ('UPDATE', 'DELETE'):
            op.execute(
                f'CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events '
                f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
            )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events')
        op.execute('DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events')
        op.execute('DROP FUNCTION IF EXISTS audit_events_refuse_change()')
    elif dialect == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS audit_events_no_update')
        op.execute('DROP TRIGGER IF EXISTS audit_events_no_delete')
