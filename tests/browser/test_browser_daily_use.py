"""Daily use in a real browser (issue 11): the clinician's attention list after a return, the
governance lead's "Needs action" list with an approved report waiting to be sent, and choosing
your own password at first sign-in. Every page visited is checked with axe-core.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from ect_reporting import users
from ect_reporting.extensions import db
from ect_reporting.reports import services, workflow
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

REASON = "Please add when the wheeze started and how the patient is now."


def _report(author, session, state="submitted_for_review", **values):
    report = services.create_report(db.session, author, session, "medicine")
    report.state = state
    report.due_date = date.today() + timedelta(days=2)
    for attr, value in values.items():
        setattr(report, attr, value)
    db.session.commit()
    return report


def test_a_returned_report_tops_the_clinicians_home_with_the_reason(
    page, sign_in, axe, clinician, governance_lead, make_session
):
    report = _report(clinician, make_session())
    workflow.apply_transition(db.session, governance_lead, report, "return", workflow.TransitionInput(comment=REASON))
    db.session.commit()

    sign_in(page, clinician)
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs your attention")
    expect(
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Needs your attention (1)")
    ).to_be_visible()
    returned = page.get_by_role("heading", name="Returned to you (1)")
    expect(returned).to_be_visible()
    expect(page.get_by_text(REASON)).to_be_visible()
    axe(page)

    page.get_by_role("link", name=report.reference).click()
    callout = page.locator("#return-reason")
    expect(callout).to_contain_text("Returned to you for changes")
    expect(callout).to_contain_text(REASON)
    axe(page)


def test_needs_action_lists_an_approved_report_waiting_to_be_sent(
    page, sign_in, axe, clinician, governance_lead, make_session
):
    approved = _report(clinician, make_session(), state="approved")
    _report(clinician, make_session(), state="draft")  # a draft is the clinician's business

    sign_in(page, governance_lead)
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs action")
    row = page.get_by_role("row").filter(has_text=approved.reference)
    expect(row).to_contain_text("Send it to the regulator")
    expect(page.get_by_role("row")).to_have_count(2)  # the header and the approved report
    axe(page)
    # Load the page afresh at 320 px: measuring straight after a resize races the header's
    # JavaScript, which moves navigation items into its "More" menu only after a resize event.
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs action")
    sizes = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert sizes["scroll"] <= sizes["inner"], sizes
    axe(page)


def test_an_administrator_created_account_chooses_its_own_password_first(page, sign_in, axe, make_user):
    admin = make_user("admin")
    person = users.create_user(
        db.session,
        email="first.day@example.nhs.uk",
        full_name="First Day",
        role="clinician",
        password=PASSWORD,
        actor=admin,
        must_change_password=True,
    )
    db.session.commit()

    sign_in(page, person)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your own password")
    axe(page)
    page.get_by_label("Current password", exact=True).fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("Password2026!")
    page.get_by_label("Confirm new password", exact=True).fill("Password2026!")
    page.get_by_role("button", name="Save password").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("harder to guess")
    axe(page)

    page.get_by_label("Current password", exact=True).fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("kettle orbit meadow")
    page.get_by_label("Confirm new password", exact=True).fill("kettle orbit meadow")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Needs your attention")
    expect(page.get_by_text("Your new password is saved")).to_be_visible()
