"""HTML pages through the test client: CSRF, errors beside fields, nothing lost."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask

from ect_reporting.extensions import db
from ect_reporting.models import EctSession, Report
from tests.conftest import PASSWORD
from tests.forms import posted

SESSION_FORM = posted({
    "procedure_date": (date.today() - timedelta(days=1)).isoformat(),
    "site_name": "Royal Infirmary, Plastic Surgery",
    "nation": "scotland",
    "care_setting": "inpatient",
    "operator_name": "Ms F Campbell",
    "anaesthesia": "general",
    "patient_initials": "dm",
    "patient_sex": "male",
    "patient_age": "58",
    "patient_weight_kg": "82.5",
    "patient_height_cm": "178",
    "local_reference": "RIE-7781",
    "histology": "melanoma",
    "lesion_count": "9",
    "largest_lesion_mm": "14",
    "lesion_location": "Scalp",
    "laterality": "not_applicable",
    "previous_irradiation": "no",
    "drug": "bleomycin",
    "drug_product": "Bleo-Kyowa",
    "drug_batch": "KY221",
    "route": "intravenous",
    "dose": "30000",
    "dose_unit": "IU",
    "drug_time": "11:00",
    "first_pulse_time": "11:09",
    "generator_manufacturer": "Mirai Medical",
    "generator_model": "ePORE",
    "generator_serial": "EP-0042",
    "electrode_type": "linear_needle_array",
    "electrode_model": "LNA-20",
    "electrode_lot": "LN551",
})


def sign_in(client, user):
    return client.post("/sign-in", data={"email": user.email, "password": PASSWORD})


def test_pages_need_sign_in(client):
    response = client.get("/sessions/new")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_sign_in_with_wrong_password_shows_error_and_keeps_email(client, clinician):
    response = client.post("/sign-in", data={"email": clinician.email, "password": "wrong-password"})
    html = response.get_data(as_text=True)
    assert "Email address or password is not correct" in html
    assert f'value="{clinician.email}"' in html
    assert "nhsuk-error-summary" in html


def test_sign_in_rejects_open_redirect(client, clinician):
    response = client.post("/sign-in?next=https://evil.example/", data={"email": clinician.email,
                                                                         "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_new_session_form_saves_and_shows_derived_values(client, clinician):
    sign_in(client, clinician)
    response = client.post("/sessions/new", data=SESSION_FORM)
    assert response.status_code == 302
    session = db.session.scalar(db.select(EctSession))
    assert session.patient_initials == "DM"
    assert session.previous_irradiation is False
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # Inpatient, default settings: no delivery code, so the body-system code comes first.
    assert page.index("S11.8") < page.index("Y12.3") < page.index("Z50.9")
    assert "X72.3" not in page and re.search(r"Z94\.\d", page) is None  # no site: no laterality code
    assert "X72 fourth character and inpatient rule: to be confirmed by a clinical coder" in page
    assert "1 source" in page and "OPCS-4.10" in page
    assert "2.02 m²" in page


def test_invalid_session_form_keeps_input_and_shows_each_error(client, clinician):
    sign_in(client, clinician)
    bad = dict(SESSION_FORM, patient_age="130", patient_weight_kg="600", dose_unit="mg",
               **posted({"procedure_date": (date.today() + timedelta(days=3)).isoformat()}))
    response = client.post("/sessions/new", data=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Age must be 120 years or less" in html
    assert "Weight must be 500 kg or less" in html
    assert "Procedure date must be today or in the past" in html
    assert "Bleomycin dose must be recorded in IU" in html
    summary = html.split("nhsuk-error-summary__list")[1].split("</ul>")[0]
    for anchor in ("#patient_age", "#patient_weight_kg", "#procedure_date", "#dose_unit"):
        assert anchor in summary
    # What the user typed is still there.
    assert 'value="Royal Infirmary, Plastic Surgery"' in html
    assert 'value="130"' in html and 'value="600"' in html
    assert 'value="RIE-7781"' in html
    assert re.search(r'value="scotland"\s+checked|checked[^>]*value="scotland"', html)
    assert db.session.scalar(db.select(db.func.count(EctSession.id))) == 0


def test_non_numeric_age_is_reported_not_crashing(client, clinician):
    sign_in(client, clinician)
    response = client.post("/sessions/new", data=dict(SESSION_FORM, patient_age="sixty"))
    assert response.status_code == 422
    assert "nhsuk-error-message" in response.get_data(as_text=True)


def test_missing_required_fields_are_named(client, clinician):
    sign_in(client, clinician)
    response = client.post("/sessions/new", data=posted({"procedure_date": ""}))
    html = response.get_data(as_text=True)
    for message in ("Enter procedure date", "Enter hospital or site", "Select nation", "Select drug"):
        assert message in html


def test_report_buttons_create_prefilled_drafts(client, clinician, make_session):
    session = make_session(user=clinician)
    sign_in(client, clinician)
    response = client.post(f"/sessions/{session.id}/reports", data={"kind": "medicine"})
    assert response.status_code == 302
    report = db.session.scalar(db.select(Report))
    assert report.drug_batch == session.drug_batch and report.drug_dose == session.dose
    edit = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'value="{session.drug_batch}"' in edit
    assert 'autocomplete="email"' in edit  # the reporter's own details can autofill


def medicine_form(**overrides):
    data = {
        "version": "1",
        "patient_initials": "AB", "patient_sex": "male", "patient_age": "60", "local_reference": "H0001",
        "drug": "bleomycin", "drug_batch": "B1", "drug_route": "intravenous", "drug_dose": "30000",
        "drug_dose_unit": "IU", "action_taken": "not_applicable",
        "reactions-0-verbatim": "Short of breath and wheezy ten minutes after the bolus",
        "reactions-0-meddra_code": "10002218", "reactions-0-ctcae_grade": "3",
        "reactions-0-onset_date": (date.today() - timedelta(days=1)).isoformat(),
        "reactions-0-outcome": "recovered",
        "serious": "yes", "seriousness_criteria": ["life_threatening"],
        "reporter_name": "Dr Test", "reporter_profession": "Consultant", "reporter_email": "t@example.nhs.uk",
        "awareness_date": date.today().isoformat(),
    }
    data.update(overrides)
    return posted(data)


@pytest.fixture
def medicine_report(client, clinician, make_session):
    session = make_session(user=clinician)
    sign_in(client, clinician)
    client.post(f"/sessions/{session.id}/reports", data={"kind": "medicine"})
    return db.session.scalar(db.select(Report))


def test_report_form_errors_keep_reactions(client, medicine_report):
    data = medicine_form(**{"seriousness_criteria": [], "patient_age": "130",
                            "reactions-1-verbatim": "Second reaction text", "reactions-1-meddra_code": "00000000"})
    response = client.post(f"/reports/{medicine_report.id}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Select at least one reason why the reaction is serious" in html
    assert "Age must be 120 years or less" in html
    assert "Second reaction text" in html
    assert "Short of breath and wheezy" in html
    assert "Reaction 2: Select a reaction term from the list" in html


def test_add_reaction_button_works_without_javascript(client, medicine_report):
    response = client.post(f"/reports/{medicine_report.id}/edit", data=medicine_form(add_reaction="1"))
    html = response.get_data(as_text=True)
    assert 'name="reactions-1-verbatim"' in html
    assert "Short of breath and wheezy" in html


def test_save_then_submit_for_review(client, medicine_report):
    response = client.post(f"/reports/{medicine_report.id}/edit", data=medicine_form(submit_for_review="1"))
    assert response.status_code == 302
    db.session.refresh(medicine_report)
    assert medicine_report.state == "submitted_for_review"
    assert medicine_report.reactions[0].meddra_code == "10002218"
    assert medicine_report.seriousness_criteria["life_threatening"] is True


def test_incomplete_submit_saves_draft_and_shows_the_form_with_linked_errors(client, medicine_report):
    data = medicine_form(submit_for_review="1", reporter_name="", reporter_profession="", reporter_email="")
    data["reactions-0-outcome"] = ""
    response = client.post(f"/reports/{medicine_report.id}/edit", data=data)
    assert response.status_code == 422
    db.session.refresh(medicine_report)
    assert medicine_report.state == "draft" and medicine_report.drug_batch == "B1"  # saved, not submitted
    html = response.get_data(as_text=True)
    assert "<title>Error: Edit" in html and "Your draft is saved. Before it can be submitted for review:" in html
    summary = html.split("nhsuk-error-summary__list")[1].split("</ul>")[0]
    # One pattern: every completeness problem is a link to its field, and the message is at the field too.
    assert 'href="#reactions-0-outcome"' in summary and "Reaction 1: Give the outcome" in summary
    assert 'href="#reporter_name"' in summary  # a group's problem ("Add the reporter") lands on its first field
    assert 'id="reactions-0-outcome-error"' in html and 'id="reporter_name-error"' in html
    assert f'action="/reports/{medicine_report.id}/edit"' in html
    assert f'name="version" value="{medicine_report.version}"' in html  # the next save is not a conflict
    again = client.post(f"/reports/{medicine_report.id}/edit", data=medicine_form(version=str(medicine_report.version)))
    assert again.status_code == 302


def test_not_ready_links_on_the_report_page_open_the_form_with_the_problems(client, medicine_report):
    page = client.get(f"/reports/{medicine_report.id}").get_data(as_text=True)
    callout = page.split('id="completeness"')[1].split("</div>")[0]
    assert f'href="/reports/{medicine_report.id}/edit?check=1#reactions-0-verbatim"' in callout
    form = client.get(f"/reports/{medicine_report.id}/edit?check=1").get_data(as_text=True)
    summary = form.split("nhsuk-error-summary__list")[1].split("</ul>")[0]
    assert 'href="#reactions-0-verbatim"' in summary and 'href="#awareness_date-day"' in summary


def test_stale_form_is_a_conflict_and_overwrites_nothing(client, medicine_report):
    first = client.post(f"/reports/{medicine_report.id}/edit", data=medicine_form(drug_batch="FIRST"))
    assert first.status_code == 302
    stale = client.post(f"/reports/{medicine_report.id}/edit", data=medicine_form(drug_batch="SECOND"))
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Someone else changed this report" in html
    assert 'value="SECOND"' in html  # the user's own typing is kept
    differences = html.split("Where the saved report differs from your form")[1].split("</table>")[0]
    assert "Batch number" in differences and "FIRST" in differences and "SECOND" in differences
    assert "Reactions" not in differences  # unchanged fields are not listed
    db.session.refresh(medicine_report)
    assert medicine_report.drug_batch == "FIRST"


@pytest.fixture
def csrf_app(extra_app) -> Flask:
    return extra_app(RATELIMIT_ENABLED=False)


def test_csrf_is_enforced_on_forms(csrf_app, app, clinician):
    client = csrf_app.test_client()
    response = client.post("/sign-in", data={"email": clinician.email, "password": PASSWORD})
    assert response.status_code == 400  # no token

    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/sign-in", data={"email": clinician.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    new_form = client.get("/sessions/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', new_form).group(1)
    assert client.post("/sessions/new", data=SESSION_FORM).status_code == 400
    assert client.post("/sessions/new", data=dict(SESSION_FORM, csrf_token=token)).status_code == 302


def test_sign_in_is_rate_limited(extra_app, clinician):
    limited = extra_app(WTF_CSRF_ENABLED=False, ECT_LOGIN_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    codes = [client.post("/sign-in", data={"email": clinician.email, "password": "nope"}).status_code
             for _ in range(4)]
    assert codes[-1] == 429


def test_each_browser_sees_only_its_own_user(app, make_user, make_session):
    first, second = make_user("clinician"), make_user("clinician")
    first_client, second_client = app.test_client(), app.test_client()
    sign_in(first_client, first)
    sign_in(second_client, second)
    seconds_session = make_session(user=second)
    assert second_client.get(f"/sessions/{seconds_session.id}").status_code == 200
    assert first_client.get(f"/sessions/{seconds_session.id}").status_code == 403
