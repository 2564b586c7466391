"""Sign-in page in a real browser: accessible, and a wrong password is explained."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_sign_in_page_is_accessible(page, axe):
    page.goto("/sign-in")
    expect(page).to_have_title(re.compile(r"^Sign in - "))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    # WCAG 1.3.5: the browser or password manager can fill in the user's own details.
    expect(page.get_by_label("Email address")).to_have_attribute("type", "email")
    expect(page.get_by_label("Email address")).to_have_attribute("autocomplete", "username")
    expect(page.get_by_label("Password")).to_have_attribute("autocomplete", "current-password")
    axe(page)


def test_wrong_password_is_explained_beside_the_field_and_in_the_summary(page, clinician, axe):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(clinician.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in", exact=True).click()

    message = "Email address or password is not correct"
    expect(page).to_have_title(re.compile(r"^Error: Sign in - "))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    summary_link = summary.get_by_role("link", name=message)
    expect(summary_link).to_have_attribute("href", "#password")

    password = page.get_by_label("Password")
    # The message is beside the field and read out with it.
    expect(page.locator(".nhsuk-form-group--error").filter(has=password)).to_contain_text(message)
    expect(password).to_have_accessible_description(re.compile(message))
    expect(password).to_have_value("")
    expect(page.get_by_label("Email address")).to_have_value(clinician.email)
    axe(page)

    # The summary link takes the user to the field.
    summary_link.click()
    expect(password).to_be_focused()
