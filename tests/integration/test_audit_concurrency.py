"""Concurrent writers keep one valid audit chain (PostgreSQL).

Why: every request appends to one hash chain, and two transactions that
read the same head would fork it. ``record_event`` takes a
transaction-scoped advisory lock before reading the head, so appends
serialise from the read to the commit and no longer. This drives several
threads, each with its own connection and transaction (as gunicorn
workers have), some holding their transaction open a while after the
append, and checks the chain verifies and holds every row. SQLite
serialises writers by itself (one writer per database), so this runs in
the PostgreSQL run only.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from ect_reporting.audit import append_many, record_event, verify_database
from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")),
    reason="concurrent writers need PostgreSQL: runs in the PostgreSQL run",
)

THREADS = 6
APPENDS = 8


def _writer(app: Flask, number: int, failures: list[BaseException]) -> None:
    try:
        with app.app_context():
            for step in range(APPENDS):
                if step % 4 == 3:  # the bulk path shares the lock and the chain
                    append_many(db.session, [{"created_at": datetime.now(UTC), "actor_id": None, "action": "bulk",
                                              "object_type": "report", "object_id": number, "details": {}}])
                else:
                    record_event(db.session, actor=None, action="test", object_type="report", object_id=number,
                                 details={"step": step})
                if step % 3 == 0:
                    time.sleep(0.01)  # a request still busy after its append
                db.session.commit()
            db.session.remove()
    except BaseException as exc:  # reported by the main thread
        failures.append(exc)


def test_concurrent_appends_keep_one_valid_chain(app: Flask) -> None:
    before = db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    db.session.commit()
    failures: list[BaseException] = []
    threads = [threading.Thread(target=_writer, args=(app, n, failures)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not failures, failures
    assert (db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0) == before + THREADS * APPENDS
    assert verify_database(db.session) is None
