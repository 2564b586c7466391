"""Queue and dashboard at 100,000 reports: stored "current version" flag, acknowledgement date, indexes

- ``reports.is_current``: true for the newest version of each case that
  was not withdrawn (the version the dashboard's case figures count).
  Backfilled here with one UPDATE; from now on kept by the flush hook in
  ``ect_reporting/models/case_heads.py``.
- ``reports.acknowledged_on``: the day the regulator's acknowledgement
  was recorded. Backfilled for acknowledged and closed reports from the
  audit trail (the acknowledge transition's time), else from
  ``ack_recorded_at`` (set only when the acknowledgement came as a file).
- Indexes the queue's filters and sorts and the dashboard's counts need
  (see ``ect_reporting/review/paging.py`` and ``figures.py``); the
  single-column ``ix_reports_due_date`` gives way to ``ix_reports_due_sort``,
  which starts with the same column.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 13:10:00

"""
import json
from datetime import date, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

REPORT_INDEXES = {
    'ix_reports_state_due_date_id': ['state', 'due_date', 'id'],
    'ix_reports_state_created_at_id': ['state', 'created_at', 'id'],
    'ix_reports_due_sort': ['due_date', 'id', 'state', 'kind', 'serious', 'incident_classification'],
    'ix_reports_created_sort': ['created_at', 'id', 'state', 'kind', 'report_type'],
    'ix_reports_state_kind_due_date': ['state', 'kind', 'due_date'],
    'ix_reports_current_products': ['is_current', 'kind', 'drug', 'generator_model', 'electrode_model'],
    'ix_reports_sent_date_figures': ['mhra_sent_date', 'kind', 'due_date', 'awareness_date'],
    'ix_reports_updated_at': ['updated_at'],
}

_BACKFILL_CURRENT = """
UPDATE reports SET is_current = (
    reports.state != 'withdrawn'
    AND NOT EXISTS (
        SELECT 1 FROM reports AS follower
        WHERE follower.follow_up_of_id = reports.id AND follower.state != 'withdrawn'
    )
)
"""


def _day(value):
    """Return the date part of a timestamp as SQLite (text) or PostgreSQL (datetime) returns it."""
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def _backfill_acknowledged_on(conn):
    """Set acknowledged_on from the last "to acknowledged" transition in the audit trail."""
    acknowledged = {}
    rows = conn.execute(sa.text(
        "SELECT object_id, created_at, details FROM audit_events "
        "WHERE object_type = 'report' AND action = 'transition' ORDER BY id"
    ))
    for object_id, created_at, details in rows:
        details = json.loads(details) if isinstance(details, str) else (details or {})
        if details.get('to') == 'acknowledged':
            acknowledged[object_id] = _day(created_at)
    waiting = conn.execute(sa.text(
        "SELECT id, ack_recorded_at FROM reports WHERE state IN ('acknowledged', 'closed')"
    )).all()
    stamp = sa.text("UPDATE reports SET acknowledged_on = :day WHERE id = :id").bindparams(
        sa.bindparam('day', type_=sa.Date())
    )
    for report_id, recorded_at in waiting:
        day = acknowledged.get(report_id) or _day(recorded_at)
        if day:
            conn.execute(stamp, {"day": day, "id": report_id})


def upgrade():
    op.add_column('reports', sa.Column('is_current', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('reports', sa.Column('acknowledged_on', sa.Date(), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text(_BACKFILL_CURRENT))
    _backfill_acknowledged_on(conn)
    # ix_reports_due_sort starts with due_date and replaces the single-column index.
    op.drop_index('ix_reports_due_date', table_name='reports')
    for name, columns in REPORT_INDEXES.items():
        op.create_index(name, 'reports', columns)
    op.create_index('ix_reactions_report_id_meddra_code', 'reactions', ['report_id', 'meddra_code'])


def downgrade():
    op.drop_index('ix_reactions_report_id_meddra_code', table_name='reactions')
    for name in reversed(list(REPORT_INDEXES)):
        op.drop_index(name, table_name='reports')
    op.create_index('ix_reports_due_date', 'reports', ['due_date'])
    with op.batch_alter_table('reports') as batch_op:
        batch_op.drop_column('acknowledged_on')
        batch_op.drop_column('is_current')
