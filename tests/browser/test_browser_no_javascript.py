"""The service works with JavaScript switched off (progressive enhancement)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import choose, field, open_session_form, record_session, select

pytestmark = pytest.mark.browser


def test_sign_in_record_a_session_and_report_two_reactions_without_javascript(new_page, clinician, sign_in):
    page = new_page(java_script_enabled=False)
    sign_in(page, clinician)
    # The NHS.UK template marks <body> when its script runs: it must not have.
    expect(page.locator("body")).not_to_have_class(re.compile("js-enabled"))

    open_session_form(page)
    record_session(page)
    expect(page).to_have_url(re.compile(r"/sessions/\d+$"))
    expect(page.get_by_role("status")).to_contain_text("ECT session recorded.")

    page.get_by_role("button", name="Report a medicine problem").click()
    expect(page).to_have_url(re.compile(r"/reports/\d+/edit$"))
    first = page.get_by_role("group", name="Reaction 1", exact=True)
    field(first, "Reaction in your own words").fill("Sharp pain at the electrode sites on waking.")
    select(first, "Coded term (MedDRA)", "Pain of skin (10033474)")
    choose(first, "Outcome", "Recovering / resolving")
    field(page, "Batch number").fill("BX4471-A")

    page.get_by_role("button", name="Add another reaction").click()
    second = page.get_by_role("group", name="Reaction 2", exact=True)
    expect(second).to_be_visible()
    # Nothing typed so far is lost by the round trip.
    expect(field(first, "Reaction in your own words")).to_have_value("Sharp pain at the electrode sites on waking.")
    expect(field(first, "Coded term (MedDRA)")).to_have_value("10033474")
    expect(page.get_by_role("group", name="Outcome").first.get_by_label("Recovering / resolving")).to_be_checked()
    expect(field(page, "Batch number")).to_have_value("BX4471-A")
    expect(field(second, "Reaction in your own words")).to_have_value("")

    field(second, "Reaction in your own words").fill("Nausea in the evening.")
    select(second, "Coded term (MedDRA)", "Nausea (10028813)")
    choose(second, "Outcome", "Recovered / resolved")
    choose(page, "Serious", "No")
    page.get_by_role("button", name="Save draft").click()

    expect(page).to_have_url(re.compile(r"/reports/\d+$"))
    expect(page.get_by_role("status")).to_contain_text("Draft saved.")
    expect(page.get_by_role("heading", level=3)).to_have_text(["Reaction 1", "Reaction 2"])
    main = page.get_by_role("main")
    expect(main).to_contain_text("Sharp pain at the electrode sites on waking.")
    expect(main).to_contain_text("Pain of skin (MedDRA 10033474)")
    expect(main).to_contain_text("Nausea (MedDRA 10028813)")
    expect(main).to_contain_text("BX4471-A")
