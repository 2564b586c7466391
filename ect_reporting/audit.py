"""Append-only, hash-chained audit trail.

Every row stores an HMAC-SHA256 (keyed with ``ECT_AUDIT_KEY``, which is
never in the database) of the previous row's hash plus its own canonical
content, so editing or deleting any row breaks every link after it, and
``verify_chain`` names the first broken row. The key is what stops an
attacker with write access to the database from editing a row and
recomputing every later hash: plain SHA-256 could be recomputed by anyone.
Truncating the newest rows keeps the chain valid, which is why
``ect_reporting.audit_checkpoints`` anchors the head outside the table.

Rows are written in the same transaction as the change they describe (the
caller commits once).

Writers serialise on a transaction-scoped PostgreSQL advisory lock (not a
table lock: readers and other tables are never blocked), taken just before
the head is read. Domain functions append their audit row as their last
write, so the lock is held from the append to the commit only. A lock-free
append is not possible with one chain: each row's hash covers the
previous row's, so two writers must not read the same head
(tests/integration/test_audit_concurrency.py).

All rows are keyed: the app is pre-release, so there are no unkeyed rows
to carry forward (the demo database is re-seeded).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.orm import Session

from ect_reporting import bulk
from ect_reporting.models import AuditEvent, User

GENESIS_HASH = "0" * 64
# Arbitrary constant key for PostgreSQL's transaction-scoped advisory lock
# that serialises writers of the chain.
_CHAIN_LOCK_KEY = 4_460_446

# The HMAC key per engine. The app factory registers it once, so the many
# callers of ``record_event`` need not pass it and this module stays free of
# Flask; weak keys let engines of discarded apps (tests) be collected.
_KEYS: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()


class AuditKeyMissing(RuntimeError):
    """Raised when audit rows are written or checked on an engine with no registered key."""


def register_key(engine: Engine, key: bytes) -> None:
    """Use ``key`` for every audit row written or verified through ``engine``."""
    if len(key) < 32:
        raise ValueError("the audit key must be at least 32 bytes")
    _KEYS[engine] = key


def key_for(db_session: Session) -> bytes:
    """Return the key registered for the session's engine (raise if none)."""
    bind = db_session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    try:
        return _KEYS[engine]
    except KeyError:
        raise AuditKeyMissing("no audit key registered for this database engine") from None


def _jsonable(value: Any) -> Any:
    """Turn dates and times into ISO strings so details serialise stably."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def canonical_values(values: Mapping[str, Any]) -> str:
    """Stable JSON of a row's content given as column values (the bulk path has no ORM objects)."""
    created = values["created_at"]
    if created.tzinfo is None:  # SQLite returns naive datetimes
        created = created.replace(tzinfo=UTC)
    content = {
        "created_at": created.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": values["actor_id"],
        "action": values["action"],
        "object_type": values["object_type"],
        "object_id": values["object_id"],
        "details": values["details"],
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_content(event: AuditEvent) -> str:
    """The row's content as stable JSON: what its hash covers (everything but the hashes)."""
    return canonical_values({name: getattr(event, name) for name in _CONTENT_COLUMNS})


_CONTENT_COLUMNS = ("created_at", "actor_id", "action", "object_type", "object_id", "details")


def _hash_message(prev_hash: str, canonical: str, key: bytes) -> str:
    return hmac.new(key, (prev_hash + canonical).encode("utf-8"), hashlib.sha256).hexdigest()


def _content_hash(prev_hash: str, event: AuditEvent, key: bytes) -> str:
    """HMAC-SHA256 over the previous hash and the row's canonical content."""
    return _hash_message(prev_hash, canonical_content(event), key)


def record_event(
    db_session: Session,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row chained to the latest; flush, never commit."""
    key = key_for(db_session)
    _lock_chain(db_session)
    prev_hash = db_session.scalar(select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        created_at=datetime.now(UTC),
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=_jsonable(details or {}),
        prev_hash=prev_hash or GENESIS_HASH,
    )
    event.row_hash = _content_hash(event.prev_hash, event, key)
    db_session.add(event)
    db_session.flush()
    return event


def append_many(db_session: Session, rows: Sequence[Mapping[str, Any]]) -> int:
    """Append ``rows`` (column values without ids or hashes) to the chain in order; never commit.

    The bulk path of ``record_event`` for the demo generator: the same lock,
    the same keyed hash over the same canonical content, but ids taken up
    front and one Core ``executemany`` instead of an ORM flush per row, so
    100,000 reports' events take seconds. ``walk_chain`` verifies the result
    exactly as it verifies rows written one by one. Unlike ``record_event``
    it does not convert dates in ``details``: the caller passes JSON values.
    """
    if not rows:
        return 0
    key = key_for(db_session)
    db_session.flush()  # pending ORM rows first, so the chain's tail read below is the real one
    _lock_chain(db_session)
    conn = db_session.connection()
    table = AuditEvent.__table__
    prev_hash = conn.scalar(select(table.c.row_hash).order_by(table.c.id.desc()).limit(1)) or GENESIS_HASH
    chained = []
    for event_id, row in zip(bulk.allocate_ids(conn, table, len(rows)), rows, strict=True):
        values = {name: row.get(name) for name in _CONTENT_COLUMNS}  # details must be JSON-native already
        values.update(id=event_id, prev_hash=prev_hash, details=values["details"] or {})
        prev_hash = values["row_hash"] = _hash_message(prev_hash, canonical_values(values), key)
        chained.append(values)
    return bulk.insert_rows(conn, table, chained)


def _lock_chain(db_session: Session) -> None:
    """Serialise writers of the chain until this transaction ends (SQLite has one writer anyway)."""
    if db_session.get_bind().dialect.name == "postgresql":
        db_session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})


def record_changes(
    db_session: Session, *, actor: User | None, object_type: str, object_id: int, changes: dict[str, Any]
) -> AuditEvent:
    """Append an "update" row holding {field: {"old": ..., "new": ...}} for what changed."""
    return record_event(
        db_session,
        actor=actor,
        action="update",
        object_type=object_type,
        object_id=object_id,
        details={"changes": changes},
    )


@dataclass(frozen=True)
class ChainBreak:
    """Where verification failed and why."""

    event_id: int
    reason: str


@dataclass(frozen=True)
class ChainState:
    """What a walk of the chain saw: rows checked, the last hash, the first break."""

    rows: int
    head_hash: str
    broken: ChainBreak | None


def walk_chain(events: Iterable[AuditEvent], key: bytes) -> ChainState:
    """Check ``events`` (in id order); stop at the first broken link.

    Returns the count and head hash too, so a checkpoint records exactly
    the state that was verified, not rows added since.
    """
    expected_prev = GENESIS_HASH
    rows = 0
    for event in events:
        if event.prev_hash != expected_prev:
            reason = "previous-hash link does not match the row before (row removed or altered)"
            return ChainState(rows, expected_prev, ChainBreak(event.id, reason))
        if not hmac.compare_digest(_content_hash(event.prev_hash, event, key), event.row_hash):
            reason = "row content does not match its keyed hash (row edited or hashes recomputed without the key)"
            return ChainState(rows, expected_prev, ChainBreak(event.id, reason))
        expected_prev = event.row_hash
        rows += 1
    return ChainState(rows, expected_prev, None)


def verify_chain(events: Iterable[AuditEvent], key: bytes) -> ChainBreak | None:
    """Return the first broken link in ``events`` (in id order), or None."""
    return walk_chain(events, key).broken


def walk_database(db_session: Session, key: bytes | None = None) -> ChainState:
    """Walk the whole audit table, streaming rows in id order."""
    rows = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500))
    try:
        return walk_chain(rows, key if key is not None else key_for(db_session))
    finally:
        rows.close()  # release the server-side cursor when we stop early


def verify_database(db_session: Session, key: bytes | None = None) -> ChainBreak | None:
    """Verify the whole audit table; the first broken row, or None."""
    return walk_database(db_session, key).broken


def chain_head(db_session: Session) -> tuple[int, str]:
    """Return (row count, hash of the newest row) without verifying; for scheduled checkpoints."""
    newest = select(AuditEvent.id, AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
    head = db_session.execute(newest).first()
    if head is None:
        return 0, GENESIS_HASH
    count = db_session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.id <= head.id)) or 0
    return count, head.row_hash


def hash_at(db_session: Session, position: int) -> str | None:
    """Return the hash of the ``position``-th row (1-based, id order), or None if there are fewer rows."""
    if position == 0:
        return GENESIS_HASH
    return db_session.scalar(select(AuditEvent.row_hash).order_by(AuditEvent.id).offset(position - 1).limit(1))


def history_for(db_session: Session, object_type: str, object_id: int) -> list[AuditEvent]:
    """Return the audit rows about one object, oldest first."""
    return list(
        db_session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
            .order_by(AuditEvent.id)
        )
    )
