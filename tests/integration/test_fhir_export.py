"""FHIR download through the API: valid Bundles for both kinds, audit, access, refusal when incomplete."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent
from tests.conftest import session_payload
from tests.integration.test_exports_api import IDENTIFYING, NOTES

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
COMPLETE_MEDICINE = {
    "awareness_date": YESTERDAY,
    "reactions": [{"verbatim": "Stridor and hypotension 4 minutes after IV bleomycin bolus", "meddra_code": "10002218",
                   "ctcae_grade": 4, "onset_date": YESTERDAY, "end_date": YESTERDAY,
                   "treatment": "IM adrenaline 0.5 mg", "outcome": "recovered"}],
    "seriousness": {"serious": True, "criteria": ["life_threatening", "hospitalisation"]},
    "causality": "probable",
}
COMPLETE_DEVICE = {
    "awareness_date": YESTERDAY,
    "incident": {"description": "Two needles of the hexagonal array snapped at the hub during insertion",
                 "date": YESTERDAY, "classification": "other_reportable", "device_location": "quarantined",
                 "available_for_investigation": True, "device_problem_codes": ["A040101"],
                 "health_effect_codes": ["E2008"]},
}


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


def new_report(client, auth, kind, session_overrides=None, **body):
    session = client.post("/api/v1/sessions", json=session_payload(**(session_overrides or {})), headers=auth)
    assert session.status_code == 201, session.get_json()
    report = client.post(f"/api/v1/sessions/{session.get_json()['id']}/reports", json={"kind": kind, **body},
                         headers=auth)
    assert report.status_code == 201, report.get_json()
    assert report.get_json()["completeness"]["complete"] is (bool(body)), report.get_json()["completeness"]
    return report.headers["Location"]


def fhir_export(client, auth, url):
    response = client.get(f"{url}/export.fhir.json", headers=auth)
    assert response.status_code == 200, response.get_json()
    document = json.loads(response.data)
    Bundle.model_validate(document)
    return response, document


def resources(document, kind):
    return [entry["resource"] for entry in document["entry"] if entry["resource"]["resourceType"] == kind]


def export_audits(report_id):
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "export", AuditEvent.object_type == "report", AuditEvent.object_id == report_id)))


def test_medicine_report_downloads_as_a_valid_bundle(client, auth):
    url = new_report(client, auth, "medicine", **COMPLETE_MEDICINE)
    response, document = fhir_export(client, auth, url)
    report_id = int(url.rsplit("/", 1)[1])
    case_id = f"GB-ECT-{report_id:06d}"
    assert response.mimetype == "application/fhir+json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="yellow-card-medicine-{case_id}-v1.fhir.json"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    (event,) = resources(document, "AdverseEvent")
    assert event["identifier"]["value"] == case_id
    assert event["event"]["coding"][0]["code"] == "10002218"
    assert event["outcome"]["coding"][0]["code"] == "resolved"
    assert event["severity"]["coding"][0]["code"] == "severe"
    assert resources(document, "Medication")[0]["batch"]["lotNumber"] == "BX4471"
    (patient,) = resources(document, "Patient")
    assert patient["identifier"][0]["value"] == "SEH123456"
    assert not {"name", "birthDate", "address", "telecom"} & set(patient)
    (audit,) = export_audits(report_id)
    assert audit.details["format"] == "fhir.json"


def test_device_report_downloads_with_udi_and_imdrf_codes(client, auth):
    url = new_report(client, auth, "device", session_overrides={"nation": "scotland"}, **COMPLETE_DEVICE)
    response, document = fhir_export(client, auth, url)
    assert 'filename="iric-device-GB-ECT-' in response.headers["Content-Disposition"]
    (event,) = resources(document, "AdverseEvent")
    assert [coding["code"] for coding in event["event"]["coding"]] == ["A040101", "E2008"]
    assert event["category"][1]["coding"][0]["code"] == "other_reportable"
    electrode = next(device for device in resources(document, "Device") if device.get("lotNumber") == "LOT8812")
    assert electrode["udiCarrier"][0]["deviceIdentifier"] == "08033891610020"
    assert electrode["udiCarrier"][0]["carrierHRF"] == "(01)08033891610020(10)LOT8812"


def test_incomplete_report_is_refused_with_what_is_missing(client, auth):
    url = new_report(client, auth, "medicine")
    report_id = int(url.rsplit("/", 1)[1])
    response = client.get(f"{url}/export.fhir.json", headers=auth)
    assert response.status_code == 422
    body = response.get_json()
    expected = client.get(url, headers=auth).get_json()["completeness"]["problems"]
    assert body["completeness"] == {"complete": False, "problems": expected}
    assert sorted(body["errors"]) == sorted({problem["path"] for problem in expected})
    assert export_audits(report_id) == []
    # JSON and PDF stay downloadable as drafts.
    assert client.get(f"{url}/export.json", headers=auth).status_code == 200


def test_fhir_export_follows_report_access_rules_and_keeps_notes_out(client, auth, make_user, token_for):
    url = new_report(client, auth, "medicine", session_overrides={"notes": NOTES}, **COMPLETE_MEDICINE)
    assert client.get(f"{url}/export.fhir.json", headers=token_for(make_user("clinician"))).status_code == 403
    assert client.get(f"{url}/export.fhir.json").status_code == 401
    assert client.get(f"{url}/export.fhir.json", headers=token_for(make_user("governance_lead"))).status_code == 200
    text = client.get(f"{url}/export.fhir.json", headers=auth).get_data(as_text=True)
    for identifier in IDENTIFYING:
        assert identifier not in text, identifier
    assert client.get(f"{url}/export.fhir.xml", headers=auth).status_code == 404


def test_report_page_offers_the_fhir_download_only_when_complete(client, clinician, auth):
    from tests.integration.test_forms import sign_in

    complete = new_report(client, auth, "medicine", **COMPLETE_MEDICINE)
    incomplete = new_report(client, auth, "medicine")
    sign_in(client, clinician)
    page = client.get(complete.replace("/api/v1", "")).get_data(as_text=True)
    assert "Download FHIR (JSON)" in page and "export.fhir.json" in page
    assert "Download FHIR (JSON)" not in client.get(incomplete.replace("/api/v1", "")).get_data(as_text=True)
