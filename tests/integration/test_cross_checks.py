"""Clinical cross-checks: grade, outcome and seriousness agree; onset follows the drug; doses as typed.

Each rule lives once in ``rules.py`` and reaches the API (422 naming the
field), the forms and the submission check alike.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ect_reporting import clinical
from ect_reporting.clinical import DEFAULT_SETTINGS, SessionFacts
from tests.conftest import session_payload
from tests.integration.test_forms import sign_in

PROCEDURE = date.today() - timedelta(days=3)


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


def _report_body(client, auth, **body):
    session = client.post("/api/v1/sessions", json=session_payload(procedure_date=PROCEDURE.isoformat()), headers=auth)
    assert session.status_code == 201, session.get_json()
    return client.post(
        f"/api/v1/sessions/{session.get_json()['id']}/reports", json={"kind": "medicine", **body}, headers=auth
    )


def _reaction(**values):
    return {"verbatim": "Anaphylaxis after the bolus", "meddra_code": "10002218", "onset_date": PROCEDURE.isoformat(),
            "outcome": "recovered", **values}


def test_grade_4_needs_the_life_threatening_criterion(client, auth):
    response = _report_body(client, auth, reactions=[_reaction(ctcae_grade=4)],
                            seriousness={"serious": True, "criteria": ["hospitalisation"]})
    assert response.status_code == 422
    assert "Reaction 1 is CTCAE grade 4" in response.get_json()["errors"]["seriousness.criteria"][0]


def test_grade_4_with_the_life_threatening_criterion_is_accepted(client, auth):
    response = _report_body(client, auth, reactions=[_reaction(ctcae_grade=4)],
                            seriousness={"serious": True, "criteria": ["life_threatening", "hospitalisation"]})
    assert response.status_code == 201, response.get_json()


def test_grade_5_needs_death_and_a_fatal_outcome(client, auth):
    response = _report_body(client, auth, reactions=[_reaction(ctcae_grade=5, outcome="recovered")],
                            seriousness={"serious": True, "criteria": ["life_threatening"]})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["reactions.0.outcome"] == ["Reaction 1 is CTCAE grade 5 (death): its outcome is Fatal"]
    assert any("Patient died due to reaction" in m for m in errors["seriousness.criteria"])


def test_fatal_outcome_needs_the_death_criterion(client, auth):
    response = _report_body(client, auth, reactions=[_reaction(outcome="fatal")],
                            seriousness={"serious": True, "criteria": ["hospitalisation"]})
    assert response.status_code == 422
    assert "Reaction 1 was fatal" in response.get_json()["errors"]["seriousness.criteria"][0]


def test_grade_5_fatal_with_death_is_accepted(client, auth):
    response = _report_body(client, auth, reactions=[_reaction(ctcae_grade=5, outcome="fatal")],
                            seriousness={"serious": True, "criteria": ["death"]})
    assert response.status_code == 201, response.get_json()


def test_reaction_cannot_start_before_the_drug(client, auth):
    before = (PROCEDURE - timedelta(days=1)).isoformat()
    response = _report_body(client, auth, reactions=[_reaction(onset_date=before)])
    assert response.status_code == 422
    assert response.get_json()["errors"]["reactions.0.onset_date"] == [
        "Date reaction started must be the same as or after the date the drug was started"
    ]


def test_iv_cisplatin_warns_but_intratumoural_does_not():
    def warnings(route):
        facts = SessionFacts(drug="cisplatin", route=route, dose=20, dose_unit="mg", weight_kg=70, height_cm=170,
                             drug_time=None, pulse_time=None, cumulative_bleomycin_iu=None)
        return [w.field for w in clinical.session_warnings(facts, DEFAULT_SETTINGS)]

    assert warnings("intravenous") == ["route"]
    assert warnings("intratumoural") == []


@pytest.mark.parametrize("typed", ["27,000", "27 000", "27\u202f000", "27000"])
def test_session_form_accepts_thousands_separators(client, clinician, typed):
    from ect_reporting.extensions import db
    from ect_reporting.models import EctSession
    from tests.integration.test_forms import SESSION_FORM

    sign_in(client, clinician)
    response = client.post("/sessions/new", data={**SESSION_FORM, "dose": typed})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    session = db.session.get(EctSession, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert session.dose == 27000


def test_a_dose_that_is_not_a_number_names_the_field_and_keeps_the_input(client, clinician):
    from tests.integration.test_forms import SESSION_FORM

    sign_in(client, clinician)
    response = client.post("/sessions/new", data={**SESSION_FORM, "dose": "27,00"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dose must be a number, like 27000 or 27,000" in html
    assert 'value="27,00"' in html


def test_report_form_shows_whole_doses_without_a_decimal_point(client, clinician, make_session):
    from ect_reporting.extensions import db
    from ect_reporting.reports import services

    report = services.create_report(db.session, clinician, make_session(dose=27000.0), "medicine")
    db.session.commit()
    sign_in(client, clinician)
    html = client.get(f"/reports/{report.id}/edit").get_data(as_text=True)
    assert 'value="27000"' in html
    assert "27000.0" not in html


def test_pregnancy_must_fit_the_patient(client, auth):
    response = _report_body(client, auth, patient={"sex": "male", "pregnancy": "pregnant"})
    assert response.status_code == 422
    assert response.get_json()["errors"]["patient.pregnancy"] == [
        "Pregnancy cannot be recorded for a male patient: check sex and pregnancy"
    ]
    response = _report_body(client, auth, patient={"pregnancy": "not_pregnant", "gestation_weeks": 12})
    assert response.get_json()["errors"]["patient.gestation_weeks"] == [
        "Give weeks pregnant only when the patient is pregnant"
    ]
    ok = _report_body(client, auth, patient={"sex": "female", "pregnancy": "pregnant", "gestation_weeks": 12})
    assert ok.status_code == 201, ok.get_json()
