"""The regulator's E2B(R3) acknowledgement applied to sent reports, by upload and API.

ACK files are built from the FDA examples with lxml, with ACK.B.r.1
replaced by the message number of a report sent from here, so they have
exactly the structure a regulator sends.
"""

from __future__ import annotations

import io
from html import unescape

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from ect_reporting.audit import verify_database
from ect_reporting.exports.e2b_ids import message_number
from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent, Report
from ect_reporting.reports import services
from tests.e2b_acks import NEGATIVE_TEXT, ack_for
from tests.review.helpers import sign_in


@pytest.fixture
def make_sent(app, clinician, make_session):
    """Factory: a medicine report by the clinician, already sent to the MHRA."""

    def factory() -> Report:
        report = services.create_report(db.session, clinician, make_session(), "medicine")
        report.state = "sent_to_mhra"
        report.mhra_reference = "GB-MHRA-ADR-1"
        db.session.commit()
        return report

    return factory


@pytest.fixture
def lead_client(app, governance_lead):
    client = app.test_client()
    sign_in(client, governance_lead)
    return client


def number_of(report: Report) -> str:
    return message_number(report.case_id, report.case_version)


def upload(client, report: Report, content: bytes, filename: str = "ack.xml"):
    """Post the file as a browser does (encoded in memory: the test client would spool big ones to disk)."""
    boundary, body = encode_multipart({"acknowledgement": FileStorage(io.BytesIO(content), filename)})
    return client.post(
        f"/reports/{report.id}/acknowledgement",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def audit_rows() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def page_text(client, report: Report) -> str:
    return unescape(client.get(f"/reports/{report.id}").get_data(as_text=True))


def test_rejection_returns_the_report_to_its_author_with_the_regulators_messages(
    app, lead_client, make_sent, clinician
):
    report = make_sent()
    before = audit_rows()
    response = upload(lead_client, report, ack_for(number_of(report), accepted=False))
    assert response.status_code == 302
    db.session.refresh(report)
    assert report.state == "returned"
    assert report.ack_code == "CR" and report.ack_batch_code == "AE"
    assert NEGATIVE_TEXT in report.ack_messages[0]
    assert NEGATIVE_TEXT in report.comments[-1].body  # the author sees it as the return comment
    assert audit_rows() == before + 2  # the transition and the upload
    page = page_text(lead_client, report)
    assert "rejected by the regulator; returned to its author" in page  # the flash
    assert "Rejected by the regulator" in page and NEGATIVE_TEXT in page
    author = app.test_client()
    sign_in(author, clinician)
    assert NEGATIVE_TEXT in page_text(author, report)
    assert "Edit report" in page_text(author, report)
    assert verify_database(db.session) is None


def test_acceptance_records_the_acknowledgement(lead_client, make_sent):
    report = make_sent()
    response = upload(lead_client, report, ack_for(number_of(report)))
    assert response.status_code == 302
    db.session.refresh(report)
    assert report.state == "acknowledged"
    assert (report.ack_code, report.ack_batch_code, report.ack_batch_number) == ("CA", "AA", "33439257")
    assert (report.ack_sender, report.ack_receiver, report.ack_local_report_number) == (
        "CDER",
        "4567AB89012",
        "19426648",
    )
    assert report.ack_date.isoformat() == "2022-08-11"
    assert report.ack_messages == ["Report Loaded Successfully"]
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(2)).all()
    upload_row, transition_row = rows
    assert upload_row.action == "acknowledgement_upload" and upload_row.details["batch_number"] == "33439257"
    assert transition_row.object_id == report.id
    assert transition_row.details["to"] == "acknowledged" and transition_row.details["ack_code"] == "CA"
    page = page_text(lead_client, report)
    assert "Regulator's acknowledgement" in page and "Report Loaded Successfully" in page


def test_one_file_answers_several_reports(lead_client, make_sent):
    first, second = make_sent(), make_sent()
    before = audit_rows()
    assert upload(lead_client, first, ack_for(number_of(first), number_of(second))).status_code == 302
    for report in (first, second):
        db.session.refresh(report)
        assert report.state == "acknowledged"
    assert audit_rows() == before + 3


def test_a_file_naming_an_unknown_report_is_refused_and_changes_nothing(lead_client, make_sent):
    report = make_sent()
    before = audit_rows()
    content = ack_for(number_of(report), "GB-ECT-999999-v1", "US-APHARMA-7644554")
    response = upload(lead_client, report, content)
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    assert "match no report here: GB-ECT-999999-v1, US-APHARMA-7644554. Nothing was changed" in page
    assert 'id="acknowledgement-error"' in page
    db.session.refresh(report)
    assert report.state == "sent_to_mhra" and report.ack_code is None
    assert audit_rows() == before


def test_a_report_not_waiting_for_the_regulator_is_refused_by_name(lead_client, make_sent):
    sent, acknowledged = make_sent(), make_sent()
    acknowledged.state = "acknowledged"
    db.session.commit()
    before = audit_rows()
    response = upload(lead_client, sent, ack_for(number_of(sent), number_of(acknowledged)))
    assert response.status_code == 409
    assert f"{acknowledged.reference} ({number_of(acknowledged)}) is acknowledged" in unescape(
        response.get_data(as_text=True)
    )
    db.session.refresh(sent)
    assert sent.state == "sent_to_mhra" and audit_rows() == before


def test_a_clinician_gets_403(app, make_sent, clinician, client, token_for):
    report = make_sent()
    sign_in(client, clinician)
    assert upload(client, report, ack_for(number_of(report))).status_code == 403
    response = client.post(
        "/api/v1/acknowledgements",
        data=ack_for(number_of(report)),
        headers={**token_for(clinician), "Content-Type": "application/xml"},
    )
    assert response.status_code == 403
    db.session.refresh(report)
    assert report.state == "sent_to_mhra"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x" * 1_000_001, "The file must be smaller than 1 MB"),
        (b"%PDF-1.7 not an acknowledgement", "The file is not well-formed XML"),
        (b'<ICSR xmlns="urn:hl7-org:v3"/>', "The file is not an E2B(R3) acknowledgement"),
        (b"", "Choose the acknowledgement file to upload"),
    ],
)
def test_bad_uploads_get_a_clear_error_beside_the_field(lead_client, make_sent, content, message):
    report = make_sent()
    response = upload(lead_client, report, content, filename="ack.xml" if content else "")
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    error = page.split('id="acknowledgement-error"', 1)[1].split("</span>", 2)[1]
    assert message in error
    assert 'href="#acknowledgement"' in page  # the error summary links to the field
    db.session.refresh(report)
    assert report.state == "sent_to_mhra"


def test_the_upload_form_shows_only_to_a_governance_lead_on_a_sent_report(app, lead_client, make_sent, clinician):
    report = make_sent()
    label = "Upload the regulator's acknowledgement (E2B R3 ACK file)"
    assert label in page_text(lead_client, report)
    author = app.test_client()
    sign_in(author, clinician)
    assert label not in page_text(author, report)
    report.state = "acknowledged"
    db.session.commit()
    assert label not in page_text(lead_client, report)


def test_api_applies_an_acknowledgement(client, make_sent, governance_lead, token_for):
    accepted, rejected = make_sent(), make_sent()
    headers = {**token_for(governance_lead), "Content-Type": "application/xml"}
    response = client.post("/api/v1/acknowledgements", data=ack_for(number_of(accepted)), headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["acknowledgement"]["code"] == "AA"
    assert [(r["id"], r["code"], r["state"]) for r in body["reports"]] == [(accepted.id, "CA", "acknowledged")]
    response = client.post(
        "/api/v1/acknowledgements", data=ack_for(number_of(rejected), accepted=False), headers=headers
    )
    [outcome] = response.get_json()["reports"]
    assert (outcome["state"], outcome["code"]) == ("returned", "CR")
    assert NEGATIVE_TEXT in outcome["messages"][0]


def test_api_refusals(client, make_sent, governance_lead, token_for):
    report = make_sent()
    headers = {**token_for(governance_lead), "Content-Type": "application/xml"}
    unknown = client.post("/api/v1/acknowledgements", data=ack_for("GB-ECT-424242-v3"), headers=headers)
    assert unknown.status_code == 422
    assert "GB-ECT-424242-v3" in unknown.get_json()["errors"]["acknowledgement"][0]
    broken = client.post("/api/v1/acknowledgements", data=b"<not-closed", headers=headers)
    assert broken.status_code == 422 and "not well-formed XML" in broken.get_json()["errors"]["acknowledgement"][0]
    as_json = client.post(
        "/api/v1/acknowledgements", json={"x": 1}, headers={"Authorization": headers["Authorization"]}
    )
    assert as_json.status_code == 415
    too_big = client.post("/api/v1/acknowledgements", data=b"x" * 1_000_001, headers=headers)
    assert too_big.status_code == 413
    db.session.refresh(report)
    assert report.state == "sent_to_mhra"


def test_reject_by_hand_needs_what_the_regulator_said(client, make_sent, governance_lead, token_for):
    report = make_sent()
    url = f"/api/v1/reports/{report.id}/transitions"
    headers = token_for(governance_lead)
    assert client.post(url, json={"action": "reject"}, headers=headers).status_code == 422
    response = client.post(url, json={"action": "reject", "comment": "Rejected by e-mail: no batch"}, headers=headers)
    assert response.status_code == 200 and response.get_json()["state"] == "returned"
