"""Issue 10 in a real browser, CSRF on and axe on every page: a defective medicine and a device near miss.

Both start without a session, from "Start a report without a session" on
the sessions page, the way a pharmacist finding a cracked vial in the
fridge or a nurse seeing a failed generator self-test would.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import choose, field, summary_value

pytestmark = pytest.mark.browser


def _start(page, axe, link_name: str) -> None:
    page.goto("/sessions")
    page.get_by_role("link", name="Start a report without a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a report")
    axe(page)
    page.get_by_role("link", name=link_name).click()
    axe(page)


def test_pharmacist_records_a_cracked_vial_without_patient_data(page, clinician, sign_in, axe):
    sign_in(page, clinician)
    _start(page, axe, "A defective medicine")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a defective medicine")
    # Nothing typed: the errors are announced and linked to their fields.
    page.get_by_role("button", name="Start the report").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the hospital or site")
    axe(page)
    field(page, "Hospital or site").fill("St Elsewhere Hospital, Pharmacy")
    choose(page, "Nation", "Wales")
    field(page, "Batch number").fill("BX4471A")
    page.get_by_role("button", name="Start the report").click()

    expect(page).to_have_url(re.compile(r"/reports/\d+/edit$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a defective medicine")
    expect(field(page, "Batch number")).to_have_value("BX4471A")
    axe(page)
    choose(page, "Medicine", "Bleomycin")
    field(page, "Product or brand name").fill("Bleomycin 15,000 IU powder for solution for injection")
    choose(page, "What is wrong with the product", "Container or closure damage")
    field(page, "Describe the defect").fill("Cracked vial noticed before reconstitution.")
    choose(page, "Was the product used on a patient?", "No")
    field(page, "Quantity affected (packs or vials)").fill("1")
    choose(page, "Where the stock is now", "Quarantined on site")
    choose(page, "Pharmacy informed", "Yes")
    page.get_by_role("button", name="I became aware today").click()
    page.get_by_role("button", name="Save and submit for review").click()

    expect(page.get_by_role("status")).to_contain_text("Report submitted for review")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted for review")
    expect(summary_value(page, "Batch number")).to_have_text("BX4471A")
    expect(summary_value(page, "Where the stock is now")).to_have_text("Quarantined on site")
    expect(page.get_by_text("No patient involved.")).to_be_visible()
    expect(page.get_by_role("link", name="Download E2B(R3) XML")).to_have_count(0)
    expect(page.get_by_text("MHRA Yellow Card scheme").first).to_be_visible()
    axe(page)


def test_nurse_records_a_generator_self_test_failure_as_a_near_miss(page, clinician, sign_in, axe):
    sign_in(page, clinician)
    _start(page, axe, "A problem with a device")
    field(page, "Hospital or site").fill("St Elsewhere Hospital, Theatre 2")
    choose(page, "Nation", "England")
    choose(page, "No patient involved (near miss found before any patient was treated)", "Yes")
    field(page, "Generator UDI").fill("(01)05060123456783(21)SN12345")
    field(page, "Generator model").fill("Cliniporator VITAE")
    page.get_by_role("button", name="Start the report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Near miss: Report an incident with a medical device"
    )
    expect(field(page, "Generator serial number")).to_have_value("SN12345")  # from the pasted UDI
    expect(page.get_by_role("group", name="Patient", exact=True)).to_have_count(0)
    expect(field(page, "Patient initials")).to_have_count(0)
    axe(page)
    field(page, "Generator manufacturer").fill("IGEA")
    field(page, "What happened").fill("Self-test failed at switch-on before the list. No patient was connected.")
    choose(page, "Where the device is now", "Quarantined on site")
    choose(page, "Available for investigation", "Yes")
    page.get_by_role("button", name="I became aware today").click()
    page.get_by_role("button", name="Save and submit for review").click()

    expect(page.get_by_role("status")).to_contain_text("Report submitted for review")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Near miss")
    expect(summary_value(page, "Health effect codes")).to_contain_text("F27")
    expect(summary_value(page, "Classification")).to_have_text("All other reportable incidents (including near misses)")
    axe(page)
