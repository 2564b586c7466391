"""Other medicines as structured entries, and seriousness per reaction (E2B G.k and E.i.3.2)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import session_payload
from tests.integration.test_forms import medicine_form, sign_in

PROCEDURE = date.today() - timedelta(days=3)
PROPOFOL = {
    "characterisation": "suspect",
    "name": "Propofol",
    "dose": 200,
    "dose_unit": "mg",
    "route": "intravenous",
    "date_started": PROCEDURE.isoformat(),
    "date_stopped": PROCEDURE.isoformat(),
    "indication": "General anaesthesia for ECT",
}
AMLODIPINE = {"characterisation": "concomitant", "name": "Amlodipine", "dose": 5, "dose_unit": "mg", "route": "oral",
              "indication": "Hypertension"}


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


@pytest.fixture
def session_id(client, auth):
    payload = session_payload(procedure_date=PROCEDURE.isoformat())
    return client.post("/api/v1/sessions", json=payload, headers=auth).get_json()["id"]


def _create(client, auth, session_id, **body):
    return client.post(f"/api/v1/sessions/{session_id}/reports", json={"kind": "medicine", **body}, headers=auth)


def test_other_medicines_are_stored_and_exported_in_order(client, auth, session_id):
    created = _create(client, auth, session_id, other_drugs=[PROPOFOL, AMLODIPINE])
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert [d["name"] for d in body["other_drugs"]] == ["Propofol", "Amlodipine"]
    record = client.get(f"{created.headers['Location']}/export.json", headers=auth).get_json()["record"]
    assert record["other_drugs"][0]["characterisation"] == "suspect"
    assert record["other_drugs"][1]["route"] == "oral"


def test_an_other_medicine_is_checked_like_any_field(client, auth, session_id):
    bad = PROPOFOL | {"date_stopped": (PROCEDURE - timedelta(days=1)).isoformat(), "route": "nasal"}
    response = _create(client, auth, session_id, other_drugs=[AMLODIPINE, bad])
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["other_drugs.1.date_stopped"] == ["Date stopped must be the same as or after the date started"]
    assert "other_drugs.1.route" in errors
    unknown = _create(client, auth, session_id, other_drugs=[PROPOFOL | {"colour": "x"}])
    assert "other_drugs.0.colour" in unknown.get_json()["errors"]  # refused, not silently dropped


def test_bleomycin_named_as_an_other_medicine_in_mg_is_refused(client, auth, session_id):
    response = _create(client, auth, session_id, other_drugs=[{"name": "Bleomycin", "dose": 15, "dose_unit": "mg"}])
    assert response.status_code == 422
    assert response.get_json()["errors"]["other_drugs.0.dose_unit"][0].startswith("Bleomycin dose must be recorded")


def test_other_medicines_must_be_a_list_of_objects(client, auth, session_id):
    response = _create(client, auth, session_id, other_drugs={"name": "Propofol"})
    assert response.status_code == 422
    assert response.get_json()["errors"]["other_drugs"] == ["Other medicines must be a list of objects"]


def test_an_unnamed_other_medicine_blocks_submission(client, auth, session_id):
    created = _create(client, auth, session_id, other_drugs=[{"dose": 5, "dose_unit": "mg"}])
    problems = {p["path"] for p in created.get_json()["completeness"]["problems"]}
    assert {"other_drugs.0.name", "other_drugs.0.characterisation"} <= problems


def test_patch_replaces_the_list_and_a_follow_up_keeps_it(client, auth, session_id):
    created = _create(client, auth, session_id, other_drugs=[PROPOFOL])
    url, etag = created.headers["Location"], created.headers["ETag"]
    patched = client.patch(url, json={"other_drugs": [AMLODIPINE]}, headers={**auth, "If-Match": etag})
    assert patched.status_code == 200, patched.get_json()
    assert [d["name"] for d in patched.get_json()["other_drugs"]] == ["Amlodipine"]


def test_a_serious_reaction_makes_the_report_serious_with_its_criteria(client, auth, session_id):
    reaction = {"verbatim": "Anaphylaxis", "onset_date": PROCEDURE.isoformat(), "outcome": "recovered",
                "serious": True, "seriousness_criteria": ["hospitalisation"]}
    response = _create(client, auth, session_id, reactions=[reaction], seriousness={"serious": False, "criteria": []})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["seriousness.serious"] == ["Reaction 1 is serious, so the report is: answer Yes"]
    response = _create(client, auth, session_id, reactions=[reaction],
                       seriousness={"serious": True, "criteria": ["life_threatening"]})
    assert response.get_json()["errors"]["seriousness.criteria"] == [
        "Reaction 1 is serious (Involved or prolonged inpatient hospitalisation): tick it here too"
    ]


def test_a_reaction_cannot_be_serious_without_a_reason(client, auth, session_id):
    reaction = {"verbatim": "Rash", "outcome": "recovered", "serious": True, "seriousness_criteria": []}
    response = _create(client, auth, session_id, reactions=[reaction], seriousness={"serious": True,
                                                                                     "criteria": ["disability"]})
    assert response.get_json()["errors"]["reactions.0.seriousness_criteria"] == [
        "Select at least one reason why reaction 1 is serious"
    ]


def test_the_form_adds_and_saves_an_other_medicine_without_javascript(client, clinician, auth, session_id):
    report = _create(client, auth, session_id).get_json()
    sign_in(client, clinician)
    url = f"/reports/{report['id']}/edit"
    added = client.post(url, data=medicine_form(add_other_drug="1", version=str(report["version"])))
    assert added.status_code == 200
    assert 'name="other_drugs-0-name"' in added.get_data(as_text=True)
    data = medicine_form(version=str(report["version"]))
    data.update({"other_drugs-0-name": "Propofol", "other_drugs-0-characterisation": "suspect",
                 "other_drugs-0-dose": "200", "other_drugs-0-dose_unit": "mg",
                 "other_drugs-0-route": "intravenous"})
    saved = client.post(url, data=data)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    stored = client.get(f"/api/v1/reports/{report['id']}", headers=auth).get_json()
    assert stored["other_drugs"][0]["name"] == "Propofol"
    assert stored["other_drugs"][0]["dose"] == 200


def test_form_errors_land_on_the_other_medicine_field(client, clinician, auth, session_id):
    report = _create(client, auth, session_id).get_json()
    sign_in(client, clinician)
    data = medicine_form(version=str(report["version"]))
    data.update({"other_drugs-0-name": "Bleomycin", "other_drugs-0-dose": "15", "other_drugs-0-dose_unit": "mg"})
    response = client.post(f"/reports/{report['id']}/edit", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="other_drugs-0-dose_unit-error"' in html or "other_drugs-0-dose_unit" in html
    assert "Bleomycin dose must be recorded in IU" in html
