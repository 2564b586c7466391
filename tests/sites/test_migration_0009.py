"""Migration 0009 gives each report a site: its session's, else its author's (issues 10 and 11)."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from ect_reporting import create_app
from ect_reporting.extensions import db
from tests.conftest import private_postgres_database
from tests.integration.test_migrations import _REPORT, _SESSION, _USER

_SESSIONLESS = _REPORT.replace("VALUES (:id, 1, 'medicine'", "VALUES (:id, NULL, 'device'")


def _check(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "m", "TESTING": True})
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as conn:
            conn.execute(text(_USER))
            conn.execute(text(_SESSION))
        upgrade(revision="0008")
        with db.engine.begin() as conn:
            conn.execute(
                text("INSERT INTO sites (id, code, name, created_at) VALUES (7, 'OTHER', 'Other', '2026-01-01')")
            )
            conn.execute(text("UPDATE ect_sessions SET site_id = 7"))
            conn.execute(text(_REPORT), {"id": 1, "report_type": "initial", "parent": None})
            conn.execute(text(_SESSIONLESS), {"id": 2, "report_type": "initial", "parent": None})
            author_site = conn.execute(text("SELECT site_id FROM users WHERE id = 1")).scalar_one()
        upgrade(revision="0009")
        with db.engine.connect() as conn:
            sites = dict(conn.execute(text("SELECT id, site_id FROM reports")).all())
        db.engine.dispose()
    assert sites == {1: 7, 2: author_site}
    assert author_site != 7


def test_reports_take_their_sessions_site_or_their_authors(database_url, tmp_path):
    if database_url.startswith("postgresql"):
        with private_postgres_database(database_url) as url:
            _check(url)
    else:
        _check(f"sqlite:///{tmp_path / 'old.sqlite3'}")
