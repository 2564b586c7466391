"""The canonical record: one plain, versioned snapshot of a report.

``build_record`` is the only place that turns database rows into what an
export shows. Every renderer (JSON, PDF, later E2B and FHIR) takes the
record and never reads the database, so all exports say the same thing.
The shape is documented in ``record_types.py``.

The report's own fields are placed in the record at their dotted path
from ``fields.py`` (so ``suspect_drug.batch`` in the API is
``record["suspect_drug"]["batch"]``): the record is generated from the
field table, never hand-mapped, so the names cannot drift apart.

Only patient *minimum* data is copied: initials, sex, age, weight,
height and the local reference. Free text that staff may use for
identifying notes (the session's ``notes``) is never copied.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any, cast

from ect_reporting import clinical, clocks, reference, udi, vocab
from ect_reporting.config import OpcsSettings
from ect_reporting.fields import MEDICINE_FIELDS, OTHER_DRUG_FIELDS, REACTION_FIELDS, Field, report_fields
from ect_reporting.models import EctSession, Report
from ect_reporting.record_types import (
    EMPTY_DEFECTIVE_MEDICINE_PART,
    EMPTY_DEVICE_PART,
    EMPTY_MEDICINE_PART,
    RECORD_VERSION,
    CodedTerm,
    CodeVersions,
    Destination,
    Procedure,
    Record,
    RelatedReport,
)
from ect_reporting.reports.coding import ctcae_version_for
from ect_reporting.reports.values import other_drug_values, reaction_values, report_values
from ect_reporting.session_summary import opcs_coding


def iso_date(value: date | None) -> str | None:
    """Return ``YYYY-MM-DD`` or None."""
    return value.isoformat() if value is not None else None


def iso_datetime(value: datetime | None) -> str | None:
    """Return an ISO 8601 UTC timestamp; SQLite hands back naive UTC datetimes."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _hh_mm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def destination_for(kind: str, nation: str | None) -> Destination:
    """Name where the report goes: devices in Scotland/NI go to IRIC/NIAIC.

    Medicines, suspected reactions and defects alike, go to the Yellow Card
    scheme from all four nations.
    """
    scheme = "yellow_card"
    if kind == "device" and nation == "scotland":
        scheme = "iric"
    elif kind == "device" and nation == "northern_ireland":
        scheme = "niaic"
    return {"scheme": scheme, "name": vocab.DESTINATIONS[scheme], "nation": nation}


def no_procedure(report: Report) -> Procedure:
    """The procedure part of a report started from a blank form: every key, no session values.

    Keeping the shape lets every renderer read ``record["procedure"]`` the
    same way; the site is the one typed on the report.
    """
    empty = dict.fromkeys(Procedure.__annotations__)
    empty |= {"site_name": report.site_name, "nation": report.nation, "opcs_codes": [], "opcs_notes": []}
    empty["opcs_release"] = reference.opcs_release()
    return cast(Procedure, empty)


def build_procedure(session: EctSession, opcs: OpcsSettings) -> Procedure:
    """Summarise the ECT session, with derived BSA, dose per m2 and OPCS codes.

    The OPCS-4 codes carry their release and the coder notes, so an export
    says which classification they belong to and what is still to be
    confirmed; ``opcs`` are the site's coding choices, passed in as a value.
    """
    weight, height = session.patient_weight_kg, session.patient_height_cm
    coding = opcs_coding(session, opcs)
    return {
        "session_id": session.id,
        "procedure_date": iso_date(session.procedure_date),
        "site_name": session.site_name,
        "nation": session.nation,
        "care_setting": session.care_setting,
        "operator": session.operator_name,
        "histology": session.histology,
        "lesion_count": session.lesion_count,
        "largest_lesion_mm": session.largest_lesion_mm,
        "lesion_location": session.lesion_location,
        "lesion_site": session.lesion_site,
        "laterality": session.laterality,
        "previous_irradiation": session.previous_irradiation,
        "anaesthesia": session.anaesthesia,
        "drug": session.drug,
        "route": session.route,
        "dose": session.dose,
        "dose_unit": session.dose_unit,
        "body_surface_area_m2": clinical.body_surface_area_m2(weight, height),
        # From the unrounded BSA, as the session page computes it.
        "dose_per_m2": clinical.dose_per_m2(session.dose, clinical.body_surface_area_m2_exact(weight, height)),
        "drug_administered_at": _hh_mm(session.drug_time),
        "first_pulse_at": _hh_mm(session.first_pulse_time),
        "minutes_drug_to_pulse": clinical.minutes_between(session.drug_time, session.first_pulse_time),
        "pulses_delivered": session.pulses_delivered,
        "opcs_codes": coding.coded_terms(),
        "opcs_release": reference.opcs_release(),
        "opcs_notes": list(coding.notes),
    }


def meddra_coded(code: str | None) -> CodedTerm | None:
    """Expand a MedDRA code to a coded term (the code itself when unknown)."""
    if not code:
        return None
    term = reference.meddra_term(code)
    return {"system": "MedDRA", "code": code, "display": term.term if term else code}


def imdrf_coded(codes: Iterable[str] | None) -> list[CodedTerm]:
    """Expand IMDRF codes to coded terms with their annex system."""
    result: list[CodedTerm] = []
    for code in codes or []:
        term = reference.imdrf_term(code)
        result.append(
            {"system": term.system, "code": term.code, "display": term.display}
            if term
            else {"system": "IMDRF", "code": code, "display": code}
        )
    return result


def code_versions(report: Report) -> CodeVersions:
    """Return the code-list releases stored when the report's codes were saved."""
    return {
        "meddra": report.meddra_version,
        "ctcae": ctcae_version_for(report.meddra_version),
        "imdrf": report.imdrf_release,
    }


def _criteria(value: Any) -> dict[str, bool]:
    ticked = set(value or [])
    return {key: key in ticked for key in vocab.SERIOUSNESS_CRITERIA}


# Record form of a typed value, by field type; coded fields by attribute.
_BY_TYPE: dict[str, Callable[[Any], Any]] = {"date": iso_date, "time": _hh_mm}
_BY_ATTR: dict[str, Callable[[Any], Any]] = {
    "meddra_code": meddra_coded,
    "device_problem_codes": imdrf_coded,
    "health_effect_codes": imdrf_coded,
    "seriousness_criteria": _criteria,
    "black_triangle": bool,
}


def record_value(field: Field, value: Any) -> Any:
    """Return ``value`` as the record holds it (ISO dates, expanded codes)."""
    convert = _BY_ATTR.get(field.attr) or _BY_TYPE.get(field.type)
    return convert(value) if convert else value


def place(target: dict[str, Any], fields: Iterable[Field], values: Mapping[str, Any]) -> dict[str, Any]:
    """Put each field's record value at its dotted path inside ``target``."""
    for field in fields:
        *parents, leaf = field.path.split(".")
        node = target
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = record_value(field, values.get(field.attr))
    return target


# Patient questions asked on medicine reports only; null in a device record.
MEDICINE_ONLY_PATIENT_KEYS = tuple(f.path.split(".", 1)[1] for f in MEDICINE_FIELDS if f.path.startswith("patient."))


def _days_between(start: date | None, end: date | None) -> int | None:
    """Whole days from ``start`` to ``end`` (the Yellow Card's time to onset), or None."""
    return (end - start).days if start is not None and end is not None else None


def _defective_medicine_part(report: Report, part: dict[str, Any]) -> dict[str, Any]:
    part["defect"]["urgent"] = clocks.is_urgent(report.kind, report.defect_category)
    part["patient"] |= dict.fromkeys(MEDICINE_ONLY_PATIENT_KEYS)
    return copy.deepcopy(EMPTY_MEDICINE_PART) | EMPTY_DEVICE_PART | part


def _report_fields_part(report: Report) -> dict[str, Any]:
    part = place({}, report_fields(report.kind), report_values(report))
    if report.kind == "defective_medicine":
        return _defective_medicine_part(report, part)
    if report.kind != "medicine":
        part["patient"] |= dict.fromkeys(MEDICINE_ONLY_PATIENT_KEYS)
        for unit in (part["device"]["generator"], part["device"]["electrode"]):
            unit |= udi.record_keys(unit["udi"])  # derived: UDI-DI, UDI-PI and issuer, as regulators ask
        return copy.deepcopy(EMPTY_MEDICINE_PART) | EMPTY_DEFECTIVE_MEDICINE_PART | part
    started = report.drug_date_started
    part["reactions"] = [
        place({"time_to_onset_days": _days_between(started, reaction["onset_date"])}, REACTION_FIELDS, reaction)
        for reaction in reaction_values(report)
    ]
    part["other_drugs"] = [place({}, OTHER_DRUG_FIELDS, drug) for drug in other_drug_values(report)]
    if not (report.drug or report.drug_product):
        part["suspect_drug"] = None
    return EMPTY_DEVICE_PART | EMPTY_DEFECTIVE_MEDICINE_PART | part


def related_reports(report: Report) -> list[RelatedReport]:
    """The defect a medicine report was started from, and the medicine reports started from a defect."""
    linked = [report.source_report] if report.source_report is not None else []
    linked += sorted(report.started_reports, key=lambda r: r.id)
    return [{"report_id": r.id, "reference": r.reference, "kind": r.kind} for r in linked]


def regulator_reference(report: Report) -> str | None:
    """Return the case's reference from the regulator (the one given when the case was first sent).

    An initial report sent before case references were kept has only its
    own ``mhra_reference``, which is the case's reference all the same.
    """
    if report.regulator_case_reference:
        return report.regulator_case_reference
    return report.mhra_reference if report.follow_up_of_id is None else None


def build_record(report: Report, opcs: OpcsSettings) -> Record:
    """Build the canonical record of ``report`` (reads the rows once).

    ``opcs`` are the site's OPCS-4 coding choices (``web.opcs_settings()``).
    """
    record = {
        "record_version": RECORD_VERSION,
        "kind": report.kind,
        "report_id": report.id,
        "reference": report.reference,
        "state": report.state,
        "report_type": report.report_type,
        "follow_up_of": report.follow_up_of_id,
        "version": report.version,
        "case_id": report.case_id or "",
        "case_version": report.case_version or 1,
        "amendment": report.report_type == "amendment",
        "due_date": iso_date(report.due_date),
        "created_at": iso_datetime(report.created_at) or "",
        "updated_at": iso_datetime(report.updated_at) or "",
        "destination": destination_for(report.kind, report.nation),
        "mhra_reference": report.mhra_reference,
        "regulator_reference": regulator_reference(report),
        "nullification": {
            "nullified": report.state == "nullified",
            "date": iso_datetime(report.nullified_at),
            "reason": report.nullification_reason,
        },
        "procedure": build_procedure(report.session, opcs) if report.session is not None else no_procedure(report),
        "related_reports": related_reports(report),
        "clinical_warnings": [{"field": w["field"], "message": w["message"]} for w in report.clinical_warnings or []],
        "code_versions": code_versions(report),
    }
    record.update(_report_fields_part(report))
    return cast(Record, record)
