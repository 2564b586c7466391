"""An administrator adds a user through the pages; the list, the form and the account page pass axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ect_reporting import users
from ect_reporting.extensions import db
from tests.browser.helpers import choose, field

pytestmark = pytest.mark.browser


@pytest.fixture
def admin(make_user):
    return make_user("admin", full_name="Jo Evans")


def test_admin_adds_a_user(page, admin, sign_in, axe):
    sign_in(page, admin)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Users").click()
    expect(page).to_have_title(re.compile(r"^Users - "))
    expect(page.get_by_role("row").filter(has_text="Jo Evans")).to_contain_text("Administrator")
    axe(page)

    page.get_by_role("button", name="Add a user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a user")
    axe(page)

    # Mistakes first: passwords that do not match are explained, and only the passwords are emptied.
    field(page, "Email address").fill("priya.shah@nhs.net")
    field(page, "Full name").fill("Dr Priya Shah")
    choose(page, "Role", "Clinician")
    field(page, "Profession or job title").fill("Consultant plastic surgeon")
    field(page, "Password").fill("a-long-new-password")
    field(page, "Confirm password").fill("not-the-same-password")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_title(re.compile(r"^Error: Add a user - "))
    summary_link = page.locator(".nhsuk-error-summary").get_by_role("link", name="The passwords do not match")
    expect(summary_link).to_have_attribute("href", "#confirm_password")
    expect(field(page, "Confirm password")).to_have_accessible_description(re.compile("The passwords do not match"))
    expect(field(page, "Full name")).to_have_value("Dr Priya Shah")
    expect(field(page, "Password")).to_have_value("")
    axe(page)

    field(page, "Password").fill("a-long-new-password")
    field(page, "Confirm password").fill("a-long-new-password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dr Priya Shah")
    expect(page.get_by_text("Account created for Dr Priya Shah")).to_be_visible()
    axe(page)  # the account page, with its deactivate and token forms

    page.get_by_role("link", name="Back to users").click()
    expect(page.get_by_role("row").filter(has_text="Dr Priya Shah")).to_contain_text("priya.shah@nhs.net")
    created = users.find_user_by_email(db.session, "priya.shah@nhs.net")
    assert created is not None and created.role == "clinician"
