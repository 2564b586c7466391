"""Property tests: any record that fits the contract exports without error.

Hypothesis fills every free-text field with arbitrary Unicode (control
characters, combining marks, right-to-left scripts, astral characters,
markup-like text, up to a few thousand characters) and every list with
0-3 entries. The JSON export must stay schema-valid with a verifying
checksum, and the PDF must build (no markup errors, no flowable taller
than a page, no missing-glyph crash).
"""

from __future__ import annotations

import io
import json
from datetime import UTC
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from ect_reporting import vocab
from ect_reporting.exports.json_export import JsonRenderer, verify_checksum
from ect_reporting.exports.pdf import PdfRenderer
from ect_reporting.record_types import EMPTY_DEFECTIVE_MEDICINE_PART, EMPTY_MEDICINE_PART
from ect_reporting.schemas import export_errors

# Mostly short text, sometimes long enough to span pages.
short_text = st.text(max_size=60)
free_text = st.one_of(st.none(), short_text, st.text(max_size=400), st.text(min_size=1500, max_size=3000))
text_or_none = st.one_of(st.none(), short_text)
iso_date = st.one_of(st.none(), st.dates().map(lambda d: d.isoformat()))
clinical_warnings = st.lists(
    st.fixed_dictionaries({"field": st.sampled_from(["dose_per_m2", "route"]), "message": short_text}),
    max_size=2,
)
hh_mm = st.one_of(st.none(), st.times().map(lambda t: t.strftime("%H:%M")))
utc_datetime = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
count = st.one_of(st.none(), st.integers(min_value=0, max_value=10**6))
amount = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=10**6),
    st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False),
)


def choice(vocabulary: dict[str, str]) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.sampled_from(list(vocabulary)))


def coded(system: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "system": st.just(system) if system else st.text(min_size=1, max_size=20),
            "code": st.text(min_size=1, max_size=20),
            "display": free_text.map(lambda value: value or ""),
        }
    )


def listing(item: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    return st.lists(item, max_size=3)


patients = st.fixed_dictionaries(
    {
        "initials": text_or_none,
        "sex": choice(vocab.SEXES),
        "age": count,
        "weight_kg": amount,
        "height_cm": amount,
        "local_reference": text_or_none,
        "ethnicity": choice(vocab.ETHNICITIES),
        "pregnancy": choice(vocab.PREGNANCY),
        "gestation_weeks": st.one_of(st.none(), st.integers(min_value=1, max_value=45)),
        "medical_history": free_text,
        "test_results": free_text,
        "allergies": free_text,
    }
)

code_versions = st.fixed_dictionaries(
    {"meddra": text_or_none, "ctcae": text_or_none, "imdrf": text_or_none}
)

procedures = st.fixed_dictionaries(
    {
        "session_id": st.one_of(st.none(), st.integers(min_value=1, max_value=10**9)),
        "procedure_date": iso_date,
        "site_name": text_or_none,
        "nation": choice(vocab.NATIONS),
        "care_setting": choice(vocab.CARE_SETTINGS),
        "operator": text_or_none,
        "histology": choice(vocab.HISTOLOGIES),
        "lesion_count": count,
        "largest_lesion_mm": count,
        "lesion_location": free_text,
        "lesion_site": choice(vocab.LESION_SITES),
        "laterality": choice(vocab.LATERALITIES),
        "previous_irradiation": st.one_of(st.none(), st.booleans()),
        "anaesthesia": choice(vocab.ANAESTHESIA),
        "drug": choice(vocab.DRUGS),
        "route": choice(vocab.ROUTES),
        "dose": amount,
        "dose_unit": choice(vocab.DOSE_UNITS),
        "body_surface_area_m2": amount,
        "dose_per_m2": amount,
        "drug_administered_at": hh_mm,
        "first_pulse_at": hh_mm,
        "minutes_drug_to_pulse": count,
        "pulses_delivered": count,
        "opcs_codes": listing(coded("OPCS-4")),
        "opcs_release": short_text,
        "opcs_notes": listing(short_text),
    }
)

suspect_drugs = st.fixed_dictionaries(
    {
        "name": choice(vocab.DRUGS),
        "product": free_text,
        "batch": text_or_none,
        "route": text_or_none,
        "dose": amount,
        "dose_unit": text_or_none,
        "date_started": iso_date,
        "date_stopped": iso_date,
        "indication": free_text,
        "black_triangle": st.booleans(),
        "action_taken": choice(vocab.ACTIONS_TAKEN),
        "rechallenge": choice(vocab.RECHALLENGE),
    }
)

reactions = st.fixed_dictionaries(
    {
        "verbatim": free_text,
        "meddra_code": st.one_of(st.none(), coded("MedDRA")),
        "ctcae_grade": st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
        "onset_date": iso_date,
        "end_date": iso_date,
        "treatment": free_text,
        "outcome": choice(vocab.OUTCOMES),
        "time_to_onset_days": st.one_of(st.none(), st.integers(min_value=-1000, max_value=100_000)),
        "serious": st.one_of(st.none(), st.booleans()),
        "seriousness_criteria": st.fixed_dictionaries({key: st.booleans() for key in vocab.SERIOUSNESS_CRITERIA}),
    }
)

other_drugs = st.fixed_dictionaries(
    {
        "characterisation": choice(vocab.DRUG_CHARACTERISATIONS),
        "name": free_text,
        "batch": text_or_none,
        "dose": amount,
        "dose_unit": choice(vocab.OTHER_DOSE_UNITS),
        "route": choice(vocab.OTHER_DRUG_ROUTES),
        "date_started": iso_date,
        "date_stopped": iso_date,
        "indication": free_text,
    }
)

# The top-level keys of a medicine record (all None / [] on a device record).
medicine_keys = st.fixed_dictionaries(
    {
        "suspect_drug": st.one_of(st.none(), suspect_drugs),
        "reactions": listing(reactions),
        "other_drugs": listing(other_drugs),
        "seriousness": st.fixed_dictionaries(
            {
                "serious": st.one_of(st.none(), st.booleans()),
                "criteria": st.fixed_dictionaries({key: st.booleans() for key in vocab.SERIOUSNESS_CRITERIA}),
                "medically_significant_details": free_text,
            }
        ),
        "other_medicines": free_text,
        "additional_information": free_text,
        "causality": choice(vocab.CAUSALITY),
    }
)
NO_MEDICINE_KEYS: dict[str, Any] = dict(EMPTY_MEDICINE_PART)

# The UDI's derived parts (records.py); an export renders whatever the record holds.
udi_parts = {"udi_di": text_or_none, "udi_pi": text_or_none, "udi_issuer": choice(vocab.UDI_ISSUERS)}
devices = st.fixed_dictionaries(
    {
        "suspect_component": choice(vocab.SUSPECT_COMPONENTS),
        "generator": st.fixed_dictionaries(
            {
                "manufacturer": text_or_none,
                "model": text_or_none,
                "serial_number": text_or_none,
                "software_version": text_or_none,
                "udi": text_or_none,
                **udi_parts,
            }
        ),
        "electrode": st.fixed_dictionaries(
            {
                "type": choice(vocab.ELECTRODE_TYPES),
                "manufacturer": text_or_none,
                "model": text_or_none,
                "lot_number": text_or_none,
                "serial_number": text_or_none,
                "expiry_date": iso_date,
                "udi": text_or_none,
                **udi_parts,
            }
        ),
        "conformity_mark": choice(vocab.CONFORMITY_MARKS),
        "single_use_reused": st.one_of(st.none(), st.booleans()),
        "devices_involved": st.one_of(st.none(), st.integers(min_value=1, max_value=1000)),
        "operator": choice(vocab.DEVICE_OPERATORS),
        "manufacturer_informed": st.one_of(st.none(), st.booleans()),
        "manufacturer_informed_date": iso_date,
    }
)

incidents = st.fixed_dictionaries(
    {
        "no_patient_involved": st.booleans(),
        "description": free_text,
        "date": iso_date,
        "classification": choice(vocab.INCIDENT_CLASSIFICATIONS),
        "device_problem_codes": listing(coded("IMDRF-A")),
        "health_effect_codes": listing(coded()),
        "patient_consequence": free_text,
        "device_location": choice(vocab.DEVICE_LOCATIONS),
        "available_for_investigation": st.one_of(st.none(), st.booleans()),
    }
)


# The parts of a defective-medicine record (None on the other kinds).
defective_medicine_keys = st.fixed_dictionaries(
    {
        "product": st.fixed_dictionaries(
            {
                "drug": choice(vocab.DRUGS),
                "name": text_or_none,
                "strength": text_or_none,
                "form": text_or_none,
                "batch": text_or_none,
                "expiry_date": iso_date,
                "manufacturer": text_or_none,
            }
        ),
        "defect": st.fixed_dictionaries(
            {
                "category": choice(vocab.DEFECT_CATEGORIES),
                "description": free_text,
                "date_found": iso_date,
                "urgent": st.booleans(),
            }
        ),
        "use": st.fixed_dictionaries(
            {
                "used_on_patient": st.one_of(st.none(), st.booleans()),
                "reaction_followed": st.one_of(st.none(), st.booleans()),
            }
        ),
        "stock": st.fixed_dictionaries(
            {
                "quantity_affected": st.one_of(st.none(), st.integers(min_value=1, max_value=100_000)),
                "location": choice(vocab.STOCK_LOCATIONS),
                "pharmacy_informed": st.one_of(st.none(), st.booleans()),
                "supplier_informed": st.one_of(st.none(), st.booleans()),
            }
        ),
    }
)
NO_DEFECTIVE_MEDICINE_KEYS: dict[str, Any] = dict(EMPTY_DEFECTIVE_MEDICINE_PART)
related_reports = listing(
    st.fixed_dictionaries(
        {
            "report_id": st.integers(min_value=1, max_value=10**9),
            "reference": st.text(min_size=1, max_size=20),
            "kind": st.sampled_from(list(vocab.REPORT_KINDS)),
        }
    )
)


nullifications = st.one_of(
    st.just({"nullified": False, "date": None, "reason": None}),
    st.fixed_dictionaries({"nullified": st.just(True), "date": utc_datetime, "reason": free_text}),
)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(list(vocab.REPORT_KINDS)))
    is_medicine, is_device = kind == "medicine", kind == "device"
    destination = draw(st.sampled_from(list(vocab.DESTINATIONS))) if is_device else "yellow_card"
    return {
        "record_version": "2.1",
        "kind": kind,
        "report_id": draw(st.integers(min_value=1, max_value=10**9)),
        "reference": draw(st.text(min_size=1, max_size=80)),
        "state": draw(st.sampled_from(list(vocab.REPORT_STATES))),
        "report_type": draw(st.sampled_from(list(vocab.REPORT_TYPES))),
        "follow_up_of": draw(st.one_of(st.none(), st.integers(min_value=1, max_value=10**9))),
        "version": draw(st.integers(min_value=1, max_value=1000)),
        "case_id": draw(st.from_regex(r"GB-[A-Z0-9]{2,10}-[0-9]{6,9}", fullmatch=True)),
        "case_version": draw(st.integers(min_value=1, max_value=1000)),
        "amendment": draw(st.booleans()),
        "awareness_date": draw(iso_date),
        "due_date": draw(iso_date),
        "created_at": draw(utc_datetime),
        "updated_at": draw(utc_datetime),
        "destination": {
            "scheme": destination,
            "name": draw(st.text(min_size=1, max_size=100)),
            "nation": draw(choice(vocab.NATIONS)),
        },
        "mhra_reference": draw(text_or_none),
        "regulator_reference": draw(text_or_none),
        "nullification": draw(nullifications),
        "site": {"name": draw(text_or_none), "nation": draw(choice(vocab.NATIONS))},
        "related_reports": draw(related_reports),
        "patient": draw(patients),
        "reporter": {
            "name": draw(free_text),
            "profession": draw(text_or_none),
            "email": draw(st.one_of(st.none(), st.emails())),
            "organisation": draw(text_or_none),
            "address": draw(text_or_none),
            "phone": draw(text_or_none),
            "qualification": draw(choice(vocab.QUALIFICATIONS)),
        },
        "procedure": draw(procedures),
        "clinical_warnings": draw(clinical_warnings),
        "code_versions": draw(code_versions),
        **(draw(medicine_keys) if is_medicine else NO_MEDICINE_KEYS),
        "device": draw(devices) if is_device else None,
        "incident": draw(incidents) if is_device else None,
        **(draw(defective_medicine_keys) if kind == "defective_medicine" else NO_DEFECTIVE_MEDICINE_KEYS),
    }


SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]
PDF_RENDERER = PdfRenderer()


@settings(max_examples=100, deadline=None, suppress_health_check=SLOW_OK)
@given(record=records())
def test_any_record_exports_schema_valid_json_with_a_verifying_checksum(record):
    document = json.loads(JsonRenderer().generate(record).content.decode("utf-8"))
    assert export_errors(document) == []
    assert document["record"] == record
    assert verify_checksum(document)


@settings(max_examples=30, deadline=None, suppress_health_check=SLOW_OK)
@given(record=records())
def test_any_record_renders_a_pdf(record):
    content = PDF_RENDERER.generate(record).content
    pages = PdfReader(io.BytesIO(content)).pages
    assert len(pages) >= 1
    last = " ".join(pages[-1].extract_text().split())
    assert last.endswith(f"Page {len(pages)} of {len(pages)}")
