"""JSON export: contract, schema validity and checksum integrity."""

from __future__ import annotations

import hashlib
import json

import pytest

from ect_reporting.exports import ExportFile
from ect_reporting.exports.json_export import (
    JsonRenderer,
    build_export,
    canonical_bytes,
    record_checksum,
    verify_checksum,
)
from ect_reporting.schemas import validate_export


@pytest.mark.parametrize("kind", ["medicine", "device"])
def test_generate_returns_named_schema_valid_json(make_record, kind):
    record = make_record(kind)
    export = JsonRenderer().generate(record)
    assert isinstance(export, ExportFile)
    # The device fixture is a Scottish site, so its incident goes to IRIC.
    prefix = {"medicine": "yellow-card", "device": "iric"}[kind]
    assert export.filename == f"{prefix}-{kind}-{record['case_id']}-v{record['case_version']}.json"
    assert export.mimetype == "application/json"
    document = json.loads(export.content.decode("utf-8"))
    validate_export(document)
    assert document["schema_version"] == "2.1"
    assert document["report_id"] == record["report_id"]
    assert document["record"] == record
    assert verify_checksum(document)


def test_checksum_is_sha256_of_canonical_bytes(medicine_record):
    document = build_export(medicine_record)
    expected = hashlib.sha256(
        json.dumps(medicine_record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    assert document["checksum"] == {"algorithm": "sha256", "value": expected}


def test_canonical_bytes_ignore_key_order_and_keep_unicode(medicine_record):
    medicine_record["reporter"]["name"] = "Zoë Ōtsuka"
    reordered = dict(reversed(list(medicine_record.items())))
    assert canonical_bytes(reordered) == canonical_bytes(medicine_record)
    assert "Zoë Ōtsuka".encode() in canonical_bytes(medicine_record)


def test_checksum_changes_when_any_field_changes(medicine_record):
    before = record_checksum(medicine_record)
    medicine_record["reactions"][0]["ctcae_grade"] = 4
    assert record_checksum(medicine_record) != before


def test_tampered_export_fails_verification(medicine_record):
    document = json.loads(JsonRenderer().generate(medicine_record).content)
    assert verify_checksum(document)
    document["record"]["patient"]["age"] = 68
    assert not verify_checksum(document)


def test_outer_report_id_must_match_record(medicine_record):
    document = build_export(medicine_record)
    document["report_id"] = 43
    assert not verify_checksum(document)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("checksum"),
        lambda d: d.pop("record"),
        lambda d: d["checksum"].update(algorithm="md5"),
        lambda d: d["checksum"].update(value=None),
        lambda d: d.update(record="not a record"),
    ],
)
def test_malformed_export_fails_verification_without_raising(medicine_record, mutate):
    document = build_export(medicine_record)
    mutate(document)
    assert verify_checksum(document) is False


def test_nan_is_refused(medicine_record):
    medicine_record["patient"]["weight_kg"] = float("nan")
    with pytest.raises(ValueError, match="JSON compliant"):
        JsonRenderer().generate(medicine_record)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("kind", "vaccine", ValueError),
        ("case_version", "2", TypeError),
        ("case_version", True, TypeError),
        ("case_id", 'GB-ECT-1"; x=y', ValueError),
        ("case_id", "GB-ECT-00004\u00b2", ValueError),
        ("case_id", "", ValueError),
        ("case_id", None, ValueError),
    ],
)
def test_filename_only_from_known_kind_safe_case_id_and_int_version(medicine_record, field, value, error):
    medicine_record[field] = value
    with pytest.raises(error):
        JsonRenderer().generate(medicine_record)
