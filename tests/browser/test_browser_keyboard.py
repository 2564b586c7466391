"""Keyboard use: the skip link comes first and lands in the main content."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import date_boxes, field

pytestmark = pytest.mark.browser


def skip_to_main_content(page) -> None:
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # shown when it has focus
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main_content(page, clinician, sign_in):
    page.goto("/sign-in")
    skip_to_main_content(page)
    page.keyboard.press("Tab")
    expect(field(page, "Email address")).to_be_focused()

    sign_in(page, clinician)
    page.goto("/sessions/new")
    skip_to_main_content(page)
    # The next stop is the first field, past the header and navigation.
    page.keyboard.press("Tab")
    expect(date_boxes(page, "Procedure date")[0]).to_be_focused()  # the Day box
