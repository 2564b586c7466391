"""JSON API v1: sessions - status codes, error bodies and derived values."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import session_payload


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


def test_create_realistic_bleomycin_session(client, auth):
    response = client.post("/api/v1/sessions", json=session_payload(), headers=auth)
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/sessions/{body['id']}"
    assert body["drug"]["name"] == "bleomycin"
    assert body["drug"]["dose"] == 25500
    assert body["patient"] == {
        "initials": "MK", "sex": "female", "age": 71, "weight_kg": 68.0, "height_cm": 165.0,
        "local_reference": "SEH123456",
    }
    derived = body["derived"]
    assert derived["body_surface_area_m2"] == 1.77
    # From the unrounded BSA (1.7654 m2): 25,500 / 1.7654 = 14,444 IU/m2.
    # It used to divide by the displayed, rounded BSA (1.77), giving 14,407.
    assert derived["dose_per_m2"] == 14444
    assert derived["minutes_drug_to_pulse"] == 12
    assert derived["warnings"] == []
    codes = [c["code"] for c in derived["opcs_codes"]]
    assert codes == ["X72.3", "Y12.3", "Z50.9"]  # no lesion site: Skin NEC, no laterality code
    assert derived["opcs_release"] == "OPCS-4.10"


def test_lesion_site_and_laterality_give_opcs_codes_in_order(client, auth):
    payload = session_payload()
    payload["tumour"].update(site="leg", laterality="left")
    created = client.post("/api/v1/sessions", json=payload, headers=auth)
    assert created.status_code == 201
    derived = client.get(created.headers["Location"], headers=auth).get_json()["derived"]
    assert [(c["system"], c["code"]) for c in derived["opcs_codes"]] == [
        ("OPCS-4", "X72.3"), ("OPCS-4", "Y12.3"), ("OPCS-4", "Z50.4"), ("OPCS-4", "Z94.3"),
    ]
    assert derived["opcs_release"] == "OPCS-4.10"
    assert "X72 fourth character and inpatient rule: to be confirmed by a clinical coder" in derived["opcs_notes"]


def test_site_opcs_settings_reach_the_api(app, client, auth):
    app.config.update(ECT_OPCS_X72_FOURTH_CHARACTER="9", ECT_OPCS_INPATIENT_DELIVERY_CODE="true")
    payload = session_payload(care_setting="inpatient")
    payload["tumour"].update(site="scalp", laterality="not_applicable")
    created = client.post("/api/v1/sessions", json=payload, headers=auth)
    derived = client.get(created.headers["Location"], headers=auth).get_json()["derived"]
    assert [c["code"] for c in derived["opcs_codes"]] == ["X72.9", "Y12.3", "Z48.1"]
    assert derived["opcs_notes"] == []


def test_location_can_be_fetched(client, auth):
    created = client.post("/api/v1/sessions", json=session_payload(), headers=auth)
    fetched = client.get(created.headers["Location"], headers=auth)
    assert fetched.status_code == 200
    assert fetched.get_json()["id"] == created.get_json()["id"]


def test_dose_above_esope_standard_and_late_pulse_warn_but_save(client, auth):
    payload = session_payload()
    payload["drug"] = dict(payload["drug"], dose=40000, first_pulse_at="10:15")
    response = client.post("/api/v1/sessions", json=payload, headers=auth)
    assert response.status_code == 201
    warnings = response.get_json()["derived"]["warnings"]
    text = " ".join(w["message"] for w in warnings)
    assert "15,000" in text
    assert len(warnings) == 2


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda p: p["patient"].update(age=130), "patient.age"),
        (lambda p: p["patient"].update(weight_kg=600), "patient.weight_kg"),
        (lambda p: p["patient"].update(height_cm=301), "patient.height_cm"),
        (lambda p: p.update(procedure_date=(date.today() + timedelta(days=1)).isoformat()), "procedure_date"),
        (lambda p: p["drug"].update(dose_unit="mg"), "drug.dose_unit"),
        (lambda p: p.update(nation="france"), "nation"),
        (lambda p: p["drug"].update(administered_at="25:00"), "drug.administered_at"),
        (lambda p: p.update(procedure_date="2026-02-30"), "procedure_date"),
        (lambda p: p["patient"].update(age="seventy"), "patient.age"),
        (lambda p: p.update(site_name=None), "site_name"),
        (lambda p: p.update(unexpected_field=1), "unexpected_field"),
        (lambda p: p["patient"].update(nhs_number="9434765919"), "patient.nhs_number"),
    ],
)
def test_invalid_values_give_422_naming_the_field(client, auth, change, path):
    payload = session_payload()
    change(payload)
    response = client.post("/api/v1/sessions", json=payload, headers=auth)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert path in errors, errors
    assert all(isinstance(m, str) and m for m in errors[path])


def test_all_invalid_fields_are_reported_together(client, auth):
    payload = session_payload()
    payload["patient"].update(age=130, weight_kg=600)
    payload["procedure_date"] = (date.today() + timedelta(days=5)).isoformat()
    payload["drug"]["dose_unit"] = "mg"
    errors = client.post("/api/v1/sessions", json=payload, headers=auth).get_json()["errors"]
    assert {"patient.age", "patient.weight_kg", "procedure_date", "drug.dose_unit"} <= set(errors)
    assert "Bleomycin dose must be recorded in IU" in errors["drug.dose_unit"][0]


def test_malformed_json_is_400(client, auth):
    response = client.post(
        "/api/v1/sessions", data="{not json", headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.get_json()["error"]


def test_json_array_body_is_400(client, auth):
    response = client.post("/api/v1/sessions", json=[1, 2], headers=auth)
    assert response.status_code == 400


def test_wrong_content_type_is_415(client, auth):
    response = client.post("/api/v1/sessions", data="procedure_date=2026-01-01", headers=auth,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-real-token"}, {"Authorization": "Basic x"}])
def test_missing_or_bad_token_is_401(client, headers):
    response = client.post("/api/v1/sessions", json=session_payload(), headers=headers)
    assert response.status_code == 401
    assert response.get_json()["status"] == 401


def test_clinician_cannot_see_another_clinicians_session(client, make_user, token_for):
    owner, other = make_user("clinician"), make_user("clinician")
    created = client.post("/api/v1/sessions", json=session_payload(), headers=token_for(owner))
    response = client.get(created.headers["Location"], headers=token_for(other))
    assert response.status_code == 403


def test_governance_lead_can_see_any_session(client, clinician, governance_lead, token_for):
    created = client.post("/api/v1/sessions", json=session_payload(), headers=token_for(clinician))
    assert client.get(created.headers["Location"], headers=token_for(governance_lead)).status_code == 200


def test_unknown_session_is_404(client, auth):
    assert client.get("/api/v1/sessions/999999", headers=auth).status_code == 404


def test_cumulative_bleomycin_across_sessions_warns(client, auth):
    payload = session_payload()
    payload["drug"]["dose"] = 200000  # deliberately extreme earlier totals for the same patient
    for days_ago in (300, 200):
        payload["procedure_date"] = (date.today() - timedelta(days=days_ago)).isoformat()
        client.post("/api/v1/sessions", json=payload, headers=auth)
    latest = client.post("/api/v1/sessions", json=session_payload(), headers=auth).get_json()
    messages = " ".join(w["message"] for w in latest["derived"]["warnings"])
    assert "400,000" in messages or "lifetime" in messages.lower()
    other_patient = session_payload()
    other_patient["patient"] = dict(other_patient["patient"], local_reference="OTHER-1")
    fresh = client.post("/api/v1/sessions", json=other_patient, headers=auth).get_json()
    assert not [w for w in fresh["derived"]["warnings"] if "lifetime" in w["message"].lower()]
