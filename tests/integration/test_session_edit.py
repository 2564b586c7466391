"""Editing an ECT session: the page, the API, the audit row and who may do it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent
from ect_reporting.reports import services
from tests.forms import posted
from tests.integration.test_forms import sign_in


def update_rows(session_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action == "update", AuditEvent.object_type == "session", AuditEvent.object_id == session_id
            )
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def session(make_session, clinician):
    return make_session(user=clinician)


@pytest.fixture
def author_client(client, clinician):
    sign_in(client, clinician)
    return client


# The ``make_session`` factory's values as the browser posts them (blank fields are sent empty).
UNCHANGED_FORM = {
    "procedure_date": (date.today() - timedelta(days=1)).isoformat(),
    "site_name": "Test Hospital",
    "nation": "england",
    "care_setting": "day_case",
    "operator_name": "Dr Test",
    "patient_initials": "AB",
    "patient_sex": "male",
    "patient_age": "60",
    "patient_weight_kg": "80",
    "patient_height_cm": "180",
    "local_reference": "H0001",
    "laterality": "left",
    "lesion_count": "",
    "largest_lesion_mm": "",
    "lesion_location": "",
    "histology": "",
    "drug": "bleomycin",
    "drug_product": "",
    "drug_batch": "B1",
    "route": "intravenous",
    "dose": "30000",
    "dose_unit": "IU",
    "drug_time": "10:00",
    "first_pulse_time": "10:10",
    "generator_manufacturer": "IGEA",
    "generator_model": "Cliniporator",
    "generator_serial": "S1",
    "generator_software": "",
    "electrode_type": "plate",
    "electrode_model": "P-30",
    "electrode_lot": "L1",
    "electrode_udi": "(01)08033891610020(10)L1",
    "pulses_delivered": "",
    "notes": "",
}


def edited_form(**changes):
    """The session form as the browser posts it, with ``changes``."""
    return posted(dict(UNCHANGED_FORM, **changes))


# --- The page ---------------------------------------------------------------


def test_edit_page_is_filled_in_with_the_session(author_client, session):
    page = author_client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert f'href="/sessions/{session.id}/edit"' in page and "Edit session" in page

    response = author_client.get(f"/sessions/{session.id}/edit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"Edit ECT session {session.id}" in html and "Save changes" in html
    assert "do not change reports already created from this session" in html
    assert 'value="Test Hospital"' in html and 'value="B1"' in html
    assert 'value="30000"' in html and 'value="80"' in html  # whole numbers without ".0"
    day = session.procedure_date
    assert f'name="procedure_date-day" type="text" value="{day.day}"' in html
    assert f'name="procedure_date-year" type="text" value="{day.year}"' in html and 'value="10:10"' in html
    assert re.search(r'value="england"\s+checked|checked[^>]*value="england"', html)


def test_saving_changes_the_session_and_audits_old_and_new_values(author_client, clinician, session):
    old_date = session.procedure_date
    new_date = date.today() - timedelta(days=5)
    response = author_client.post(
        f"/sessions/{session.id}/edit",
        data=edited_form(
            site_name="Royal Infirmary, Ward 9",
            patient_age="59",
            drug_batch="KY999",
            procedure_date=new_date.isoformat(),
            first_pulse_time="10:12",
            previous_irradiation="yes",
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sessions/{session.id}"
    db.session.refresh(session)
    assert (session.site_name, session.patient_age, session.drug_batch) == ("Royal Infirmary, Ward 9", 59, "KY999")
    [event] = update_rows(session.id)
    assert event.actor_id == clinician.id
    assert event.details == {
        "changes": {
            "procedure_date": {"old": old_date.isoformat(), "new": new_date.isoformat()},
            "site_name": {"old": "Test Hospital", "new": "Royal Infirmary, Ward 9"},
            "patient_age": {"old": 60, "new": 59},
            "previous_irradiation": {"old": None, "new": True},
            "drug_batch": {"old": "B1", "new": "KY999"},
            "first_pulse_time": {"old": "10:10:00", "new": "10:12:00"},
        }
    }
    assert "ECT session saved." in author_client.get(response.headers["Location"]).get_data(as_text=True)


def test_saving_the_page_unchanged_writes_no_audit_row(author_client, session):
    assert author_client.post(f"/sessions/{session.id}/edit", data=posted(UNCHANGED_FORM)).status_code == 302
    assert update_rows(session.id) == []


def test_cleared_field_is_cleared(author_client, session):
    assert session.electrode_udi == "(01)08033891610020(10)L1"
    response = author_client.post(f"/sessions/{session.id}/edit", data=edited_form(electrode_udi=""))
    assert response.status_code == 302
    db.session.refresh(session)
    assert session.electrode_udi is None


def test_reports_already_created_keep_their_values(author_client, clinician, session):
    report = services.create_report(db.session, clinician, session, "medicine")
    db.session.commit()
    page = author_client.get(f"/sessions/{session.id}/edit").get_data(as_text=True)
    assert report.reference in page  # the page names the reports that will not change
    response = author_client.post(
        f"/sessions/{session.id}/edit", data=edited_form(drug_batch="NEW-BATCH"), follow_redirects=True
    )
    assert "Reports already created from it keep the values they were created with" in response.get_data(as_text=True)
    db.session.refresh(report)
    assert report.drug_batch == "B1"  # a copy taken when the report was created


def test_invalid_changes_come_back_with_input_kept_and_nothing_saved(author_client, session):
    bad = edited_form(
        patient_age="130",
        dose_unit="mg",
        site_name="Changed but not saved",
        procedure_date=(date.today() + timedelta(days=2)).isoformat(),
    )
    response = author_client.post(f"/sessions/{session.id}/edit", data=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html.split("nhsuk-error-summary__list")[1].split("</ul>")[0]
    for anchor in ("#patient_age", "#dose_unit", "#procedure_date"):
        assert anchor in summary
    assert "Age must be 120 years or less" in html and "Bleomycin dose must be recorded in IU" in html
    assert 'value="Changed but not saved"' in html and 'value="130"' in html
    assert f"Edit ECT session {session.id}" in html
    db.session.refresh(session)
    assert session.site_name == "Test Hospital" and session.patient_age == 60
    assert update_rows(session.id) == []


def test_clearing_a_required_field_is_an_error(author_client, session):
    response = author_client.post(f"/sessions/{session.id}/edit", data=edited_form(site_name=""))
    assert response.status_code == 422
    assert "Enter hospital or site" in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.site_name == "Test Hospital"


# --- Who may edit -----------------------------------------------------------


@pytest.mark.parametrize("role", ["governance_lead", "admin", "clinician"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_only_the_author_may_edit(client, make_user, session, role, method):
    other = make_user(role)
    sign_in(client, other)
    response = client.open(f"/sessions/{session.id}/edit", method=method, data=edited_form(site_name="Hijacked"))
    assert response.status_code == 403
    db.session.refresh(session)
    assert session.site_name == "Test Hospital"
    assert update_rows(session.id) == []


@pytest.mark.parametrize("role", ["governance_lead", "admin"])
def test_reviewers_see_the_session_without_an_edit_link(client, make_user, session, role):
    sign_in(client, make_user(role))
    response = client.get(f"/sessions/{session.id}")
    assert response.status_code == 200
    assert "/edit" not in response.get_data(as_text=True).split('id="main-heading"')[1].split("<h2")[0]
    assert f"/sessions/{session.id}/edit" not in response.get_data(as_text=True)


def test_edit_needs_sign_in_and_an_existing_session(client, clinician, session):
    response = client.get(f"/sessions/{session.id}/edit")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    sign_in(client, clinician)
    assert client.get("/sessions/999999/edit").status_code == 404


# --- API: PATCH /api/v1/sessions/<id> ---------------------------------------


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


def test_patch_changes_only_the_fields_sent(client, auth, clinician, session):
    response = client.patch(
        f"/api/v1/sessions/{session.id}",
        json={"site_name": "Ward 7", "patient": {"age": 61}, "drug": {"batch": None}},
        headers=auth,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["site_name"] == "Ward 7" and body["patient"]["age"] == 61 and body["drug"]["batch"] is None
    assert body["patient"]["initials"] == "AB" and body["drug"]["dose"] == 30000  # untouched
    assert "ETag" not in response.headers
    db.session.refresh(session)
    assert (session.site_name, session.patient_age, session.drug_batch, session.operator_name) == (
        "Ward 7",
        61,
        None,
        "Dr Test",
    )
    [event] = update_rows(session.id)
    assert event.actor_id == clinician.id
    assert event.details["changes"] == {
        "site_name": {"old": "Test Hospital", "new": "Ward 7"},
        "patient_age": {"old": 60, "new": 61},
        "drug_batch": {"old": "B1", "new": None},
    }


def test_patch_with_no_change_writes_no_audit_row(client, auth, session):
    response = client.patch(f"/api/v1/sessions/{session.id}", json={"site_name": "Test Hospital"}, headers=auth)
    assert response.status_code == 200
    assert update_rows(session.id) == []


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"patient": {"age": 130}}, "patient.age"),
        ({"patient": {"agee": 30}}, "patient.agee"),
        ({"drug": {"dose": "lots"}}, "drug.dose"),
        ({"site_name": None}, "site_name"),
        ({"drug": {"dose_unit": "mg"}}, "drug.dose_unit"),
        ({"procedure_date": "2026-02-30"}, "procedure_date"),
    ],
)
def test_patch_rejects_bad_values_with_field_paths(client, auth, session, body, path):
    response = client.patch(f"/api/v1/sessions/{session.id}", json=body, headers=auth)
    assert response.status_code == 422
    assert path in response.get_json()["errors"]
    db.session.refresh(session)
    assert session.patient_age == 60 and session.site_name == "Test Hospital" and session.dose_unit == "IU"
    assert update_rows(session.id) == []


@pytest.mark.parametrize("role", ["governance_lead", "admin", "clinician"])
def test_patch_by_anyone_but_the_author_is_403(client, make_user, token_for, session, role):
    response = client.patch(
        f"/api/v1/sessions/{session.id}", json={"site_name": "X"}, headers=token_for(make_user(role))
    )
    assert response.status_code == 403
    assert response.get_json()["status"] == 403
    db.session.refresh(session)
    assert session.site_name == "Test Hospital"


def test_patch_needs_a_token_json_and_an_existing_session(client, clinician, auth, session):
    sign_in(client, clinician)  # a browser cookie is not enough for a write
    assert client.patch(f"/api/v1/sessions/{session.id}", json={"site_name": "X"}).status_code == 401
    assert client.patch(f"/api/v1/sessions/{session.id}", data="site_name=X", headers=auth).status_code == 415
    assert client.patch("/api/v1/sessions/999999", json={}, headers=auth).status_code == 404
