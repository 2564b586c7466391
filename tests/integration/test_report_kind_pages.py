"""Issue 10 through the HTML pages (no JavaScript): blank forms, the defective-medicine form, near misses."""

from __future__ import annotations

import io
from datetime import date, timedelta

from pypdf import PdfReader

from ect_reporting.extensions import db
from ect_reporting.models import Report
from tests.forms import posted
from tests.integration.test_forms import sign_in

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
ELECTRODE_UDI = "(01)08033891610020(17)270630(10)LOT9911(21)SN-77"


def defective_form(version: int, **overrides: str) -> dict[str, str]:
    """Every field of the defective-medicine form, as a person fills it in."""
    form = {
        "version": str(version),
        "site_name": "St Elsewhere Hospital, Pharmacy",
        "nation": "england",
        "drug": "bleomycin",
        "drug_product": "Bleomycin 15,000 IU",
        "product_strength": "15,000 IU",
        "product_form": "Powder for solution for injection",
        "drug_batch": "BX4471A",
        "product_expiry": "2027-03-31",
        "product_manufacturer": "Example Pharma UK Ltd",
        "defect_category": "container_closure",
        "defect_description": "Cracked vial noticed before reconstitution",
        "incident_date": YESTERDAY,
        "used_on_patient": "no",
        "quantity_affected": "1",
        "stock_location": "quarantined",
        "pharmacy_informed": "yes",
        "supplier_informed": "no",
        "awareness_date": YESTERDAY,
        "reporter_name": "Dr A Clinician",
        "reporter_profession": "Consultant dermatologist",
    }
    form.update(overrides)
    return posted(form)


def test_start_page_offers_every_kind_and_earlier_sessions(client, clinician, make_session):
    session = make_session(user=clinician)
    sign_in(client, clinician)
    page = client.get("/reports/new").get_data(as_text=True)
    for kind in ("device", "defective_medicine", "medicine"):
        assert f"/reports/new?kind={kind}" in page
    assert f'value="{session.id}"' in page


def test_blank_device_form_with_pasted_udi_fills_identifiers(client, clinician):
    sign_in(client, clinician)
    assert client.get("/reports/new?kind=device").status_code == 200
    response = client.post(
        "/reports/new?kind=device",
        data={"kind": "device", "site_name": "Store room", "nation": "england", "electrode_udi": ELECTRODE_UDI},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    report = db.session.scalar(db.select(Report))
    assert report.session_id is None and report.kind == "device"
    assert (report.electrode_lot, report.electrode_serial, report.electrode_expiry) == (
        "LOT9911", "SN-77", date(2027, 6, 30)
    )
    edit = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Started from a blank form" in edit and 'value="LOT9911"' in edit


def test_blank_form_without_site_comes_back_with_errors(client, clinician):
    sign_in(client, clinician)
    response = client.post("/reports/new?kind=defective_medicine", data={"kind": "defective_medicine"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter the hospital or site" in page and "nhsuk-error-summary" in page
    assert db.session.scalar(db.select(Report)) is None


def test_defective_medicine_from_blank_form_to_submitted(client, clinician):
    sign_in(client, clinician)
    created = client.post(
        "/reports/new?kind=defective_medicine",
        data={"kind": "defective_medicine", "site_name": "Pharmacy", "nation": "wales", "drug_batch": "BX4471A"},
    )
    assert created.status_code == 302
    report = db.session.scalar(db.select(Report))
    form_page = client.get(f"/reports/{report.id}/edit").get_data(as_text=True)
    assert "Report a defective medicine" in form_page
    saved = client.post(f"/reports/{report.id}/edit", data={**defective_form(report.version), "submit_for_review": "1"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.refresh(report)
    assert report.state == "submitted_for_review"
    assert (report.stock_location, report.pharmacy_informed, report.used_on_patient) == ("quarantined", True, False)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "BX4471A" in page and "Quarantined on site" in page and "No patient involved" in page
    assert "MHRA Yellow Card scheme" in page
    assert "export.xml" not in page  # no E2B file for a defective medicine
    pdf = client.get(f"/api/v1/reports/{report.id}/export.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Defective medicine" in text and "BX4471A" in text


def test_reaction_followed_offers_a_prefilled_reaction_report(client, clinician, make_session):
    session = make_session(user=clinician)
    sign_in(client, clinician)
    client.post(f"/sessions/{session.id}/reports", data={"kind": "defective_medicine"})
    defect = db.session.scalar(db.select(Report))
    client.post(
        f"/reports/{defect.id}/edit",
        data=defective_form(defect.version, used_on_patient="yes", reaction_followed="yes",
                            patient_initials="MK", local_reference="SEH1"),
    )
    page = client.get(f"/reports/{defect.id}").get_data(as_text=True)
    assert "Start a suspected reaction report" in page
    started = client.post(f"/reports/{defect.id}/reaction-report")
    assert started.status_code == 302
    medicine = db.session.scalar(db.select(Report).where(Report.kind == "medicine"))
    assert (medicine.drug_batch, medicine.source_report_id, medicine.local_reference) == ("BX4471A", defect.id, "SEH1")
    assert "Start a suspected reaction report" not in client.get(f"/reports/{defect.id}").get_data(as_text=True)


def test_medicine_report_from_an_earlier_session_in_the_list(client, clinician, make_session):
    session = make_session(user=clinician)
    sign_in(client, clinician)
    response = client.post("/reports/new/from-session", data={"session_id": str(session.id)})
    assert response.status_code == 302
    report = db.session.scalar(db.select(Report))
    assert (report.kind, report.session_id) == ("medicine", session.id)


def test_someone_elses_session_cannot_be_chosen(client, clinician, make_user, make_session):
    other = make_session(user=make_user("clinician"))
    sign_in(client, clinician)
    assert client.post("/reports/new/from-session", data={"session_id": str(other.id)}).status_code == 403


def test_medicine_report_from_nothing_with_typed_patient(client, clinician):
    sign_in(client, clinician)
    response = client.post(
        "/reports/new?kind=medicine",
        data={"kind": "medicine", "site_name": "Clinic B", "nation": "england", "patient_initials": "jb",
              "patient_age": "64", "drug": "bleomycin"},
    )
    assert response.status_code == 302
    report = db.session.scalar(db.select(Report))
    assert (report.patient_initials, report.session_id) == ("JB", None)


def test_near_miss_page_says_no_patient(client, clinician, make_session):
    session = make_session(user=clinician)
    sign_in(client, clinician)
    client.post("/reports/new?kind=device", data={"kind": "device", "site_name": "Theatre 2", "nation": "england",
                                                 "no_patient_involved": "yes", "generator_model": "ePORE"})
    report = db.session.scalar(db.select(Report))
    assert report.no_patient_involved and report.health_effect_codes == ["F27"]
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Near miss" in page and "No patient involved." in page
    assert session.id  # the session exists but the near miss is not tied to it


def test_defect_from_blank_form_can_link_the_session_it_was_used_in(client, clinician, make_session):
    session = make_session(user=clinician)
    sign_in(client, clinician)
    assert f'value="{session.id}"' in client.get("/reports/new?kind=defective_medicine").get_data(as_text=True)
    response = client.post(
        "/reports/new?kind=defective_medicine",
        data={"kind": "defective_medicine", "session_id": str(session.id), "drug_batch": "BX4471A"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    report = db.session.scalar(db.select(Report))
    assert (report.session_id, report.drug_batch, report.site_name) == (session.id, "BX4471A", session.site_name)
    assert report.local_reference == session.local_reference
