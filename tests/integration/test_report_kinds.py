"""Issue 10: defective medicines, device near misses and reports without a session, through the API.

Each "Done when" item end to end: recorded, reviewed, approved and
exported (PDF text read back with pypdf, JSON checked against the
published schema, FHIR parsed with fhir.resources); E2B is refused for a
defective medicine with a clear answer.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader
from sqlalchemy import select

from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent
from ect_reporting.schemas import export_errors
from tests.conftest import session_payload

TODAY = date.today()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()

# "A cracked bleomycin vial, batch BX4471A, noticed before reconstitution, quarantined, pharmacy informed."
CRACKED_VIAL = {
    "kind": "defective_medicine",
    "site": {"name": "St Elsewhere Hospital, Pharmacy", "nation": "wales"},
    "awareness_date": YESTERDAY,
    "product": {
        "drug": "bleomycin",
        "name": "Bleomycin 15,000 IU powder for solution for injection",
        "strength": "15,000 IU",
        "form": "Powder for solution for injection",
        "batch": "BX4471A",
        "expiry_date": (TODAY + timedelta(days=400)).isoformat(),
        "manufacturer": "Example Pharma UK Ltd",
    },
    "defect": {
        "category": "container_closure",
        "description": "Cracked vial noticed before reconstitution",
        "date_found": YESTERDAY,
    },
    "use": {"used_on_patient": False},
    "stock": {"quantity_affected": 1, "location": "quarantined", "pharmacy_informed": True, "supplier_informed": False},
}

NEAR_MISS = {
    "awareness_date": YESTERDAY,
    "incident": {
        "no_patient_involved": True,
        "description": "Generator self-test failed at switch-on before the list; no patient was connected",
        "date": YESTERDAY,
        "device_location": "quarantined",
        "available_for_investigation": True,
        "device_problem_codes": ["A040101"],
    },
}


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


@pytest.fixture
def lead_auth(governance_lead, token_for):
    return token_for(governance_lead)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def exported_json(client, auth, url):
    response = client.get(f"{url}/export.json", headers=auth)
    assert response.status_code == 200, response.get_json()
    document = json.loads(response.data)
    assert export_errors(document) == []
    return document


def approve(client, url, auth, lead_auth):
    for action, headers in (("submit", auth), ("approve", lead_auth)):
        response = client.post(f"{url}/transitions", json={"action": action}, headers=headers)
        assert response.status_code == 200, (action, response.get_json())


def new_session(client, auth, **overrides):
    created = client.post("/api/v1/sessions", json=session_payload(**overrides), headers=auth)
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def test_cracked_vial_without_patient_is_recorded_reviewed_approved_and_exported(client, auth, lead_auth):
    created = client.post("/api/v1/reports", json=CRACKED_VIAL, headers=auth)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["session_id"] is None and body["kind"] == "defective_medicine"
    assert all(value is None for value in body["patient"].values())
    assert body["completeness"] == {"complete": True, "problems": []}
    # Default clock: 15 days from awareness, not urgent.
    assert body["due_date"] == (TODAY - timedelta(days=1) + timedelta(days=15)).isoformat()
    assert body["urgent"] is False
    url = created.headers["Location"]
    approve(client, url, auth, lead_auth)

    document = exported_json(client, auth, url)
    record = document["record"]
    assert record["state"] == "approved"
    assert record["destination"]["scheme"] == "yellow_card"  # from Wales too: medicines go to the Yellow Card
    assert record["product"]["batch"] == "BX4471A"
    assert record["stock"] == {
        "quantity_affected": 1, "location": "quarantined", "pharmacy_informed": True, "supplier_informed": False
    }
    assert record["procedure"]["session_id"] is None
    assert record["suspect_drug"] is None and record["device"] is None

    pdf = client.get(f"{url}/export.pdf", headers=auth)
    assert pdf.status_code == 200
    assert f'yellow-card-defective-medicine-{record["case_id"]}-v1.pdf' in pdf.headers["Content-Disposition"]
    text = pdf_text(pdf.data)
    for expected in ("Defective medicine", "MHRA Yellow Card scheme", "BX4471A", "Container or closure damage",
                     "Quarantined on site", "Cracked vial noticed before reconstitution"):
        assert expected in text, expected
    assert "DRAFT" not in text


def test_defective_medicine_has_no_e2b_or_fhir_file_and_says_so(client, auth):
    url = client.post("/api/v1/reports", json=CRACKED_VIAL, headers=auth).headers["Location"]
    for fmt, words in (("xml", "no E2B file"), ("fhir.json", "PDF or JSON")):
        response = client.get(f"{url}/export.{fmt}", headers=auth)
        assert response.status_code == 409
        answer = response.get_json()
        assert words in answer["error"]
        assert answer["formats"] == ["json", "pdf"]


def test_used_on_patient_with_anaphylaxis_starts_a_prefilled_reaction_report(client, auth, lead_auth):
    session_id = new_session(client, auth)
    body = {**CRACKED_VIAL, "use": {"used_on_patient": True, "reaction_followed": True}}
    body.pop("site")  # from the session
    created = client.post(f"/api/v1/sessions/{session_id}/reports", json=body, headers=auth)
    assert created.status_code == 201, created.get_json()
    defect = created.get_json()
    assert defect["site"] == {"name": "St Elsewhere Hospital, Dermatology", "nation": "england"}
    link = defect["links"]["reaction_report"]
    started = client.post(link, headers=auth)
    assert started.status_code == 201, started.get_json()
    medicine = started.get_json()
    assert medicine["kind"] == "medicine" and medicine["source_report_id"] == defect["id"]
    assert medicine["suspect_drug"]["batch"] == "BX4471A"
    assert medicine["suspect_drug"]["product"] == CRACKED_VIAL["product"]["name"]
    assert medicine["patient"]["local_reference"] == "SEH123456"
    assert medicine["session_id"] == session_id
    # Only once: the defect now has its reaction report.
    assert client.post(link, headers=auth).status_code == 409
    assert "reaction_report" not in client.get(f"/api/v1/reports/{defect['id']}", headers=auth).get_json()["links"]
    # Both records name the other.
    defect_record = exported_json(client, auth, f"/api/v1/reports/{defect['id']}")["record"]
    assert [r["reference"] for r in defect_record["related_reports"]] == [medicine["reference"]]
    medicine_record = exported_json(client, auth, f"/api/v1/reports/{medicine['id']}")["record"]
    assert [r["kind"] for r in medicine_record["related_reports"]] == ["defective_medicine"]
    created_row = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "create", AuditEvent.object_type == "report", AuditEvent.object_id == medicine["id"]
        )
    ).one()
    assert created_row.details["source_report_id"] == defect["id"]


def test_no_reaction_report_when_no_reaction_followed(client, auth):
    url = client.post("/api/v1/reports", json=CRACKED_VIAL, headers=auth).headers["Location"]
    assert client.post(f"{url}/reaction-report", headers=auth).status_code == 409


def test_reaction_cannot_follow_a_product_never_used(client, auth):
    body = {**CRACKED_VIAL, "use": {"used_on_patient": False, "reaction_followed": True}}
    response = client.post("/api/v1/reports", json=body, headers=auth)
    assert response.status_code == 422
    assert "use.reaction_followed" in response.get_json()["errors"]


def test_defective_medicine_completeness_asks_for_batch_defect_and_stock(client, auth):
    body = {"kind": "defective_medicine", "site": CRACKED_VIAL["site"], "product": {"drug": "bleomycin"}}
    report = client.post("/api/v1/reports", json=body, headers=auth).get_json()
    paths = {p["path"] for p in report["completeness"]["problems"]}
    assert {"product.batch", "defect.category", "defect.description", "stock.location",
            "use.used_on_patient"} <= paths
    assert "patient" not in paths  # no patient needed


def test_suspected_counterfeit_is_urgent_and_due_the_same_day(client, auth):
    body = {**CRACKED_VIAL, "defect": {**CRACKED_VIAL["defect"], "category": "suspected_counterfeit"}}
    report = client.post("/api/v1/reports", json=body, headers=auth).get_json()
    assert report["urgent"] is True
    assert report["due_date"] == YESTERDAY
    record = exported_json(client, auth, f"/api/v1/reports/{report['id']}")["record"]
    assert record["defect"]["urgent"] is True
    text = pdf_text(client.get(f"/api/v1/reports/{report['id']}/export.pdf", headers=auth).data)
    assert "URGENT" in text


def test_near_miss_exports_f27_potential_and_near_miss_heading(client, auth, lead_auth):
    session_id = new_session(client, auth)
    created = client.post(
        f"/api/v1/sessions/{session_id}/reports", json={"kind": "device", **NEAR_MISS}, headers=auth
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert all(value is None for value in body["patient"].values())  # not copied from the session
    assert body["incident"]["health_effect_codes"] == ["F27"]
    assert body["incident"]["classification"] == "other_reportable"
    assert body["completeness"] == {"complete": True, "problems": []}
    url = created.headers["Location"]
    approve(client, url, auth, lead_auth)

    record = exported_json(client, auth, url)["record"]
    assert [c["code"] for c in record["incident"]["health_effect_codes"]] == ["F27"]
    assert record["incident"]["no_patient_involved"] is True
    fhir = client.get(f"{url}/export.fhir.json", headers=auth)
    assert fhir.status_code == 200, fhir.get_json()
    document = json.loads(fhir.data)
    Bundle.model_validate(document)
    events = [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "AdverseEvent"]
    assert [e["actuality"] for e in events] == ["potential"]
    text = pdf_text(client.get(f"{url}/export.pdf", headers=auth).data)
    assert "Near miss" in text.splitlines()[0] or "Near miss - Adverse incident" in text
    assert "F27" in text


@pytest.mark.parametrize(
    "demand",
    [
        {"patient": {"initials": "MK"}},
        {"patient": {"age": 71}},
        {"incident": {**NEAR_MISS["incident"], "health_effect_codes": ["E2008"]}},
        {"incident": {**NEAR_MISS["incident"], "classification": "death"}},
        {"incident": {**NEAR_MISS["incident"], "patient_consequence": "Bruising"}},
    ],
)
def test_near_miss_refuses_patient_data_and_harm(client, auth, demand):
    body = {"kind": "device", "site": {"name": "Store room", "nation": "england"}, **NEAR_MISS, **demand}
    response = client.post("/api/v1/reports", json=body, headers=auth)
    assert response.status_code == 422, response.get_json()
    assert "near miss" in json.dumps(response.get_json()["errors"]).lower()


def test_near_miss_refuses_patient_data_on_a_later_edit(client, auth):
    body = {"kind": "device", "site": {"name": "Store room", "nation": "england"}, **NEAR_MISS}
    created = client.post("/api/v1/reports", json=body, headers=auth)
    patched = client.patch(
        created.headers["Location"], json={"patient": {"initials": "AB"}},
        headers={**auth, "If-Match": created.headers["ETag"]},
    )
    assert patched.status_code == 422
    assert "patient" in patched.get_json()["errors"]


def test_blank_device_report_with_pasted_udi_fills_the_identifiers(client, auth):
    body = {
        "kind": "device",
        "site": {"name": "St Elsewhere Hospital, Store room", "nation": "scotland"},
        "device": {"electrode": {"udi": "(01)08033891610020(17)270630(10)LOT9911(21)SN-77"}},
    }
    created = client.post("/api/v1/reports", json=body, headers=auth)
    assert created.status_code == 201, created.get_json()
    electrode = created.get_json()["device"]["electrode"]
    assert electrode["lot_number"] == "LOT9911"
    assert electrode["serial_number"] == "SN-77"
    assert electrode["expiry_date"] == "2027-06-30"
    record = exported_json(client, auth, created.headers["Location"])["record"]
    assert record["device"]["electrode"]["udi_di"] == "08033891610020"
    assert record["destination"]["scheme"] == "iric"  # a device in Scotland, from the typed nation


def test_blank_report_needs_the_site(client, auth):
    response = client.post("/api/v1/reports", json={"kind": "device"}, headers=auth)
    assert response.status_code == 422
    assert {"site.name", "site.nation"} <= set(response.get_json()["errors"])


def test_medicine_report_from_nothing_needs_typed_patient_data(client, auth):
    site = {"name": "Clinic B", "nation": "england"}
    refused = client.post("/api/v1/reports", json={"kind": "medicine", "site": site}, headers=auth)
    assert refused.status_code == 422 and "patient" in refused.get_json()["errors"]
    created = client.post(
        "/api/v1/reports",
        json={"kind": "medicine", "site": site, "patient": {"initials": "JB", "age": 64},
              "suspect_drug": {"name": "bleomycin", "batch": "BX1"}},
        headers=auth,
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["session_id"] is None and body["patient"]["initials"] == "JB"
    record = exported_json(client, auth, created.headers["Location"])["record"]
    assert record["procedure"]["session_id"] is None and record["site"]["name"] == "Clinic B"
    assert client.get(f"{created.headers['Location']}/export.pdf", headers=auth).status_code == 200


def test_sessionless_report_is_visible_only_to_its_author_and_reviewers(client, auth, make_user, token_for,
                                                                         lead_auth):
    url = client.post("/api/v1/reports", json=CRACKED_VIAL, headers=auth).headers["Location"]
    other = token_for(make_user("clinician"))
    assert client.get(url, headers=other).status_code == 403
    assert client.get(url, headers=lead_auth).status_code == 200


@pytest.fixture
def validating(app, e2b_schema_dir):
    """Every E2B message is validated against the ICH schema before it is offered."""
    app.config["ECT_E2B_SCHEMA_DIR"] = str(e2b_schema_dir)
    return app


def test_reaction_report_from_a_defect_exports_valid_e2b_naming_the_batch(client, auth, validating):
    session_id = new_session(client, auth, procedure_date=YESTERDAY)
    body = {**CRACKED_VIAL, "use": {"used_on_patient": True, "reaction_followed": True}}
    body.pop("site")
    defect = client.post(f"/api/v1/sessions/{session_id}/reports", json=body, headers=auth).get_json()
    started = client.post(defect["links"]["reaction_report"], headers=auth)
    url = started.headers["Location"]
    reaction = {
        "awareness_date": YESTERDAY,
        "reactions": [{"verbatim": "Anaphylaxis minutes after the bleomycin bolus", "meddra_code": "10002218",
                       "ctcae_grade": 3, "onset_date": YESTERDAY, "end_date": YESTERDAY,
                       "treatment": "IM adrenaline", "outcome": "recovered"}],
        "seriousness": {"serious": True, "criteria": ["life_threatening"]},
        "causality": "probable",
    }
    patched = client.patch(url, json=reaction, headers={**auth, "If-Match": started.headers["ETag"]})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["completeness"]["complete"], patched.get_json()["completeness"]
    xml = client.get(f"{url}/export.xml", headers=auth)
    assert xml.status_code == 200, xml.get_json()
    assert b"BX4471A" in xml.data


def test_a_sent_defect_report_takes_a_follow_up_with_its_batch_and_site(client, auth, lead_auth):
    url = client.post("/api/v1/reports", json=CRACKED_VIAL, headers=auth).headers["Location"]
    approve(client, url, auth, lead_auth)
    sent = client.post(f"{url}/transitions", json={"action": "send", "mhra_reference": "YC-DEF-1",
                                                   "sent_date": TODAY.isoformat()}, headers=lead_auth)
    assert sent.status_code == 200, sent.get_json()
    follow_up = client.post(f"{url}/follow-ups", json={"report_type": "follow_up"}, headers=auth)
    assert follow_up.status_code == 201, follow_up.get_json()
    body = follow_up.get_json()
    assert body["kind"] == "defective_medicine" and body["session_id"] is None
    assert body["product"]["batch"] == "BX4471A" and body["site"]["nation"] == "wales"
    assert body["case_id"] == client.get(url, headers=auth).get_json()["case_id"]
    assert body["regulator_reference"] == "YC-DEF-1"


def test_blank_form_device_and_medicine_reports_export_fhir_and_e2b(client, auth, validating):
    """No session: the exports that need a procedure still validate (FHIR via fhir.resources, E2B via the XSDs)."""
    site = {"name": "Store room", "nation": "england"}
    device = client.post("/api/v1/reports", json={"kind": "device", "site": site, **NEAR_MISS,
                                                  "device": {"generator": {"manufacturer": "IGEA",
                                                                           "model": "Cliniporator VITAE"}}},
                         headers=auth)
    assert device.get_json()["completeness"]["complete"], device.get_json()["completeness"]
    fhir = client.get(f"{device.headers['Location']}/export.fhir.json", headers=auth)
    assert fhir.status_code == 200, fhir.get_json()
    Bundle.model_validate(json.loads(fhir.data))
    medicine = client.post("/api/v1/reports", json={
        "kind": "medicine", "site": site, "awareness_date": YESTERDAY,
        "patient": {"initials": "JB", "age": 64, "sex": "male"},
        "suspect_drug": {"name": "bleomycin", "batch": "BX1", "route": "intravenous", "dose": 15000,
                         "dose_unit": "IU", "date_started": YESTERDAY},
        "reactions": [{"verbatim": "Fever and rigors the evening after ECT", "outcome": "recovered",
                       "onset_date": YESTERDAY}],
        "seriousness": {"serious": False},
    }, headers=auth)
    assert medicine.status_code == 201, medicine.get_json()
    assert medicine.get_json()["completeness"]["complete"], medicine.get_json()["completeness"]
    url = medicine.headers["Location"]
    xml = client.get(f"{url}/export.xml", headers=auth)
    assert xml.status_code == 200, xml.get_json()
    fhir = client.get(f"{url}/export.fhir.json", headers=auth)
    assert fhir.status_code == 200, fhir.get_json()
    Bundle.model_validate(json.loads(fhir.data))
