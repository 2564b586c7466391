"""Every field of the field tables is on its form page.

A field missing from a template would come back empty on save and clear
what the report held (pre-filled values included), so the pages are
checked against the field tables, not against a hand-kept list.
"""

from __future__ import annotations

import pytest

from ect_reporting import vocab
from ect_reporting.extensions import db
from ect_reporting.fields import PATIENT_FIELDS, REACTION_FIELDS, SESSION_FIELDS, report_fields
from ect_reporting.reports import services
from tests.forms import input_names
from tests.integration.test_forms import sign_in


def _names_missing(html: str, names: list[str]) -> list[str]:
    return [name for name in names if f'name="{name}"' not in html]


def test_session_form_has_every_session_field(client, clinician):
    sign_in(client, clinician)
    html = client.get("/sessions/new").get_data(as_text=True)
    assert _names_missing(html, input_names(SESSION_FIELDS)) == []


@pytest.mark.parametrize("kind", list(vocab.REPORT_KINDS))
def test_report_form_has_every_report_field(client, clinician, make_session, kind):
    report = services.create_report(db.session, clinician, make_session(), kind)
    db.session.commit()
    sign_in(client, clinician)
    html = client.get(f"/reports/{report.id}/edit").get_data(as_text=True)
    names = input_names(report_fields(kind))
    if kind == "medicine":
        names += [f"reactions-0-{name}" for name in input_names(REACTION_FIELDS)]
    assert _names_missing(html, names) == []


def test_near_miss_form_asks_no_patient_fields(client, clinician, make_session):
    """A device near miss hides the patient section and the consequences (no patient was involved)."""
    report = services.create_report(db.session, clinician, make_session(), "device", {"no_patient_involved": True})
    db.session.commit()
    sign_in(client, clinician)
    html = client.get(f"/reports/{report.id}/edit").get_data(as_text=True)
    patient = [f.attr for f in PATIENT_FIELDS] + ["patient_consequence"]
    assert _names_missing(html, patient) == patient
    assert "Near miss" in html
