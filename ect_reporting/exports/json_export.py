"""JSON export: the canonical record wrapped with a schema version and checksum.

The checksum lets a receiver (or an auditor months later) prove the record
was not altered after export: it is the SHA-256 of the record's canonical
serialisation (sorted keys, no insignificant whitespace, UTF-8, no ASCII
escaping). Pretty-printing the outer document does not affect it, because
the checksum is recomputed from the parsed record, not from the file's bytes.

Note for verifiers in other languages: the canonical form is Python's
``json.dumps`` with the options in ``canonical_bytes``, not RFC 8785 (JCS);
the two agree for the strings and integers of a record but may differ in
float formatting, so use the same rules, or this module, to verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from ect_reporting.exports.base import Renderer
from ect_reporting.record_types import Record

SCHEMA_VERSION = "2.1"
CHECKSUM_ALGORITHM = "sha256"


def canonical_bytes(record: Mapping[str, Any]) -> bytes:
    """Serialise ``record`` in the one canonical form the checksum covers.

    ``allow_nan=False`` makes a NaN or infinity (which is not JSON) fail
    loudly here instead of producing a document other tools cannot parse.
    """
    return json.dumps(
        record,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


def record_checksum(record: Mapping[str, Any]) -> str:
    """Return the hex SHA-256 of the record's canonical bytes."""
    return hashlib.sha256(canonical_bytes(record)).hexdigest()


def build_export(record: Record) -> dict[str, Any]:
    """Return the export document (a dict) for ``record``."""
    return {
        "schema_version": SCHEMA_VERSION,
        "report_id": record["report_id"],
        "record": record,
        "checksum": {"algorithm": CHECKSUM_ALGORITHM, "value": record_checksum(record)},
    }


def verify_checksum(export: Mapping[str, Any]) -> bool:
    """Return True when the export's checksum matches its record.

    Also requires the outer ``report_id`` to equal the record's, since the
    checksum covers only the record. Returns False (never raises) on a
    malformed document, so callers can treat any failure the same way.
    """
    try:
        record = export["record"]
        checksum = export["checksum"]
        if checksum["algorithm"] != CHECKSUM_ALGORITHM:
            return False
        if export["report_id"] != record["report_id"]:
            return False
        expected = record_checksum(record)
        claimed = checksum["value"]
    except (KeyError, TypeError, ValueError):
        return False
    if not isinstance(claimed, str):
        return False
    return hmac.compare_digest(expected, claimed)


class JsonRenderer(Renderer):
    """Render the export document as indented UTF-8 JSON."""

    extension = "json"
    mimetype = "application/json"

    def render(self, record: Record) -> bytes:
        document = build_export(record)
        return (json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")
