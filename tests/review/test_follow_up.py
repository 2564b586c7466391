"""Follow-up reports: a new linked version of a sent case, shown as a timeline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ect_reporting.exceptions import Forbidden, NotAllowedNow, ValidationFailed
from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent, Report
from ect_reporting.reports import follow_ups
from tests.conftest import PASSWORD
from tests.review.helpers import URTICARIA, sign_in

SENT = {"state": "sent_to_mhra", "mhra_reference": "GB-MHRA-ADR-00000001", "mhra_sent_date": date(2026, 3, 1)}


def reaction(**values):
    base = {
        "verbatim": "Hives on the chest",
        "meddra_code": URTICARIA,
        "ctcae_grade": 2,
        "onset_date": date.today() - timedelta(days=2),
        "outcome": "recovering",
    }
    return base | values


@pytest.fixture
def sent_report(make_report):
    return make_report(
        reactions=[reaction(), reaction(verbatim="Itch", ctcae_grade=1)],
        serious=True,
        criterion_hospitalisation=True,
        additional_information="Admitted overnight",
        awareness_date=date.today() - timedelta(days=30),
        due_date=date.today() - timedelta(days=15),
        **SENT,
    )


def test_follow_up_copies_the_latest_version_as_a_new_draft(sent_report, governance_lead):
    follow_up = follow_ups.create_follow_up(db.session, governance_lead, sent_report)
    db.session.commit()

    assert follow_up.id != sent_report.id
    assert follow_up.follow_up_of_id == sent_report.id
    assert follow_up.report_type == "follow_up"
    assert follow_up.state == "draft"
    assert follow_up.created_by_id == governance_lead.id
    assert follow_up.session_id == sent_report.session_id
    for attr in (
        "kind",
        "drug",
        "drug_batch",
        "drug_dose",
        "patient_initials",
        "local_reference",
        "serious",
        "criterion_hospitalisation",
        "additional_information",
        "reporter_name",
    ):
        assert getattr(follow_up, attr) == getattr(sent_report, attr), attr
    # Per-submission facts are not copied; the clock restarts from today.
    assert follow_up.mhra_reference is None and follow_up.mhra_sent_date is None
    assert follow_up.submitted_at is None and follow_up.approved_by_id is None
    assert follow_up.awareness_date == date.today()
    assert follow_up.due_date == date.today() + timedelta(days=15)
    copied = [(r.position, r.verbatim, r.meddra_code, r.ctcae_grade, r.onset_date) for r in follow_up.reactions]
    original = [(r.position, r.verbatim, r.meddra_code, r.ctcae_grade, r.onset_date) for r in sent_report.reactions]
    assert copied == original
    assert {r.id for r in follow_up.reactions}.isdisjoint({r.id for r in sent_report.reactions})


def test_follow_up_writes_one_audit_row(sent_report, clinician):
    follow_up = follow_ups.create_follow_up(db.session, clinician, sent_report)
    db.session.commit()
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == follow_up.id)).all()
    assert [(r.action, r.details["follow_up_of"], r.actor_id) for r in rows] == [
        ("follow_up", sent_report.id, clinician.id)
    ]


def test_device_follow_up_copies_problem_codes_without_sharing_the_list(make_report, governance_lead):
    device = make_report("device", device_problem_codes=["A0201"], incident_classification="other_reportable", **SENT)
    follow_up = follow_ups.create_follow_up(db.session, governance_lead, device)
    follow_up.device_problem_codes.append("A24")
    db.session.commit()
    db.session.refresh(device)
    assert device.device_problem_codes == ["A0201"]
    assert follow_up.incident_classification == "other_reportable"


@pytest.mark.parametrize("state", ["sent_to_mhra", "acknowledged", "closed"])
def test_sent_or_finished_reports_can_be_followed_up(make_report, governance_lead, state):
    report = make_report(state=state)
    assert follow_ups.create_follow_up(db.session, governance_lead, report).follow_up_of_id == report.id


@pytest.mark.parametrize("state", ["draft", "submitted_for_review", "returned", "approved", "withdrawn"])
def test_reports_not_yet_sent_cannot_be_followed_up(make_report, governance_lead, state):
    with pytest.raises(NotAllowedNow):
        follow_ups.create_follow_up(db.session, governance_lead, make_report(state=state))


def test_follow_up_links_to_the_latest_version_of_the_chain(sent_report, governance_lead):
    second = follow_ups.create_follow_up(db.session, governance_lead, sent_report)
    second.state, second.mhra_reference = "sent_to_mhra", "GB-MHRA-ADR-00000002"
    db.session.commit()
    # Asked from the initial report, the new version still follows the latest.
    third = follow_ups.create_follow_up(db.session, governance_lead, sent_report, report_type="final")
    db.session.commit()
    assert third.follow_up_of_id == second.id
    assert third.report_type == "final"
    chain = follow_ups.follow_up_chain(db.session, second)
    assert [r.id for r in chain] == [sent_report.id, second.id, third.id]
    assert [r.id for r in follow_ups.follow_up_chain(db.session, third)] == [r.id for r in chain]


def test_an_unfinished_follow_up_blocks_another(sent_report, governance_lead):
    draft = follow_ups.create_follow_up(db.session, governance_lead, sent_report)
    db.session.commit()
    with pytest.raises(NotAllowedNow, match=f"Version 2 of case {draft.case_id} is the latest version"):
        follow_ups.create_follow_up(db.session, governance_lead, sent_report)


def test_a_withdrawn_follow_up_is_skipped(sent_report, governance_lead):
    draft = follow_ups.create_follow_up(db.session, governance_lead, sent_report)
    draft.state = "withdrawn"
    db.session.commit()
    again = follow_ups.create_follow_up(db.session, governance_lead, sent_report)
    assert again.follow_up_of_id == sent_report.id


def test_only_the_author_or_a_governance_lead_may_follow_up(sent_report, make_user):
    for user in (make_user("clinician"), make_user("admin")):
        with pytest.raises(Forbidden):
            follow_ups.create_follow_up(db.session, user, sent_report)


def test_unknown_report_type_is_rejected(sent_report, governance_lead):
    with pytest.raises(ValidationFailed) as caught:
        follow_ups.create_follow_up(db.session, governance_lead, sent_report, report_type="initial")
    assert "report_type" in caught.value.errors


# --- API ----------------------------------------------------------------------


def test_api_follow_up_is_201_with_location(client, sent_report, clinician, token_for):
    response = client.post(f"/api/v1/reports/{sent_report.id}/follow-ups", headers=token_for(clinician))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/reports/{body['id']}"
    assert body["report_type"] == "follow_up"
    assert body["follow_up_of"] == sent_report.id
    assert body["state"] == "draft"
    assert len(body["reactions"]) == 2


def test_api_final_report(client, sent_report, governance_lead, token_for):
    url = f"/api/v1/reports/{sent_report.id}/follow-ups"
    response = client.post(url, json={"report_type": "final"}, headers=token_for(governance_lead))
    assert response.status_code == 201
    assert response.get_json()["report_type"] == "final"


@pytest.mark.parametrize(
    ("body", "status"),
    [({"report_type": "initial"}, 422), ({"report_type": 3}, 422), ({"colour": "blue"}, 422)],
)
def test_api_follow_up_bad_body_is_422(client, sent_report, governance_lead, token_for, body, status):
    url = f"/api/v1/reports/{sent_report.id}/follow-ups"
    response = client.post(url, json=body, headers=token_for(governance_lead))
    assert response.status_code == status


def test_api_follow_up_of_a_draft_is_409(client, make_report, clinician, token_for):
    draft = make_report(state="draft")
    response = client.post(f"/api/v1/reports/{draft.id}/follow-ups", headers=token_for(clinician))
    assert response.status_code == 409
    assert response.get_json()["state"] == "draft"


def test_api_follow_up_by_someone_else_is_403(client, sent_report, make_user, token_for):
    response = client.post(f"/api/v1/reports/{sent_report.id}/follow-ups", headers=token_for(make_user("admin")))
    assert response.status_code == 403


def test_api_follow_up_needs_a_token(client, sent_report):
    assert client.post(f"/api/v1/reports/{sent_report.id}/follow-ups").status_code == 401


# --- Pages --------------------------------------------------------------------


def test_page_follow_up_goes_to_the_new_draft_and_shows_the_timeline(client, sent_report, clinician):
    sign_in(client, clinician)
    page = client.get(f"/reports/{sent_report.id}").get_data(as_text=True)
    assert "Versions of this report" in page and "Start a new version" in page

    response = client.post(f"/reports/{sent_report.id}/follow-up", data={"report_type": "follow_up"})
    assert response.status_code == 302
    follow_up = db.session.scalar(select(Report).where(Report.follow_up_of_id == sent_report.id))
    assert response.headers["Location"] == f"/reports/{follow_up.id}/edit"
    edit_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Version 2 of case {sent_report.case_id} is a new follow-up report, filled in from version 1" in edit_page

    timeline = client.get(f"/reports/{follow_up.id}").get_data(as_text=True)
    section = timeline[timeline.index('id="versions"') : timeline.index("</ol>", timeline.index('id="versions"'))]
    case = sent_report.case_id
    assert section.index(f"{case} version 1") < section.index(f"{case} version 2")
    assert "Initial report" in section and "Follow-up report" in section
    assert "Sent to MHRA" in section and "Draft" in section
    assert "GB-MHRA-ADR-00000001" in section
    assert f"{case} version 2 (this report)" in section
    assert "Start a new version" not in timeline  # the draft must be finished first
    initial_page = client.get(f"/reports/{sent_report.id}").get_data(as_text=True)
    assert "Start a new version" not in initial_page
    assert f"{case} version 2 is the latest version" in initial_page


def test_page_follow_up_of_a_draft_shows_why_not(client, make_report, clinician):
    draft = make_report(state="draft")
    sign_in(client, clinician)
    assert "Start a new version" not in client.get(f"/reports/{draft.id}").get_data(as_text=True)
    response = client.post(f"/reports/{draft.id}/follow-up", follow_redirects=True)
    assert "cannot have a follow-up" in response.get_data(as_text=True)
    assert db.session.scalar(select(Report).where(Report.follow_up_of_id == draft.id)) is None


def test_page_follow_up_by_an_administrator_is_403(client, sent_report, make_user):
    sign_in(client, make_user("admin"))
    assert client.post(f"/reports/{sent_report.id}/follow-up").status_code == 403


def test_page_follow_up_by_another_clinician_is_403(client, sent_report, make_user):
    sign_in(client, make_user("clinician"))
    assert client.post(f"/reports/{sent_report.id}/follow-up").status_code == 403


def test_page_follow_up_needs_a_csrf_token(app, sent_report, clinician):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    sign_in_page = client.get("/sign-in").get_data(as_text=True)
    token = sign_in_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    credentials = {"email": clinician.email, "password": PASSWORD, "csrf_token": token}
    signed_in = client.post("/sign-in", data=credentials)
    assert signed_in.status_code == 302
    assert client.post(f"/reports/{sent_report.id}/follow-up").status_code == 400
