"""JSON API v1: reports pre-filled from a session, edits with ETags, submission."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import session_payload

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


@pytest.fixture
def session_id(client, auth):
    return client.post("/api/v1/sessions", json=session_payload(), headers=auth).get_json()["id"]


def create(client, auth, session_id, **body):
    return client.post(f"/api/v1/sessions/{session_id}/reports", json=body, headers=auth)


def test_medicine_report_is_prefilled_from_the_session(client, auth, session_id, clinician):
    response = create(client, auth, session_id, kind="medicine")
    assert response.status_code == 201
    report = response.get_json()
    session = client.get(f"/api/v1/sessions/{session_id}", headers=auth).get_json()
    # The session's minimum data is copied; the medicine report adds its own patient questions, unanswered.
    assert {k: v for k, v in report["patient"].items() if k in session["patient"]} == session["patient"]
    assert {k for k, v in report["patient"].items() if k not in session["patient"] and v is None} == {
        "ethnicity", "pregnancy", "gestation_weeks", "medical_history", "test_results", "allergies"
    }
    drug = report["suspect_drug"]
    assert drug["name"] == session["drug"]["name"] == "bleomycin"
    assert drug["batch"] == session["drug"]["batch"] == "BX4471"
    assert drug["route"] == session["drug"]["route"] == "intravenous"
    assert drug["dose"] == session["drug"]["dose"] == 25500
    assert drug["dose_unit"] == "IU"
    assert drug["date_started"] == session["procedure_date"]
    assert "breast" in drug["indication"]
    assert report["reporter"]["name"] == clinician.full_name
    assert report["reporter"]["email"] == clinician.email
    assert report["state"] == "draft"
    assert response.headers["Location"] == f"/api/v1/reports/{report['id']}"


def test_device_report_is_prefilled_with_generator_and_electrode(client, auth, session_id):
    report = create(client, auth, session_id, kind="device").get_json()
    session = client.get(f"/api/v1/sessions/{session_id}", headers=auth).get_json()
    assert report["device"]["generator"] == session["generator"]
    assert report["device"]["electrode"] == session["electrode"]
    assert report["device"]["electrode"]["udi"] == "(01)08033891610020(10)LOT8812"
    assert report["incident"]["date"] == session["procedure_date"]
    assert report["patient"] == session["patient"]


def test_body_fields_override_the_prefill(client, auth, session_id):
    report = create(
        client, auth, session_id, kind="medicine",
        suspect_drug={"batch": "CORRECTED-1"},
        reactions=[{"verbatim": "Wheeze and facial swelling 5 minutes after bolus", "meddra_code": "10002218",
                    "ctcae_grade": 3, "onset_date": YESTERDAY, "outcome": "recovered"}],
    ).get_json()
    assert report["suspect_drug"]["batch"] == "CORRECTED-1"
    assert report["suspect_drug"]["dose"] == 25500
    assert report["reactions"][0]["meddra_code"] == "10002218"


def test_several_reactions_per_medicine_report(client, auth, session_id):
    reactions = [
        {"verbatim": "Severe pain at treated site", "meddra_code": "10033474", "outcome": "recovering"},
        {"verbatim": "Ulcer over the largest nodule", "meddra_code": "10040947", "outcome": "not_recovered"},
        {"verbatim": "Fever overnight", "meddra_code": "10016558", "outcome": "recovered"},
    ]
    report = create(client, auth, session_id, kind="medicine", reactions=reactions).get_json()
    assert [r["verbatim"] for r in report["reactions"]] == [r["verbatim"] for r in reactions]


@pytest.mark.parametrize("kind", [None, "vaccine", 3])
def test_bad_kind_is_422(client, auth, session_id, kind):
    response = create(client, auth, session_id, kind=kind)
    assert response.status_code == 422
    assert "kind" in response.get_json()["errors"]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"patient": {"age": 130}}, "patient.age"),
        ({"patient": {"weight_kg": 600}}, "patient.weight_kg"),
        ({"suspect_drug": {"dose_unit": "mg"}}, "suspect_drug.dose_unit"),
        ({"seriousness": {"serious": True, "criteria": []}}, "seriousness.criteria"),
        ({"seriousness": {"serious": False, "criteria": ["death"]}}, "seriousness.criteria"),
        ({"seriousness": {"serious": True, "criteria": ["abducted"]}}, "seriousness.criteria"),
        ({"reactions": [{"meddra_code": "99999999"}]}, "reactions.0.meddra_code"),
        ({"reactions": [{"meddra_code": "10047166", "ctcae_grade": 1}]}, "reactions.0.ctcae_grade"),
        ({"reactions": [{"onset_date": YESTERDAY, "end_date": "2020-01-01"}]}, "reactions.0.end_date"),
        ({"reactions": [{"onset_date": (date.today() + timedelta(days=2)).isoformat()}]}, "reactions.0.onset_date"),
        ({"reactions": [{"outcome": "better"}]}, "reactions.0.outcome"),
        ({"reactions": "itchy"}, "reactions"),
        ({"suspect_drug": {"date_started": YESTERDAY, "date_stopped": "2001-01-01"}}, "suspect_drug.date_stopped"),
    ],
)
def test_invalid_medicine_values_are_422(client, auth, session_id, body, path):
    response = create(client, auth, session_id, kind="medicine", **body)
    assert response.status_code == 422
    assert path in response.get_json()["errors"]


def test_serious_report_without_criterion_is_422(client, auth, session_id):
    response = create(client, auth, session_id, kind="medicine", seriousness={"serious": True, "criteria": []})
    assert response.get_json()["errors"]["seriousness.criteria"] == [
        "Select at least one reason why the reaction is serious"
    ]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"incident": {"device_problem_codes": ["E0402"]}}, "incident.device_problem_codes"),
        ({"incident": {"health_effect_codes": ["ZZZ"]}}, "incident.health_effect_codes"),
        ({"incident": {"classification": "minor"}}, "incident.classification"),
        ({"incident": {"available_for_investigation": "yes"}}, "incident.available_for_investigation"),
        ({"suspect_drug": {"batch": "X"}}, "suspect_drug"),
    ],
)
def test_invalid_device_values_are_422(client, auth, session_id, body, path):
    response = create(client, auth, session_id, kind="device", **body)
    assert response.status_code == 422
    assert path in response.get_json()["errors"]


def test_get_report_has_etag_and_honours_if_none_match(client, auth, session_id):
    created = create(client, auth, session_id, kind="device")
    etag = created.headers["ETag"]
    first = client.get(created.headers["Location"], headers=auth)
    assert first.headers["ETag"] == etag
    again = client.get(created.headers["Location"], headers={**auth, "If-None-Match": etag})
    assert again.status_code == 304


def test_patch_with_current_etag_updates_and_changes_etag(client, auth, session_id):
    created = create(client, auth, session_id, kind="device")
    url, etag = created.headers["Location"], created.headers["ETag"]
    response = client.patch(url, json={"incident": {"description": "Needle bent on insertion"}},
                            headers={**auth, "If-Match": etag})
    assert response.status_code == 200
    assert response.get_json()["incident"]["description"] == "Needle bent on insertion"
    assert response.headers["ETag"] != etag


def test_patch_with_stale_etag_is_412_and_loses_nothing(client, auth, session_id):
    created = create(client, auth, session_id, kind="device")
    url, etag = created.headers["Location"], created.headers["ETag"]
    first = client.patch(url, json={"incident": {"description": "First editor's account"}},
                         headers={**auth, "If-Match": etag})
    assert first.status_code == 200
    second = client.patch(url, json={"incident": {"description": "Second editor overwrites"}},
                          headers={**auth, "If-Match": etag})
    assert second.status_code == 412
    current = client.get(url, headers=auth).get_json()
    assert current["incident"]["description"] == "First editor's account"


def test_patch_without_if_match_is_428(client, auth, session_id):
    created = create(client, auth, session_id, kind="device")
    response = client.patch(created.headers["Location"], json={}, headers=auth)
    assert response.status_code == 428


def test_patch_replacing_reactions_bumps_version(client, auth, session_id):
    created = create(client, auth, session_id, kind="medicine", reactions=[{"verbatim": "Pain"}])
    url, etag = created.headers["Location"], created.headers["ETag"]
    response = client.patch(url, json={"reactions": [{"verbatim": "Pain"}, {"verbatim": "Nausea"}]},
                            headers={**auth, "If-Match": etag})
    assert response.status_code == 200
    body = response.get_json()
    assert len(body["reactions"]) == 2
    assert body["version"] == created.get_json()["version"] + 1


def test_other_clinician_cannot_patch(client, auth, session_id, make_user, token_for):
    created = create(client, auth, session_id, kind="device")
    intruder = token_for(make_user("clinician"))
    response = client.patch(created.headers["Location"], json={},
                            headers={**intruder, "If-Match": created.headers["ETag"]})
    assert response.status_code == 403


def test_submitting_without_outcome_is_422_naming_the_field(client, auth, session_id):
    created = create(
        client, auth, session_id, kind="medicine", awareness_date=YESTERDAY,
        reactions=[{"verbatim": "Anaphylaxis after bolus", "meddra_code": "10002218", "onset_date": YESTERDAY}],
        seriousness={"serious": True, "criteria": ["life_threatening"]},
    )
    url = created.headers["Location"]
    response = client.post(f"{url}/transitions", json={"action": "submit"}, headers=auth)
    assert response.status_code == 422
    assert "reactions.0.outcome" in response.get_json()["errors"]
    assert client.get(url, headers=auth).get_json()["state"] == "draft"


def test_complete_report_can_be_submitted(client, auth, session_id):
    created = create(
        client, auth, session_id, kind="medicine", awareness_date=YESTERDAY,
        reactions=[{"verbatim": "Anaphylaxis after bolus", "meddra_code": "10002218", "ctcae_grade": 4,
                    "onset_date": YESTERDAY, "end_date": YESTERDAY, "treatment": "IM adrenaline",
                    "outcome": "recovered"}],
        seriousness={"serious": True, "criteria": ["life_threatening", "hospitalisation"]},
    )
    response = client.post(f"{created.headers['Location']}/transitions", json={"action": "submit"}, headers=auth)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "submitted_for_review"


def test_clock_settings_from_configuration_apply(extra_app, clinician, token_for):
    configured = extra_app(ECT_CLOCK_MEDICINE_SERIOUS_DAYS=5).test_client()
    auth = token_for(clinician)
    session_id = configured.post("/api/v1/sessions", json=session_payload(), headers=auth).get_json()["id"]
    report = configured.post(
        f"/api/v1/sessions/{session_id}/reports",
        json={
            "kind": "medicine",
            "awareness_date": date.today().isoformat(),
            "seriousness": {"serious": True, "criteria": ["hospitalisation"]},
        },
        headers=auth,
    ).get_json()
    assert report["due_date"] == (date.today() + timedelta(days=5)).isoformat()
