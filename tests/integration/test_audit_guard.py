"""The audit chain detects recomputation and truncation, and the database refuses edits (issue 12 item 7).

Tampering tests lift the append-only triggers of migration 0004 first
(``audit_guard_lifted``), as an attacker with the table owner's rights
could, and then show that ``flask audit verify`` still notices.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ect_reporting import create_app
from ect_reporting.audit import GENESIS_HASH, canonical_content, record_event
from ect_reporting.config import ConfigurationError, audit_key, parse_audit_key
from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent
from tests.conftest import AUDIT_KEY, audit_guard_lifted

HashFunction = Callable[[str, AuditEvent], str]


def _write_rows(count: int) -> list[AuditEvent]:
    for number in range(count):
        record_event(db.session, actor=None, action="test", object_type="report", object_id=number)
    db.session.commit()
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _verify(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def _plain_sha256(prev_hash: str, event: AuditEvent) -> str:
    """The attacker's recomputation: the old unkeyed hash, which needs no secret."""
    return hashlib.sha256((prev_hash + canonical_content(event)).encode("utf-8")).hexdigest()


def _keyed(prev_hash: str, event: AuditEvent) -> str:
    message = (prev_hash + canonical_content(event)).encode("utf-8")
    return hmac.new(bytes.fromhex(AUDIT_KEY), message, hashlib.sha256).hexdigest()


def _edit_and_recompute(rows: list[AuditEvent], position: int, hash_function: HashFunction) -> None:
    """Edit one row and rewrite its hash and every later link and hash, as a careful attacker would."""
    prev_hash = rows[position - 1].row_hash if position else GENESIS_HASH
    with audit_guard_lifted():
        rows[position].action = "approve-forged"
        for row in rows[position:]:
            row.prev_hash = prev_hash
            row.row_hash = hash_function(prev_hash, row)
            prev_hash = row.row_hash
            db.session.flush()
    db.session.commit()


def test_edit_and_recompute_without_the_key_is_detected_at_the_edited_row(app):
    rows = _write_rows(8)
    edited_id = rows[3].id
    _edit_and_recompute(rows, 3, _plain_sha256)
    exit_code, output = _verify(app)
    assert exit_code != 0
    assert f"Audit chain broken at row {edited_id}:" in output
    assert "recomputed without the key" in output


def test_the_recomputation_itself_is_faithful(app):
    # Control for the test above: the same rewrite with the real key passes,
    # so the failure there is the missing key, not a slip in the rewrite.
    rows = _write_rows(8)
    _edit_and_recompute(rows, 3, _keyed)
    exit_code, output = _verify(app)
    assert exit_code == 0, output


def test_a_row_hashed_with_another_key_is_refused(app, extra_app):
    _write_rows(3)
    other = extra_app(ECT_AUDIT_KEY="5a" * 32)
    with other.app_context():  # the CLI runner reuses an app context that is already pushed
        result = other.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert "broken at row" in result.output


def test_deleting_the_newest_row_after_a_checkpoint_is_detected(app):
    rows = _write_rows(6)
    newest_id, newest_hash = rows[-1].id, rows[-1].row_hash
    exit_code, output = _verify(app)
    assert exit_code == 0, output
    with audit_guard_lifted():
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": newest_id})
    db.session.commit()
    exit_code, output = _verify(app)
    assert exit_code != 0
    assert "the audit trail has 5 rows but the last checkpoint (" in output
    assert f"recorded 6 rows ending in {newest_hash}" in output
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code != 0, "a scheduled checkpoint must not paper over the truncation"
    assert "recorded 6 rows" in result.output


def test_truncation_hidden_by_new_rows_is_still_detected(app):
    rows = _write_rows(6)
    fifth_id, newest_hash = rows[-2].id, rows[-1].row_hash
    assert app.test_cli_runner().invoke(args=["audit", "checkpoint"]).exit_code == 0
    with audit_guard_lifted():
        db.session.execute(text("DELETE FROM audit_events WHERE id >= :id"), {"id": fifth_id})
    db.session.commit()
    _write_rows(2)  # the count is back to 6, chained validly onto row 4
    exit_code, output = _verify(app)
    assert exit_code != 0
    assert "the audit trail has 6 rows but the last checkpoint (" in output
    assert f"recorded 6 rows ending in {newest_hash}" in output


def test_rows_added_after_a_checkpoint_pass(app):
    _write_rows(3)
    assert _verify(app)[0] == 0
    _write_rows(2)
    exit_code, output = _verify(app)
    assert exit_code == 0, output
    assert "the last checkpoint is still in the chain" in output


def _checkpoint_lines(app: Flask) -> list[dict[str, object]]:
    path = Path(app.config["ECT_AUDIT_CHECKPOINT_FILE"])
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_checkpoint_is_written_signed_to_the_file_and_the_log(app, caplog):
    caplog.set_level(logging.INFO, logger="ect_reporting.audit")
    rows = _write_rows(4)
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    path = Path(app.config["ECT_AUDIT_CHECKPOINT_FILE"])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    (line,) = _checkpoint_lines(app)
    assert line["rows"] == 4 and line["head_hash"] == rows[-1].row_hash
    canonical = json.dumps({"rows": 4, "head_hash": rows[-1].row_hash, "at": line["at"]},
                           sort_keys=True, separators=(",", ":"))
    expected = hmac.new(bytes.fromhex(AUDIT_KEY), b"ect-audit-checkpoint\x00" + canonical.encode(), hashlib.sha256)
    assert line["signature"] == expected.hexdigest()
    assert any(rows[-1].row_hash in record.getMessage() for record in caplog.records)
    assert _verify(app)[0] == 0
    assert len(_checkpoint_lines(app)) == 2, "each verify adds a checkpoint"


def test_tampering_with_the_checkpoint_file_is_detected(app):
    _write_rows(5)
    assert _verify(app)[0] == 0
    path = Path(app.config["ECT_AUDIT_CHECKPOINT_FILE"])
    (line,) = _checkpoint_lines(app)
    # Hide a truncation by lowering the recorded count: the signature no longer fits.
    path.write_text(json.dumps({**line, "rows": 3}) + "\n", encoding="utf-8")
    exit_code, output = _verify(app)
    assert exit_code != 0
    assert "line 1 has a bad signature" in output


def test_update_and_delete_through_sql_are_refused_by_the_database(app):
    rows = _write_rows(2)
    for statement in ("UPDATE audit_events SET action = 'forged' WHERE id = :id",
                      "DELETE FROM audit_events WHERE id = :id"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement), {"id": rows[0].id})
        db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text("TRUNCATE audit_events"))
        db.session.rollback()
    assert [row.action for row in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == ["test", "test"]
    assert _verify(app)[0] == 0


def test_production_without_an_audit_key_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.delenv("ECT_AUDIT_KEY", raising=False)
    settings = {"ENV_NAME": "production", "SECRET_KEY": "s" * 32, "RATELIMIT_STORAGE_URI": "memory://",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"}
    with pytest.raises(ConfigurationError, match="ECT_AUDIT_KEY"):
        create_app(settings)
    assert create_app({**settings, "ECT_AUDIT_KEY": AUDIT_KEY}).config["AUDIT_HMAC_KEY"] == bytes.fromhex(AUDIT_KEY)


def test_audit_key_may_be_hex_or_base64_and_must_be_32_bytes():
    import base64

    key = bytes(range(32))
    assert parse_audit_key(key.hex()) == key
    assert parse_audit_key(base64.b64encode(key).decode()) == key
    for bad in ("ab" * 16, "not a key!", base64.b64encode(b"short").decode()):
        with pytest.raises(ConfigurationError):
            parse_audit_key(bad)


def test_development_writes_the_key_file_once_with_mode_0600(tmp_path):
    key_file = tmp_path / "instance" / "audit_key"
    first = audit_key({"ECT_AUDIT_KEY_FILE": str(key_file)})
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert audit_key({"ECT_AUDIT_KEY_FILE": str(key_file)}) == first  # every worker reads the same key
    assert len(first) == 32
