"""The screens of the user guide (docs/user-guide.md), walked as a clinician and a governance lead.

Every page is checked with axe-core. With ``ECT_SCREENSHOTS=1`` each
screen is also saved as a PNG in ``docs/images/``, so the guide's
pictures are regenerated from the real service, never drawn by hand:

    ECT_SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_browser_user_guide.py
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PROJECT_ROOT
from tests.browser.helpers import choose, field, fill_date, open_session_form, record_session, select

pytestmark = pytest.mark.browser

IMAGES = PROJECT_ROOT / "docs" / "images"
VIEWPORT = {"width": 1024, "height": 768}


@pytest.fixture
def shot(axe: Any) -> Any:
    """Helper: shot(page, name, locator=None) checks the page with axe, then saves it when asked to."""
    wanted = os.environ.get("ECT_SCREENSHOTS") == "1"

    def helper(page: Any, name: str, locator: Any = None) -> None:
        axe(page)
        if not wanted:
            return
        IMAGES.mkdir(parents=True, exist_ok=True)
        path = Path(IMAGES / f"{name}.png")
        (locator or page).screenshot(path=str(path), **({} if locator else {"full_page": False}))

    return helper


def test_clinician_screens(new_page, clinician, sign_in, shot):
    page = new_page(viewport=VIEWPORT)
    page.goto("/sign-in")
    shot(page, "01-sign-in")
    sign_in(page, clinician)
    open_session_form(page)
    shot(page, "02-record-a-session")

    record_session(page, dates={"Procedure date": ("31", "2", "2026")})
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    shot(page, "03-date-error")
    fill_date(page, "Procedure date", date.today())
    page.get_by_role("button", name="Save session").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+$"))
    shot(page, "04-session")

    page.get_by_role("button", name="Report a medicine problem").click()
    expect(page).to_have_url(re.compile(r"/reports/\d+/edit$"))
    shot(page, "05-report-form")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    shot(page, "06-not-ready-to-submit")

    reaction = page.get_by_role("group", name="Reaction 1", exact=True)
    field(reaction, "Reaction in your own words").fill("Wheeze and flushing ten minutes after the bleomycin bolus.")
    select(reaction, "Coded term (MedDRA)", "Anaphylaxis (10002218)")
    choose(reaction, "Outcome", "Recovered / resolved")
    page.get_by_role("button", name="Add another reaction").click()
    expect(page).to_have_url(re.compile("#reaction-2$"))
    shot(page, "07-add-another-reaction")

    choose(page, "Serious", "Yes")
    page.get_by_role("group", name="Seriousness criteria").get_by_label("Life threatening").check()
    page.get_by_role("button", name="I became aware today").click()
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted for review")
    shot(page, "08-submitted")


def test_governance_screens(new_page, governance_lead, submitted_report, sign_in, shot):  # noqa: F811
    _, report_id = submitted_report
    page = new_page(viewport=VIEWPORT)
    sign_in(page, governance_lead)
    page.goto("/review/?state=all")
    shot(page, "10-review-queue")
    page.goto(f"/reports/{report_id}")
    actions = page.locator("#actions")
    actions.scroll_into_view_if_needed()
    shot(page, "11-review-actions")
    page.get_by_role("button", name="Return to the reporter").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    shot(page, "12-return-needs-a-reason")
    page.get_by_role("button", name="Withdraw this report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw this report?")
    shot(page, "13-confirm-withdraw")
    page.goto("/review/dashboard")
    shot(page, "14-dashboard")


from tests.browser.test_browser_governance import submitted_report  # noqa: E402, F401 (a fixture)
