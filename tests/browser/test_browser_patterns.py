"""NHS design patterns in a real browser (issue 11): date input errors, "Add another" landing,
focus on every error summary after the skip link, and reflow at 375 and 320 CSS pixels.

Every page visited is checked with axe-core.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from ect_reporting.extensions import db
from ect_reporting.reports import services
from tests.browser.helpers import date_boxes, field, fill_date, open_session_form, record_session
from tests.browser.test_browser_governance import submitted_report  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


def skip_link(page) -> None:
    """Use the skip link as a keyboard user does: the address then ends in #maincontent."""
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#maincontent$"))


def assert_no_sideways_scroll(page, what: str) -> None:
    """The page is no wider than the window (WCAG 1.4.10 Reflow)."""
    sizes = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert sizes["scroll"] <= sizes["inner"], f"{what} scrolls sideways: {sizes}"


def draft_report(clinician, make_session):
    """A clinician's fresh medicine draft, as "Report a medicine problem" makes it."""
    report = services.create_report(db.session, clinician, make_session(user=clinician), "medicine")
    db.session.commit()
    return report


def test_31_february_is_a_linked_error_at_the_date_field(page, clinician, sign_in, axe):
    sign_in(page, clinician)
    open_session_form(page)
    record_session(page, dates={"Procedure date": ("31", "2", "2026")})
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Procedure date must be a real date")
    expect(link).to_have_attribute("href", "#procedure_date-day")
    group = page.get_by_role("group", name="Procedure date", exact=True)
    expect(group).to_have_accessible_description(re.compile("Procedure date must be a real date"))
    day, month, year = date_boxes(page, "Procedure date")
    expect(day).to_have_value("31")
    expect(month).to_have_value("2")
    expect(year).to_have_value("2026")
    axe(page)
    link.click()
    expect(day).to_be_focused()


def test_add_another_reaction_lands_on_reaction_2_without_javascript(new_page, clinician, make_session, sign_in):
    report = draft_report(clinician, make_session)
    page = new_page(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    sign_in(page, clinician)
    page.goto(f"/reports/{report.id}/edit")
    field(page.get_by_role("group", name="Reaction 1", exact=True), "Reaction in your own words").fill("Rash")
    page.get_by_role("button", name="Add another reaction").click()
    expect(page).to_have_url(re.compile(rf"/reports/{report.id}/edit#reaction-2$"))
    second = page.locator("#reaction-2")
    expect(second).to_be_in_viewport()
    expect(second.get_by_role("heading", name="Reaction 2")).to_be_visible()
    expect(field(page.get_by_role("group", name="Reaction 1", exact=True), "Reaction in your own words")).to_have_value(
        "Rash"
    )
    # (axe-core needs JavaScript; the same page is checked with it in the next test.)
    page.get_by_role("button", name="Remove reaction 2").click()
    expect(page).to_have_url(re.compile(rf"/reports/{report.id}/edit#reaction-1$"))
    expect(page.locator("#reaction-1")).to_be_in_viewport()


def test_with_javascript_focus_follows_the_added_reaction(page, clinician, make_session, sign_in, axe):
    report = draft_report(clinician, make_session)
    sign_in(page, clinician)
    page.goto(f"/reports/{report.id}/edit")
    page.get_by_role("button", name="Add another reaction").click()
    expect(page.locator("#reaction-2")).to_be_focused()
    page.get_by_role("button", name="Remove reaction 2").click()
    expect(page.locator("#reaction-1")).to_be_focused()
    axe(page)


def test_after_the_skip_link_a_failed_sign_in_focuses_the_error_summary(page, clinician, axe):
    page.goto("/sign-in")
    skip_link(page)
    page.keyboard.press("Tab")
    expect(field(page, "Email address")).to_be_focused()
    page.keyboard.press("Enter")  # submit the empty form from the keyboard
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).not_to_have_url(re.compile("#"))
    axe(page)


def test_after_the_skip_link_a_failed_session_focuses_the_error_summary(page, clinician, sign_in, axe):
    sign_in(page, clinician)
    page.goto("/sessions/new")
    skip_link(page)
    page.keyboard.press("Tab")
    for part in ("31", "2", "2026"):  # Day, Month, Year boxes in turn
        page.keyboard.type(part)
        page.keyboard.press("Tab")
    date_boxes(page, "Procedure date")[2].press("Enter")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Procedure date must be a real date")
    expect(page).to_have_url(re.compile(r"/sessions/new$"))
    axe(page)


def test_after_the_skip_link_submitting_an_incomplete_report_focuses_the_linked_errors(
    page, clinician, make_session, sign_in, axe
):
    report = draft_report(clinician, make_session)
    sign_in(page, clinician)
    page.goto(f"/reports/{report.id}/edit")
    skip_link(page)
    submit = page.get_by_role("button", name="Save and submit for review")
    submit.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/reports/{report.id}/edit$"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Your draft is saved. Before it can be submitted for review:")
    link = summary.get_by_role("link", name=re.compile("^Reaction 1: "))
    expect(link.first).to_have_attribute("href", re.compile(r"^#reactions-0-"))
    aware = summary.get_by_role("link", name=re.compile("date you became aware", re.I))
    expect(aware).to_have_attribute("href", "#awareness_date-day")
    axe(page)
    aware.click()
    expect(date_boxes(page, "Date you became aware")[0]).to_be_focused()
    # Fix it here, on the same form, and submit again.
    fill_date(page, "Date you became aware", date.today())
    reaction = page.get_by_role("group", name="Reaction 1", exact=True)
    field(reaction, "Reaction in your own words").fill("Urticaria on the arms an hour after the session.")
    reaction.get_by_role("group", name="Outcome").get_by_label("Recovered / resolved").check()
    page.get_by_role("group", name="Serious", exact=True).get_by_label("No").check()
    submit.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted for review")


def test_errors_on_the_report_page_take_focus(new_page, governance_lead, submitted_report, sign_in, axe):  # noqa: F811
    _, report_id = submitted_report
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, governance_lead, next=f"/reports/{report_id}")
    skip_link(page)
    page.get_by_role("button", name="Return to the reporter").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter why you are returning the report")).to_have_attribute(
        "href", "#comment-return"
    )
    axe(page)


@pytest.mark.parametrize("width", [375, 320])
def test_lists_and_pages_fit_narrow_screens(
    new_page, governance_lead, clinician, make_session, submitted_report, sign_in, axe, width  # noqa: F811
):
    _, report_id = submitted_report
    for n in range(3):
        make_session(user=clinician, site_name=f"Queen Elizabeth University Hospital, Dermatology Unit {n}")
    page = new_page(viewport={"width": width, "height": 700})
    sign_in(page, governance_lead)
    for path, what in (
        ("/sessions", "sessions list"),
        (f"/reports/{report_id}", "report page"),
        ("/review/?state=all", "review queue"),
        ("/review/needs-action", "governance home (Needs action)"),
        ("/review/dashboard", "dashboard"),
    ):
        assert page.goto(path).status == 200, what
        assert_no_sideways_scroll(page, f"{what} at {width}px")
        axe(page)
