"""Realistic sample records in the canonical shape (``record_types.py``).

Used by the export tests, the PDF benchmark and anyone previewing the
layout: one serious bleomycin reaction (England, Yellow Card) and one
broken-electrode incident (Scotland, IRIC). Fictional people throughout.
Keys follow the order of ``record_types.Record`` (record version 2.1), so
a diff against a real export reads top to bottom. Callers get deep copies
so nobody mutates the originals.
"""

from __future__ import annotations

import copy

from ect_reporting.record_types import Record

__all__ = ["DEFECTIVE_MEDICINE_RECORD", "DEVICE_RECORD", "MEDICINE_RECORD", "Record", "sample_record"]

# A 67-year-old woman treated with IV bleomycin ECT for cutaneous melanoma
# metastases on the left shin: anaphylaxis (CTCAE grade 3) minutes after
# the bolus, and skin ulceration two weeks later. Serious: hospitalised.
MEDICINE_RECORD: Record = {
    "record_version": "2.1",
    "kind": "medicine",
    "report_id": 42,
    "reference": "ECT-000042",
    "state": "draft",
    "report_type": "initial",
    "follow_up_of": None,
    "version": 1,
    "case_id": "GB-ECT-000042",
    "case_version": 1,
    "amendment": False,
    "awareness_date": "2025-03-14",
    "due_date": "2025-03-29",
    "created_at": "2025-03-14T15:20:00Z",
    "updated_at": "2025-03-15T09:05:12Z",
    "destination": {
        "scheme": "yellow_card",
        "name": "MHRA Yellow Card scheme",
        "nation": "england",
    },
    "mhra_reference": None,
    "regulator_reference": None,
    "nullification": {"nullified": False, "date": None, "reason": None},
    "site": {"name": "Example Hospitals NHS Foundation Trust - Skin Cancer Unit", "nation": "england"},
    "related_reports": [],
    "patient": {
        "initials": "MR",
        "sex": "female",
        "age": 67,
        "weight_kg": 64.5,
        "height_cm": 162.0,
        "local_reference": "RXH-0042317",
        "ethnicity": "white",
        "pregnancy": "not_pregnant",
        "gestation_weeks": None,
        "medical_history": "Stage IIIC melanoma of the left leg (2023); hypertension.",
        "test_results": "Mast cell tryptase 28 micrograms/L at 1 hour after onset.",
        "allergies": "No known drug allergies",
    },
    "reporter": {
        "name": "Dr Amelia Hart",
        "profession": "Consultant dermatologist",
        "email": "amelia.hart@example.nhs.uk",
        "organisation": "Example Hospitals NHS Foundation Trust",
        "address": "Skin Cancer Unit, Example Hospital, Example Road, Exampletown",
        "phone": "0161 496 0000",
        "qualification": "physician",
    },
    "procedure": {
        "session_id": 17,
        "procedure_date": "2025-03-14",
        "site_name": "Example Hospitals NHS Foundation Trust - Skin Cancer Unit",
        "nation": "england",
        "care_setting": "day_case",
        "operator": "Mr Daniel Okafor",
        "histology": "melanoma",
        "lesion_count": 6,
        "largest_lesion_mm": 14,
        "lesion_location": "Left lower leg (shin)",
        "lesion_site": "leg",
        "laterality": "left",
        "previous_irradiation": False,
        "anaesthesia": "general",
        "drug": "bleomycin",
        "route": "intravenous",
        "dose": 25800.0,
        "dose_unit": "IU",
        # Mosteller: sqrt(162 cm x 64.5 kg / 3600) = 1.70367 m2, shown as
        # 1.70; the dose per m2 uses the unrounded area, 25,800 / 1.70367
        # = 15,143.76, rounded to 15,144.
        "body_surface_area_m2": 1.7,
        "dose_per_m2": 15144.0,
        "drug_administered_at": "10:02",
        "first_pulse_at": "10:10",
        "minutes_drug_to_pulse": 8,
        "pulses_delivered": 48,
        "opcs_codes": [
            {
                "system": "OPCS-4",
                "code": "X72.3",
                "display": "Delivery of simple parenteral chemotherapy for neoplasm at first attendance",
            },
            {
                "system": "OPCS-4",
                "code": "Y12.3",
                "display": "Electrochemotherapy to lesion of organ NOC",
            },
            {
                "system": "OPCS-4",
                "code": "Z50.4",
                "display": "Skin of leg NEC",
            },
            {
                "system": "OPCS-4",
                "code": "Z94.3",
                "display": "Left sided operation",
            },
        ],
        "opcs_release": "OPCS-4.10",
        "opcs_notes": [
            "X72 fourth character and inpatient rule: to be confirmed by a clinical coder",
            (
                "Worked example a codes left lower leg Z50.4 with Z94.3; limb laterality is common coding "
                "practice, UNCONFIRMED (R9)."
            ),
        ],
    },
    "clinical_warnings": [
        {
            "field": "dose_per_m2",
            "message": (
                "IV bleomycin 15,144 IU/m2 is above the ESOPE standard of 15,000 IU/m2: "
                "check the dose, weight and height."
            ),
        }
    ],
    "code_versions": {"meddra": "20.1 (unconfirmed)", "ctcae": "5.0 (2017-11-27)", "imdrf": None},
    "suspect_drug": {
        "name": "bleomycin",
        "product": "Bleomycin 15,000 IU powder for solution for injection",
        "batch": "B2417X",
        "route": "intravenous",
        "dose": 25800.0,
        "dose_unit": "IU",
        "date_started": "2025-03-14",
        "date_stopped": "2025-03-14",
        "indication": "Electrochemotherapy for cutaneous metastatic melanoma",
        "black_triangle": False,
        "action_taken": "not_applicable",
        "rechallenge": "not_done",
    },
    "reactions": [
        {
            "verbatim": (
                "Within 5 minutes of the bleomycin bolus she became flushed, wheezy and hypotensive (BP 78/40)."
            ),
            "meddra_code": {
                "system": "MedDRA",
                "code": "10002218",
                "display": "Anaphylaxis",
            },
            "ctcae_grade": 3,
            "onset_date": "2025-03-14",
            "end_date": "2025-03-15",
            "treatment": "IM adrenaline 500 micrograms, IV chlorphenamine, IV hydrocortisone",
            "outcome": "recovered",
            "time_to_onset_days": 0,
            "serious": True,
            "seriousness_criteria": {
                "death": False,
                "hospitalisation": True,
                "life_threatening": False,
                "disability": False,
                "congenital_anomaly": False,
                "medically_significant": False,
            },
        },
        {
            "verbatim": "15 mm ulcer at the treated site on the left shin two weeks later.",
            "meddra_code": {
                "system": "MedDRA",
                "code": "10040947",
                "display": "Skin ulceration",
            },
            "ctcae_grade": 2,
            "onset_date": "2025-03-28",
            "end_date": None,
            "treatment": "Non-adherent dressings; district nurse review twice weekly",
            "outcome": "recovering",
            "time_to_onset_days": 14,
            "serious": False,
            "seriousness_criteria": {
                "death": False,
                "hospitalisation": False,
                "life_threatening": False,
                "disability": False,
                "congenital_anomaly": False,
                "medically_significant": False,
            },
        },
    ],
    "other_drugs": [
        {
            "characterisation": "concomitant",
            "name": "Amlodipine",
            "batch": None,
            "dose": 5.0,
            "dose_unit": "mg",
            "route": "oral",
            "date_started": "2023-06-01",
            "date_stopped": None,
            "indication": "Hypertension",
        }
    ],
    "seriousness": {
        "serious": True,
        "criteria": {
            "death": False,
            "hospitalisation": True,
            "life_threatening": False,
            "disability": False,
            "congenital_anomaly": False,
            "medically_significant": False,
        },
        "medically_significant_details": None,
    },
    "other_medicines": "Amlodipine 5 mg once daily; paracetamol 1 g when required",
    "additional_information": (
        "No known drug allergies. Bleomycin ECT in 2024 without reaction. Mast cell tryptase 28 micrograms/L at 1 hour."
    ),
    "causality": "probable",
    "device": None,
    "incident": None,
    "product": None,
    "defect": None,
    "use": None,
    "stock": None,
}

# A linear needle array electrode broke during ECT at a Scottish site, so
# the report goes to IRIC rather than the Yellow Card scheme.
DEVICE_RECORD: Record = {
    "record_version": "2.1",
    "kind": "device",
    "report_id": 57,
    "reference": "ECT-000057",
    "state": "approved",
    "report_type": "initial",
    "follow_up_of": None,
    "version": 2,
    "case_id": "GB-ECT-000057",
    "case_version": 1,
    "amendment": False,
    "awareness_date": "2025-05-06",
    "due_date": "2025-05-21",
    "created_at": "2025-05-06T11:42:00Z",
    "updated_at": "2025-05-07T08:30:00Z",
    "destination": {
        "scheme": "iric",
        "name": "IRIC - Incident Reporting and Investigation Centre (NHS Scotland)",
        "nation": "scotland",
    },
    "mhra_reference": None,
    "regulator_reference": None,
    "nullification": {"nullified": False, "date": None, "reason": None},
    "site": {"name": "Example Royal Infirmary, Dundee", "nation": "scotland"},
    "related_reports": [],
    "patient": {
        "initials": "JD",
        "sex": "male",
        "age": 74,
        "weight_kg": 81.0,
        "height_cm": 178.0,
        "local_reference": "TAY-5520931",
        "ethnicity": None,
        "pregnancy": None,
        "gestation_weeks": None,
        "medical_history": None,
        "test_results": None,
        "allergies": None,
    },
    "reporter": {
        "name": "Sr Morag Campbell",
        "profession": "Theatre sister",
        "email": "morag.campbell@example.scot.nhs.uk",
        "organisation": "Example Royal Infirmary",
        "address": "Theatres, Example Royal Infirmary, Dundee",
        "phone": "01382 496000",
        "qualification": "other_health_professional",
    },
    "procedure": {
        "session_id": 23,
        "procedure_date": "2025-05-06",
        "site_name": "Example Royal Infirmary, Dundee",
        "nation": "scotland",
        "care_setting": "inpatient",
        "operator": "Ms Fiona MacLeod",
        "histology": "squamous_cell_carcinoma",
        "lesion_count": 3,
        "largest_lesion_mm": 22,
        "lesion_location": "Right scalp",
        "lesion_site": "scalp",
        "laterality": "right",
        "previous_irradiation": True,
        "anaesthesia": "general",
        "drug": "bleomycin",
        "route": "intravenous",
        "dose": 30000.0,
        "dose_unit": "IU",
        # Mosteller: sqrt(178 cm x 81 kg / 3600) = 2.00125 m2, shown as
        # 2.00; the dose per m2 uses the unrounded area, 30,000 / 2.00125
        # = 14,990.63, rounded to 14,991.
        "body_surface_area_m2": 2.0,
        "dose_per_m2": 14991.0,
        "drug_administered_at": "14:15",
        "first_pulse_at": "14:26",
        "minutes_drug_to_pulse": 11,
        "pulses_delivered": 24,
        "opcs_codes": [
            {
                "system": "OPCS-4",
                "code": "S10.8",
                "display": "Other specified other destruction of lesion of skin of head or neck",
            },
            {
                "system": "OPCS-4",
                "code": "Y12.3",
                "display": "Electrochemotherapy to lesion of organ NOC",
            },
            {
                "system": "OPCS-4",
                "code": "Z48.1",
                "display": "Skin of scalp",
            },
        ],
        "opcs_release": "OPCS-4.10",
        "opcs_notes": [
            "X72 fourth character and inpatient rule: to be confirmed by a clinical coder",
            (
                "Body-system code added so that Y12.3 is not the first code (Y and Z codes are secondary "
                "only): UNCONFIRMED, a clinical coder should check it"
            ),
            "Scalp is midline: no Z94 (worked example c).",
        ],
    },
    "clinical_warnings": [],
    "code_versions": {"meddra": None, "ctcae": None, "imdrf": "2024 (A: 2024.1)"},
    "suspect_drug": None,
    "reactions": [],
    "other_drugs": [],
    "seriousness": None,
    "other_medicines": None,
    "additional_information": None,
    "causality": None,
    "device": {
        "suspect_component": "electrode",
        "generator": {
            "manufacturer": "IGEA",
            "model": "Cliniporator VITAE",
            "serial_number": "CPV-21-0457",
            "software_version": "3.2.1",
            "udi": None,
            "udi_di": None,
            "udi_pi": None,
            "udi_issuer": None,
        },
        "electrode": {
            "type": "linear_needle_array",
            "manufacturer": "IGEA",
            "model": "LNA-30-8",
            "lot_number": "L24-1187",
            "serial_number": None,
            "expiry_date": "2027-01-31",
            "udi": "(01)08056245000123(17)270131(10)L24-1187",
            "udi_di": "08056245000123",
            "udi_pi": "(17)270131(10)L24-1187",
            "udi_issuer": "GS1",
        },
        "conformity_mark": "ce",
        "single_use_reused": False,
        "devices_involved": 1,
        "operator": "health_professional",
        "manufacturer_informed": True,
        "manufacturer_informed_date": "2025-05-07",
    },
    "incident": {
        "no_patient_involved": False,
        "description": (
            "During the third application one needle of the linear array "
            "snapped at the hub. The fragment was retrieved from the lesion "
            "with forceps; no further pulses were delivered with that electrode."
        ),
        "date": "2025-05-06",
        "classification": "other_reportable",
        # Coding notes (reference doc section 3): a needle breaking is
        # A040101 Fracture; the fragment left in the lesion is E2008, and
        # removing it F1903.
        "device_problem_codes": [
            {"system": "IMDRF-A", "code": "A040101", "display": "Fracture"},
        ],
        "health_effect_codes": [
            {"system": "IMDRF-E", "code": "E2008", "display": "Foreign Body In Patient"},
            {"system": "IMDRF-F", "code": "F1903", "display": "Device Explantation"},
        ],
        "patient_consequence": "Small puncture wound closed with one suture; no lasting harm.",
        "device_location": "quarantined",
        "available_for_investigation": True,
    },
    "product": None,
    "defect": None,
    "use": None,
    "stock": None,
}


def _defective_medicine_record() -> Record:
    """A cracked bleomycin vial found in the pharmacy fridge before reconstitution: no patient, no reaction."""
    record = copy.deepcopy(MEDICINE_RECORD)
    record.update(
        {
            "kind": "defective_medicine",
            "report_id": 77,
            "reference": "ECT-000077",
            "case_id": "GB-ECT-000077",
            "due_date": "2025-06-17",
            "clinical_warnings": [],
            "suspect_drug": None,
            "reactions": [],
            "other_drugs": [],
            "seriousness": None,
            "other_medicines": None,
            "additional_information": None,
            "causality": None,
            "code_versions": {"meddra": None, "ctcae": None, "imdrf": None},
            "product": {
                "drug": "bleomycin",
                "name": "Bleomycin 15,000 IU powder for solution for injection",
                "strength": "15,000 IU",
                "form": "Powder for solution for injection",
                "batch": "BX4471A",
                "expiry_date": "2027-03-31",
                "manufacturer": "Example Pharma UK Ltd",
            },
            "defect": {
                "category": "container_closure",
                "description": "Hairline crack in the vial shoulder, noticed before reconstitution.",
                "date_found": "2025-06-02",
                "urgent": False,
            },
            "use": {"used_on_patient": False, "reaction_followed": None},
            "stock": {
                "quantity_affected": 1,
                "location": "quarantined",
                "pharmacy_informed": True,
                "supplier_informed": False,
            },
        }
    )
    record["patient"] = dict.fromkeys(record["patient"])  # type: ignore[assignment]
    record["procedure"] = dict.fromkeys(record["procedure"]) | {  # type: ignore[assignment]
        "site_name": record["site"]["name"],
        "nation": "england",
        "opcs_codes": [],
        "opcs_release": record["procedure"]["opcs_release"],
        "opcs_notes": [],
    }
    return record


DEFECTIVE_MEDICINE_RECORD: Record = _defective_medicine_record()


_SAMPLES = {"medicine": MEDICINE_RECORD, "device": DEVICE_RECORD, "defective_medicine": DEFECTIVE_MEDICINE_RECORD}


def sample_record(kind: str) -> Record:
    """Return a fresh deep copy of the sample of ``kind`` (a vocab.REPORT_KINDS value)."""
    return copy.deepcopy(_SAMPLES[kind])
