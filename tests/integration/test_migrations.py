"""Alembic migrations build the schema the models describe, on an empty database."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool

from ect_reporting import create_app
from ect_reporting.extensions import db
from tests.conftest import private_postgres_database


def _check_upgrade_matches_models(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "m", "TESTING": True})
    with app.app_context():
        upgrade()
        inspector = inspect(db.engine)
        tables = set(inspector.get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
        for table in db.metadata.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            assert {c.name for c in table.columns} == columns, table.name
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], diff
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_upgrade_on_empty_database(database_url, tmp_path):
    if database_url.startswith("postgresql"):
        with private_postgres_database(database_url) as url:
            _check_upgrade_matches_models(url)
    else:
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        engine = create_engine(url, poolclass=NullPool)
        assert inspect(engine).get_table_names() == []
        _check_upgrade_matches_models(url)
