"""The API's report read and create issue a fixed, small number of SQL statements.

Why: each statement is a round trip to PostgreSQL under a sync worker, and
issue 13 measured the read at 0.08 of a bare Flask GET mostly because of
lazy loads (the token's user, the report's session, reactions, other
drugs, each separately) and the create re-selecting what it had just
written. Counting statements (not timing) keeps that from creeping back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from ect_reporting.models import User
from tests.conftest import session_payload


def _report(client: Any, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    session = client.post("/api/v1/sessions", json=session_payload(), headers=headers).get_json()
    body = {
        "kind": "medicine",
        "reactions": [{"verbatim": "Urticaria", "meddra_code": "10046735", "ctcae_grade": 2, "outcome": "recovered"}],
        "other_drugs": [{"characterisation": "concomitant", "name": "Paracetamol"}],
    }
    return session["id"], body


def test_report_read_statements(
    app: Flask, clinician: User, token_for: Callable[[User], dict[str, str]], count_queries: Any
) -> None:
    client = app.test_client()
    headers = token_for(clinician)
    session_id, body = _report(client, headers)
    created = client.post(f"/api/v1/sessions/{session_id}/reports", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    report_id = created.get_json()["id"]
    client.get(f"/api/v1/reports/{report_id}", headers=headers)  # "last used" settles

    with count_queries() as statements:
        response = client.get(f"/api/v1/reports/{report_id}", headers=headers)

    assert response.status_code == 200
    assert response.get_json()["reactions"][0]["meddra_code"] == "10046735"
    assert response.get_json()["other_drugs"][0]["name"] == "Paracetamol"
    # The token with its user; the report with its session, reactions and other drugs.
    assert len(statements) == 2, "\n".join(statements)


def test_report_create_statements(
    app: Flask, clinician: User, token_for: Callable[[User], dict[str, str]], count_queries: Any
) -> None:
    client = app.test_client()
    headers = token_for(clinician)
    session_id, body = _report(client, headers)
    client.get(f"/api/v1/sessions/{session_id}", headers=headers)

    with count_queries() as statements:
        response = client.post(f"/api/v1/sessions/{session_id}/reports", json=body, headers=headers)

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["completeness"]["complete"] in (True, False)
    # Nothing is read back after the write: the answer is built from what was just written.
    inserted = next(i for i, s in enumerate(statements) if s.lstrip().startswith("INSERT INTO reports"))
    assert not [s for s in statements[inserted:] if s.lstrip().startswith("SELECT reports")], "\n".join(statements)
    # token+user, session, session lock + open-draft lookup (no duplicate drafts), bleomycin total,
    # 3 INSERTs, case id, audit (lock on PostgreSQL, head, INSERT)
    assert len(statements) <= 12, "\n".join(statements)
