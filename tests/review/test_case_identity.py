"""Case identity (E2B C.1.1): one case id across versions, the regulator's reference, nullify, amend."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from ect_reporting.config import OpcsSettings
from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent, Report
from ect_reporting.reports import follow_ups, services, workflow
from ect_reporting.reports.records import build_record
from tests.review.helpers import sign_in

SENT = {"state": "sent_to_mhra", "mhra_reference": "GB-MHRA-ADR-00000001", "mhra_sent_date": date(2026, 3, 1)}


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(content)).pages)


def audit_rows(report_id: int) -> int:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.object_type == "report", AuditEvent.object_id == report_id)
    )


@pytest.fixture
def sent_report(make_report):
    return make_report(**SENT)


# --- case id and version --------------------------------------------------------


def test_a_new_report_is_version_1_of_its_own_case_without_an_extra_row_version(make_report):
    report = make_report(state="draft")
    assert report.case_id == f"GB-ECT-{report.id:06d}"
    assert report.case_version == 1
    assert report.version == 1  # assigning the case id is not an edit


def test_the_case_id_uses_the_organisation_code_setting(app, client, clinician, token_for, make_session):
    app.config["ECT_ORGANISATION_CODE"] = "RXH01"
    session = make_session()
    response = client.post(f"/api/v1/sessions/{session.id}/reports", json={"kind": "device"},
                           headers=token_for(clinician))
    assert response.status_code == 201
    body = response.get_json()
    assert (body["case_id"], body["case_version"]) == (f"GB-RXH01-{body['id']:06d}", 1)
    assert response.headers["ETag"] == f'"report-{body["id"]}-v1"'


def test_case_id_for_pads_the_initial_report_number_to_six_digits():
    assert services.case_id_for("ECT", 42) == "GB-ECT-000042"
    assert services.case_id_for("ECT", 1234567) == "GB-ECT-1234567"


def test_a_follow_up_keeps_the_case_id_and_the_regulators_reference(sent_report, governance_lead):
    follow_up = follow_ups.create_follow_up(db.session, governance_lead, sent_report)
    db.session.commit()
    assert follow_up.case_id == sent_report.case_id
    assert follow_up.case_version == 2
    assert follow_up.regulator_case_reference == "GB-MHRA-ADR-00000001"
    assert follow_up.mhra_reference is None  # this version has not been sent yet
    record = build_record(follow_up, OpcsSettings())
    assert (record["case_id"], record["case_version"], record["regulator_reference"]) == (
        sent_report.case_id,
        2,
        "GB-MHRA-ADR-00000001",
    )
    assert record["amendment"] is False


def test_the_case_reference_stays_the_first_one_sent(sent_report, governance_lead):
    second = follow_ups.create_follow_up(db.session, governance_lead, sent_report)
    second.state = "approved"
    given = workflow.TransitionInput(mhra_reference="GB-MHRA-ADR-00000002")
    workflow.apply_transition(db.session, governance_lead, second, "send", given)
    third = follow_ups.create_follow_up(db.session, governance_lead, sent_report, report_type="final")
    db.session.commit()
    assert second.mhra_reference == "GB-MHRA-ADR-00000002"
    assert second.regulator_case_reference == third.regulator_case_reference == "GB-MHRA-ADR-00000001"
    assert [third.case_id, third.case_version] == [sent_report.case_id, 3]


def test_sending_an_initial_report_records_the_case_reference(make_report, governance_lead):
    report = make_report(state="approved")
    given = workflow.TransitionInput(mhra_reference="GB-MHRA-ADR-12345678")
    workflow.apply_transition(db.session, governance_lead, report, "send", given)
    assert report.regulator_case_reference == "GB-MHRA-ADR-12345678"


def test_a_version_after_a_withdrawn_one_gets_a_new_number(sent_report, governance_lead):
    withdrawn = follow_ups.create_follow_up(db.session, governance_lead, sent_report)
    withdrawn.state = "withdrawn"
    db.session.commit()
    again = follow_ups.create_follow_up(db.session, governance_lead, sent_report)
    assert (withdrawn.case_version, again.case_version) == (2, 3)


def test_api_follow_up_export_is_named_by_case_id_and_version(client, sent_report, governance_lead, token_for):
    headers = token_for(governance_lead)
    created = client.post(f"/api/v1/reports/{sent_report.id}/follow-ups", headers=headers)
    assert created.status_code == 201
    body = created.get_json()
    assert (body["case_id"], body["case_version"]) == (sent_report.case_id, 2)
    assert body["regulator_reference"] == "GB-MHRA-ADR-00000001"

    pdf = client.get(f"/api/v1/reports/{body['id']}/export.pdf", headers=headers)
    name = f"yellow-card-medicine-{sent_report.case_id}-v2"
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="{name}.pdf"'
    text = pdf_text(pdf.data)
    for expected in (f"Case ID {sent_report.case_id}", "Case version 2", "MHRA reference GB-MHRA-ADR-00000001"):
        assert expected in text, expected
    assert "Follow-up of" not in text
    exported = client.get(f"/api/v1/reports/{body['id']}/export.json", headers=headers)
    assert exported.headers["Content-Disposition"] == f'attachment; filename="{name}.json"'
    record = exported.get_json()["record"]
    assert (record["case_id"], record["case_version"]) == (sent_report.case_id, 2)


# --- nullification ----------------------------------------------------------------


def nullify(client, report, headers, **extra):
    return client.post(f"/api/v1/reports/{report.id}/transitions", json={"action": "nullify", **extra},
                       headers=headers)


def test_nullifying_a_draft_is_409(client, make_report, governance_lead, token_for):
    draft = make_report(state="draft")
    assert nullify(client, draft, token_for(governance_lead), comment="Duplicate").status_code == 409


def test_a_clinician_cannot_nullify_403(client, sent_report, clinician, token_for):
    assert nullify(client, sent_report, token_for(clinician), comment="Duplicate").status_code == 403


def test_nullifying_needs_a_reason_422(client, sent_report, governance_lead, token_for):
    response = nullify(client, sent_report, token_for(governance_lead), comment="   ")
    assert response.status_code == 422
    assert response.get_json()["errors"]["comment"] == ["Enter the reason for nullifying the report"]
    assert db.session.get(Report, sent_report.id).state == "sent_to_mhra"


@pytest.mark.parametrize("state", ["sent_to_mhra", "acknowledged", "closed"])
def test_nullifying_is_recorded_audited_and_exported(client, make_report, governance_lead, token_for, state):
    report = make_report(**(SENT | {"state": state}))
    headers = token_for(governance_lead)
    before = audit_rows(report.id)
    response = nullify(client, report, headers, comment="Sent twice: duplicate of the GP's report")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "nullified"
    assert audit_rows(report.id) == before + 1
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == report.id)
                               .order_by(AuditEvent.id.desc())).first()
    assert (event.details["from"], event.details["to"]) == (state, "nullified")
    assert event.details["nullification_reason"] == "Sent twice: duplicate of the GP's report"
    record = client.get(f"/api/v1/reports/{report.id}/export.json", headers=headers).get_json()["record"]
    assert record["state"] == "nullified"
    assert record["nullification"]["nullified"] is True
    assert record["nullification"]["reason"] == "Sent twice: duplicate of the GP's report"
    assert record["nullification"]["date"].endswith("+00:00")
    assert "NULLIFIED" in pdf_text(client.get(f"/api/v1/reports/{report.id}/export.pdf", headers=headers).data)


def test_a_nullified_case_cannot_get_another_version(client, sent_report, governance_lead, token_for):
    headers = token_for(governance_lead)
    assert nullify(client, sent_report, headers, comment="Wrong patient").status_code == 200
    response = client.post(f"/api/v1/reports/{sent_report.id}/follow-ups", headers=headers)
    assert response.status_code == 409
    assert "nullified" in response.get_json()["error"]


def test_page_nullify_shows_the_reason_and_state(client, sent_report, governance_lead):
    sign_in(client, governance_lead)
    page = client.get(f"/reports/{sent_report.id}").get_data(as_text=True)
    # Destructive: the report page links to a confirm page; the reason box is there, not here.
    assert "Why are you nullifying this report?" not in page
    assert f'href="/reports/{sent_report.id}/confirm/nullify"' in page
    confirm = client.get(f"/reports/{sent_report.id}/confirm/nullify").get_data(as_text=True)
    assert "Nullify this report?" in confirm and "Why are you nullifying this report?" in confirm
    assert "The regulator is told this case is void" in confirm and "Yes, nullify it" in confirm
    missing = client.post(f"/reports/{sent_report.id}/transition", data={"action": "nullify"})
    assert missing.status_code == 422
    missing_html = missing.get_data(as_text=True)
    assert "Enter the reason for nullifying the report" in missing_html
    assert "Nullify this report?" in missing_html and 'href="#comment"' in missing_html  # back on the confirm page
    done = client.post(f"/reports/{sent_report.id}/transition",
                       data={"action": "nullify", "comment": "Entered against the wrong patient"},
                       follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "is now nullified" in text
    assert "Reason: Entered against the wrong patient" in text


# --- amendment --------------------------------------------------------------------


def test_an_amendment_keeps_the_case_id_and_is_marked(client, sent_report, governance_lead, token_for):
    url = f"/api/v1/reports/{sent_report.id}/follow-ups"
    response = client.post(url, json={"report_type": "amendment"}, headers=token_for(governance_lead))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["report_type"], body["case_id"], body["case_version"]) == ("amendment", sent_report.case_id, 2)
    record = client.get(f"/api/v1/reports/{body['id']}/export.json",
                        headers=token_for(governance_lead)).get_json()["record"]
    assert record["amendment"] is True


def test_only_a_governance_lead_may_amend(client, sent_report, clinician, token_for):
    url = f"/api/v1/reports/{sent_report.id}/follow-ups"
    response = client.post(url, json={"report_type": "amendment"}, headers=token_for(clinician))
    assert response.status_code == 403
    assert db.session.scalar(select(Report).where(Report.follow_up_of_id == sent_report.id)) is None


@pytest.mark.parametrize(("who", "offered"), [("clinician", False), ("governance_lead", True)])
def test_the_amendment_choice_is_offered_to_governance_leads_only(request, client, sent_report, who, offered):
    sign_in(client, request.getfixturevalue(who))
    page = client.get(f"/reports/{sent_report.id}").get_data(as_text=True)
    assert "Start a new version" in page
    assert ('value="amendment"' in page) is offered


# --- the reference label follows the destination ----------------------------------


@pytest.mark.parametrize(("nation", "regulator"), [("scotland", "IRIC"), ("northern_ireland", "NIAIC")])
def test_a_device_report_outside_the_mhra_asks_for_its_regulators_reference(
    client, make_report, make_session, governance_lead, nation, regulator
):
    report = make_report("device", session=make_session(nation=nation), state="approved")
    sign_in(client, governance_lead)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert f"{regulator} reference number" in page
    assert f"Record as sent to {regulator}" in page
    assert "MHRA reference" not in page
    response = client.post(f"/reports/{report.id}/transition", data={"action": "send"})
    assert response.status_code == 422
    assert f"Enter the {regulator} reference number" in response.get_data(as_text=True)


def test_a_medicine_report_asks_for_the_mhra_reference(client, make_report, governance_lead, token_for):
    report = make_report(state="approved")
    response = client.post(f"/api/v1/reports/{report.id}/transitions", json={"action": "send"},
                           headers=token_for(governance_lead))
    assert response.get_json()["errors"]["mhra_reference"] == ["Enter the MHRA reference number"]


def test_the_versions_list_names_versions_by_case_id_never_internal_id(client, sent_report, governance_lead):
    follow_up = follow_ups.create_follow_up(db.session, governance_lead, sent_report)
    db.session.commit()
    sign_in(client, governance_lead)
    page = client.get(f"/reports/{follow_up.id}").get_data(as_text=True)
    section = page[page.index('id="versions"') : page.index("</ol>", page.index('id="versions"'))]
    assert f"{sent_report.case_id} version 1" in section
    assert f"{sent_report.case_id} version 2 (this report)" in section
    assert "MHRA reference GB-MHRA-ADR-00000001" in section
    assert not re.search(rf"(?<!GB-){sent_report.reference}", section)
    assert "Follow-up of" not in page


def test_an_initial_report_sent_before_case_references_still_shows_its_reference(
    client, sent_report, governance_lead, token_for
):
    assert sent_report.regulator_case_reference is None  # set column by column, as older rows are
    assert build_record(sent_report, OpcsSettings())["regulator_reference"] == "GB-MHRA-ADR-00000001"
    body = client.get(f"/api/v1/reports/{sent_report.id}", headers=token_for(governance_lead)).get_json()
    assert body["regulator_reference"] == "GB-MHRA-ADR-00000001"
