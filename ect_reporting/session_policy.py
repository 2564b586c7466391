"""When a signed-in browser session or an API token stops working.

Flask-free: the web layer passes the settings and the session's stored
values in and gets a decision back, so the rules are tested without a
request. Time comes from ``now()``, a module function rather than a call
to ``datetime.now`` scattered through the code, so tests can move the
clock with ``monkeypatch.setattr(session_policy, "now", ...)`` instead
of sleeping or freezing the interpreter's clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

DEFAULT_IDLE_MINUTES = 30
DEFAULT_MAX_HOURS = 12
DEFAULT_TOKEN_DAYS = 90

# Keys this module owns in the signed session cookie.
VERSION_KEY = "_ect_sv"
SIGNED_IN_KEY = "_ect_signed_in"
SEEN_KEY = "_ect_seen"

# Refresh "last seen" only when it is this old: a new cookie on every
# response is noise, and idle timing to the minute is enough.
SEEN_RESOLUTION_SECONDS = 60


def now() -> datetime:
    """Return the current time (aware, UTC); replaced in tests to move the clock."""
    return datetime.now(UTC)


def naive_utc(moment: datetime) -> datetime:
    """Return ``moment`` as a naive UTC datetime, the form the database columns hold.

    Naive UTC on write and read means SQLite and PostgreSQL (whatever its
    time zone setting) compare token expiry the same way.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


@dataclass(frozen=True)
class SessionPolicy:
    """How long a browser session may sit idle, and may last at all."""

    idle: timedelta = timedelta(minutes=DEFAULT_IDLE_MINUTES)
    max_age: timedelta = timedelta(hours=DEFAULT_MAX_HOURS)

    @classmethod
    def from_settings(cls, idle_minutes: int, max_hours: int) -> SessionPolicy:
        """Build the policy from the ``ECT_SESSION_*`` setting values."""
        return cls(idle=timedelta(minutes=idle_minutes), max_age=timedelta(hours=max_hours))


def start_values(session_version: int, moment: datetime) -> dict[str, Any]:
    """Return what sign-in stores in the session: the user's version and two timestamps."""
    stamp = int(moment.timestamp())
    return {VERSION_KEY: session_version, SIGNED_IN_KEY: stamp, SEEN_KEY: stamp}


def end_reason(
    stored: Mapping[str, Any], session_version: int, policy: SessionPolicy, moment: datetime
) -> str | None:
    """Return why this session has ended, or None while it may continue.

    A session without our keys (signed in before this check existed, or
    forged without them) has ended too: absence never means "valid".
    """
    version, signed_in, seen = (stored.get(k) for k in (VERSION_KEY, SIGNED_IN_KEY, SEEN_KEY))
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (version, signed_in, seen)):
        return "missing"
    if version != session_version:
        return "revoked"
    stamp = moment.timestamp()
    if stamp - signed_in >= policy.max_age.total_seconds():
        return "max_age"
    if stamp - seen >= policy.idle.total_seconds():
        return "idle"
    return None


def needs_touch(stored: Mapping[str, Any], moment: datetime) -> bool:
    """True when "last seen" should be moved forward on this request."""
    seen = stored.get(SEEN_KEY)
    return not isinstance(seen, int) or moment.timestamp() - seen >= SEEN_RESOLUTION_SECONDS


ENDED_MESSAGES = {
    "revoked": "Your session has ended. Sign in again to continue.",
    "idle": "You were signed out because you had not used the service for a while. Sign in again to continue.",
    "max_age": "You were signed out because your session reached its time limit. Sign in again to continue.",
    "missing": "Your session has ended. Sign in again to continue.",
}
