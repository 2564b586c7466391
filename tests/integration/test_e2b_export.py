"""E2B(R3) download through the API: valid against the ICH schema, refused when it cannot be right."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from lxml import etree
from sqlalchemy import select

from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent
from tests.conftest import session_payload

NS = {"hl7": "urn:hl7-org:v3"}
CASE = "/hl7:MCCI_IN200100UV01/hl7:PORR_IN049016UV/hl7:controlActProcess/hl7:subject/hl7:investigationEvent"
TODAY = date.today()
AWARE = (TODAY - timedelta(days=1)).isoformat()
COMPLETE = {
    "awareness_date": AWARE,
    "reactions": [{"verbatim": "Stridor and hypotension 4 minutes after IV bleomycin bolus", "meddra_code": "10002218",
                   "ctcae_grade": 3, "onset_date": AWARE, "end_date": AWARE,
                   "treatment": "IM adrenaline 0.5 mg, IV hydrocortisone", "outcome": "recovered"}],
    "seriousness": {"serious": True, "criteria": ["hospitalisation"]},
    "causality": "probable",
}


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


@pytest.fixture
def validating(app, e2b_schema_dir):
    """The app validates every message against the ICH schema, as a site with ECT_E2B_SCHEMA_DIR does."""
    app.config["ECT_E2B_SCHEMA_DIR"] = str(e2b_schema_dir)
    return app


def new_report(client, auth, kind, **body):
    payload = session_payload(procedure_date=AWARE)
    session = client.post("/api/v1/sessions", json=payload, headers=auth)
    assert session.status_code == 201, session.get_json()
    report = client.post(f"/api/v1/sessions/{session.get_json()['id']}/reports", json={"kind": kind, **body},
                         headers=auth)
    assert report.status_code == 201, report.get_json()
    return report.headers["Location"]


def xpath(content: bytes, path: str) -> list:
    return etree.fromstring(content).xpath(path, namespaces=NS)


def send(client, url, clinician_auth, lead_auth) -> None:
    """Submit, approve and record as sent: the case now has a regulator's reference."""
    for action, headers, extra in (
        ("submit", clinician_auth, {}),
        ("approve", lead_auth, {}),
        ("send", lead_auth, {"mhra_reference": "GB-MHRA-ADR-42", "sent_date": TODAY.isoformat()}),
    ):
        response = client.post(f"{url}/transitions", json={"action": action, **extra}, headers=headers)
        assert response.status_code == 200, (action, response.get_json())


def test_a_complete_medicine_report_downloads_as_valid_e2b(client, auth, validating):
    url = new_report(client, auth, "medicine", **COMPLETE)
    response = client.get(f"{url}/export.xml", headers=auth)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/xml"
    report_id = int(url.rsplit("/", 1)[1])
    case_id = f"GB-ECT-{report_id:06d}"
    assert response.headers["Content-Disposition"] == f'attachment; filename="yellow-card-medicine-{case_id}-v1.xml"'
    assert xpath(response.data, f"{CASE}/hl7:id/@extension") == [case_id, case_id]
    assert xpath(response.data, "/hl7:MCCI_IN200100UV01/hl7:PORR_IN049016UV/hl7:id/@extension") == [f"{case_id}-v1"]
    assert xpath(response.data, f"{CASE}//hl7:lotNumberText/text()") == ["BX4471"]
    assert xpath(response.data, f"{CASE}//hl7:observation[hl7:code/@code='33']/hl7:value/@value") == ["true"]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert [event.details["format"] for event in events] == ["xml"]


def test_an_incomplete_report_says_what_is_missing_422(client, auth, validating):
    url = new_report(client, auth, "medicine")
    response = client.get(f"{url}/export.xml", headers=auth)
    assert response.status_code == 422
    body = response.get_json()
    paths = {problem["path"] for problem in body["problems"]}
    assert "awareness_date" in paths
    assert "E2B(R3)" in body["error"]
    assert client.get(f"{url}/export.json", headers=auth).status_code == 200  # JSON and PDF unchanged
    assert client.get(f"{url}/export.pdf", headers=auth).status_code == 200


def test_a_device_report_is_refused_409(client, auth):
    url = new_report(client, auth, "device")
    response = client.get(f"{url}/export.xml", headers=auth)
    assert response.status_code == 409
    assert response.get_json()["error"] == (
        "E2B(R3) is for adverse drug reactions; device reports export as FHIR or PDF"
    )


def test_follow_up_and_nullification_through_the_workflow(client, auth, governance_lead, token_for, validating):
    lead = token_for(governance_lead)
    url = new_report(client, auth, "medicine", **COMPLETE)
    send(client, url, auth, lead)
    initial = client.get(f"{url}/export.xml", headers=auth).data
    follow_up = client.post(f"{url}/follow-ups", json={"report_type": "follow_up"}, headers=lead)
    assert follow_up.status_code == 201, follow_up.get_json()
    later = client.get(f"{follow_up.headers['Location']}/export.xml", headers=lead)
    assert later.status_code == 200, later.get_json()
    c11 = f"{CASE}/hl7:id[@root='2.16.840.1.113883.3.989.2.1.3.1']/@extension"
    assert xpath(initial, c11) == xpath(later.data, c11)
    c15 = f"{CASE}/hl7:availabilityTime/@value"
    assert xpath(later.data, c15)[0] > xpath(initial, c15)[0]
    other_ids = f"{CASE}/hl7:subjectOf1/hl7:controlActEvent/hl7:id/@extension"
    assert xpath(later.data, other_ids) == ["GB-MHRA-ADR-42"]

    nullified = client.post(f"{url}/transitions", json={"action": "nullify", "comment": "Duplicate of another case"},
                            headers=lead)
    assert nullified.status_code == 200, nullified.get_json()
    void = client.get(f"{url}/export.xml", headers=lead)
    assert void.status_code == 200, void.get_json()
    flag = f"{CASE}/hl7:subjectOf2/hl7:investigationCharacteristic[hl7:code/@code='3']/hl7:value/@code"
    assert xpath(void.data, flag) == ["1"]
    reason = f"{CASE}/hl7:subjectOf2/hl7:investigationCharacteristic[hl7:code/@code='4']//hl7:originalText/text()"
    assert xpath(void.data, reason) == ["Duplicate of another case"]


def test_an_invalid_message_is_refused_422_with_the_validators_messages(client, auth, app, tmp_path):
    schemas = tmp_path / "multicacheschemas"
    schemas.mkdir()
    (schemas / "MCCI_IN200100UV01.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:hl7-org:v3" '
        'elementFormDefault="qualified"><xs:element name="somethingElse"/></xs:schema>',
        encoding="utf-8",
    )
    app.config["ECT_E2B_SCHEMA_DIR"] = str(tmp_path)
    url = new_report(client, auth, "medicine", **COMPLETE)
    response = client.get(f"{url}/export.xml", headers=auth)
    assert response.status_code == 422
    assert response.get_json()["schema_errors"]


def test_the_report_page_offers_the_xml_download_for_medicine_reports_only(client, auth, clinician):
    from tests.review.helpers import sign_in

    medicine = new_report(client, auth, "medicine", **COMPLETE).rsplit("/", 1)[1]
    device = new_report(client, auth, "device").rsplit("/", 1)[1]
    sign_in(client, clinician)
    assert "Download E2B(R3) XML" in client.get(f"/reports/{medicine}").get_data(as_text=True)
    assert "Download E2B(R3) XML" not in client.get(f"/reports/{device}").get_data(as_text=True)
