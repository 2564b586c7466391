"""Sign-in protection per account that an attacker cannot turn into a lock-out of the real user.

Design (see docs/security.md, "Sign-in protection"):

- Failed sign-ins are counted in the database per (account, client
  address), so every worker and instance shares one count. The account
  is the SHA-256 of the normalised e-mail, so unknown addresses are
  counted exactly like real ones and reveal nothing.
- After ``max_failures`` failures from one address within ``window``,
  that address is refused for that account (without checking the
  password, so guessing stops) until the window ends. Only the offending
  source is refused: the same account from any other address signs in
  with the right password, so an attacker cannot lock the clinician out.
  Refusing the whole account would hand every attacker a free denial of
  service against named clinicians.
- The per-account total over all addresses is only reported in the
  audit trail (an alert for the governance team), never used to refuse.
- A successful sign-in from an address clears that address's count.

Every failure and every lock-out writes an audit row. Like the other
domain modules this one has no Flask in it: the clock and the client
address are passed in, and it flushes but never commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ect_reporting import users
from ect_reporting.audit import record_event
from ect_reporting.models import LoginFailure, User
from ect_reporting.models.login import CLIENT_ADDRESS_LENGTH
from ect_reporting.session_policy import naive_utc

DEFAULT_MAX_FAILURES = 10
DEFAULT_WINDOW_MINUTES = 15


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures from one address within how long lock that address out of one account."""

    max_failures: int = DEFAULT_MAX_FAILURES
    window: timedelta = timedelta(minutes=DEFAULT_WINDOW_MINUTES)

    @classmethod
    def from_settings(cls, max_failures: int, window_minutes: int) -> LockoutPolicy:
        """Build from the ``ECT_SIGN_IN_*`` settings, refusing values that would switch protection off."""
        if max_failures < 1 or window_minutes < 1:
            raise ValueError("ECT_SIGN_IN_MAX_FAILURES and ECT_SIGN_IN_WINDOW_MINUTES must be at least 1")
        return cls(max_failures=max_failures, window=timedelta(minutes=window_minutes))


@dataclass(frozen=True)
class SignInOutcome:
    """What a sign-in attempt came to: the user, or why not and for how long."""

    user: User | None
    locked: bool = False
    retry_after: timedelta = timedelta(0)


def account_key(email: str) -> str:
    """SHA-256 of the normalised e-mail: the account as counted and audited, known or not."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def window_over(started: datetime, policy: LockoutPolicy, moment: datetime) -> bool:
    """True when the counting window that began at ``started`` has ended at ``moment``."""
    return naive_utc(moment) >= naive_utc(started) + policy.window


def is_locked(failures: int, started: datetime, policy: LockoutPolicy, moment: datetime) -> bool:
    """True while ``failures`` within the current window reach the limit."""
    return failures >= policy.max_failures and not window_over(started, policy, moment)


def after_failure(
    failures: int, started: datetime | None, policy: LockoutPolicy, moment: datetime
) -> tuple[int, datetime]:
    """Return (failures, window start) after one more failure; an ended window starts afresh."""
    if started is None or window_over(started, policy, moment):
        return 1, naive_utc(moment)
    return failures + 1, naive_utc(started)


def retry_after(started: datetime, policy: LockoutPolicy, moment: datetime) -> timedelta:
    """How long until the window that began at ``started`` ends (never negative)."""
    return max(naive_utc(started) + policy.window - naive_utc(moment), timedelta(0))


def _address(client_address: str | None) -> str:
    """The address as stored: unknown addresses share one bucket rather than escaping counting."""
    return (client_address or "unknown")[:CLIENT_ADDRESS_LENGTH]


def _row(db_session: Session, key: str, address: str) -> LoginFailure | None:
    return db_session.scalar(
        select(LoginFailure)
        .where(LoginFailure.account_hash == key, LoginFailure.client_address == address)
        .with_for_update()
    )


def count_failure(db_session: Session, key: str, address: str, policy: LockoutPolicy, moment: datetime) -> LoginFailure:
    """Add one failure for (account, address) and return the row; safe when two workers race.

    The row is read ``FOR UPDATE`` (PostgreSQL; SQLite serialises writers
    anyway). When two workers both find no row, the second insert hits the
    unique constraint inside a savepoint and counts on the winner's row.
    """
    row = _row(db_session, key, address)
    if row is None:
        try:
            with db_session.begin_nested():
                row = LoginFailure(
                    account_hash=key, client_address=address, failures=0,
                    window_started_at=naive_utc(moment), last_failed_at=naive_utc(moment),
                )
                db_session.add(row)
        except IntegrityError:
            row = _row(db_session, key, address)
            assert row is not None  # the row that beat us is committed
    started = None if row.failures == 0 else row.window_started_at
    row.failures, row.window_started_at = after_failure(row.failures, started, policy, moment)
    row.last_failed_at = naive_utc(moment)
    db_session.flush()
    return row


def account_failures(db_session: Session, key: str, policy: LockoutPolicy, moment: datetime) -> int:
    """Failures for the account from every address in the current window (for the audit alert only)."""
    since = naive_utc(moment) - policy.window
    total = db_session.scalar(
        select(func.coalesce(func.sum(LoginFailure.failures), 0)).where(
            LoginFailure.account_hash == key, LoginFailure.window_started_at > since
        )
    )
    return int(total or 0)


def _audit_failure(
    db_session: Session, user: User | None, key: str, address: str, reason: str, **extra: object
) -> None:
    """Write the ``sign_in_failed`` row: account hash (and user id when known), address and reason."""
    record_event(
        db_session,
        actor=None,
        action="sign_in_failed",
        object_type="user",
        object_id=user.id if user is not None else None,
        details={"email_sha256": key, "client_address": address, "reason": reason, **extra},
    )


def record_rate_limited(db_session: Session, email: str, client_address: str | None) -> None:
    """Audit an attempt the per-address rate limit refused before the password was looked at."""
    key = account_key(email) if email else None
    user = users.find_user_by_email(db_session, email) if email else None
    record_event(
        db_session,
        actor=None,
        action="sign_in_failed",
        object_type="user",
        object_id=user.id if user is not None else None,
        details={"email_sha256": key, "client_address": _address(client_address), "reason": "rate_limited"},
    )


def attempt(
    db_session: Session,
    email: str,
    password: str,
    client_address: str | None,
    policy: LockoutPolicy,
    moment: datetime,
) -> SignInOutcome:
    """Check a sign-in against the lock-out, then the password; count and audit every failure.

    A locked (account, address) pair is refused without checking the
    password, so a guesser learns nothing more until the window ends.
    Success clears that address's count; the caller audits the sign-in
    itself and commits.
    """
    key, address = account_key(email), _address(client_address)
    row = db_session.scalar(
        select(LoginFailure).where(LoginFailure.account_hash == key, LoginFailure.client_address == address)
    )
    if row is not None and is_locked(row.failures, row.window_started_at, policy, moment):
        wait = retry_after(row.window_started_at, policy, moment)
        _audit_failure(db_session, users.find_user_by_email(db_session, email), key, address, "locked_out",
                       retry_after_seconds=int(wait.total_seconds()))
        return SignInOutcome(None, locked=True, retry_after=wait)
    user = users.authenticate(db_session, email, password)
    if user is not None:
        if row is not None:
            db_session.delete(row)
            db_session.flush()
        return SignInOutcome(user)
    known = users.find_user_by_email(db_session, email)
    row = count_failure(db_session, key, address, policy, moment)
    _audit_failure(db_session, known, key, address, "bad_credentials", failures_from_address=row.failures)
    if row.failures == policy.max_failures:
        record_event(
            db_session, actor=None, action="sign_in_locked", object_type="user",
            object_id=known.id if known is not None else None,
            details={"email_sha256": key, "client_address": address, "failures_from_address": row.failures,
                     "failures_for_account": account_failures(db_session, key, policy, moment),
                     "until": (naive_utc(row.window_started_at) + policy.window).isoformat()},
        )
    return SignInOutcome(None)
