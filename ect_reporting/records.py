"""The canonical record: one plain, versioned snapshot of a report.

``build_record`` is the only place that turns database rows into what an
export shows. Every renderer (JSON, PDF, later E2B and FHIR) takes the
record and never reads the database, so all exports say the same thing.
The shape is documented in ``record_types.py``.

Only patient *minimum* data is copied: initials, sex, age, weight,
height and the local reference. Free text that staff may use for
identifying notes (the session's ``notes``) is never copied.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from ect_reporting import clinical, reference, vocab
from ect_reporting.models import EctSession, Report
from ect_reporting.record_types import (
    RECORD_VERSION,
    CodedTerm,
    Destination,
    DeviceSection,
    MedicineSection,
    Patient,
    Procedure,
    Reaction,
    Record,
    Reporter,
)


def _d(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC datetimes
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _t(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def destination_for(kind: str, nation: str | None) -> Destination:
    """Name where the report goes: devices in Scotland/NI go to IRIC/NIAIC."""
    scheme = "yellow_card"
    if kind == "device" and nation == "scotland":
        scheme = "iric"
    elif kind == "device" and nation == "northern_ireland":
        scheme = "niaic"
    return {"scheme": scheme, "name": vocab.DESTINATIONS[scheme], "nation": nation}


def build_procedure(session: EctSession) -> Procedure:
    """Summarise the ECT session, with derived BSA, dose per m2 and OPCS codes."""
    bsa = clinical.body_surface_area_m2(session.patient_weight_kg, session.patient_height_cm)
    return {
        "session_id": session.id,
        "procedure_date": _d(session.procedure_date),
        "site_name": session.site_name,
        "nation": session.nation,
        "care_setting": session.care_setting,
        "operator": session.operator_name,
        "histology": session.histology,
        "lesion_count": session.lesion_count,
        "largest_lesion_mm": session.largest_lesion_mm,
        "lesion_location": session.lesion_location,
        "laterality": session.laterality,
        "previous_irradiation": session.previous_irradiation,
        "anaesthesia": session.anaesthesia,
        "drug": session.drug,
        "route": session.route,
        "dose": session.dose,
        "dose_unit": session.dose_unit,
        "body_surface_area_m2": bsa,
        "dose_per_m2": clinical.dose_per_m2(session.dose, bsa),
        "drug_administered_at": _t(session.drug_time),
        "first_pulse_at": _t(session.first_pulse_time),
        "minutes_drug_to_pulse": clinical.minutes_between(session.drug_time, session.first_pulse_time),
        "pulses_delivered": session.pulses_delivered,
        "opcs_codes": list(reference.opcs_codes_for(session.laterality, session.care_setting)),
    }


def _patient(report: Report) -> Patient:
    return {
        "initials": report.patient_initials,
        "sex": report.patient_sex,
        "age_years": report.patient_age,
        "weight_kg": report.patient_weight_kg,
        "height_cm": report.patient_height_cm,
        "local_reference": report.local_reference,
    }


def _coded(code: str | None, lookup: str) -> CodedTerm | None:
    if not code:
        return None
    if lookup == "meddra":
        term = reference.meddra_term(code)
        return {"system": "MedDRA", "code": code, "display": term.term if term else code}
    imdrf = reference.imdrf_term(code)
    if imdrf is None:
        return {"system": "IMDRF", "code": code, "display": code}
    return {"system": imdrf.system, "code": imdrf.code, "display": imdrf.display}


def _medicine(report: Report) -> MedicineSection:
    reactions: list[Reaction] = [
        {
            "verbatim": r.verbatim,
            "term": _coded(r.meddra_code, "meddra"),
            "ctcae_grade": r.ctcae_grade,
            "onset_date": _d(r.onset_date),
            "end_date": _d(r.end_date),
            "treatment": r.treatment,
            "outcome": r.outcome,
        }
        for r in report.reactions
    ]
    return {
        "suspect_drugs": [
            {
                "drug": report.drug,
                "product_name": report.drug_product,
                "batch": report.drug_batch,
                "route": report.drug_route,
                "dose": report.drug_dose,
                "dose_unit": report.drug_dose_unit,
                "date_started": _d(report.drug_date_started),
                "date_stopped": _d(report.drug_date_stopped),
                "indication": report.drug_indication,
                "black_triangle": bool(report.black_triangle),
                "action_taken": report.action_taken,
            }
        ]
        if (report.drug or report.drug_product)
        else [],
        "reactions": reactions,
        "seriousness": {
            "serious": report.serious,
            "criteria": report.seriousness_criteria,
            "medically_significant_details": report.medically_significant_details,
        },
        "other_medicines": report.other_medicines,
        "additional_information": report.additional_information,
        "causality": report.causality,
    }


def _device(report: Report) -> DeviceSection:
    return {
        "suspect_component": report.suspect_component,
        "generator": {
            "manufacturer": report.generator_manufacturer,
            "model": report.generator_model,
            "serial_number": report.generator_serial,
            "software_version": report.generator_software,
        },
        "electrode": {
            "type": report.electrode_type,
            "model": report.electrode_model,
            "lot_number": report.electrode_lot,
            "udi": report.electrode_udi,
        },
        "incident": {
            "description": report.incident_description,
            "incident_date": _d(report.incident_date),
            "classification": report.incident_classification,
            "device_problem_codes": [c for c in (_coded(x, "imdrf") for x in report.device_problem_codes or []) if c],
            "health_effect_codes": [c for c in (_coded(x, "imdrf") for x in report.health_effect_codes or []) if c],
            "patient_consequence": report.patient_consequence,
            "device_location": report.device_location,
            "available_for_investigation": report.available_for_investigation,
        },
    }


def _reporter(report: Report) -> Reporter:
    return {
        "name": report.reporter_name,
        "profession": report.reporter_profession,
        "email": report.reporter_email,
        "organisation": report.reporter_organisation,
    }


def build_record(report: Report) -> Record:
    """Build the canonical record of ``report`` (reads the rows once)."""
    return {
        "record_version": RECORD_VERSION,
        "kind": "medicine" if report.kind == "medicine" else "device",
        "report_id": report.id,
        "reference": report.reference,
        "state": report.state,
        "report_type": report.report_type,
        "follow_up_of": report.follow_up_of_id,
        "version": report.version,
        "awareness_date": _d(report.awareness_date),
        "due_date": _d(report.due_date),
        "created_at": _dt(report.created_at) or "",
        "updated_at": _dt(report.updated_at) or "",
        "destination": destination_for(report.kind, report.session.nation),
        "patient": _patient(report),
        "procedure": build_procedure(report.session),
        "medicine": _medicine(report) if report.kind == "medicine" else None,
        "device": _device(report) if report.kind == "device" else None,
        "reporter": _reporter(report),
        "mhra_reference": report.mhra_reference,
    }
