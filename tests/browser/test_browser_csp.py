"""The real Content-Security-Policy in a real browser: pages work and nothing is refused.

Every other browser test bypasses the policy (axe-core is injected as an
inline script); these pages run under it, so a new inline script or style
attribute fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def strict_page(new_page: Any) -> tuple[Any, list[str]]:
    """A page that enforces the CSP and records every violation the browser reports."""
    page = new_page(bypass_csp=False)
    violations: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    return page, violations


@pytest.mark.parametrize("path", ["/sign-in", "/no-such-page"])
def test_public_pages_run_under_the_policy(strict_page, path):
    page, violations = strict_page
    page.goto(path)
    # The NHS.UK template's nonce script ran and the frontend module started.
    expect(page.locator("body.js-enabled.nhsuk-frontend-supported")).to_have_count(1)
    assert violations == []


def test_signed_in_pages_run_under_the_policy(strict_page, sign_in, clinician):
    page, violations = strict_page
    sign_in(page, clinician)
    for path in ("/sessions", "/sessions/new"):
        page.goto(path)
        expect(page.locator("body.js-enabled")).to_have_count(1)
    assert violations == []
