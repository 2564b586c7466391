"""ICH E2B(R3) codes and OIDs for the XML export, each mapping written once.

Why one module: every code the E2B message carries is keyed here by the
stored value of ``vocab.py``, so a new vocabulary value without an ICH code
fails a test (tests/exports/test_e2b.py) instead of silently leaving an
element out of a regulatory message. Codes follow the ICH E2B(R3)
implementation guide and the reference doc, section 4; OIDs are the ICH
ones (``2.16.840.1.113883.3.989.2.1.*``) as the FDA examples use them.
"""

from __future__ import annotations

from typing import Final

# --- OIDs ---------------------------------------------------------------
ICH = "2.16.840.1.113883.3.989.2.1"
OID_BATCH_NUMBER = f"{ICH}.3.22"  # N.1.2
OID_MESSAGE_NUMBER = f"{ICH}.3.1"  # N.2.r.1, and C.1.1
OID_BATCH_SENDER = f"{ICH}.3.13"  # N.1.3
OID_BATCH_RECEIVER = f"{ICH}.3.14"  # N.1.4
OID_MESSAGE_SENDER = f"{ICH}.3.11"  # N.2.r.2
OID_MESSAGE_RECEIVER = f"{ICH}.3.12"  # N.2.r.3
OID_SENDER_REPORT_ID = f"{ICH}.3.1"  # C.1.1
OID_WORLDWIDE_CASE_ID = f"{ICH}.3.2"  # C.1.8.1
OID_OTHER_CASE_ID = f"{ICH}.3.3"  # C.1.9.1.r.2
OID_MESSAGE_TYPE = f"{ICH}.1.1"  # N.1.1 "ichicsr"
OID_REPORT_TYPE = f"{ICH}.1.2"  # C.1.3
OID_FIRST_SENDER = f"{ICH}.1.3"  # C.1.8.2
OID_NULLIFICATION_AMENDMENT = f"{ICH}.1.5"  # C.1.11.1
OID_QUALIFICATION = f"{ICH}.1.6"  # C.2.r.4
OID_SENDER_TYPE = f"{ICH}.1.7"  # C.3.1
OID_AGE_GROUP = f"{ICH}.1.9"  # D.2.3
OID_OUTCOME = f"{ICH}.1.11"  # E.i.7
OID_CHARACTERISATION = f"{ICH}.1.13"  # G.k.1
OID_ROUTE = f"{ICH}.1.14"  # G.k.4.r.10.2b (E2B(R2) route list, until EDQM terms are used)
OID_ACTION_TAKEN = f"{ICH}.1.15"  # G.k.8
OID_RECHALLENGE = f"{ICH}.1.16"  # G.k.9.i.4
OID_OBSERVATION = f"{ICH}.1.19"  # observation codes (age, weight, seriousness...)
OID_ORGANIZER = f"{ICH}.1.20"  # organizer categories (medical history, drugs)
OID_ASSESSMENT_SOURCE = f"{ICH}.1.21"  # author of a comment or indication
OID_RELATED_INVESTIGATION = f"{ICH}.1.22"  # initial report / source report
OID_INVESTIGATION_CHARACTERISTIC = f"{ICH}.1.23"  # C.1.3, C.1.9.1, C.1.11
OID_MEDDRA = "2.16.840.1.113883.6.163"
OID_COUNTRY = "1.0.3166.1.2.2"  # ISO 3166-1 alpha-2
OID_SEX = "1.0.5218"  # ISO/IEC 5218
OID_HL7_INTERACTION = "2.16.840.1.113883.1.6"
OID_HL7_TRIGGER_EVENT = "2.16.840.1.113883.1.18"
OID_HL7_ACT_CODE = "2.16.840.1.113883.5.4"

# --- fixed codes --------------------------------------------------------
REPORT_TYPE_SPONTANEOUS: Final = "1"  # C.1.3
FIRST_SENDER_OTHER: Final = "2"  # C.1.8.2: 1 regulator, 2 other
NULLIFICATION: Final = "1"  # C.1.11.1
AMENDMENT: Final = "2"  # C.1.11.1
SENDER_TYPE_HEALTH_PROFESSIONAL: Final = "3"  # C.3.1: a hospital reporting its own case
SOURCE_REPORTER: Final = "3"  # author code: the primary source reporter
COUNTRY: Final = "GB"

# Observation codes (OID_OBSERVATION) the message uses.
OBS_AGE: Final = "3"
OBS_AGE_GROUP: Final = "4"
OBS_BODY_WEIGHT: Final = "7"
OBS_COMMENT: Final = "10"
OBS_HEIGHT: Final = "17"
OBS_HISTORY_TEXT: Final = "18"
OBS_INDICATION: Final = "19"
OBS_CHARACTERISATION: Final = "20"
OBS_LOCAL_CRITERIA_EXPEDITED: Final = "23"
OBS_OUTCOME: Final = "27"
OBS_REACTION: Final = "29"
OBS_RECHALLENGE: Final = "31"
OBS_ADDITIONAL_DOCUMENTS: Final = "1"
# Organizer categories (OID_ORGANIZER).
ORGANIZER_MEDICAL_HISTORY: Final = "1"
ORGANIZER_DRUGS: Final = "4"
# Investigation characteristics (OID_INVESTIGATION_CHARACTERISTIC).
CHARACTERISTIC_REPORT_TYPE: Final = "1"
CHARACTERISTIC_OTHER_CASE_IDS: Final = "2"
CHARACTERISTIC_NULLIFICATION_CODE: Final = "3"
CHARACTERISTIC_NULLIFICATION_REASON: Final = "4"
# Related investigations (OID_RELATED_INVESTIGATION).
RELATED_INITIAL_REPORT: Final = "1"
RELATED_SOURCE_REPORT: Final = "2"

# --- vocabulary value -> ICH code ---------------------------------------
# E.i.3.2a-f, in the order the guide lists them: vocab.SERIOUSNESS_CRITERIA -> (observation code, name).
SERIOUSNESS: Final[dict[str, tuple[str, str]]] = {
    "death": ("34", "resultsInDeath"),
    "life_threatening": ("21", "isLifeThreatening"),
    "hospitalisation": ("33", "requiresInpatientHospitalization"),
    "disability": ("35", "resultsInPersistentOrSignificantDisability"),
    "congenital_anomaly": ("12", "congenitalAnomalyBirthDefect"),
    "medically_significant": ("26", "otherMedicallyImportantCondition"),
}

# E.i.7: vocab.OUTCOMES -> outcome code.
OUTCOMES: Final[dict[str, str]] = {
    "recovered": "1",
    "recovering": "2",
    "not_recovered": "3",
    "recovered_with_sequelae": "4",
    "fatal": "5",
    "unknown": "0",
}

# C.2.r.4: vocab.QUALIFICATIONS -> qualification code.
QUALIFICATIONS: Final[dict[str, str]] = {
    "physician": "1",
    "pharmacist": "2",
    "other_health_professional": "3",
}

# D.5 (ISO 5218): vocab.SEXES -> code; None means "send nullFlavor UNK".
SEXES: Final[dict[str, str | None]] = {"male": "1", "female": "2", "unknown": None}

# D.2.3 age groups: clinical.age_group already returns the ICH codes and
# clinical.AGE_GROUPS names them, so they are not repeated here.

# G.k.8: vocab.ACTIONS_TAKEN -> action code.
ACTIONS_TAKEN: Final[dict[str, str]] = {
    "withdrawn": "1",
    "dose_reduced": "2",
    "dose_increased": "3",
    "dose_not_changed": "4",
    "unknown": "0",
    "not_applicable": "9",
}

# G.k.9.i.4: vocab.RECHALLENGE -> recurrence code.
RECHALLENGE: Final[dict[str, str]] = {
    "recurred": "1",
    "did_not_recur": "2",
    "unknown_outcome": "3",
    "not_done": "4",
}

# G.k.1: vocab.DRUG_CHARACTERISATIONS -> drug role code.
CHARACTERISATIONS: Final[dict[str, str]] = {
    "suspect": "1",
    "concomitant": "2",
    "interacting": "3",
}

# G.k.4.r.10.2b: vocab.ROUTES and vocab.OTHER_DRUG_ROUTES -> E2B route code (OID_ROUTE).
ROUTES: Final[dict[str, str]] = {
    "intravenous": "042",  # intravenous (not otherwise specified)
    "intratumoural": "036",  # intratumor
    "oral": "048",
    "intramuscular": "030",
    "subcutaneous": "058",
    "topical": "061",
    "inhalation": "055",  # respiratory (inhalation)
    "other": "050",
}

# G.k.4.r.1b: vocab.DOSE_UNITS and vocab.OTHER_DOSE_UNITS -> UCUM unit.
DOSE_UNITS: Final[dict[str, str]] = {
    "IU": "[iU]",
    "mg": "mg",
    "microgram": "ug",
    "g": "g",
    "mL": "mL",
    "mmol": "mmol",
}
