"""Every FHIR code and system the FHIR export uses, written once.

Why one module: each mapping from a stored ``vocab.py`` value to a FHIR
code lives here and nowhere else, keyed by the vocabulary's own values,
so a test can check that every value maps (a new vocabulary value then
fails a test instead of silently dropping out of the export).

System choices (HL7 R4 unless said otherwise):

- MedDRA: ``https://www.meddra.org``, the canonical URL HL7 Terminology
  (THO CodeSystem ``mdr``) registers for MedDRA; the older
  ``http://terminology.hl7.org/CodeSystem/MDREA`` is retired there. The
  version is the record's ``code_versions.meddra``.
- OPCS-4: ``OPCS4_SYSTEM`` below. No single URI could be confirmed from a
  public NHS England source while writing this: HL7 UK tooling has used
  ``https://fhir.hl7.org.uk/CodeSystem/OPCS-4`` and third parties
  ``https://fhir.nhs.uk/Id/opcs-4``. We use ``http://fhir.nhs.net/CodeSystem/opcs-4``,
  the NHS England Terminology Server's name for it, UNCONFIRMED: check it
  against the current UK Core before a receiver relies on it (one line).
- IMDRF adverse event terminology: IMDRF publishes no FHIR URI, and a URL
  on imdrf.org we made up would claim an owner it does not have, so each
  annex gets a local system (``.../imdrf-annex-a`` ...) under
  ``LOCAL_CODESYSTEM_BASE`` and the release from ``code_versions.imdrf``.
- Local identifiers, code systems and extensions (case ids, the patient's local
  reference, initials, age at the event, incident classification) use the
  ``LOCAL_*`` bases: they are this application's, not published profiles
  (the ``.invalid`` host says so); replace the bases once profiles exist.
"""

from __future__ import annotations

from typing import Final, NamedTuple

MEDDRA_SYSTEM: Final = "https://www.meddra.org"
OPCS4_SYSTEM: Final = "http://fhir.nhs.net/CodeSystem/opcs-4"
UCUM_SYSTEM: Final = "http://unitsofmeasure.org"

SERIOUSNESS_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
SEVERITY_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
OUTCOME_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
CAUSALITY_ASSESSMENT_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/adverse-event-causality-assess"
# ICH E2B(R3) C.2.r.4 reporter qualification (1 physician, 2 pharmacist, 3 other health professional).
E2B_QUALIFICATION_SYSTEM: Final = "urn:oid:2.16.840.1.113883.3.989.2.1.1.6"

LOCAL_BASE: Final = "urn:ect-reporting"
LOCAL_EXTENSION_BASE: Final = "https://ect-reporting.nhs.invalid/fhir/StructureDefinition"
LOCAL_CODESYSTEM_BASE: Final = "https://ect-reporting.nhs.invalid/fhir/CodeSystem"
EXTENSION_AGE_AT_EVENT: Final = f"{LOCAL_EXTENSION_BASE}/age-at-event"  # E2B D.2.2, valueAge
EXTENSION_PATIENT_INITIALS: Final = f"{LOCAL_EXTENSION_BASE}/patient-initials"  # E2B D.1, valueString
REPORT_KIND_SYSTEM: Final = f"{LOCAL_CODESYSTEM_BASE}/report-kind"
INCIDENT_CLASSIFICATION_SYSTEM: Final = f"{LOCAL_CODESYSTEM_BASE}/mir-incident-classification"

# "IMDRF-A" / "IMDRF-E" / "IMDRF-F" (the record's CodedTerm systems) -> FHIR system URL.
IMDRF_ANNEXES: Final = ("A", "B", "C", "D", "E", "F", "G")


def imdrf_system(record_system: str) -> str | None:
    """Return the FHIR system of an IMDRF annex named like ``IMDRF-A``, or None if it is not one."""
    prefix, _, annex = record_system.partition("-")
    if prefix != "IMDRF" or annex not in IMDRF_ANNEXES:
        return None
    return f"{LOCAL_CODESYSTEM_BASE}/imdrf-annex-{annex.lower()}"


class Code(NamedTuple):
    """One FHIR coding's code and display."""

    code: str
    display: str


# vocab.OUTCOMES -> adverse-event-outcome (E2B E.i.7 to FHIR).
OUTCOMES: Final[dict[str, Code]] = {
    "recovered": Code("resolved", "Resolved"),
    "recovering": Code("recovering", "Recovering"),
    "not_recovered": Code("ongoing", "Ongoing"),
    "recovered_with_sequelae": Code("resolvedWithSequelae", "Resolved with Sequelae"),
    "fatal": Code("fatal", "Fatal"),
    "unknown": Code("unknown", "Unknown"),
}

# Serious or not -> adverse-event-seriousness.
SERIOUSNESS: Final[dict[bool, Code]] = {
    True: Code("serious", "Serious"),
    False: Code("non-serious", "Non-serious"),
}

# vocab.CTCAE_GRADES -> adverse-event-severity: 1 mild, 2 moderate, 3 and above severe.
SEVERITY: Final[dict[str, Code]] = {
    "1": Code("mild", "Mild"),
    "2": Code("moderate", "Moderate"),
    "3": Code("severe", "Severe"),
    "4": Code("severe", "Severe"),
    "5": Code("severe", "Severe"),
}

# vocab.CAUSALITY (WHO-UMC) -> adverse-event-causality-assess.
CAUSALITY: Final[dict[str, Code]] = {
    "certain": Code("Certain", "Certain"),
    "probable": Code("Probably-Likely", "Probably/Likely"),
    "possible": Code("Possible", "Possible"),
    "unlikely": Code("Unlikely", "Unlikely"),
    "conditional": Code("Conditional-Classified", "Conditional/Classified"),
    "unassessable": Code("Unassessable-Unclassifiable", "Unassessable/Unclassifiable"),
}
CAUSALITY_METHOD_TEXT: Final = "WHO-UMC causality assessment system"

# vocab.SEXES -> Patient.gender (administrative-gender).
GENDERS: Final[dict[str, str]] = {"male": "male", "female": "female", "unknown": "unknown"}

# vocab.QUALIFICATIONS -> E2B C.2.r.4 code.
QUALIFICATIONS: Final[dict[str, Code]] = {
    "physician": Code("1", "Physician"),
    "pharmacist": Code("2", "Pharmacist"),
    "other_health_professional": Code("3", "Other health professional"),
}

# vocab.INCIDENT_CLASSIFICATIONS -> seriousness of a device incident (None: not stated).
# "All other reportable incidents" include near misses, so they are not called serious.
INCIDENT_SERIOUS: Final[dict[str, bool | None]] = {
    "serious_public_health_threat": True,
    "death": True,
    "unanticipated_serious_deterioration": True,
    "other_reportable": None,
}

# vocab.UDI_ISSUERS -> Device.udiCarrier.issuer (HL7 NamingSystem URIs of the issuing agencies).
UDI_ISSUERS: Final[dict[str, str]] = {
    "GS1": "http://hl7.org/fhir/NamingSystem/gs1-di",
    "HIBCC": "http://hl7.org/fhir/NamingSystem/hibcc-dI",
    "ICCBBA": "http://hl7.org/fhir/NamingSystem/iccbba-other-di",
}

# vocab.SUSPECT_COMPONENTS -> which device parts are suspect entities (unknown: both).
SUSPECT_PARTS: Final[dict[str, tuple[str, ...]]] = {
    "pulse_generator": ("generator",),
    "electrode": ("electrode",),
    "both": ("generator", "electrode"),
    "unknown": ("generator", "electrode"),
}

# vocab.DRUG_CHARACTERISATIONS -> is the other drug a suspect entity of the event?
SUSPECT_CHARACTERISATIONS: Final[dict[str, bool]] = {
    "suspect": True,
    "interacting": True,
    "concomitant": False,
}

# IMDRF annex F code of a problem found with no patient involved (2024 wording:
# "Problem identified during non-clinical procedure"): marks a near miss.
NEAR_MISS_HEALTH_EFFECT: Final = "F27"
