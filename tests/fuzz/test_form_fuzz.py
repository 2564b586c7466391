"""Hypothesis against the HTML forms: any posted text gives a page, never a 5xx, and nothing invalid is stored.

The API has schemathesis; the forms take the other road in (WTForms
conversion, then the same rules). Each example posts arbitrary strings -
numbers with separators, huge numbers, control characters, dates in
odd forms - to the session form and to a report's
edit form. A saved record must then pass the save-level rules, so the
fuzz also proves nothing the rules refuse can reach the database.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ect_reporting import rules
from ect_reporting.extensions import db
from ect_reporting.fields import SESSION_FIELDS, report_fields
from ect_reporting.models import EctSession, Report
from ect_reporting.reports import services
from ect_reporting.reports.values import other_drug_values, reaction_values, report_values
from tests.forms import input_names
from tests.integration.test_forms import SESSION_FORM, medicine_form, sign_in

pytestmark = pytest.mark.fuzz

TRICKY = st.sampled_from(
    ["", " ", "0", "-1", "27,000", "27 000", "1e309", "9" * 400, "NaN", "2026-W47-1", "31/02/2026", "\x00",
     "yes", "no", "<script>alert(1)</script>", "x" * 6000, "2026-02-31", "12:61",
     "31", "13", "00", "99999", "２０２６", "bleomycin", "mg", "IU"]
)
# Lone surrogates cannot travel in a UTF-8 form post at all (the API test covers them).
VALUES = st.one_of(TRICKY, st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _posted(base: dict[str, str], names: list[str], draw: st.DataObject) -> dict[str, str]:
    data = dict(base)
    for name in draw.draw(st.lists(st.sampled_from(names), min_size=1, max_size=6, unique=True)):
        data[name] = draw.draw(VALUES)
    return data


@FUZZ
@given(data=st.data())
def test_session_form_never_errors_and_stores_only_valid_sessions(client, clinician, data):
    sign_in(client, clinician)
    before = db.session.query(EctSession).count()
    response = client.post("/sessions/new", data=_posted(SESSION_FORM, input_names(SESSION_FIELDS), data))
    assert response.status_code in (200, 302, 400, 413, 422), response.status_code
    db.session.expire_all()
    if response.status_code == 302:
        session = db.session.query(EctSession).order_by(EctSession.id.desc()).first()
        values = {f.attr: getattr(session, f.attr) for f in SESSION_FIELDS}
        assert rules.session_errors(values, today=date.today(), creating=True) == {}
    else:
        assert db.session.query(EctSession).count() == before


@FUZZ
@given(data=st.data())
def test_report_form_never_errors_and_stores_only_valid_reports(client, clinician, make_session, data):
    report = services.create_report(db.session, clinician, make_session(), "medicine")
    db.session.commit()
    sign_in(client, clinician)
    names = [*input_names(report_fields("medicine")), "reactions-0-outcome", "reactions-0-onset_date-day",
             "reactions-0-onset_date-year", "reactions-0-ctcae_grade", "other_drugs-0-dose"]
    posted = _posted(medicine_form(version=str(report.version)), names, data)
    response = client.post(f"/reports/{report.id}/edit", data=posted)
    assert response.status_code in (200, 302, 400, 409, 413, 422), response.status_code
    db.session.expire_all()
    saved = db.session.get(Report, report.id)
    errors = rules.report_errors(
        "medicine",
        report_values(saved),
        reaction_values(saved),
        other_drugs=other_drug_values(saved),
        today=date.today(),
        procedure_date=saved.session.procedure_date,
    )
    assert errors == {}, errors
