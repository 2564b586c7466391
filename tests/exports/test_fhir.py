"""FHIR R4 export: valid Bundles, minimised Patient, round trip of the key fields, code maps.

Validation uses ``fhir.resources`` 8.3: it ships R5 by default plus the
``R4B`` and ``STU3`` subpackages, no plain R4. R4B's AdverseEvent,
Patient, Device, Medication and Procedure are R4's, so R4B validates the
R4 Bundle this export writes.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings

from ect_reporting import vocab
from ect_reporting.exports import fhir_codes as codes
from ect_reporting.exports.fhir import FhirRenderer, build_bundle, is_near_miss
from ect_reporting.exports.samples import sample_record
from tests.exports.test_properties import records

RENDERER = FhirRenderer()
NHS_NUMBER_LIKE = re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")


def export(record: dict[str, Any]) -> dict[str, Any]:
    """Render, parse and validate with the R4B models; return the JSON document."""
    content = RENDERER.generate(record).content
    document = json.loads(content.decode("utf-8"))
    Bundle.model_validate(document)
    return document


def resources(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in document["entry"] if entry["resource"]["resourceType"] == kind]


def resolve(document: dict[str, Any], reference: dict[str, str]) -> dict[str, Any]:
    (found,) = [entry["resource"] for entry in document["entry"] if entry["fullUrl"] == reference["reference"]]
    return found


def assert_patient_minimised(document: dict[str, Any], record: dict[str, Any]) -> None:
    (patient,) = resources(document, "Patient")
    for key in ("name", "birthDate", "address", "telecom", "photo", "contact"):
        assert key not in patient, key
    assert patient["identifier"] == [
        {"system": "urn:ect-reporting:ect:local-patient-reference", "value": record["patient"]["local_reference"]}
    ]
    assert patient["gender"] == record["patient"]["sex"]


def test_file_name_and_type():
    export_file = RENDERER.generate(sample_record("medicine"))
    assert export_file.filename == "yellow-card-medicine-GB-ECT-000042-v1.fhir.json"
    assert export_file.mimetype == "application/fhir+json"


def test_medicine_bundle_is_valid_and_round_trips_the_key_fields():
    record = sample_record("medicine")
    document = export(record)
    assert document["type"] == "collection"
    assert document["id"] == "GB-ECT-000042-v1"
    assert document["identifier"]["value"] == "GB-ECT-000042-v1"
    assert document["timestamp"] == record["updated_at"]
    assert all(entry["fullUrl"].startswith("urn:uuid:") for entry in document["entry"])
    events = resources(document, "AdverseEvent")
    assert len(events) == 2
    anaphylaxis = events[0]
    assert anaphylaxis["identifier"] == {"system": "urn:ect-reporting:ect:case-id", "value": "GB-ECT-000042"}
    assert anaphylaxis["actuality"] == "actual"
    (meddra,) = anaphylaxis["event"]["coding"]
    assert meddra == {
        "system": "https://www.meddra.org",
        "version": "20.1 (unconfirmed)",
        "code": "10002218",
        "display": "Anaphylaxis",
    }
    assert anaphylaxis["event"]["text"].startswith("Within 5 minutes of the bleomycin bolus")
    assert anaphylaxis["seriousness"]["coding"][0]["code"] == "serious"
    assert anaphylaxis["severity"]["coding"][0]["code"] == "severe"
    assert anaphylaxis["outcome"]["coding"][0]["code"] == "resolved"
    assert anaphylaxis["date"] == "2025-03-14"
    assert anaphylaxis["detected"] == record["awareness_date"]
    assert anaphylaxis["extension"][0]["valueAge"]["value"] == 67
    ulcer = events[1]
    assert ulcer["seriousness"]["coding"][0]["code"] == "non-serious"
    assert ulcer["severity"]["coding"][0]["code"] == "moderate"
    assert ulcer["outcome"]["coding"][0]["code"] == "recovering"
    (suspect,) = anaphylaxis["suspectEntity"]
    medication = resolve(document, suspect["instance"])
    assert medication["batch"]["lotNumber"] == "B2417X"
    assert medication["code"]["text"].startswith("Bleomycin 15,000 IU")
    (causality,) = suspect["causality"]
    assert causality["assessment"]["coding"][0]["code"] == "Probably-Likely"
    assert causality["method"]["text"] == "WHO-UMC causality assessment system"
    assert resolve(document, causality["author"])["name"] == [{"text": "Dr Amelia Hart"}]
    assert_patient_minimised(document, record)


def test_medicine_bundle_carries_reporter_procedure_and_other_drugs():
    document = export(sample_record("medicine"))
    (practitioner,) = resources(document, "Practitioner")
    assert practitioner["qualification"][0]["code"]["coding"][0]["code"] == "1"
    (organisation,) = resources(document, "Organization")
    assert organisation["name"] == "Example Hospitals NHS Foundation Trust"
    (procedure,) = resources(document, "Procedure")
    opcs = procedure["code"]["coding"]
    assert [coding["code"] for coding in opcs] == ["X72.3", "Y12.3", "Z50.4", "Z94.3"]
    assert {coding["system"] for coding in opcs} == {codes.OPCS4_SYSTEM}
    assert {coding["version"] for coding in opcs} == {"OPCS-4.10"}
    (statement,) = resources(document, "MedicationStatement")
    assert resolve(document, statement["medicationReference"])["code"]["text"] == "Amlodipine"


def test_device_bundle_is_valid_with_udi_imdrf_codes_and_classification():
    record = sample_record("device")
    document = export(record)
    (event,) = resources(document, "AdverseEvent")
    assert event["identifier"]["value"] == "GB-ECT-000057"
    assert event["actuality"] == "actual"
    codings = event["event"]["coding"]
    coded = [(coding["system"].rsplit("/", 1)[1], coding["code"], coding["version"]) for coding in codings]
    assert coded == [
        ("imdrf-annex-a", "A040101", "2024 (A: 2024.1)"),
        ("imdrf-annex-e", "E2008", "2024 (A: 2024.1)"),
        ("imdrf-annex-f", "F1903", "2024 (A: 2024.1)"),
    ]
    classification = event["category"][1]["coding"][0]
    assert classification["system"] == codes.INCIDENT_CLASSIFICATION_SYSTEM
    assert classification["code"] == "other_reportable"
    (suspect,) = event["suspectEntity"]
    electrode = resolve(document, suspect["instance"])
    assert electrode["udiCarrier"] == [
        {
            "deviceIdentifier": "08056245000123",
            "issuer": "http://hl7.org/fhir/NamingSystem/gs1-di",
            "carrierHRF": "(01)08056245000123(17)270131(10)L24-1187",
        }
    ]
    assert electrode["lotNumber"] == "L24-1187"
    assert electrode["expirationDate"] == "2027-01-31"
    assert electrode["manufacturer"] == "IGEA"
    assert electrode["modelNumber"] == "LNA-30-8"
    generator = next(device for device in resources(document, "Device") if device["serialNumber"] == "CPV-21-0457")
    assert generator["version"] == [{"value": "3.2.1"}]
    (procedure,) = resources(document, "Procedure")
    assert {ref["reference"] for ref in procedure["usedReference"]} == {
        entry["fullUrl"] for entry in document["entry"] if entry["resource"]["resourceType"] == "Device"
    }
    assert_patient_minimised(document, record)


@pytest.mark.parametrize("kind", ["medicine", "device"])
def test_no_direct_patient_identifier_anywhere(kind):
    text = RENDERER.generate(sample_record(kind)).content.decode("utf-8")
    assert not NHS_NUMBER_LIKE.search(text)
    for key in ('"birthDate"', '"deceasedDateTime"'):
        assert key not in text


def test_near_miss_is_potential():
    record = sample_record("device")
    record["incident"]["health_effect_codes"] = [
        {"system": "IMDRF-F", "code": "F27", "display": "Problem identified during non-clinical procedure"}
    ]
    assert is_near_miss(record)
    (event,) = resources(export(record), "AdverseEvent")
    assert event["actuality"] == "potential"


def test_re_export_is_byte_identical_and_ids_follow_the_case():
    record = sample_record("medicine")
    first = RENDERER.generate(record).content
    assert RENDERER.generate(sample_record("medicine")).content == first
    follow_up = sample_record("medicine")
    follow_up["case_version"] = 2
    ids = [entry["fullUrl"] for entry in json.loads(first)["entry"]]
    assert [entry["fullUrl"] for entry in export(follow_up)["entry"]] == ids
    other_case = sample_record("medicine")
    other_case["case_id"] = "GB-ECT-000043"
    assert not set(ids) & {entry["fullUrl"] for entry in export(other_case)["entry"]}


def test_text_that_fhir_strings_cannot_hold_is_cleaned_not_fatal():
    record = sample_record("medicine")
    record["reactions"][0]["verbatim"] = "  wheeze\x0bhives\u2028\x00 "
    record["reporter"]["organisation"] = "   "
    record["patient"]["initials"] = ""
    document = export(record)
    assert resources(document, "AdverseEvent")[0]["event"]["text"] == "wheeze hives"
    assert resources(document, "Organization")[0]["name"].startswith("Example Hospitals")
    assert "extension" not in resources(document, "Patient")[0]


@pytest.mark.parametrize(
    ("mapping", "vocabulary"),
    [
        (codes.OUTCOMES, vocab.OUTCOMES),
        (codes.SEVERITY, vocab.CTCAE_GRADES),
        (codes.CAUSALITY, vocab.CAUSALITY),
        (codes.GENDERS, vocab.SEXES),
        (codes.QUALIFICATIONS, vocab.QUALIFICATIONS),
        (codes.INCIDENT_SERIOUS, vocab.INCIDENT_CLASSIFICATIONS),
        (codes.UDI_ISSUERS, vocab.UDI_ISSUERS),
        (codes.SUSPECT_PARTS, vocab.SUSPECT_COMPONENTS),
        (codes.SUSPECT_CHARACTERISATIONS, vocab.DRUG_CHARACTERISATIONS),
    ],
)
def test_every_vocabulary_value_maps(mapping, vocabulary):
    assert set(mapping) == set(vocabulary)


def test_fhir_codes_come_from_the_r4_value_sets():
    assert {code.code for code in codes.OUTCOMES.values()} == {
        "resolved",
        "recovering",
        "ongoing",
        "resolvedWithSequelae",
        "fatal",
        "unknown",
    }
    assert {code.code for code in codes.SEVERITY.values()} == {"mild", "moderate", "severe"}
    assert codes.imdrf_system("IMDRF-A").endswith("/imdrf-annex-a")
    assert codes.imdrf_system("MedDRA") is None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(record=records())
def test_any_record_gives_a_valid_bundle(record):
    document = export(record)
    events = resources(document, "AdverseEvent")
    assert events and all(event["identifier"]["value"] == record["case_id"] for event in events)
    (patient,) = resources(document, "Patient")
    assert not {"name", "birthDate", "address", "telecom"} & set(patient)
    assert build_bundle(record) == document
