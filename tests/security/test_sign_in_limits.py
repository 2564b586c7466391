"""Issue 12 item 5: a sign-in rate limit shared by every worker, and a lock-out an attacker cannot turn on the user.

Two ``create_app`` instances on one database and one Redis stand for two
gunicorn workers (or two servers). The client address is ``REMOTE_ADDR``
(or the ``X-Forwarded-For`` entry added by ``ECT_PROXY_COUNT`` trusted
proxies), as ``ect_reporting.trust_proxies`` sets it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from ect_reporting import sign_in_guard
from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent, LoginFailure, User
from tests.conftest import PASSWORD

REDIS_URL = "redis://127.0.0.1:6379"
ATTACKER = "203.0.113.66"
CLINIC = "198.51.100.20"
WRONG = "not-the-password-1"


@pytest.fixture
def attacker() -> Iterator[str]:
    """A client address of this test's own (its Redis counters deleted after); skip if Redis is down.

    The address, not the key prefix, keeps tests apart: the limiter is one
    module-level object that every test app binds, and it keeps the first
    app's prefix (one app per process in production, so only tests see this).
    """
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not answering at {REDIS_URL} (.ci/run starts it)")
    address = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
    yield address
    for key in connection.scan_iter(f"*{address}*"):
        connection.delete(key)
    connection.close()


def _redis_keys(address: str) -> list[bytes]:
    import redis

    return list(redis.Redis.from_url(REDIS_URL).scan_iter(f"*{address}*"))


@pytest.fixture
def workers(app: Flask, extra_app: Callable[..., Flask], attacker: str) -> Callable[..., list[Flask]]:
    """Factory: two apps sharing the test database and one Redis store, rate limiting on."""

    def factory(**settings: object) -> list[Flask]:
        config = {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": "ect-test",
            "ECT_LOGIN_RATE_LIMIT": "10 per minute",
            "WTF_CSRF_ENABLED": False,
            **settings,
        }
        return [extra_app(**config), extra_app(**config)]

    return factory


def _sign_in(app: Flask, email: str, password: str, address: str, **headers: str) -> int:
    client = app.test_client()
    response = client.post(
        "/sign-in", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )
    return response.status_code


def _failures() -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action == "sign_in_failed").order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def test_eleventh_wrong_password_in_a_minute_gets_429_across_two_workers(
    workers, clinician: User, attacker: str
) -> None:
    # The database lock-out is set high so that this is the shared Flask-Limiter count alone.
    first, second = workers(ECT_SIGN_IN_MAX_FAILURES=100)
    codes = [_sign_in((first, second)[n % 2], clinician.email, WRONG, attacker) for n in range(11)]
    assert codes[:10] == [200] * 10
    assert codes[10] == 429
    assert _redis_keys(attacker), "the count lives in Redis, not in a worker"


def test_right_password_from_another_address_signs_in_while_the_attacker_is_limited(
    workers, clinician: User, attacker: str
) -> None:
    first, second = workers()
    for n in range(11):
        _sign_in((first, second)[n % 2], clinician.email, WRONG, attacker)
    assert _sign_in(first, clinician.email, PASSWORD, attacker) == 429
    assert _sign_in(second, clinician.email, PASSWORD, CLINIC) == 302


def test_every_failure_and_the_rate_limit_are_audited(workers, clinician: User, attacker: str) -> None:
    first, second = workers(ECT_SIGN_IN_MAX_FAILURES=100)
    for n in range(11):
        _sign_in((first, second)[n % 2], clinician.email, WRONG, attacker)
    rows = _failures()
    assert len(rows) == 11
    assert [row.details["reason"] for row in rows] == ["bad_credentials"] * 10 + ["rate_limited"]
    assert {row.details["client_address"] for row in rows} == {attacker}
    assert {row.details["email_sha256"] for row in rows} == {sign_in_guard.account_key(clinician.email)}
    assert {row.object_id for row in rows} == {clinician.id}
    assert all(PASSWORD not in str(row.details) and WRONG not in str(row.details) for row in rows)


def test_lock_out_refuses_only_the_offending_address(app: Flask, clinician: User, clock) -> None:
    """Database lock-out (rate limit off here): 10 failures lock that address out of that account only."""
    for _ in range(10):
        assert _sign_in(app, clinician.email, WRONG, ATTACKER) == 200
    assert _sign_in(app, clinician.email, PASSWORD, ATTACKER) == 429  # even the right password, from there
    assert _sign_in(app, clinician.email, PASSWORD, CLINIC) == 302
    locked = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in_locked")).all()
    assert len(locked) == 1
    assert locked[0].object_id == clinician.id
    assert locked[0].details["client_address"] == ATTACKER
    assert _failures()[-1].details["reason"] == "locked_out"


def test_lock_out_ends_with_its_window(app: Flask, clinician: User, clock) -> None:
    for _ in range(10):
        _sign_in(app, clinician.email, WRONG, ATTACKER)
    clock.advance(minutes=14)
    assert _sign_in(app, clinician.email, PASSWORD, ATTACKER) == 429
    clock.advance(minutes=2)
    assert _sign_in(app, clinician.email, PASSWORD, ATTACKER) == 302


def test_success_clears_the_count_for_that_address(app: Flask, clinician: User, clock) -> None:
    for _ in range(9):
        _sign_in(app, clinician.email, WRONG, CLINIC)
    assert _sign_in(app, clinician.email, PASSWORD, CLINIC) == 302
    assert db.session.scalars(select(LoginFailure)).all() == []


def test_unknown_address_is_counted_and_locked_like_a_real_one(app: Flask, clock) -> None:
    """The same answers for an e-mail that matches no user, so the lock-out does not reveal accounts."""
    codes = [_sign_in(app, "nobody@example.nhs.uk", WRONG, ATTACKER) for _ in range(11)]
    assert codes == [200] * 10 + [429]
    assert all(row.object_id is None for row in _failures())


def test_forwarded_address_is_used_only_behind_a_trusted_proxy(
    extra_app: Callable[..., Flask], app: Flask, clinician: User, clock
) -> None:
    proxied = extra_app(ECT_PROXY_COUNT=1, RATELIMIT_ENABLED=False, WTF_CSRF_ENABLED=False)
    proxy = "10.0.0.2"
    for _ in range(10):
        _sign_in(proxied, clinician.email, WRONG, proxy, **{"X-Forwarded-For": ATTACKER})
    assert _sign_in(proxied, clinician.email, PASSWORD, proxy, **{"X-Forwarded-For": ATTACKER}) == 429
    assert _sign_in(proxied, clinician.email, PASSWORD, proxy, **{"X-Forwarded-For": CLINIC}) == 302
    # Without ECT_PROXY_COUNT the header is ignored: a locked client cannot claim another address.
    for _ in range(10):
        _sign_in(app, clinician.email, WRONG, ATTACKER)
    assert _sign_in(app, clinician.email, PASSWORD, ATTACKER, **{"X-Forwarded-For": CLINIC}) == 429


START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
POLICY = sign_in_guard.LockoutPolicy(max_failures=3, window=timedelta(minutes=15))


def test_policy_counts_within_the_window_and_starts_afresh_after_it() -> None:
    count, started = sign_in_guard.after_failure(0, None, POLICY, START)
    for minutes in (1, 2):
        count, started = sign_in_guard.after_failure(count, started, POLICY, START + timedelta(minutes=minutes))
    assert count == 3
    assert sign_in_guard.is_locked(count, started, POLICY, START + timedelta(minutes=14, seconds=59))
    assert not sign_in_guard.is_locked(count, started, POLICY, START + timedelta(minutes=15))
    assert sign_in_guard.retry_after(started, POLICY, START + timedelta(minutes=5)) == timedelta(minutes=10)
    assert sign_in_guard.after_failure(count, started, POLICY, START + timedelta(minutes=16))[0] == 1


def test_policy_refuses_settings_that_switch_it_off() -> None:
    with pytest.raises(ValueError):
        sign_in_guard.LockoutPolicy.from_settings(0, 15)
