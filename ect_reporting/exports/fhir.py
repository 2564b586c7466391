"""FHIR R4 export: the canonical record as a Bundle of AdverseEvent and what it points at.

Why plain dicts: the product builds JSON-ready dicts with the standard
library and the tests validate them with ``fhir.resources`` (its R4B
models, the R4-compatible ones it ships), so the heavy pydantic models
are a test dependency, not a runtime one.

Shape (type ``collection``; ids from the case, see ``_Ids``):

- one AdverseEvent per reaction on a medicine report (R4 allows one
  ``event`` code per AdverseEvent, and outcome, severity and seriousness
  are per reaction in the record), one per incident on a device report.
  Every AdverseEvent of a case carries the case id (E2B C.1.1) as its
  identifier, since R4 allows one identifier and the reactions share the
  case; they differ by ``fullUrl`` and event code.
- Patient, minimised: the local reference as identifier, gender and the
  initials (a local extension, as E2B D.1 and the Yellow Card carry
  them); never a name, date of birth, address or telecom. R4 Patient has
  no age element and a birth date would identify, so the age goes on
  each AdverseEvent as the local ``age-at-event`` extension (E2B D.2.2).
- Practitioner (the reporter: name, E2B qualification, contact - the
  reporter, not the patient), PractitionerRole and Organization.
- Medication for the suspect drug (batch) and each other drug; suspect
  and interacting drugs are suspect entities, concomitant ones a
  MedicationStatement. Device for the generator and the electrode (UDI,
  lot, serial, expiry, software version, manufacturer, model).
- Procedure: the ECT session with its OPCS-4 codes and release, using
  the medication and devices.
- Device reports: IMDRF annex A/E/F codes as ``event`` codings with their
  system and release; the MIR incident classification as a second
  ``category`` coding. ``actuality`` is ``potential`` for a near miss,
  recognised for now by an IMDRF F27 health effect code (problem found
  with no patient involved); a fuller near-miss kind is a later issue.

Free text is cleaned to what a FHIR ``string`` may hold (no control or
exotic whitespace characters, not blank); empty values are left out, as
FHIR forbids empty elements.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from typing import Any

from ect_reporting import vocab
from ect_reporting.exports import fhir_codes as codes
from ect_reporting.exports.base import Renderer
from ect_reporting.exports.e2b_ids import message_number
from ect_reporting.record_types import Record

Json = dict[str, Any]
_ALLOWED_WHITESPACE = frozenset(" \r\n\t")


def _text(value: object) -> str | None:
    """Return ``value`` as a valid FHIR string, or None when nothing is left."""
    if value is None:
        return None
    cleaned = "".join(
        " " if ch not in _ALLOWED_WHITESPACE and (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cs")) else ch
        for ch in str(value)
    ).strip()
    return cleaned or None


def _code(value: object) -> str | None:
    """Return ``value`` as a FHIR ``code`` (no leading, trailing or double whitespace)."""
    cleaned = _text(value)
    return " ".join(cleaned.split()) if cleaned else None


def _compact(value: Any) -> Any:
    """Drop None, empty lists and empty dicts, recursively: FHIR has no empty elements."""
    if isinstance(value, dict):
        items = ((key, _compact(item)) for key, item in value.items())
        return {key: item for key, item in items if item not in (None, [], {})}
    if isinstance(value, list):
        return [item for item in (_compact(entry) for entry in value) if item not in (None, [], {})]
    return value


def _coding(system: str | None, code: object, display: object = None, version: object = None) -> Json | None:
    """Return a Coding, or None without a code."""
    code_value = _code(code)
    if code_value is None:
        return None
    return {"system": system, "version": _text(version), "code": code_value, "display": _text(display)}


def _concept(*codings: Json | None, text: object = None) -> Json:
    return {"coding": [coding for coding in codings if coding], "text": _text(text)}


def _date(value: object) -> str | None:
    """Return an ISO date or datetime string as is, or None (the record's are already ISO)."""
    return value if isinstance(value, str) and value else None


class _Ids:
    """Deterministic ``urn:uuid`` ids: uuid5 of the case id and the resource's role.

    Why: re-exporting a case (or a later version of it) gives every
    resource the same id, so a receiver can match and update instead of
    duplicating.
    """

    def __init__(self, case_id: str) -> None:
        self.case_id = case_id

    def uuid(self, key: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{codes.LOCAL_BASE}:case:{self.case_id}:{key}"))

    def ref(self, key: str) -> Json:
        return {"reference": f"urn:uuid:{self.uuid(key)}"}


def _organisation_code(case_id: str) -> str:
    """Return the ``ORG`` of a case id ``GB-<ORG>-<number>`` (names this site's id systems)."""
    parts = case_id.split("-")
    return parts[1].lower() if len(parts) >= 3 and re.fullmatch(r"[A-Za-z0-9]+", parts[1]) else "local"


def _case_system(case_id: str, what: str) -> str:
    return f"{codes.LOCAL_BASE}:{_organisation_code(case_id)}:{what}"


def _patient(record: Record, ids: _Ids) -> Json:
    patient = record["patient"]
    reference = _text(patient.get("local_reference"))
    initials = _text(patient.get("initials"))
    return {
        "resourceType": "Patient",
        "id": ids.uuid("patient"),
        "extension": [{"url": codes.EXTENSION_PATIENT_INITIALS, "valueString": initials}] if initials else [],
        "identifier": [{"system": _case_system(record["case_id"], "local-patient-reference"), "value": reference}]
        if reference
        else [],
        "gender": codes.GENDERS.get(patient.get("sex") or ""),
    }


def _practitioner(record: Record, ids: _Ids) -> Json:
    reporter = record["reporter"]
    qualification = reporter.get("qualification")
    code = codes.QUALIFICATIONS.get(qualification or "")
    telecom = [
        {"system": system, "value": _text(reporter.get(key)), "use": "work"}
        for system, key in (("email", "email"), ("phone", "phone"))
        if _text(reporter.get(key))
    ]
    return {
        "resourceType": "Practitioner",
        "id": ids.uuid("reporter"),
        "name": [{"text": _text(reporter.get("name"))}],
        "telecom": telecom,
        "address": [{"text": _text(reporter.get("address"))}],
        "qualification": [
            {
                "code": _concept(
                    _coding(codes.E2B_QUALIFICATION_SYSTEM, code.code, code.display) if code else None,
                    text=vocab.label(vocab.QUALIFICATIONS, qualification),
                )
            }
        ],
    }


def _organisation(record: Record, ids: _Ids) -> Json | None:
    """The reporter's organisation (or the ECT site); None when neither is known (org-1)."""
    name = _text(record["reporter"].get("organisation")) or _text(record["procedure"].get("site_name"))
    if name is None:
        return None
    return {"resourceType": "Organization", "id": ids.uuid("organisation"), "name": name}


def _practitioner_role(record: Record, ids: _Ids, has_organisation: bool) -> Json:
    return {
        "resourceType": "PractitionerRole",
        "id": ids.uuid("reporter-role"),
        "practitioner": ids.ref("reporter"),
        "organization": ids.ref("organisation") if has_organisation else None,
        "code": [{"text": _text(record["reporter"].get("profession"))}],
    }


def _medication(ids: _Ids, key: str, name: object, batch: object) -> Json:
    lot = _text(batch)
    return {
        "resourceType": "Medication",
        "id": ids.uuid(key),
        "code": {"text": _text(name)},
        "batch": {"lotNumber": lot} if lot else None,
    }


def _suspect_drug(record: Record, ids: _Ids) -> Json | None:
    drug = record.get("suspect_drug")
    if not drug:
        return None
    name = drug.get("product") or vocab.label(vocab.DRUGS, drug.get("name"))
    return _medication(ids, "suspect-drug", name, drug.get("batch"))


def _other_drug_entries(record: Record, ids: _Ids) -> tuple[list[Json], list[str]]:
    """Medications of the other drugs (and statements for concomitant ones); keys of the suspect ones."""
    resources: list[Json] = []
    suspects: list[str] = []
    for index, drug in enumerate(record.get("other_drugs") or []):
        key = f"other-drug-{index}"
        resources.append(_medication(ids, key, drug.get("name"), drug.get("batch")))
        if codes.SUSPECT_CHARACTERISATIONS.get(drug.get("characterisation") or "", False):
            suspects.append(key)
            continue
        dose = " ".join(str(part) for part in (drug.get("dose"), drug.get("dose_unit"), drug.get("route")) if part)
        resources.append(
            {
                "resourceType": "MedicationStatement",
                "id": ids.uuid(f"{key}-statement"),
                "status": "completed" if drug.get("date_stopped") else "unknown",
                "medicationReference": ids.ref(key),
                "subject": ids.ref("patient"),
                "effectivePeriod": {"start": _date(drug.get("date_started")), "end": _date(drug.get("date_stopped"))},
                "reasonCode": [{"text": _text(drug.get("indication"))}],
                "dosage": [{"text": _text(dose)}],
            }
        )
    return resources, suspects


def _device(record: Record, ids: _Ids, part: str) -> Json | None:
    """The generator or electrode as a Device; None when nothing about it was recorded."""
    device = (record.get("device") or {}).get(part) or {}
    if not any(value for key, value in device.items() if key != "udi_issuer"):
        return None
    model = _text(device.get("model"))
    kind = "ECT pulse generator" if part == "generator" else vocab.label(vocab.ELECTRODE_TYPES, device.get("type"))
    udi = {
        "deviceIdentifier": _text(device.get("udi_di")),
        "carrierHRF": _text(device.get("udi")),
        "issuer": codes.UDI_ISSUERS.get(device.get("udi_issuer") or ""),
    }
    return {
        "resourceType": "Device",
        "id": ids.uuid(part),
        "udiCarrier": [udi] if udi["deviceIdentifier"] or udi["carrierHRF"] else [],
        "manufacturer": _text(device.get("manufacturer")),
        "lotNumber": _text(device.get("lot_number")),
        "serialNumber": _text(device.get("serial_number")),
        "expirationDate": _date(device.get("expiry_date")),
        "deviceName": [{"name": model, "type": "model-name"}] if model else [],
        "modelNumber": model,
        "type": {"text": _text(f"Electrochemotherapy {part}: {kind}" if kind else f"Electrochemotherapy {part}")},
        "version": [{"value": _text(device.get("software_version"))}] if _text(device.get("software_version")) else [],
    }


def _procedure(record: Record, ids: _Ids, used: list[str]) -> Json:
    procedure = record["procedure"]
    release = procedure.get("opcs_release")
    return {
        "resourceType": "Procedure",
        "id": ids.uuid("procedure"),
        "status": "completed",
        "code": _concept(
            *(
                _coding(codes.OPCS4_SYSTEM, term.get("code"), term.get("display"), release)
                for term in procedure.get("opcs_codes") or []
            ),
            text="Electrochemotherapy",
        ),
        "subject": ids.ref("patient"),
        "performedDateTime": _date(procedure.get("procedure_date")),
        "performer": [{"actor": {"display": _text(procedure.get("operator"))}}]
        if _text(procedure.get("operator"))
        else [],
        "bodySite": [{"text": _text(procedure.get("lesion_location"))}],
        "usedReference": [ids.ref(key) for key in used],
        "note": [{"text": _text(note)} for note in procedure.get("opcs_notes") or [] if _text(note)],
    }


def _age_extension(record: Record) -> list[Json]:
    age = record["patient"].get("age")
    if not isinstance(age, int) or isinstance(age, bool):
        return []
    value = {"value": age, "unit": "years", "system": codes.UCUM_SYSTEM, "code": "a"}
    return [{"url": codes.EXTENSION_AGE_AT_EVENT, "valueAge": value}]


def _seriousness(serious: bool | None) -> Json | None:
    code = codes.SERIOUSNESS.get(serious) if serious is not None else None
    return _concept(_coding(codes.SERIOUSNESS_SYSTEM, code.code, code.display)) if code else None


def _kind_category(record: Record) -> Json:
    kind = record["kind"]
    return _concept(_coding(codes.REPORT_KIND_SYSTEM, kind, vocab.REPORT_KINDS.get(kind)))


def _event_base(record: Record, ids: _Ids, key: str) -> Json:
    """The parts every AdverseEvent of the case shares."""
    return {
        "resourceType": "AdverseEvent",
        "id": ids.uuid(key),
        "extension": _age_extension(record),
        "identifier": {"system": _case_system(record["case_id"], "case-id"), "value": record["case_id"]},
        "actuality": "actual",
        "category": [_kind_category(record)],
        "subject": ids.ref("patient"),
        "detected": _date(record.get("awareness_date")),
        "recordedDate": _date(record.get("created_at")),
        "recorder": ids.ref("reporter"),
    }


def _drug_suspects(record: Record, ids: _Ids, has_suspect_drug: bool, other_suspects: list[str]) -> list[Json]:
    """Suspect entities of a medicine report: the suspect drug with the WHO-UMC causality, then the others."""
    entities: list[Json] = []
    if has_suspect_drug:
        causality = record.get("causality")
        assessment = codes.CAUSALITY.get(causality or "")
        entities.append(
            {
                "instance": ids.ref("suspect-drug"),
                "causality": [
                    {
                        "assessment": _concept(
                            _coding(codes.CAUSALITY_ASSESSMENT_SYSTEM, assessment.code, assessment.display),
                            text=vocab.label(vocab.CAUSALITY, causality),
                        ),
                        "method": {"text": codes.CAUSALITY_METHOD_TEXT},
                        "author": ids.ref("reporter"),
                    }
                ]
                if assessment
                else [],
            }
        )
    return entities + [{"instance": ids.ref(key)} for key in other_suspects]


def _reaction_events(record: Record, ids: _Ids, suspects: list[Json]) -> list[Json]:
    """One AdverseEvent per reaction (one without an event code when none is recorded)."""
    meddra_version = (record.get("code_versions") or {}).get("meddra")
    case_serious = (record.get("seriousness") or {}).get("serious")
    events = []
    for index, reaction in enumerate(record.get("reactions") or [{}]):
        term = reaction.get("meddra_code") or {}
        serious = reaction.get("serious")
        severity = codes.SEVERITY.get(str(reaction.get("ctcae_grade")))
        outcome = codes.OUTCOMES.get(reaction.get("outcome") or "")
        events.append(
            {
                **_event_base(record, ids, f"adverse-event-{index}"),
                "event": _concept(
                    _coding(codes.MEDDRA_SYSTEM, term.get("code"), term.get("display"), meddra_version),
                    text=reaction.get("verbatim") or term.get("display"),
                ),
                "date": _date(reaction.get("onset_date")),
                "seriousness": _seriousness(serious if serious is not None else case_serious),
                "severity": _concept(_coding(codes.SEVERITY_SYSTEM, severity.code, severity.display))
                if severity
                else None,
                "outcome": _concept(_coding(codes.OUTCOME_SYSTEM, outcome.code, outcome.display)) if outcome else None,
                "suspectEntity": suspects,
            }
        )
    return events


def is_near_miss(record: Record) -> bool:
    """True when the incident's health effects say no patient was involved (IMDRF F27 or a child of it)."""
    incident = record.get("incident") or {}
    return any(
        str(term.get("code") or "").startswith(codes.NEAR_MISS_HEALTH_EFFECT)
        for term in incident.get("health_effect_codes") or []
    )


def _imdrf_coding(term: Json, release: object) -> Json | None:
    return _coding(codes.imdrf_system(str(term.get("system") or "")), term.get("code"), term.get("display"), release)


def _incident_event(record: Record, ids: _Ids, suspects: list[Json]) -> Json:
    incident = record.get("incident") or {}
    release = (record.get("code_versions") or {}).get("imdrf")
    terms = list(incident.get("device_problem_codes") or []) + list(incident.get("health_effect_codes") or [])
    classification = incident.get("classification")
    base = _event_base(record, ids, "adverse-event-0")
    base["category"].append(
        _concept(
            _coding(
                codes.INCIDENT_CLASSIFICATION_SYSTEM,
                classification,
                vocab.INCIDENT_CLASSIFICATIONS.get(classification or ""),
            )
        )
    )
    return {
        **base,
        "actuality": "potential" if is_near_miss(record) else "actual",
        "event": _concept(*(_imdrf_coding(term, release) for term in terms), text=incident.get("description")),
        "date": _date(incident.get("date")),
        "seriousness": _seriousness(codes.INCIDENT_SERIOUS.get(classification or "")),
        "suspectEntity": suspects,
    }


def _device_parts(record: Record) -> tuple[str, ...]:
    component = (record.get("device") or {}).get("suspect_component")
    return codes.SUSPECT_PARTS.get(component or "", ("generator", "electrode"))


def _resources(record: Record, ids: _Ids) -> list[Json]:
    """Every resource of the bundle, AdverseEvents first (the focus), then what they point at."""
    organisation = _organisation(record, ids)
    support: list[Json] = [_patient(record, ids), _practitioner(record, ids)]
    support += [_practitioner_role(record, ids, organisation is not None)]
    support += [organisation] if organisation else []
    if record["kind"] == "medicine":
        drug = _suspect_drug(record, ids)
        others, other_suspects = _other_drug_entries(record, ids)
        support += ([drug] if drug else []) + others
        used = ["suspect-drug"] if drug else []
        events = _reaction_events(record, ids, _drug_suspects(record, ids, drug is not None, other_suspects))
    else:
        devices = {part: _device(record, ids, part) for part in ("generator", "electrode")}
        present = [part for part, device in devices.items() if device]
        support += [device for device in devices.values() if device]
        used = present
        suspects = [{"instance": ids.ref(part)} for part in _device_parts(record) if part in present]
        events = [_incident_event(record, ids, suspects)]
    support.append(_procedure(record, ids, used))
    return events + support


def build_bundle(record: Record) -> Json:
    """Return the FHIR R4 Bundle (a JSON-ready dict) for ``record``."""
    case_id = record["case_id"]
    ids = _Ids(case_id)
    number = message_number(case_id, record["case_version"])
    entries = [{"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource} for resource in _resources(record, ids)]
    return _compact(
        {
            "resourceType": "Bundle",
            "id": number,
            "identifier": {"system": _case_system(case_id, "case-version"), "value": number},
            "type": "collection",
            # The record's last change, not the export time: re-exports stay byte-identical.
            "timestamp": _date(record.get("updated_at")),
            "entry": entries,
        }
    )


class FhirRenderer(Renderer):
    """Render the record as a FHIR R4 Bundle in indented UTF-8 JSON."""

    extension = "fhir.json"
    mimetype = "application/fhir+json"

    def render(self, record: Record) -> bytes:
        document = build_bundle(record)
        return (json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")
