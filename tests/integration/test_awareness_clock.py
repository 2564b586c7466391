"""The reporting clock runs from the awareness date the reporter gives, never a silent default."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import session_payload
from tests.integration.test_forms import sign_in

TODAY = date.today()


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


def _new_report(client, auth, procedure_date=None, **body):
    payload = session_payload(procedure_date=(procedure_date or TODAY - timedelta(days=25)).isoformat())
    session = client.post("/api/v1/sessions", json=payload, headers=auth).get_json()
    return client.post(f"/api/v1/sessions/{session['id']}/reports", json={"kind": "medicine", **body}, headers=auth)


def test_a_new_report_has_no_awareness_date_and_no_clock(client, auth):
    report = _new_report(client, auth).get_json()
    assert report["awareness_date"] is None
    assert report["due_date"] is None
    paths = [p["path"] for p in report["completeness"]["problems"]]
    assert "awareness_date" in paths


def test_submitting_without_an_awareness_date_is_refused_naming_it(client, auth):
    url = _new_report(client, auth).headers["Location"]
    response = client.post(f"{url}/transitions", json={"action": "submit"}, headers=auth)
    assert response.status_code == 422
    assert "awareness_date" in response.get_json()["errors"]


def test_awareness_before_the_procedure_is_refused(client, auth):
    procedure = TODAY - timedelta(days=5)
    response = _new_report(client, auth, procedure, awareness_date=(procedure - timedelta(days=1)).isoformat())
    assert response.status_code == 422
    [message] = response.get_json()["errors"]["awareness_date"]
    assert message.startswith("The date you became aware cannot be before the ECT procedure")


def test_awareness_in_the_future_is_refused(client, auth):
    response = _new_report(client, auth, awareness_date=(TODAY + timedelta(days=1)).isoformat())
    assert response.status_code == 422
    assert response.get_json()["errors"]["awareness_date"] == ["Date you became aware must be today or in the past"]


def test_serious_report_aware_20_days_ago_is_overdue(client, auth, clinician):
    aware = TODAY - timedelta(days=20)
    created = _new_report(
        client, auth, awareness_date=aware.isoformat(), seriousness={"serious": True, "criteria": ["hospitalisation"]}
    )
    report = created.get_json()
    assert report["due_date"] == (aware + timedelta(days=15)).isoformat()
    sign_in(client, clinician)
    html = client.get(f"/reports/{report['id']}").get_data(as_text=True)
    assert "overdue by 5 days" in html
    assert f"the clock runs from {aware.day} {aware:%B %Y}" in html


def test_page_shows_days_left(client, auth, clinician):
    aware = TODAY - timedelta(days=2)
    report = _new_report(
        client, auth, awareness_date=aware.isoformat(), seriousness={"serious": True, "criteria": ["hospitalisation"]}
    ).get_json()
    sign_in(client, clinician)
    assert "13 days left" in client.get(f"/reports/{report['id']}").get_data(as_text=True)


def test_form_offers_today_in_one_click_without_saving(client, auth, clinician):
    report = _new_report(client, auth).get_json()
    sign_in(client, clinician)
    from tests.integration.test_forms import medicine_form

    data = medicine_form(awareness_date="", awareness_today="1", version=str(report["version"]))
    response = client.post(f"/reports/{report['id']}/edit", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'name="awareness_date-day" type="text" value="{TODAY.day}"' in html
    assert f'name="awareness_date-year" type="text" value="{TODAY.year}"' in html
    assert client.get(f"/api/v1/reports/{report['id']}", headers=auth).get_json()["awareness_date"] is None
