"""Downloads through the API: JSON valid against the served schema, PDF, access, minimisation."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import jsonschema
import pytest
from pypdf import PdfReader

from tests.conftest import session_payload

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
IDENTIFYING = ["John Smith", "943 476 5919", "9434765919", "01/02/1950", "12 Acacia Avenue", "LS1 4AB"]
NOTES = "Patient John Smith, NHS 943 476 5919, DOB 01/02/1950, of 12 Acacia Avenue, Leeds LS1 4AB"


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


def new_report(client, auth, kind, session_overrides=None, **body):
    payload = session_payload(**(session_overrides or {}))
    session = client.post("/api/v1/sessions", json=payload, headers=auth)
    assert session.status_code == 201, session.get_json()
    report = client.post(f"/api/v1/sessions/{session.get_json()['id']}/reports", json={"kind": kind, **body},
                         headers=auth)
    assert report.status_code == 201, report.get_json()
    return report.headers["Location"]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


SERIOUS_BLEOMYCIN = {
    "reactions": [{"verbatim": "Stridor and hypotension 4 minutes after IV bleomycin bolus", "meddra_code": "10002218",
                   "ctcae_grade": 4, "onset_date": YESTERDAY, "end_date": YESTERDAY,
                   "treatment": "IM adrenaline 0.5 mg, IV hydrocortisone", "outcome": "recovered"}],
    "seriousness": {"serious": True, "criteria": ["life_threatening", "hospitalisation"]},
    "causality": "probable",
    "other_medicines": "Paracetamol 1 g QDS",
}


def test_json_export_validates_against_the_served_schema(client, auth):
    url = new_report(client, auth, "medicine", **SERIOUS_BLEOMYCIN)
    schema = client.get("/api/v1/schema/report.json", headers=auth).get_json()
    response = client.get(f"{url}/export.json", headers=auth)
    assert response.status_code == 200
    report_id = url.rsplit("/", 1)[1]
    disposition = f'attachment; filename="yellow-card-medicine-GB-ECT-{int(report_id):06d}-v1.json"'
    assert response.headers["Content-Disposition"] == disposition
    document = json.loads(response.data)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    record = document["record"]
    assert record["reactions"][0]["meddra_code"]["code"] == "10002218"
    assert record["suspect_drug"]["batch"] == "BX4471"
    assert record["seriousness"]["criteria"]["life_threatening"] is True


def test_pdf_export_shows_the_filled_fields(client, auth):
    url = new_report(client, auth, "medicine", **SERIOUS_BLEOMYCIN)
    response = client.get(f"{url}/export.pdf", headers=auth)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in ("BX4471", "Stridor and hypotension", "Anaphylaxis", "IM adrenaline", "SEH123456", "MK",
                     "Y12.3", "DRAFT"):
        assert expected in text, expected


@pytest.mark.parametrize(
    ("nation", "prefix", "destination"),
    [("scotland", "iric", "IRIC"), ("northern_ireland", "niaic", "NIAIC"), ("wales", "yellow-card", "Yellow Card")],
)
def test_device_reports_name_the_right_destination(client, auth, nation, prefix, destination):
    url = new_report(client, auth, "device", session_overrides={"nation": nation},
                     incident={"description": "Two needles of the hexagonal array snapped at the hub during insertion",
                               "classification": "other_reportable", "device_location": "quarantined",
                               "available_for_investigation": True, "device_problem_codes": ["A040101"]})
    response = client.get(f"{url}/export.pdf", headers=auth)
    assert f'filename="{prefix}-device-' in response.headers["Content-Disposition"]
    assert destination in pdf_text(response.data)
    record = client.get(f"{url}/export.json", headers=auth).get_json()["record"]
    assert record["destination"]["nation"] == nation
    assert record["device"]["electrode"]["lot_number"] == "LOT8812"


def test_exports_follow_report_access_rules(client, auth, make_user, token_for):
    url = new_report(client, auth, "device")
    other = token_for(make_user("clinician"))
    lead = token_for(make_user("governance_lead"))
    for fmt in ("json", "pdf"):
        assert client.get(f"{url}/export.{fmt}", headers=other).status_code == 403
        assert client.get(f"{url}/export.{fmt}").status_code == 401
        assert client.get(f"{url}/export.{fmt}", headers=lead).status_code == 200
    assert client.get(f"{url}/export.docx", headers=auth).status_code == 404


def test_identifying_notes_never_reach_exports(client, auth):
    url = new_report(client, auth, "medicine", session_overrides={"notes": NOTES}, **SERIOUS_BLEOMYCIN)
    exported_json = client.get(f"{url}/export.json", headers=auth).get_data(as_text=True)
    exported_pdf = pdf_text(client.get(f"{url}/export.pdf", headers=auth).data)
    for identifier in IDENTIFYING:
        assert identifier not in exported_json, identifier
        assert identifier not in exported_pdf, identifier


def test_identifiers_typed_into_narrative_are_refused_before_anything_is_stored(client, auth):
    """Issue 11: refused when the report is created or saved, not only at submission."""
    body = json.loads(json.dumps(SERIOUS_BLEOMYCIN))
    body["additional_information"] = "Known to ward as NHS 943 476 5919, lives LS1 4AB"
    session = client.post("/api/v1/sessions", json=session_payload(), headers=auth).get_json()
    response = client.post(f"/api/v1/sessions/{session['id']}/reports", json={"kind": "medicine", **body}, headers=auth)
    assert response.status_code == 422
    message = response.get_json()["errors"]["additional_information"][0]
    assert "NHS number" in message and "postcode" in message
    assert message.startswith("Additional information")  # names the field


def test_browser_session_can_download(client, clinician, auth):
    from tests.integration.test_forms import sign_in

    url = new_report(client, auth, "device")
    sign_in(client, clinician)
    assert client.get(f"{url}/export.pdf").status_code == 200


def test_missing_outcome_and_reporter_are_exactly_the_gaps(client, auth):
    body = json.loads(json.dumps(SERIOUS_BLEOMYCIN))
    del body["reactions"][0]["outcome"]
    body["reporter"] = {"name": None, "profession": None, "email": None, "organisation": None}
    url = new_report(client, auth, "medicine", **body)
    report = client.get(url, headers=auth).get_json()
    paths = sorted(p["path"] for p in report["completeness"]["problems"])
    assert paths == ["awareness_date", "reactions.0.outcome", "reporter"], report["completeness"]
    response = client.post(f"{url}/transitions", json={"action": "submit"}, headers=auth)
    assert response.status_code == 422
    assert sorted(response.get_json()["errors"]) == ["awareness_date", "reactions.0.outcome", "reporter"]
    assert client.get(url, headers=auth).get_json()["state"] == "draft"
