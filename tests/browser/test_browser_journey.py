"""A clinician's whole journey in a real browser, with CSRF on and axe on every page.

Record an ECT session through the form, read the derived values and
OPCS-4 codes, raise a medicine report and a device report from the
session page, and submit both for review.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    PROCEDURE_DATE,
    choose,
    date_boxes,
    field,
    fill_date,
    open_session_form,
    radio,
    record_session,
    select,
    summary_value,
)

pytestmark = pytest.mark.browser


def test_clinician_records_a_session_and_submits_medicine_and_device_reports(page, clinician, sign_in, axe):
    sign_in(page, clinician)

    # --- Record the session -------------------------------------------------
    open_session_form(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an ECT session")
    # Only the page you are on is announced as the current page.
    expect(page.locator('[aria-current="page"]')).to_have_text(["Record a session"])
    axe(page)
    record_session(page)

    expect(page).to_have_url(re.compile(r"/sessions/\d+$"))
    session_url = page.url
    expect(page.get_by_role("status")).to_contain_text("ECT session recorded.")
    expect(page.locator('[aria-current="page"]')).to_have_count(0)
    expect(page.locator('[aria-current="true"]')).to_have_text(["ECT sessions"])  # the section you are in
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{PROCEDURE_DATE.day} {PROCEDURE_DATE:%B %Y}, St Elsewhere Hospital, Dermatology"
    )
    # Mosteller: sqrt(165 cm x 68 kg / 3600) = 1.7654 m2 (shown as 1.77); the dose per m2 uses the
    # unrounded BSA: 25,500 IU / 1.7654 m2 = 14,444 IU/m2.
    expect(summary_value(page, "Body surface area (Mosteller)")).to_have_text("1.77 m²")
    expect(summary_value(page, "Dose per m²")).to_have_text("14,444 IU/m²")
    expect(summary_value(page, "Minutes from drug to first pulse")).to_have_text("12")
    codes = page.get_by_role("table", name="OPCS-4 codes implied by this session")
    rows = codes.locator("tbody tr td:first-child")
    expect(rows).to_have_text(["X72.3", "Y12.3", "Z49.3", "Z94.2"])  # IPG446 sequence
    expect(codes.get_by_role("row", name=re.compile(r"^X72\.3 Delivery .* 1 source$"))).to_be_visible()
    expect(codes.get_by_role("row", name=re.compile(r"^Y12\.3 Electrochemotherapy"))).to_be_visible()
    expect(codes.get_by_role("row", name=re.compile(r"^Z94\.2 Right sided operation"))).to_be_visible()
    axe(page)

    # --- Medicine report ----------------------------------------------------
    page.get_by_role("button", name="Report a medicine problem").click()
    expect(page).to_have_url(re.compile(r"/reports/\d+/edit$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a suspected reaction to a medicine")
    # Pre-filled from the session.
    expect(field(page, "Patient initials")).to_have_value("MK")
    expect(field(page, "Batch number")).to_have_value("BX4471")
    expect(radio(page, "Route", "Intravenous")).to_be_checked()
    axe(page)
    # Never defaulted: the clock runs from the date the reporter gives, "today" is one click.
    for box in date_boxes(page, "Date you became aware"):
        expect(box).to_have_value("")
    page.get_by_role("button", name="I became aware today").click()
    today = date.today()
    for box, part in zip(date_boxes(page, "Date you became aware"), (today.day, today.month, today.year), strict=True):
        expect(box).to_have_value(str(part))

    reaction = page.get_by_role("group", name="Reaction 1")
    onset = PROCEDURE_DATE + timedelta(days=1)
    field(reaction, "Reaction in your own words").fill(
        "Breathless and wheezy with a widespread rash 10 minutes after the bleomycin bolus."
    )
    select(reaction, "Coded term (MedDRA)", "Anaphylaxis (10002218)")
    select(reaction, "CTCAE grade", "Grade 3")
    fill_date(reaction, "Date reaction started", onset)
    field(reaction, "Treatment given").fill("IM adrenaline, IV hydrocortisone and chlorphenamine.")
    choose(reaction, "Outcome", "Recovered / resolved")
    choose(page, "Serious", "Yes")
    radio(page, "Seriousness criteria", "Involved or prolonged inpatient hospitalisation").check()

    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/reports/\d+$"))
    report_url = page.url
    expect(page.get_by_role("status")).to_contain_text("Draft saved.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    expect(summary_value(page, "Coded term")).to_have_text("Anaphylaxis (MedDRA 10002218)")
    expect(summary_value(page, "Outcome")).to_have_text("Recovered / resolved")
    expect(summary_value(page, "Criteria")).to_have_text("Involved or prolonged inpatient hospitalisation")
    expect(page.locator("#completeness")).to_have_count(0)
    axe(page)

    page.get_by_role("button", name="Edit report").click()
    expect(field(page, "Reaction in your own words")).to_have_value(re.compile("^Breathless"))
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page).to_have_url(report_url)
    expect(page.get_by_role("status")).to_contain_text("Report submitted for review")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted for review")
    expect(page.get_by_role("button", name="Edit report")).to_have_count(0)
    axe(page)

    # --- Device report ------------------------------------------------------
    page.get_by_role("link", name=re.compile(r"^ECT session \d+$")).click()
    expect(page).to_have_url(session_url)
    reports = page.get_by_role("heading", name="Reports from this session").locator("xpath=following-sibling::ul[1]")
    expect(reports.get_by_role("listitem")).to_have_count(1)
    expect(reports).to_contain_text("Submitted for review")

    page.get_by_role("button", name="Report a device problem").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report an incident with a medical device")
    expect(field(page, "Generator serial number")).to_have_value("CV-001122")
    expect(field(page, "Electrode lot number")).to_have_value("LOT8812")
    axe(page)

    field(page, "What happened").fill(
        "The generator stopped mid-sequence with error E12 after 96 of 144 pulses. "
        "Treatment was completed with a spare generator; no harm to the patient."
    )
    choose(page, "Suspect component", "Pulse generator")
    choose(page, "Incident classification", "All other reportable incidents (including near misses)")
    # No JavaScript needed: the search button posts the form back, keeping what was typed.
    problems = page.get_by_role("group", name="Device problem (IMDRF annex A)", exact=True)
    problems.get_by_label("Search by word or code").fill("shutdown")
    problems.get_by_role("button", name="Search codes").click()
    expect(field(page, "What happened")).to_have_value(re.compile("stopped mid-sequence"))
    radio(page, "Device problem (IMDRF annex A)", "A0719 - Unexpected Shutdown").check()
    choose(page, "Where the device is now", "Quarantined on site")
    choose(page, "Available for investigation", "Yes")
    fill_date(page, "Date you became aware", PROCEDURE_DATE)
    page.get_by_role("button", name="Save and submit for review").click()

    expect(page).to_have_url(re.compile(r"/reports/\d+$"))
    assert page.url != report_url
    expect(page.get_by_role("status")).to_contain_text("Report submitted for review")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted for review")
    expect(page.locator(".nhsuk-caption-l")).to_have_text("Adverse incident with a medical device")
    expect(summary_value(page, "Classification")).to_have_text("All other reportable incidents (including near misses)")
    expect(summary_value(page, "Where the device is now")).to_have_text("Quarantined on site")
    expect(summary_value(page, "Available for investigation")).to_have_text("Yes")
    expect(summary_value(page, "Device problem codes")).to_have_text("A0719 - Unexpected Shutdown")
    axe(page)

    # Both reports are listed on the session page.
    page.get_by_role("link", name=re.compile(r"^ECT session \d+$")).click()
    expect(reports.get_by_role("listitem")).to_have_count(2)
