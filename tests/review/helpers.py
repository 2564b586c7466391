"""Constants and helpers shared by the review tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.conftest import PASSWORD

# A fixed "today" for query-level tests, so clock results never depend on the run date.
TODAY = date(2026, 3, 10)
# MedDRA codes in the shipped CTCAE subset.
URTICARIA = "10046735"


def sign_in(client: Any, user: Any) -> None:
    """Sign ``user`` in through the form (the fixture password)."""
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
