"""The published JSON Schema: well formed, strict, and in step with vocab.py."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator, ValidationError

from ect_reporting import vocab
from ect_reporting.exports.json_export import SCHEMA_VERSION, build_export
from ect_reporting.exports.samples import DEVICE_RECORD, MEDICINE_RECORD
from ect_reporting.record_types import RECORD_VERSION
from ect_reporting.schemas import export_errors, report_schema, validate_export

# Dict constants in vocab.py that are not enumerations of a record field.
NOT_ENUMS = {"ROLES", "DRUG_DOSE_UNIT", "SERIOUSNESS_CRITERIA", "REGULATORS", "REPORT_KIND_SHORT"}


def vocabularies() -> dict[str, dict[str, str]]:
    return {
        name: value
        for name, value in vars(vocab).items()
        if name.isupper() and isinstance(value, dict) and name not in NOT_ENUMS
    }


def walk(node: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield pointer, node
        for key, child in node.items():
            yield from walk(child, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from walk(child, f"{pointer}/{index}")


def test_schema_is_valid_draft_2020_12():
    schema = report_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_report_schema_is_cached():
    assert report_schema() is report_schema()


def test_every_enum_is_a_vocab_definition_with_the_same_values():
    enums = {pointer: node["enum"] for pointer, node in walk(report_schema()) if "enum" in node}
    expected = {
        f"/$defs/{name}": [int(key) for key in values] if name == "CTCAE_GRADES" else list(values)
        for name, values in vocabularies().items()
    }
    assert enums == expected


def test_seriousness_criteria_object_has_exactly_the_vocab_keys():
    criteria = report_schema()["$defs"]["SERIOUSNESS_CRITERIA"]
    assert list(criteria["properties"]) == list(vocab.SERIOUSNESS_CRITERIA)
    assert criteria["required"] == list(vocab.SERIOUSNESS_CRITERIA)
    assert criteria["additionalProperties"] is False


def test_versions_match_the_code():
    schema = report_schema()
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert schema["$defs"]["record"]["properties"]["record_version"]["const"] == RECORD_VERSION


def test_every_object_is_closed_and_requires_all_its_keys():
    for pointer, node in walk(report_schema()):
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, pointer
            assert node["required"] == list(node["properties"]), pointer


def test_record_properties_match_record_types():
    from ect_reporting.record_types import Record

    assert list(report_schema()["$defs"]["record"]["properties"]) == list(Record.__annotations__)


@pytest.mark.parametrize("kind", ["medicine", "device"])
def test_realistic_exports_are_valid(make_record, kind):
    assert export_errors(build_export(make_record(kind))) == []


def _set(record: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        record = record[int(key)] if key.isdigit() else record[key]  # type: ignore[index]
    record[int(last) if last.isdigit() else last] = value  # type: ignore[index]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("patient.nhs_number", "943 476 5919"),
        ("patient.sex", "F"),
        ("state", "deleted"),
        ("reactions.0.outcome", "resolved"),
        ("reactions.0.ctcae_grade", 6),
        ("reactions.0.term", None),
        ("seriousness.criteria.other", True),
        ("seriousness", None),
        ("suspect_drug.date_started", "2025-02-30"),
        ("suspect_drug.date_started", "14/03/2025"),
        ("suspect_drug.drug", "bleomycin"),
        ("suspect_drug", []),
        ("procedure.first_pulse_at", "25:10"),
        ("procedure.dose_unit", "units"),
        ("created_at", "2025-03-14 15:20"),
        ("created_at", "2025-13-14T15:20:00Z"),
        ("reporter.email", "not an email"),
        ("device", {"suspect_component": None}),
        ("incident", {"description": None}),
        ("medicine", None),
        ("record_version", "1.0"),
        ("patient.age", 67.5),
        ("patient.age", True),
        ("patient.age_years", 67),
    ],
)
def test_schema_rejects(medicine_record, path, value):
    _set(medicine_record, path, value)
    with pytest.raises(ValidationError):
        validate_export(build_export(medicine_record))


def test_schema_rejects_missing_key(medicine_record):
    del medicine_record["patient"]["initials"]
    errors = export_errors(build_export(medicine_record))
    assert [error.json_path for error in errors] == ["$.record.patient"]


def test_schema_rejects_device_kind_with_medicine_keys(medicine_record):
    medicine_record["kind"] = "device"
    assert export_errors(build_export(medicine_record))


def test_medicine_record_may_have_no_suspect_drug(medicine_record):
    medicine_record["suspect_drug"] = None
    assert export_errors(build_export(medicine_record)) == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("suspect_drug", MEDICINE_RECORD["suspect_drug"]),
        ("reactions", MEDICINE_RECORD["reactions"]),
        ("seriousness", MEDICINE_RECORD["seriousness"]),
        ("other_medicines", "Amlodipine"),
        ("additional_information", "More"),
        ("causality", "probable"),
        ("incident", None),
        ("device", None),
    ],
)
def test_device_record_rejects_medicine_keys_and_needs_its_sections(device_record, key, value):
    device_record[key] = copy.deepcopy(value)
    assert export_errors(build_export(device_record))


@pytest.mark.parametrize(
    ("key", "value"),
    [("device", DEVICE_RECORD["device"]), ("incident", DEVICE_RECORD["incident"])],
)
def test_medicine_record_rejects_device_sections(medicine_record, key, value):
    medicine_record[key] = copy.deepcopy(value)
    assert export_errors(build_export(medicine_record))


def test_changelog_names_the_current_version():
    assert f"{SCHEMA_VERSION}: a third kind defective_medicine" in report_schema()["description"]
    assert "2.0: record keys are the input field paths" in report_schema()["description"]


def test_schema_rejects_unknown_top_level_key(medicine_record):
    document = build_export(medicine_record)
    document["signature"] = "x"
    with pytest.raises(ValidationError):
        validate_export(document)


@pytest.mark.parametrize("record", [MEDICINE_RECORD, DEVICE_RECORD], ids=["medicine", "device"])
def test_sample_body_surface_area_is_mosteller_from_weight_and_height(record):
    """BSA is shown to 2 dp; the dose per m2 is worked from the unrounded area."""
    patient, procedure = record["patient"], record["procedure"]
    bsa = math.sqrt(patient["height_cm"] * patient["weight_kg"] / 3600)
    assert procedure["body_surface_area_m2"] == round(bsa, 2)
    assert procedure["dose_per_m2"] == round(procedure["dose"] / bsa)
