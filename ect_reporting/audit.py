"""Append-only, hash-chained audit trail.

Every row stores the SHA-256 of the previous row's hash plus its own
canonical content, so editing or deleting any row breaks every link
after it, and ``verify_chain`` names the first broken row. Rows are
written in the same transaction as the change they describe (the caller
commits once).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ect_reporting.models import AuditEvent, User

GENESIS_HASH = "0" * 64
# Arbitrary constant key for PostgreSQL's transaction-scoped advisory lock
# that serialises writers of the chain.
_CHAIN_LOCK_KEY = 4_460_446


def _jsonable(value: Any) -> Any:
    """Turn dates and times into ISO strings so details serialise stably."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _content_hash(prev_hash: str, event: AuditEvent) -> str:
    created = event.created_at
    if created.tzinfo is None:  # SQLite returns naive datetimes
        created = created.replace(tzinfo=UTC)
    content = {
        "created_at": created.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "details": event.details,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


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
    if db_session.get_bind().dialect.name == "postgresql":
        db_session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
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
    event.row_hash = _content_hash(event.prev_hash, event)
    db_session.add(event)
    db_session.flush()
    return event


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


def verify_chain(events: Iterable[AuditEvent]) -> ChainBreak | None:
    """Return the first broken link in ``events`` (in id order), or None."""
    expected_prev = GENESIS_HASH
    for event in events:
        if event.prev_hash != expected_prev:
            return ChainBreak(event.id, "previous-hash link does not match the row before (row removed or altered)")
        if _content_hash(event.prev_hash, event) != event.row_hash:
            return ChainBreak(event.id, "row content does not match its stored hash (row edited)")
        expected_prev = event.row_hash
    return None


def verify_database(db_session: Session) -> ChainBreak | None:
    """Verify the whole audit table, streaming rows in id order."""
    rows = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500))
    try:
        return verify_chain(rows)
    finally:
        rows.close()  # release the server-side cursor when we stop early


def history_for(db_session: Session, object_type: str, object_id: int) -> list[AuditEvent]:
    """Return the audit rows about one object, oldest first."""
    return list(
        db_session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
            .order_by(AuditEvent.id)
        )
    )
