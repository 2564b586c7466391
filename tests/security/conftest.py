"""Fixtures for session and token lifetimes: a clock the tests move by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from ect_reporting import session_policy
from ect_reporting.models import User
from tests.admin.conftest import admin, admin_client  # noqa: F401  (shared fixtures)


class Clock:
    """A settable stand-in for ``session_policy.now``: no sleeping, no frozen interpreter clock."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(session_policy, "now", fake)
    return fake


@pytest.fixture
def other_clinician(make_user: Callable[..., User]) -> User:
    return make_user("clinician")
