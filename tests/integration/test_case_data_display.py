"""The Yellow Card case data a report holds is shown on the report page and in the PDF.

Patient questions (medicine only), rechallenge, each reaction's time to
onset and seriousness, the listed other medicines, the reporter's
qualification and contact details, and the ECT session's clinical checks
kept with the report. The PDF is read back with pypdf; the page through
the app, as a signed-in clinician sees it.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

import pytest
from pypdf import PdfReader

from ect_reporting.exports.pdf import PdfRenderer
from ect_reporting.exports.samples import sample_record
from ect_reporting.extensions import db
from ect_reporting.reports.services import create_report
from tests.integration.test_forms import sign_in

HOSTILE = "<b>x</b> & <script>alert(1)</script>"


def pdf_text(record) -> str:
    content = PdfRenderer().generate(record).content
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def page_text(html: str) -> str:
    """The page's visible text, tags dropped and whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# --- PDF ------------------------------------------------------------------------------


def test_the_medicine_pdf_shows_the_yellow_card_case_data():
    text = pdf_text(sample_record("medicine"))
    for expected in (
        "Ethnicity White",
        "Pregnancy Not pregnant",
        "Relevant medical history Stage IIIC melanoma of the left leg (2023); hypertension.",
        "Relevant test results Mast cell tryptase 28 micrograms/L at 1 hour after onset.",
        "Allergies No known drug allergies",
        "Rechallenge Not rechallenged",
        "Time to onset 0 days (same day as the drug)",
        "Time to onset 14 days after the drug started",
        "Why serious Involved or prolonged inpatient hospitalisation",
        "Amlodipine",
        "Taken at the same time (not suspected)",
        "Hypertension",
        "Qualification Physician (doctor)",
        "Telephone 0161 496 0000",
        "Address Skin Cancer Unit, Example Hospital, Example Road, Exampletown",
        "Clinical checks",
        "15,144 IU/m2 is above the ESOPE standard of 15,000 IU/m2",
    ):
        assert expected in text, expected


def test_the_device_pdf_shows_the_reporter_and_that_no_clinical_warning_was_raised():
    text = pdf_text(sample_record("device"))
    assert "Qualification Other health professional" in text
    assert "Telephone 01382 496000" in text
    assert "Clinical checks No clinical warnings were raised for this ECT session." in text
    # The medicine-only patient questions are not asked on a device form.
    assert "Ethnicity" not in text
    assert "Allergies" not in text


def test_the_pdf_prints_hostile_case_data_literally():
    record = sample_record("medicine")
    record["patient"]["allergies"] = HOSTILE
    record["other_drugs"][0]["name"] = HOSTILE
    record["clinical_warnings"][0]["message"] = HOSTILE
    record["reporter"]["phone"] = HOSTILE
    text = pdf_text(record).replace(" ", "")
    assert text.count(HOSTILE.replace(" ", "")) == 4
    assert "&amp;" not in text


# --- report page ----------------------------------------------------------------------

# 40,000 IU for 68 kg / 165 cm is about 22,660 IU/m2: above the ESOPE 15,000 IU/m2 standard.
HIGH_DOSE = {"dose": 40000.0, "patient_weight_kg": 68.0, "patient_height_cm": 165.0}

AMLODIPINE = {
    "characterisation": "concomitant",
    "name": "Amlodipine",
    "dose": 5,
    "dose_unit": "mg",
    "route": "oral",
    "indication": "Hypertension",
}


def make_report(clinician, session, **values):
    day = session.procedure_date
    reactions = [
        {
            "verbatim": "Flushed and wheezy minutes after the bolus",
            "onset_date": day,
            "outcome": "recovered",
            "serious": True,
            "seriousness_criteria": ["hospitalisation"],
        },
        {"verbatim": "Ulcer at the treated site", "onset_date": day + timedelta(days=1), "serious": False},
    ]
    overrides = {
        "serious": True,
        "seriousness_criteria": ["hospitalisation"],
        "reporter_phone": "0161 496 0123",
        "reporter_address": "Dermatology, Test Hospital",
        "patient_ethnicity": "asian",
        "pregnancy": "not_pregnant",
        "allergies": "Penicillin (rash)",
        "rechallenge": "not_done",
        **values,
    }
    report = create_report(db.session, clinician, session, "medicine", overrides, reactions, other_drugs=[AMLODIPINE])
    db.session.commit()
    return report


@pytest.fixture
def show(client, clinician):
    sign_in(client, clinician)

    def get(report):
        response = client.get(f"/reports/{report.id}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return get


def test_the_report_page_shows_the_case_data(show, clinician, make_session):
    html = show(make_report(clinician, make_session()))
    text = page_text(html)
    for expected in (
        "Ethnicity Asian or Asian British",
        "Pregnancy Not pregnant",
        "Allergies Penicillin (rash)",
        "Rechallenge Not rechallenged",
        "Time to onset 0 days (same day as the drug)",
        "Time to onset 1 day after the drug started",
        "Serious Yes Why serious Involved or prolonged inpatient hospitalisation",
        "Serious No Why serious Not applicable: not serious",
        "Other medicine 1: Amlodipine",
        "Role in the reaction Taken at the same time (not suspected)",
        "Dose 5 mg",
        "Route Oral",
        "Taken for Hypertension",
        "Telephone 0161 496 0123",
        "Address Dermatology, Test Hospital",
    ):
        assert expected in text, expected
    assert text.index("Other medicine 1: Amlodipine") < text.index("Other medicines (free text)")


def test_a_session_warning_shows_as_a_clinical_checks_callout(show, clinician, make_session):
    html = show(make_report(clinician, make_session(**HIGH_DOSE)))
    assert 'id="clinical-checks"' in html
    text = page_text(html)
    assert "Clinical checks when this report was created" in text
    assert re.search(r"IV bleomycin [\d,]+ IU/m2 is above the ESOPE standard of 15,000 IU/m2", text)


def test_no_callout_when_the_session_raised_no_warning(show, clinician, make_session):
    # Defaults: 30,000 IU for 80 kg / 180 cm is exactly 15,000 IU/m2, which is fine.
    html = show(make_report(clinician, make_session()))
    assert "clinical-checks" not in html
    assert "Clinical checks when this report was created" not in html


def test_case_data_on_the_page_is_escaped(show, clinician, make_session):
    html = show(make_report(clinician, make_session(), reporter_phone=HOSTILE, allergies=HOSTILE))
    assert "<script>alert(1)</script>" not in html
    assert html.count("&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;") == 2
