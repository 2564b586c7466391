"""IMDRF coding end to end (issue 8): realistic ECT device incidents coded
through the API show "code - term" on the report page, in the PDF and in
the JSON export, with the IMDRF release stored; grouping headings are
refused; the edit form searches codes by family without JavaScript."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from ect_reporting import reference
from ect_reporting.extensions import db
from ect_reporting.models import Report
from tests.conftest import PASSWORD, session_payload

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
RELEASE = "2024 (A: 2024.1)"

BROKEN_NEEDLE = {
    "description": "The tip of one needle of the hexagonal array broke off during the fourth application and "
    "stayed in the lesion; it was removed with forceps under local anaesthetic.",
    "date": YESTERDAY,
    "classification": "other_reportable",
    "device_problem_codes": ["A040101", "A040103"],
    "health_effect_codes": ["E2008", "F1903"],
    "device_location": "quarantined",
    "available_for_investigation": True,
}
GENERATOR_STOPPED = {
    "description": "The pulse generator shut down after 3 of 8 pulses of the train; no energy was delivered "
    "for the rest of the train and the lesion was retreated after a restart.",
    "date": YESTERDAY,
    "classification": "other_reportable",
    "device_problem_codes": ["A0719", "A090402"],
    "health_effect_codes": ["F1908"],
}


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


def new_device_report(client, auth, incident):
    session = client.post("/api/v1/sessions", json=session_payload(), headers=auth)
    assert session.status_code == 201, session.get_json()
    response = client.post(
        f"/api/v1/sessions/{session.get_json()['id']}/reports",
        json={"kind": "device", "incident": incident},
        headers=auth,
    )
    return response


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def test_broken_needle_tip_is_coded_and_shown_as_code_and_term_everywhere(client, auth, clinician):
    response = new_device_report(client, auth, BROKEN_NEEDLE)
    assert response.status_code == 201, response.get_json()
    url, report_id = response.headers["Location"], response.get_json()["id"]
    labels = ["A040101 - Fracture", "A040103 - Material Fragmentation", "E2008 - Foreign Body In Patient",
              "F1903 - Device Explantation"]

    record = client.get(f"{url}/export.json", headers=auth).get_json()["record"]
    incident = record["incident"]
    assert incident["device_problem_codes"] == [
        {"system": "IMDRF-A", "code": "A040101", "display": "Fracture"},
        {"system": "IMDRF-A", "code": "A040103", "display": "Material Fragmentation"},
    ]
    assert [c["code"] for c in incident["health_effect_codes"]] == ["E2008", "F1903"]
    assert [c["system"] for c in incident["health_effect_codes"]] == ["IMDRF-E", "IMDRF-F"]
    assert record["code_versions"] == {"meddra": None, "ctcae": None, "imdrf": RELEASE}
    assert db.session.get(Report, report_id).imdrf_release == RELEASE

    pdf = pdf_text(client.get(f"{url}/export.pdf", headers=auth).data)
    assert f"IMDRF release {RELEASE}" in pdf
    for label in labels:
        assert label in pdf

    client.post("/sign-in", data={"email": clinician.email, "password": PASSWORD})
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    for label in labels:
        assert label in page
    assert RELEASE in page


def test_generator_stopping_mid_train_codes_under_shutdown_and_energy_output(client, auth):
    response = new_device_report(client, auth, GENERATOR_STOPPED)
    assert response.status_code == 201, response.get_json()
    record = client.get(f"{response.headers['Location']}/export.json", headers=auth).get_json()["record"]
    problems = record["incident"]["device_problem_codes"]
    assert [(c["code"], c["display"]) for c in problems] == [
        ("A0719", "Unexpected Shutdown"),
        ("A090402", "Failure to Deliver Energy"),
    ]
    # Both sit in the families the coding notes name (A07 electrical, A0904 energy output).
    assert {reference.imdrf_term(c["code"]).family for c in problems} == {"A07", "A09"}
    assert "A0904" in reference.imdrf_term("A090402").parents
    assert record["code_versions"]["imdrf"] == RELEASE


def test_grouping_heading_is_refused_naming_the_field(client, auth):
    response = new_device_report(client, auth, {"health_effect_codes": ["E24"]})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert list(errors) == ["incident.health_effect_codes"]
    (message,) = errors["incident.health_effect_codes"]
    assert "E24 - Others" in message and "grouping heading" in message
    assert "E2401, E2402, E2403" in message


def test_report_without_codes_stores_no_release_and_removing_codes_clears_it(client, auth):
    response = new_device_report(client, auth, {"description": "Generator display flickered; no harm"})
    url, etag = response.headers["Location"], response.headers["ETag"]
    assert client.get(f"{url}/export.json", headers=auth).get_json()["record"]["code_versions"]["imdrf"] is None
    coded = client.patch(url, json={"incident": {"device_problem_codes": ["A090203"]}},
                         headers={**auth, "If-Match": etag})
    assert coded.status_code == 200, coded.get_json()
    assert client.get(f"{url}/export.json", headers=auth).get_json()["record"]["code_versions"]["imdrf"] == RELEASE
    cleared = client.patch(url, json={"incident": {"device_problem_codes": []}},
                           headers={**auth, "If-Match": coded.headers["ETag"]})
    assert cleared.status_code == 200
    assert client.get(f"{url}/export.json", headers=auth).get_json()["record"]["code_versions"]["imdrf"] is None


def test_medicine_report_stores_the_meddra_version_marked_unconfirmed(client, auth):
    session = client.post("/api/v1/sessions", json=session_payload(), headers=auth).get_json()
    response = client.post(
        f"/api/v1/sessions/{session['id']}/reports",
        json={"kind": "medicine", "reactions": [{"verbatim": "Pain at the treated site", "meddra_code": "10033474"}]},
        headers=auth,
    )
    assert response.status_code == 201, response.get_json()
    url = response.headers["Location"]
    record = client.get(f"{url}/export.json", headers=auth).get_json()["record"]
    assert record["code_versions"] == {"meddra": "20.1 (unconfirmed)", "ctcae": "5.0 (2017-11-27)", "imdrf": None}
    assert "MedDRA 20.1 (unconfirmed)" in pdf_text(client.get(f"{url}/export.pdf", headers=auth).data)


# --- the edit form: search, grouped by family, without JavaScript -----------


@pytest.fixture
def device_report(client, clinician, make_session):
    session = make_session(user=clinician)
    client.post("/sign-in", data={"email": clinician.email, "password": PASSWORD})
    client.post(f"/sessions/{session.id}/reports", data={"kind": "device"})
    return db.session.scalar(db.select(Report))


def test_form_offers_codes_grouped_by_family_and_never_a_grouping_heading(client, device_report):
    html = client.get(f"/reports/{device_report.id}/edit").get_data(as_text=True)
    assert "A04 - Material Integrity Problem</span></summary>" in html
    assert 'value="A040101"' in html and "A040101 - Fracture" in html
    assert 'value="E2401"' in html
    assert 'value="E24"' not in html
    assert 'name="search_codes"' in html


def test_search_codes_button_filters_and_keeps_everything_typed(client, device_report):
    data = {
        "version": str(device_report.version),
        "incident_description": "Needle tip broke off in the lesion",
        "device_problem_codes": ["A0719"],
        "health_effect_codes": ["E2008"],
        "code_search-device_problem_codes": "fragment",
        "search_codes": "device_problem_codes",
    }
    response = client.post(f"/reports/{device_report.id}/edit", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    problems = html.split('id="device_problem_codes"')[1].split('id="health_effect_codes"')[0]
    assert "A040103 - Material Fragmentation" in problems  # matched on its term
    assert "A0202" not in problems  # filtered out
    assert 'value="fragment"' in problems  # the search box keeps the query
    # A0719 is ticked but not in this search: kept as a hidden input, and named.
    assert '<input type="hidden" name="device_problem_codes" value="A0719">' in problems
    assert "A0719 - Unexpected Shutdown" in problems
    # The other field and the free text are untouched; nothing was saved.
    assert 'value="E2008" aria-describedby="health_effect_codes-E2008-hint" checked' in html
    assert "Needle tip broke off in the lesion" in html
    db.session.refresh(device_report)
    assert device_report.device_problem_codes == [] and device_report.incident_description is None


def test_saving_after_a_search_keeps_the_hidden_code(client, device_report):
    data = {
        "version": str(device_report.version),
        "device_problem_codes": ["A0719", "A090402"],
        "code_search-device_problem_codes": "energy",
        "save": "1",
    }
    response = client.post(f"/reports/{device_report.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(device_report)
    assert device_report.device_problem_codes == ["A0719", "A090402"]
    assert device_report.imdrf_release == RELEASE
