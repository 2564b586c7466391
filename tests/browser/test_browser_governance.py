"""A governance lead opens a submitted report; the pages look right on screen.

Screenshots of the session page and the report page are written to
/tmp/ (``ect-browser-*.png``) so a person can look at them; the test
itself checks what a screenshot would show broken: the NHS.UK styles
applied, and no text or table pushing the page wider than the screen,
on a desktop and at 320 CSS pixels (WCAG 1.4.10 Reflow).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ect_reporting.exports.e2b_ids import message_number
from ect_reporting.extensions import db
from ect_reporting.models import Report
from ect_reporting.reports import services, workflow
from ect_reporting.reports.readiness import submission_problems
from tests.browser.helpers import summary_value
from tests.e2b_acks import NEGATIVE_TEXT, ack_for

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")
LONG_UDI = "(01)08033891610020(11)250101(17)271231(10)L1(21)SN123456789012345678"


@pytest.fixture
def submitted_report(make_session, clinician):
    """A clinician's serious medicine report, submitted for review; returns (session id, report id)."""
    session = make_session(
        site_name="St Elsewhere Hospital, Department of Dermatology and Plastic Surgery",
        histology="melanoma",
        lesion_location="Left lower leg, anterior shin, multiple in-transit metastases",
        electrode_udi=LONG_UDI,
    )
    report = services.create_report(
        db.session,
        clinician,
        session,
        "medicine",
        {
            "awareness_date": session.procedure_date,
            "serious": True,
            "seriousness_criteria": ["hospitalisation", "life_threatening"],
            "other_medicines": "Paracetamol 1 g QDS; ondansetron 4 mg as needed",
            "additional_information": "Observed overnight on the ward.\nNo previous reaction to bleomycin.",
        },
        [
            {
                "verbatim": (
                    "Wheeze, facial flushing and a blood pressure of 78/40 about ten minutes after the "
                    "intravenous bleomycin bolus, before the first pulse. Treated and admitted overnight."
                ),
                "meddra_code": "10002218",
                "ctcae_grade": 3,
                "onset_date": session.procedure_date,
                "end_date": session.procedure_date + timedelta(days=1),
                "treatment": "IM adrenaline 0.5 mg, IV hydrocortisone 200 mg, chlorphenamine 10 mg",
                "outcome": "recovered",
            }
        ],
    )
    given = workflow.TransitionInput(problems=submission_problems(report))
    workflow.apply_transition(db.session, clinician, report, "submit", given)
    db.session.commit()
    return session.id, report.id


def assert_styled_and_fits(page, what: str) -> None:
    """The NHS.UK and app styles are applied and nothing is wider than the window."""
    header_colour = page.locator("header.nhsuk-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header_colour == "rgb(0, 94, 184)", f"{what}: NHS.UK styles not applied (header is {header_colour})"
    buttons = page.locator(".app-button-group").first.evaluate("e => getComputedStyle(e).display")
    assert buttons == "flex", f"{what}: static/app.css not applied (button group is display: {buttons})"
    overflow = page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const wide = [...document.querySelectorAll('main *')]
            .filter((e) => e.getBoundingClientRect().right > width + 1 || e.scrollWidth > e.clientWidth + 1)
            .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')
                        + ': ' + (e.textContent || '').trim().slice(0, 60));
          return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
        }"""
    )
    assert overflow["scroll"] <= overflow["width"], f"{what}: page scrolls sideways: {overflow}"


def test_governance_lead_sees_the_submitted_report_and_pages_look_right(
    new_page, governance_lead, submitted_report, sign_in, axe
):
    session_id, report_id = submitted_report
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, governance_lead, next=f"/reports/{report_id}")
    expect(page).to_have_url(re.compile(f"/reports/{report_id}$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"ECT-\d+"))
    expect(heading).to_contain_text("Submitted for review")
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
    expect(page.get_by_role("button", name="Return to the reporter")).to_be_visible()
    expect(page.get_by_label("Why are you returning it?")).to_be_visible()
    expect(page.get_by_role("button", name="Edit report")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("Anaphylaxis (MedDRA 10002218)")
    expect(page.get_by_role("main")).to_contain_text(
        "Involved or prolonged inpatient hospitalisation; Life threatening"
    )
    # Free text keeps the line breaks it was typed with.
    assert "on the ward.\nNo previous" in summary_value(page, "Additional information").inner_text()
    history = page.get_by_role("table", name="Audit history of this report")
    expect(history.get_by_role("row", name=re.compile("Draft to Submitted for review"))).to_be_visible()
    axe(page)
    assert_styled_and_fits(page, "report page")
    page.screenshot(path=str(SCREENSHOTS / "ect-browser-report.png"), full_page=True)

    page.get_by_role("link", name=f"ECT session {session_id}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Department of Dermatology and Plastic Surgery")
    expect(page.get_by_role("main")).to_contain_text(LONG_UDI)
    axe(page)
    assert_styled_and_fits(page, "session page")
    page.screenshot(path=str(SCREENSHOTS / "ect-browser-session.png"), full_page=True)

    # Reflow: usable at 320 CSS pixels without scrolling sideways.
    page.set_viewport_size({"width": 320, "height": 640})
    assert_styled_and_fits(page, "session page at 320px")
    page.screenshot(path=str(SCREENSHOTS / "ect-browser-session-320.png"), full_page=True)
    page.goto(f"/reports/{report_id}")
    assert_styled_and_fits(page, "report page at 320px")
    page.screenshot(path=str(SCREENSHOTS / "ect-browser-report-320.png"), full_page=True)


def test_governance_lead_works_the_queue_approves_and_records_sending(
    new_page, governance_lead, submitted_report, sign_in, axe
):
    _, report_id = submitted_report
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, governance_lead)
    page.get_by_role("link", name="Review queue").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    axe(page)
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name=re.compile(rf"ECT-0*{report_id}\b")).first.click()

    page.get_by_role("button", name="Return to the reporter").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter why you are returning the report")
    axe(page)
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approved")
    page.get_by_label("MHRA reference number").fill("GB-MHRA-ADR-22334455")
    page.get_by_role("button", name="Record as sent to the MHRA").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sent to MHRA")
    expect(page.get_by_role("main")).to_contain_text("GB-MHRA-ADR-22334455")
    axe(page)

    page.get_by_role("link", name="Dashboard").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_role("img").first).to_be_visible()
    axe(page)


def test_governance_lead_uploads_the_regulators_rejection(new_page, governance_lead, submitted_report, sign_in, axe):
    """A bad file comes back beside the field; the rejection returns the report with the regulator's words."""
    _, report_id = submitted_report
    report = db.session.get(Report, report_id)
    report.state = "sent_to_mhra"
    report.mhra_reference = "GB-MHRA-ADR-1"
    db.session.commit()
    rejection = ack_for(message_number(report.case_id, report.case_version), accepted=False)
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, governance_lead)
    page.goto(f"/reports/{report_id}")
    upload = page.get_by_label("Upload the regulator's acknowledgement (E2B R3 ACK file)")
    upload.set_input_files({"name": "ack.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7"})
    page.get_by_role("button", name="Upload acknowledgement").click()
    expect(page.locator("#acknowledgement-error")).to_contain_text("The file is not well-formed XML")
    axe(page)
    upload.set_input_files({"name": "ack.xml", "mimeType": "application/xml", "buffer": rejection})
    page.get_by_role("button", name="Upload acknowledgement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Returned")
    expect(page.locator("#regulator-rejection")).to_contain_text(NEGATIVE_TEXT)
    axe(page)
