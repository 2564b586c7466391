"""Alembic migrations build the schema the models describe, on an empty database."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
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


_USER = (
    "INSERT INTO users (id, email, full_name, role, password_hash, is_active_user, created_at) "
    "VALUES (1, 'a@example.nhs.uk', 'A', 'clinician', 'x', TRUE, '2026-01-01 09:00:00')"
)
_SESSION = (
    "INSERT INTO ect_sessions (id, created_by_id, created_at, updated_at, procedure_date, site_name, nation, "
    "care_setting, operator_name, drug, route) VALUES (1, 1, '2026-01-01 09:00:00', '2026-01-01 09:00:00', "
    "'2026-01-01', 'Site', 'england', 'day_case', 'Dr A', 'bleomycin', 'intravenous')"
)
_REPORT = (
    "INSERT INTO reports (id, session_id, kind, state, report_type, follow_up_of_id, version, created_by_id, "
    "created_at, updated_at, black_triangle, criterion_death, criterion_hospitalisation, "
    "criterion_life_threatening, criterion_disability, criterion_congenital_anomaly, "
    "criterion_medically_significant, device_problem_codes, health_effect_codes) VALUES (:id, 1, 'medicine', "
    "'sent_to_mhra', :report_type, :parent, 1, 1, '2026-01-01 09:00:00', '2026-01-01 09:00:00', FALSE, FALSE, "
    "FALSE, FALSE, FALSE, FALSE, FALSE, '[]', '[]')"
)


def _check_case_ids_for_existing_reports(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "m", "TESTING": True})
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            conn.execute(text(_USER))
            conn.execute(text(_SESSION))
            # Case 5: initial 5, follow-up 9, final 12. Case 7: an initial report alone.
            for report_id, report_type, parent in ((5, "initial", None), (7, "initial", None),
                                                   (9, "follow_up", 5), (12, "final", 9)):
                conn.execute(text(_REPORT), {"id": report_id, "report_type": report_type, "parent": parent})
        upgrade(revision="0002")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, case_id, case_version FROM reports ORDER BY id")).all()
        db.engine.dispose()
    assert [tuple(row) for row in rows] == [
        (5, "GB-RXH-000005", 1),
        (7, "GB-RXH-000007", 1),
        (9, "GB-RXH-000005", 2),
        (12, "GB-RXH-000005", 3),
    ]


def test_upgrade_gives_existing_reports_case_ids_and_versions(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("ECT_ORGANISATION_CODE", "RXH")
    if database_url.startswith("postgresql"):
        with private_postgres_database(database_url) as url:
            _check_case_ids_for_existing_reports(url)
    else:
        _check_case_ids_for_existing_reports(f"sqlite:///{tmp_path / 'old.sqlite3'}")


def _check_reports_get_their_sessions_site(url: str) -> None:
    """0007: an existing report takes its site and nation from its session; down again to 0006 and back."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "m", "TESTING": True})
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            conn.execute(text(_USER))
            conn.execute(text(_SESSION))
            conn.execute(text(_REPORT), {"id": 5, "report_type": "initial", "parent": None})
        upgrade(revision="0007")
        with db.engine.connect() as conn:
            row = conn.execute(text("SELECT site_name, nation, no_patient_involved, session_id FROM reports")).one()
        downgrade(revision="0006")
        upgrade(revision="0007")
        db.engine.dispose()
    assert tuple(row) == ("Site", "england", False, 1)


def test_upgrade_0007_gives_existing_reports_their_sessions_site(database_url, tmp_path):
    if database_url.startswith("postgresql"):
        with private_postgres_database(database_url) as url:
            _check_reports_get_their_sessions_site(url)
    else:
        _check_reports_get_their_sessions_site(f"sqlite:///{tmp_path / 'site.sqlite3'}")
