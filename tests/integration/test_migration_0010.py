"""Migration 0010 backfills ``is_current`` and ``acknowledged_on`` for reports that already exist."""

from __future__ import annotations

from datetime import date

from flask_migrate import upgrade
from sqlalchemy import text

from ect_reporting import create_app
from ect_reporting.extensions import db
from tests.conftest import private_postgres_database
from tests.integration.test_migrations import _REPORT, _SESSION, _USER

_AUDIT = (
    "INSERT INTO audit_events (created_at, actor_id, action, object_type, object_id, details, prev_hash, row_hash) "
    "VALUES (:at, 1, 'transition', 'report', :id, :details, :prev, :row)"
)


def _check_backfill(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "m", "TESTING": True})
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as conn:
            conn.execute(text(_USER))
            conn.execute(text(_SESSION))
            # Case 5: initial 5, follow-up 9, a withdrawn follow-up 12 of 9. Case 7 alone, acknowledged by hand.
            for report_id, report_type, parent in (
                (5, "initial", None),
                (7, "initial", None),
                (9, "follow_up", 5),
                (12, "follow_up", 9),
            ):
                conn.execute(text(_REPORT), {"id": report_id, "report_type": report_type, "parent": parent})
            conn.execute(text("UPDATE reports SET state = 'withdrawn' WHERE id = 12"))
            conn.execute(text("UPDATE reports SET state = 'acknowledged' WHERE id = 7"))
            conn.execute(
                text("UPDATE reports SET state = 'closed', ack_recorded_at = '2026-02-03 10:00:00' WHERE id = 5")
            )
            conn.execute(
                text(_AUDIT),
                {
                    "at": "2026-01-20 09:30:00",
                    "id": 7,
                    "prev": "0" * 64,
                    "row": "1" * 64,
                    "details": '{"action": "acknowledge", "from": "sent_to_mhra", "to": "acknowledged"}',
                },
            )
        upgrade(revision="0010")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, is_current, acknowledged_on FROM reports ORDER BY id")).all()
        db.engine.dispose()
    found = {
        row[0]: (bool(row[1]), row[2] if row[2] is None or isinstance(row[2], date) else date.fromisoformat(row[2]))
        for row in rows
    }
    assert found == {
        5: (False, date(2026, 2, 3)),  # superseded by 9; acknowledged by file (ack_recorded_at)
        7: (True, date(2026, 1, 20)),  # acknowledged by hand: the audit trail's date
        9: (True, None),  # its follow-up 12 was withdrawn, so 9 is the case's current version
        12: (False, None),
    }


def test_upgrade_backfills_current_versions_and_acknowledgement_dates(database_url, tmp_path):
    if database_url.startswith("postgresql"):
        with private_postgres_database(database_url) as url:
            _check_backfill(url)
    else:
        _check_backfill(f"sqlite:///{tmp_path / 'old.sqlite3'}")
