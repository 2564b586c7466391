"""Signed checkpoints of the audit chain, kept outside the database.

The keyed chain (``ect_reporting.audit``) catches edits and recomputation,
but deleting the newest rows leaves a valid, shorter chain. A checkpoint
records the row count and head hash at a moment, signed with the audit
key, in a JSON-lines file and the application log: the next verification
checks that the chain still holds that many rows ending in that hash.

The file and key location are passed in, so this module stays free of
Flask. A checkpoint proves what the chain held when it was written; rows
deleted after the last checkpoint that were added after it too cannot be
told apart from rows never written, which is why checkpoints are taken on
a schedule as well as at each verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from ect_reporting.audit import chain_head, hash_at

logger = logging.getLogger("ect_reporting.audit")

# Separates checkpoint signatures from row hashes made with the same key.
_DOMAIN = b"ect-audit-checkpoint\x00"


class CheckpointError(RuntimeError):
    """The checkpoint file cannot be trusted (unreadable or a bad signature)."""


@dataclass(frozen=True)
class Checkpoint:
    """The chain held ``rows`` rows ending in ``head_hash`` at ``at`` (ISO 8601, UTC)."""

    rows: int
    head_hash: str
    at: str
    signature: str = ""


def _signature(key: bytes, rows: int, head_hash: str, at: str) -> str:
    canonical = json.dumps({"rows": rows, "head_hash": head_hash, "at": at}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, _DOMAIN + canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def make_checkpoint(key: bytes, rows: int, head_hash: str, now: datetime | None = None) -> Checkpoint:
    """Sign (rows, head hash, time) with the audit key."""
    at = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    return Checkpoint(rows, head_hash, at, _signature(key, rows, head_hash, at))


def write_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Append the checkpoint to the JSON-lines file (created 0600) and the log, durably."""
    line = json.dumps(asdict(checkpoint), sort_keys=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    logger.info("audit checkpoint %s", line)


def _parse(line: str, number: int, key: bytes) -> Checkpoint:
    try:
        data = json.loads(line)
        checkpoint = Checkpoint(int(data["rows"]), str(data["head_hash"]), str(data["at"]), str(data["signature"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"checkpoint file line {number} is not a checkpoint") from exc
    expected = _signature(key, checkpoint.rows, checkpoint.head_hash, checkpoint.at)
    if not hmac.compare_digest(expected, checkpoint.signature):
        raise CheckpointError(
            f"checkpoint file line {number} has a bad signature (file edited, or ECT_AUDIT_KEY changed)"
        )
    return checkpoint


def last_checkpoint(path: Path, key: bytes) -> Checkpoint | None:
    """Return the newest checkpoint, checking every line's signature; None when there is none yet."""
    if not path.exists():
        return None
    newest: Checkpoint | None = None
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                newest = _parse(line, number, key)
    return newest


def checkpoint_problem(db_session: Session, checkpoint: Checkpoint, rows_now: int | None = None) -> str | None:
    """Say how the chain no longer contains ``checkpoint``, or None if it does."""
    if rows_now is None:
        rows_now, _ = chain_head(db_session)
    still = hash_at(db_session, checkpoint.rows) if rows_now >= checkpoint.rows else None
    if still is not None and hmac.compare_digest(still, checkpoint.head_hash):
        return None
    return (
        f"the audit trail has {rows_now} rows but the last checkpoint ({checkpoint.at}) recorded "
        f"{checkpoint.rows} rows ending in {checkpoint.head_hash}"
    )
