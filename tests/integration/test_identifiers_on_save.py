"""An NHS number, postcode or date of birth typed into narrative text is refused on save (issue 11)."""

from __future__ import annotations

import pytest

from ect_reporting.extensions import db
from ect_reporting.models import Reaction, Report
from tests.integration.test_forms import medicine_form, sign_in

NHS_NUMBER = "943 476 5919"  # passes the modulus 11 check
MESSAGE = "{} contains what looks like an NHS number: remove it, reports must not identify the patient"


@pytest.fixture
def medicine_report(client, clinician, make_session):
    """A fresh medicine draft, its author signed in."""
    session = make_session(user=clinician)
    sign_in(client, clinician)
    client.post(f"/sessions/{session.id}/reports", data={"kind": "medicine"})
    return db.session.scalar(db.select(Report))


def test_an_nhs_number_in_a_narrative_is_refused_on_save_naming_the_field(client, medicine_report):
    data = medicine_form(allergies=f"Penicillin. NHS {NHS_NUMBER}")
    response = client.post(f"/reports/{medicine_report.id}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    message = MESSAGE.format("Allergies")
    assert html.count(message) == 2  # in the error summary and beside the field
    assert 'href="#allergies"' in html
    db.session.expire_all()
    stored = db.session.get(Report, medicine_report.id)
    assert stored.allergies is None
    assert stored.reactions == []  # nothing of the refused form was stored


def test_an_nhs_number_in_a_reaction_is_refused_on_save(client, medicine_report):
    data = medicine_form(**{"reactions-0-treatment": f"Adrenaline; NHS no {NHS_NUMBER}"})
    response = client.post(f"/reports/{medicine_report.id}/edit", data=data)
    assert response.status_code == 422
    assert MESSAGE.format("Treatment given") in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Reaction)) == 0


@pytest.mark.parametrize(
    ("text", "found"), [("Lives at SW1A 1AA", "a postcode"), ("DOB 01/02/1959, seen in clinic", "a date of birth")]
)
def test_the_api_refuses_identifiers_on_patch(client, clinician, make_session, token_for, text, found):
    headers = token_for(clinician)
    created = client.post(f"/api/v1/sessions/{make_session().id}/reports", json={"kind": "device"}, headers=headers)
    report = created.get_json()
    response = client.patch(
        f"/api/v1/reports/{report['id']}",
        json={"incident": {"description": text}},
        headers={**headers, "If-Match": created.headers["ETag"]},
    )
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"] == {
        "incident.description": [f"What happened contains what looks like {found}: remove it, "
                                 "reports must not identify the patient"]
    }
    db.session.expire_all()
    assert db.session.get(Report, report["id"]).incident_description is None
