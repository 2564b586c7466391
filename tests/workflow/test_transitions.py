"""The report workflow through the API: roles, states, audit rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent
from tests.conftest import audit_guard_lifted, session_payload

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
COMPLETE_MEDICINE = {
    "kind": "medicine",
    "awareness_date": YESTERDAY,
    "reactions": [{"verbatim": "Generalised urticaria within minutes of the bolus", "meddra_code": "10046735",
                   "ctcae_grade": 2, "onset_date": YESTERDAY, "outcome": "recovered"}],
    "seriousness": {"serious": False, "criteria": []},
}


@pytest.fixture
def people(make_user, token_for):
    clinician = make_user("clinician")
    lead = make_user("governance_lead")
    return {"clinician": token_for(clinician), "lead": token_for(lead), "lead_user": lead}


@pytest.fixture
def report_url(client, people):
    session = client.post("/api/v1/sessions", json=session_payload(), headers=people["clinician"]).get_json()
    created = client.post(f"/api/v1/sessions/{session['id']}/reports", json=COMPLETE_MEDICINE,
                          headers=people["clinician"])
    assert created.status_code == 201
    return created.headers["Location"]


def act(client, url, headers, action, **extra):
    return client.post(f"{url}/transitions", json={"action": action, **extra}, headers=headers)


def audit_count(report_id: int) -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.object_type == "report", AuditEvent.object_id == report_id)
    )


def test_full_lifecycle_leaves_one_audit_row_per_step(client, people, report_url, app):
    report_id = int(report_url.rsplit("/", 1)[1])
    steps = [
        ("clinician", "submit", {}, "submitted_for_review"),
        ("lead", "return", {"comment": "Please add the CTCAE grade rationale"}, "returned"),
        ("clinician", "submit", {}, "submitted_for_review"),
        ("lead", "approve", {}, "approved"),
        ("lead", "send", {"mhra_reference": "GB-MHRA-ADR-00123456"}, "sent_to_mhra"),
        ("lead", "acknowledge", {}, "acknowledged"),
        ("lead", "close", {}, "closed"),
    ]
    for who, action, extra, expected in steps:
        before = audit_count(report_id)
        response = act(client, report_url, people[who], action, **extra)
        assert response.status_code == 200, (action, response.get_json())
        assert response.get_json()["state"] == expected
        assert audit_count(report_id) == before + 1
    final = client.get(report_url, headers=people["lead"]).get_json()
    assert final["mhra_reference"] == "GB-MHRA-ADR-00123456"
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output


def test_self_approval_is_403(client, make_user, token_for):
    lead = token_for(make_user("governance_lead"))
    session = client.post("/api/v1/sessions", json=session_payload(), headers=lead).get_json()
    url = client.post(f"/api/v1/sessions/{session['id']}/reports", json=COMPLETE_MEDICINE,
                      headers=lead).headers["Location"]
    assert act(client, url, lead, "submit").status_code == 200
    response = act(client, url, lead, "approve")
    assert response.status_code == 403
    assert "you wrote" in response.get_json()["error"]


def test_approving_a_draft_is_409(client, people, report_url):
    response = act(client, report_url, people["lead"], "approve")
    assert response.status_code == 409
    assert response.get_json()["state"] == "draft"


def test_clinician_cannot_approve(client, people, report_url):
    act(client, report_url, people["clinician"], "submit")
    assert act(client, report_url, people["clinician"], "approve").status_code == 403


def test_return_needs_a_comment(client, people, report_url):
    act(client, report_url, people["clinician"], "submit")
    response = act(client, report_url, people["lead"], "return")
    assert response.status_code == 422
    assert "comment" in response.get_json()["errors"]


def test_send_needs_mhra_reference(client, people, report_url):
    act(client, report_url, people["clinician"], "submit")
    act(client, report_url, people["lead"], "approve")
    response = act(client, report_url, people["lead"], "send")
    assert response.status_code == 422
    assert "mhra_reference" in response.get_json()["errors"]


def test_author_can_withdraw_with_reason(client, people, report_url):
    assert act(client, report_url, people["clinician"], "withdraw").status_code == 422
    response = act(client, report_url, people["clinician"], "withdraw", comment="Duplicate of ECT-000002")
    assert response.status_code == 200
    assert response.get_json()["state"] == "withdrawn"
    assert act(client, report_url, people["lead"], "withdraw", comment="again").status_code == 409


def test_unknown_action_is_422(client, people, report_url):
    assert act(client, report_url, people["lead"], "teleport").status_code == 422


def test_submitted_report_cannot_be_patched(client, people, report_url):
    act(client, report_url, people["clinician"], "submit")
    etag = client.get(report_url, headers=people["clinician"]).headers["ETag"]
    response = client.patch(report_url, json={}, headers={**people["clinician"], "If-Match": etag})
    assert response.status_code == 403


def test_editing_an_audit_row_breaks_verification_at_that_row(client, people, report_url, app):
    act(client, report_url, people["clinician"], "submit")
    act(client, report_url, people["lead"], "approve")
    rows = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    target = rows[len(rows) // 2]
    with audit_guard_lifted():
        db.session.execute(text("UPDATE audit_events SET action = 'approve-forged' WHERE id = :id"), {"id": target.id})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"row {target.id}" in result.output


def test_deleting_an_audit_row_breaks_verification_after_it(client, people, report_url, app):
    act(client, report_url, people["clinician"], "submit")
    rows = list(db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    with audit_guard_lifted():
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": rows[1]})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"row {rows[2]}" in result.output


def test_sign_in_and_export_are_audited(client, clinician, report_url, people):
    client.post("/sign-in", data={"email": clinician.email, "password": "correct-horse-battery"})
    report_id = int(report_url.rsplit("/", 1)[1])
    before = audit_count(report_id)
    assert client.get(f"{report_url}/export.json", headers=people["lead"]).status_code == 200
    assert audit_count(report_id) == before + 1
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"sign_in", "create", "export"} <= actions


def test_field_changes_are_audited_with_old_and_new_values(client, people, report_url):
    etag = client.get(report_url, headers=people["clinician"]).headers["ETag"]
    client.patch(report_url, json={"suspect_drug": {"batch": "NEWBATCH"}},
                 headers={**people["clinician"], "If-Match": etag})
    report_id = int(report_url.rsplit("/", 1)[1])
    update = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == report_id, AuditEvent.action == "update")
    ).one()
    assert update.details["changes"]["drug_batch"] == {"old": "BX4471", "new": "NEWBATCH"}


def test_illegal_transition_in_the_page_shows_a_clear_message(client, app, make_user, make_session):
    from tests.integration.test_forms import sign_in

    author = make_user("clinician")
    session = make_session(user=author)
    sign_in(client, author)
    created = client.post(f"/sessions/{session.id}/reports", data={"kind": "device"})
    report_id = created.headers["Location"].split("/")[2]
    response = client.post(f"/reports/{report_id}/transition", data={"action": "approve"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Your role may not approve this report" in html


def test_return_without_comment_shows_error_beside_field(client, app, make_user, make_session):
    from ect_reporting.reports import services
    from tests.integration.test_forms import sign_in

    author, lead = make_user("clinician"), make_user("governance_lead")
    report = services.create_report(db.session, author, make_session(user=author), "device")
    report.state = "submitted_for_review"
    db.session.commit()
    sign_in(client, lead)
    response = client.post(f"/reports/{report.id}/transition", data={"action": "return", "comment": "  "})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="comment-return-error"' in html
    assert "Enter why you are returning the report" in html
    assert html.count("nhsuk-error-summary__list") == 1
    response = client.post(f"/reports/{report.id}/transition", data={"action": "approve"})
    assert response.status_code == 302
    response = client.post(f"/reports/{report.id}/transition",
                           data={"action": "send", "mhra_reference": "GB-MHRA-1", "sent_date-day": "30",
                                 "sent_date-month": "2", "sent_date-year": "2026"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Date sent must be a real date" in html
    assert 'value="GB-MHRA-1"' in html and 'href="#sent_date-day"' in html
    db.session.refresh(report)
    assert report.state == "approved"


def test_command_line_account_and_token_are_audited_as_system(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "--email", "cli.user@nhs.net", "--name", "C Li", "--role",
                                 "clinician", "--password", "a-long-enough-password"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["issue-token", "--email", "cli.user@nhs.net"]).exit_code == 0
    rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "user")))
    assert [(row.action, row.actor_id) for row in rows] == [("create", None), ("issue_token", None)]
    assert set(rows[1].details) == {"token_id", "label"}  # never the token itself
