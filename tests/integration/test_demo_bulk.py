"""The bulk demo generator (``seed-demo --reports N``) on a small N.

It writes around the ORM (Core executemany, ids allocated up front), so
these check what the ORM would otherwise guarantee: the audit chain it
appends verifies with the ordinary verifier, also when it continues a
chain the app wrote row by row; the rows read back through the API; the
data spans both kinds, drugs, states and five years.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Flask
from sqlalchemy import func, select

from ect_reporting.audit import verify_database
from ect_reporting.demo_bulk import seed_bulk
from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent, EctSession, Reaction, Report, User

TODAY = date(2026, 11, 26)


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_bulk_reports_are_varied_and_the_audit_chain_verifies(app: Flask) -> None:
    result = seed_bulk(db.session, 120, seed=1, today=TODAY)
    db.session.commit()

    assert result.reports == _count(Report) == 120
    assert result.sessions == _count(EctSession) - 1  # plus the ordinary demo session
    assert result.reactions == _count(Reaction) > 0
    assert set(db.session.scalars(select(Report.kind).distinct())) == {"medicine", "device"}
    assert set(db.session.scalars(select(Report.drug).where(Report.kind == "medicine").distinct())) == {
        "bleomycin",
        "cisplatin",
    }
    assert len(set(db.session.scalars(select(Report.state).distinct()))) >= 5
    oldest = db.session.scalar(select(func.min(EctSession.procedure_date)))
    assert (TODAY - oldest).days > 3 * 365
    assert db.session.scalar(select(func.count()).where(Reaction.meddra_code.is_(None))) == 0
    assert db.session.scalar(select(func.count()).where(Report.case_id.is_(None))) == 0
    assert verify_database(db.session) is None


def test_bulk_chain_continues_a_chain_written_row_by_row(app: Flask) -> None:
    seed_bulk(db.session, 10, seed=2, today=TODAY)
    db.session.commit()
    before = _count(AuditEvent)
    seed_bulk(db.session, 10, seed=3, today=TODAY)  # the demo accounts exist: only bulk rows are added
    db.session.commit()

    assert _count(AuditEvent) > before
    assert _count(Report) == 20
    assert verify_database(db.session) is None


def test_bulk_reports_read_back_through_the_api(
    app: Flask, token_for: Callable[[User], dict[str, str]]
) -> None:
    seed_bulk(db.session, 40, seed=4, today=TODAY)
    db.session.commit()
    client = app.test_client()
    for kind in ("medicine", "device"):
        report = db.session.scalars(select(Report).where(Report.kind == kind).limit(1)).one()
        response = client.get(f"/api/v1/reports/{report.id}", headers=token_for(report.created_by))
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["kind"] == kind


def test_seed_demo_command_takes_a_report_count(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["seed-demo", "--reports", "15"])

    assert result.exit_code == 0, result.output
    assert "15 reports" in result.output
    assert _count(Report) == 15
