"""Duplicate detection: same patient, same product, onset within 7 days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ect_reporting.extensions import db
from ect_reporting.reports import follow_ups
from ect_reporting.reports.duplicates import onset_date, possible_duplicates
from tests.conftest import session_payload
from tests.review.helpers import URTICARIA, sign_in

DAY = date(2026, 2, 1)


def onset(day: date) -> dict:
    return {"verbatim": "Hives", "meddra_code": URTICARIA, "onset_date": day}


def medicine(make_report, day=DAY, **values):
    values.setdefault("local_reference", "H0001")
    values.setdefault("drug", "bleomycin")
    return make_report(reactions=[onset(day)], **values)


def device(make_report, day=DAY, **values):
    values.setdefault("local_reference", "H0001")
    values.setdefault("generator_model", "Cliniporator")
    values.setdefault("electrode_model", "P-30")
    return make_report("device", incident_date=day, **values)


def dupes(report):
    return [r.id for r in possible_duplicates(db.session, report)]


@pytest.mark.parametrize(("days_apart", "expected"), [(0, True), (7, True), (-7, True), (8, False), (-8, False)])
def test_medicine_onset_within_seven_days(make_report, days_apart, expected):
    first = medicine(make_report)
    second = medicine(make_report, DAY + timedelta(days=days_apart))
    assert dupes(second) == ([first.id] if expected else [])
    assert dupes(first) == ([second.id] if expected else [])


def test_other_patient_drug_or_kind_is_not_a_duplicate(make_report, make_session):
    first = medicine(make_report)
    assert dupes(medicine(make_report, local_reference="H0002")) == []
    cisplatin = make_session(drug="cisplatin", dose=20.0, dose_unit="mg")
    assert dupes(medicine(make_report, session=cisplatin, drug="cisplatin")) == []
    assert dupes(device(make_report)) == []
    assert dupes(medicine(make_report)) == [first.id]


def test_withdrawn_reports_are_ignored(make_report):
    medicine(make_report, state="withdrawn")
    assert dupes(medicine(make_report)) == []


def test_medicine_onset_is_the_earliest_reaction_else_the_drug_start(make_report):
    report = make_report(reactions=[onset(DAY + timedelta(days=3)), onset(DAY)], drug_date_started=DAY - timedelta(9))
    assert onset_date(report) == DAY
    no_reactions = make_report(drug_date_started=DAY - timedelta(days=9))
    assert onset_date(no_reactions) == DAY - timedelta(days=9)
    # Drug started 9 days before DAY, reaction on DAY: not within 7 days of each other.
    assert dupes(no_reactions) == []
    near = make_report(drug_date_started=DAY - timedelta(days=3))
    assert dupes(near) == [report.id, no_reactions.id]


def test_device_matches_the_generator_or_the_electrode_model(make_report):
    first = device(make_report)
    assert dupes(device(make_report, generator_model="Other", electrode_model="P-30")) == [first.id]
    assert dupes(device(make_report, DAY + timedelta(days=5), generator_model="Cliniporator", electrode_model="X")) == [
        first.id
    ]
    assert dupes(device(make_report, generator_model="Third", electrode_model="Y")) == []
    assert dupes(device(make_report, DAY - timedelta(days=8))) == []


def test_missing_reference_product_or_onset_means_no_warning(make_report):
    medicine(make_report)
    assert dupes(medicine(make_report, local_reference=None)) == []
    assert dupes(make_report(local_reference="H0001", drug_date_started=None)) == []
    assert dupes(device(make_report, generator_model=None, electrode_model=None)) == []


def test_versions_of_the_same_case_are_not_duplicates(make_report, governance_lead):
    initial = medicine(make_report, state="closed")
    follow_up = follow_ups.create_follow_up(db.session, governance_lead, initial)
    db.session.commit()
    assert dupes(follow_up) == []
    assert dupes(initial) == []
    other = medicine(make_report)
    assert dupes(other) == [initial.id, follow_up.id]


def test_report_page_shows_a_warning_callout(client, make_report, governance_lead):
    first = medicine(make_report)
    second = medicine(make_report, DAY + timedelta(days=2))
    lonely = medicine(make_report, local_reference="H0999")
    sign_in(client, governance_lead)
    html = client.get(f"/reports/{second.id}").get_data(as_text=True)
    assert "Possible duplicate" in html
    assert f'href="/reports/{first.id}">{first.reference}</a>' in html
    assert "Possible duplicate" not in client.get(f"/reports/{lonely.id}").get_data(as_text=True)


# --- Warnings on submit --------------------------------------------------------

COMPLETE_MEDICINE = {
    "kind": "medicine",
    "awareness_date": (date.today() - timedelta(days=1)).isoformat(),
    "reactions": [
        {
            "verbatim": "Generalised urticaria within minutes of the bolus",
            "meddra_code": URTICARIA,
            "ctcae_grade": 2,
            "onset_date": (date.today() - timedelta(days=1)).isoformat(),
            "outcome": "recovered",
        }
    ],
    "seriousness": {"serious": False, "criteria": []},
}


def _two_reports(client, headers):
    session = client.post("/api/v1/sessions", json=session_payload(), headers=headers).get_json()
    urls = []
    for second in (False, True):
        # The second is made on purpose (issue 11: otherwise 409 offers the open draft).
        body = {**COMPLETE_MEDICINE, "another_draft": True} if second else COMPLETE_MEDICINE
        created = client.post(f"/api/v1/sessions/{session['id']}/reports", json=body, headers=headers)
        assert created.status_code == 201, created.get_json()
        urls.append(created.headers["Location"])
    return urls


def test_api_submit_returns_duplicate_warnings(client, clinician, token_for):
    headers = token_for(clinician)
    first, second = _two_reports(client, headers)
    response = client.post(f"{second}/transitions", json={"action": "submit"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    warnings = response.get_json()["warnings"]
    first_id = int(first.rsplit("/", 1)[1])
    assert [(w["code"], w["report_id"]) for w in warnings] == [("possible_duplicate", first_id)]
    assert "ECT-" in warnings[0]["message"]


def test_api_other_transitions_have_an_empty_warning_list(client, clinician, make_user, token_for):
    headers = token_for(clinician)
    first, _second = _two_reports(client, headers)
    response = client.post(
        f"{first}/transitions", json={"action": "withdraw", "comment": "Entered twice"}, headers=headers
    )
    assert response.status_code == 200
    assert response.get_json()["warnings"] == []


def test_page_submit_flashes_a_duplicate_warning(client, clinician, token_for):
    _first, second = _two_reports(client, token_for(clinician))
    sign_in(client, clinician)
    second_id = int(second.rsplit("/", 1)[1])
    response = client.post(f"/reports/{second_id}/transition", data={"action": "submit"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "is now submitted for review" in html
    assert html.count("Possible duplicate: ECT-") == 1
    assert "nhsuk-warning-callout" in html
