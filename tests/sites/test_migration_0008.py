"""Migration 0008 puts existing users and sessions on the default site (issue 11)."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from ect_reporting import create_app
from ect_reporting.extensions import db
from tests.conftest import private_postgres_database
from tests.integration.test_migrations import _SESSION, _USER


def _check(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "m", "TESTING": True})
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as conn:
            conn.execute(text(_USER))
            conn.execute(text(_SESSION))
        upgrade(revision="0008")
        with db.engine.connect() as conn:
            site = conn.execute(text("SELECT id, code, name FROM sites")).one()
            user = conn.execute(text("SELECT site_id, team_id, must_change_password FROM users")).one()
            session = conn.execute(text("SELECT site_id, team_id FROM ect_sessions")).one()
        db.engine.dispose()
    assert (site.code, site.name) == ("DEFAULT", "Default site")
    assert tuple(user) == (site.id, None, False)
    assert tuple(session) == (site.id, None)


def test_existing_users_and_sessions_join_the_default_site(database_url, tmp_path):
    if database_url.startswith("postgresql"):
        with private_postgres_database(database_url) as url:
            _check(url)
    else:
        _check(f"sqlite:///{tmp_path / 'old.sqlite3'}")
