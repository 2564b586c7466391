"""Issue 10 exports from records alone: the defective-medicine PDF layout and JSON schema part, the near miss."""

from __future__ import annotations

import copy
import io
import json

import pytest
from pypdf import PdfReader

from ect_reporting.exports.json_export import JsonRenderer, build_export
from ect_reporting.exports.pdf import DefectiveMedicineLayout, DeviceLayout, PdfRenderer
from ect_reporting.exports.samples import DEFECTIVE_MEDICINE_RECORD, DEVICE_RECORD, sample_record
from ect_reporting.schemas import export_errors

DEFECT_HEADINGS = [
    "Defective medicine For submission to: MHRA Yellow Card scheme",
    "Report details",
    "1. Product",
    "2. The defect",
    "3. Use on a patient",
    "4. Stock and who was told",
    "5. Destination",
    "6. Reporter",
    "7. ECT procedure summary",
]


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer()


def text_of(renderer: PdfRenderer, record) -> str:
    content = renderer.render(record)
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_the_defect_layout_is_its_own_class(renderer):
    assert type(renderer.layout_for(sample_record("defective_medicine"))) is DefectiveMedicineLayout


def test_defect_pdf_sections_and_fields(renderer):
    text = text_of(renderer, sample_record("defective_medicine"))
    position = 0
    for heading in DEFECT_HEADINGS:
        position = text.index(heading, position)
    for expected in ("BX4471A", "Example Pharma UK Ltd", "Container or closure damage", "Quarantined on site",
                     "Pharmacy informed Yes", "Not linked to an ECT session"):
        assert expected in text, expected
    # No patient section when the product was not used on a patient.
    assert "Initials" not in text


def test_defect_pdf_shows_the_patient_and_linked_reaction_report_when_used(renderer):
    record = sample_record("defective_medicine")
    record["use"] = {"used_on_patient": True, "reaction_followed": True}
    record["patient"] = copy.deepcopy(DEVICE_RECORD["patient"]) | dict.fromkeys(
        ("ethnicity", "pregnancy", "gestation_weeks", "medical_history", "test_results", "allergies")
    )
    record["related_reports"] = [{"report_id": 78, "reference": "ECT-000078", "kind": "medicine"}]
    text = text_of(renderer, record)
    assert "Suspected reaction report ECT-000078" in text and "Initials" in text
    assert export_errors(build_export(record)) == []


def test_urgent_defect_says_so_in_the_title(renderer):
    record = sample_record("defective_medicine")
    record["defect"]["category"], record["defect"]["urgent"] = "suspected_counterfeit", True
    assert "URGENT - Defective medicine For submission to" in text_of(renderer, record)


def test_near_miss_pdf_heading(renderer):
    record = sample_record("device")
    record["incident"]["no_patient_involved"] = True
    assert isinstance(renderer.layout_for(record), DeviceLayout)
    text = text_of(renderer, record)
    assert "Near miss - Adverse incident with a medical device" in text
    assert "Near miss: no patient was involved" in text


def test_defect_json_is_schema_valid_and_named():
    export = JsonRenderer().generate(sample_record("defective_medicine"))
    assert export.filename == "yellow-card-defective-medicine-GB-ECT-000077-v1.json"
    assert export_errors(json.loads(export.content)) == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("device", DEVICE_RECORD["device"]),
        ("incident", DEVICE_RECORD["incident"]),
        ("destination", {"scheme": "iric", "name": "IRIC", "nation": "scotland"}),
        ("product", None),
    ],
)
def test_schema_holds_a_defect_record_to_its_shape(key, value):
    record = copy.deepcopy(DEFECTIVE_MEDICINE_RECORD)
    record[key] = copy.deepcopy(value)
    assert export_errors(build_export(record))


@pytest.mark.parametrize("kind", ["medicine", "device"])
def test_other_kinds_may_not_carry_defect_parts(kind):
    record = sample_record(kind)
    record["product"] = copy.deepcopy(DEFECTIVE_MEDICINE_RECORD["product"])
    assert export_errors(build_export(record))
