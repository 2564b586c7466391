"""The seams of the report-owner design, pinned.

- Sibling blueprints never import each other: each blueprint's views
  module imports alone, without pulling in another blueprint.
- One read model per request: the canonical record is built once for a
  page view, an API read and an export.
- One rule, one message: the same mistake reads the same in the form, the
  API and the list of what blocks submission.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ect_reporting.extensions import db
from ect_reporting.reports import records, services
from ect_reporting.reports.readiness import submission_problems
from tests.conftest import session_payload
from tests.integration.test_forms import sign_in

BLUEPRINTS = {
    "capture": ("ect_reporting.capture",),
    "review": ("ect_reporting.review",),
    "api": ("ect_reporting.api",),
    "admin": ("ect_reporting.admin",),
    "auth": ("ect_reporting.auth",),
    "report_pages": ("ect_reporting.report_pages",),
}


def _blueprint_modules_after_import(module: str) -> list[str]:
    code = (
        "import json, sys\n"
        f"import {module}\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", ["capture", "review", "api", "admin", "report_pages"])
def test_each_blueprint_imports_without_its_siblings(name):
    own = BLUEPRINTS[name][0]
    loaded = _blueprint_modules_after_import(f"{own}.views")
    siblings = [prefix for other, prefixes in BLUEPRINTS.items() if other != name for prefix in prefixes]
    leaked = [m for m in loaded if any(m == p or m.startswith(p + ".") for p in siblings)]
    assert leaked == []


@pytest.fixture
def count_records(monkeypatch):
    calls = []
    real = records.build_record

    def counting(report, opcs):
        calls.append(report.id)
        return real(report, opcs)

    monkeypatch.setattr(records, "build_record", counting)
    return calls


def test_report_page_builds_the_record_once(client, clinician, make_session, count_records):
    report = services.create_report(db.session, clinician, make_session(), "medicine")
    db.session.commit()
    sign_in(client, clinician)
    assert client.get(f"/reports/{report.id}").status_code == 200
    assert count_records == [report.id]


@pytest.mark.parametrize(("path", "builds"), [("", 0), ("/export.json", 1), ("/export.pdf", 1)])
def test_api_read_and_exports_build_the_record_at_most_once(
    client, clinician, token_for, make_session, count_records, path, builds
):
    # The plain API read shows no canonical record: its completeness comes from the
    # submission problems alone (issue 13), so it builds none; exports build one.
    report = services.create_report(db.session, clinician, make_session(), "device")
    db.session.commit()
    response = client.get(f"/api/v1/reports/{report.id}{path}", headers=token_for(clinician))
    assert response.status_code == 200
    assert count_records == [report.id] * builds


def test_age_limit_reads_the_same_in_form_api_and_submission(client, clinician, token_for, make_session):
    message = "Age must be 120 years or less"
    api = client.post("/api/v1/sessions", json=session_payload(patient={"age": 130}), headers=token_for(clinician))
    assert api.status_code == 422
    assert api.get_json()["errors"]["patient.age"] == [message]

    sign_in(client, clinician)
    form = client.post("/sessions/new", data={"patient_age": "130"})
    assert form.status_code == 422
    assert message in form.get_data(as_text=True)

    report = services.create_report(db.session, clinician, make_session(), "medicine")
    report.patient_age = 130  # stored by some other route: submission still says the same words
    assert ("patient.age", message) in submission_problems(report)


def test_dose_unit_reads_the_same_in_api_and_submission(client, clinician, token_for, make_session):
    auth = token_for(clinician)
    session_id = client.post("/api/v1/sessions", json=session_payload(), headers=auth).get_json()["id"]
    api = client.post(
        f"/api/v1/sessions/{session_id}/reports",
        json={"kind": "medicine", "suspect_drug": {"dose_unit": "mg"}},
        headers=auth,
    )
    assert api.status_code == 422
    [message] = api.get_json()["errors"]["suspect_drug.dose_unit"]
    assert message.startswith("Bleomycin dose must be recorded in IU")

    report = services.create_report(db.session, clinician, make_session(), "medicine")
    report.drug_dose_unit = "mg"
    assert ("suspect_drug.dose_unit", message) in submission_problems(report)
