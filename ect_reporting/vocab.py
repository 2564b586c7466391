"""Controlled vocabularies shared by forms, API, records and exports.

Each vocabulary is an ordered mapping of stored value -> label shown to
people. Stored values are stable identifiers (they appear in the JSON
export and its schema); labels may be reworded without a migration.
"""

from __future__ import annotations

from typing import Final

Vocabulary = dict[str, str]

NATIONS: Final[Vocabulary] = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
}

CARE_SETTINGS: Final[Vocabulary] = {
    "inpatient": "Inpatient",
    "outpatient": "Outpatient",
    "day_case": "Day case",
}

SEXES: Final[Vocabulary] = {
    "male": "Male",
    "female": "Female",
    "unknown": "Not known",
}

# InspECT register histology list.
HISTOLOGIES: Final[Vocabulary] = {
    "melanoma": "Melanoma",
    "breast": "Breast cancer",
    "squamous_cell_carcinoma": "Squamous cell carcinoma",
    "basal_cell_carcinoma": "Basal cell carcinoma",
    "kaposi_sarcoma": "Kaposi sarcoma",
    "merkel_cell": "Merkel cell carcinoma",
    "head_and_neck": "Head and neck cancer",
    "vulval": "Vulval cancer",
    "sarcoma": "Sarcoma",
    "other": "Other",
}

# Where the treated skin lesions are: chooses the OPCS-4 chapter Z site code
# (reference/opcs4.json holds the code and whether the site is paired).
LESION_SITES: Final[Vocabulary] = {
    "face": "Face",
    "scalp": "Scalp",
    "neck": "Neck",
    "head_other": "Other part of the head",
    "breast": "Breast",
    "axilla": "Axilla (armpit)",
    "anterior_trunk": "Chest or abdomen (front of trunk)",
    "back": "Back",
    "buttock": "Buttock",
    "shoulder": "Shoulder",
    "groin": "Groin",
    "arm": "Arm",
    "hand": "Hand",
    "finger": "Finger",
    "leg": "Leg",
    "ankle": "Ankle",
    "foot": "Foot",
    "toe": "Toe",
    "other": "Other skin site",
}

LATERALITIES: Final[Vocabulary] = {
    "right": "Right",
    "left": "Left",
    "bilateral": "Bilateral",
    "not_applicable": "Not applicable (midline)",
}

ANAESTHESIA: Final[Vocabulary] = {
    "local": "Local",
    "regional": "Regional",
    "sedation": "Sedation",
    "general": "General",
}

DRUGS: Final[Vocabulary] = {
    "bleomycin": "Bleomycin",
    "cisplatin": "Cisplatin",
}

ROUTES: Final[Vocabulary] = {
    "intravenous": "Intravenous",
    "intratumoural": "Intratumoural",
}

DOSE_UNITS: Final[Vocabulary] = {
    "IU": "IU (international units)",
    "mg": "mg",
}

# The only unit each drug may be recorded in (bleomycin in mg is a
# classic transcription hazard).
DRUG_DOSE_UNIT: Final[dict[str, str]] = {"bleomycin": "IU", "cisplatin": "mg"}

# ONS 2021 census high-level ethnic groups (as the Yellow Card asks "ethnicity").
ETHNICITIES: Final[Vocabulary] = {
    "asian": "Asian or Asian British",
    "black": "Black, Black British, Caribbean or African",
    "mixed": "Mixed or multiple ethnic groups",
    "white": "White",
    "other": "Other ethnic group",
    "not_stated": "Not stated",
}

PREGNANCY: Final[Vocabulary] = {
    "pregnant": "Pregnant",
    "not_pregnant": "Not pregnant",
    "unknown": "Not known",
}

# ICH E2B(R3) G.k.9.i.4: did the reaction recur on readministration?
RECHALLENGE: Final[Vocabulary] = {
    "recurred": "Rechallenged: the reaction came back",
    "did_not_recur": "Rechallenged: the reaction did not come back",
    "unknown_outcome": "Rechallenged: not known whether it came back",
    "not_done": "Not rechallenged",
}

# ICH E2B(R3) C.2.r.4 qualification of a health professional reporter.
QUALIFICATIONS: Final[Vocabulary] = {
    "physician": "Physician (doctor)",
    "pharmacist": "Pharmacist",
    "other_health_professional": "Other health professional",
}

# ICH E2B(R3) G.k.1 characterisation of a drug's role.
DRUG_CHARACTERISATIONS: Final[Vocabulary] = {
    "suspect": "Suspected",
    "concomitant": "Taken at the same time (not suspected)",
    "interacting": "Suspected interaction",
}

# Routes for other medicines (ECT's own drug is IV or intratumoural: ROUTES).
OTHER_DRUG_ROUTES: Final[Vocabulary] = {
    "oral": "Oral",
    "intravenous": "Intravenous",
    "intramuscular": "Intramuscular",
    "subcutaneous": "Subcutaneous",
    "intratumoural": "Intratumoural",
    "topical": "Topical (on the skin)",
    "inhalation": "Inhaled",
    "other": "Other",
}

OTHER_DOSE_UNITS: Final[Vocabulary] = {
    "mg": "mg",
    "microgram": "microgram",
    "g": "g",
    "IU": "IU (international units)",
    "mL": "mL",
    "mmol": "mmol",
}

# FDA 3500A D.5: who was operating the device.
DEVICE_OPERATORS: Final[Vocabulary] = {
    "health_professional": "Health professional",
    "patient": "Patient",
    "other": "Other",
}

CONFORMITY_MARKS: Final[Vocabulary] = {
    "ce": "CE",
    "ukca": "UKCA",
    "ce_and_ukca": "CE and UKCA",
    "none": "No mark",
    "unknown": "Not known",
}

ELECTRODE_TYPES: Final[Vocabulary] = {
    "plate": "Plate",
    "linear_needle_array": "Linear needle array",
    "hexagonal_needle_array": "Hexagonal needle array",
    "finger_needle": "Finger / long needle",
    "endoscopic": "Endoscopic",
    "other": "Other",
}

# UDI issuing agencies (EU MDR Art. 27, FDA GUDID); the record's udi_issuer, read by udi.py.
UDI_ISSUERS: Final[Vocabulary] = {
    "GS1": "GS1",
    "HIBCC": "HIBCC",
    "ICCBBA": "ICCBBA (ISBT 128)",
}

REPORT_KINDS: Final[Vocabulary] = {
    "medicine": "Suspected adverse drug reaction",
    "device": "Adverse incident with a medical device",
    "defective_medicine": "Defective medicine",
}

# Short names of the kinds, for table columns and tags.
REPORT_KIND_SHORT: Final[Vocabulary] = {
    "medicine": "Medicine",
    "device": "Device",
    "defective_medicine": "Defective medicine",
}

# Kinds that may start from a blank form, with no ECT session behind them
# (a damaged batch in the store room, a generator fault at a service check).
SESSIONLESS_KINDS: Final = frozenset({"device", "defective_medicine"})

# Kinds whose report is about a medicine (the Yellow Card scheme in every nation).
MEDICINE_KINDS: Final = frozenset({"medicine", "defective_medicine"})

# Yellow Card defective-medicine report: what is wrong with the product.
DEFECT_CATEGORIES: Final[Vocabulary] = {
    "container_closure": "Container or closure damage",
    "particles_discolouration": "Particles or discolouration",
    "labelling_packaging": "Labelling or packaging error",
    "suspected_counterfeit": "Suspected counterfeit",
    "other": "Other",
}

# The defect category that makes a defective-medicine report urgent (same-day clock).
URGENT_DEFECT_CATEGORIES: Final = frozenset({"suspected_counterfeit"})

# Where the defective stock is now.
STOCK_LOCATIONS: Final[Vocabulary] = {
    "quarantined": "Quarantined on site",
    "returned_to_pharmacy": "Returned to pharmacy",
    "returned_to_supplier": "Returned to supplier",
}

# IMDRF annex F code and MIR classification a device near miss (no patient) always carries.
NEAR_MISS_HEALTH_IMPACT_CODE: Final = "F27"
NEAR_MISS_CLASSIFICATION: Final = "other_reportable"

# ICH E2B(R3) E.i.7 outcome values.
OUTCOMES: Final[Vocabulary] = {
    "recovered": "Recovered / resolved",
    "recovering": "Recovering / resolving",
    "not_recovered": "Continuing (not recovered / not resolved)",
    "recovered_with_sequelae": "Recovered with lasting effects (sequelae)",
    "fatal": "Fatal",
    "unknown": "Not known",
}

# ICH E2B(R3) G.k.8 action taken with the drug.
ACTIONS_TAKEN: Final[Vocabulary] = {
    "withdrawn": "Drug withdrawn",
    "dose_reduced": "Dose reduced",
    "dose_increased": "Dose increased",
    "dose_not_changed": "Dose not changed",
    "not_applicable": "Not applicable (single dose)",
    "unknown": "Not known",
}

# Yellow Card seriousness criteria, in Yellow Card order.
SERIOUSNESS_CRITERIA: Final[Vocabulary] = {
    "death": "Patient died due to reaction",
    "hospitalisation": "Involved or prolonged inpatient hospitalisation",
    "life_threatening": "Life threatening",
    "disability": "Persistent or significant disability or incapacity",
    "congenital_anomaly": "Congenital abnormality",
    "medically_significant": "Medically significant",
}

# WHO-UMC causality categories.
CAUSALITY: Final[Vocabulary] = {
    "certain": "Certain",
    "probable": "Probable / likely",
    "possible": "Possible",
    "unlikely": "Unlikely",
    "conditional": "Conditional / unclassified",
    "unassessable": "Unassessable / unclassifiable",
}

CTCAE_GRADES: Final[Vocabulary] = {
    "1": "Grade 1 - mild",
    "2": "Grade 2 - moderate",
    "3": "Grade 3 - severe or medically significant",
    "4": "Grade 4 - life-threatening",
    "5": "Grade 5 - death related to adverse event",
}

SUSPECT_COMPONENTS: Final[Vocabulary] = {
    "pulse_generator": "Pulse generator",
    "electrode": "Electrode",
    "both": "Generator and electrode",
    "unknown": "Not known",
}

# MIR incident classification; drives the device reporting clock.
INCIDENT_CLASSIFICATIONS: Final[Vocabulary] = {
    "serious_public_health_threat": "Serious public health threat",
    "death": "Death",
    "unanticipated_serious_deterioration": "Unanticipated serious deterioration in state of health",
    "other_reportable": "All other reportable incidents (including near misses)",
}

DEVICE_LOCATIONS: Final[Vocabulary] = {
    "quarantined": "Quarantined on site",
    "returned_to_manufacturer": "Returned to manufacturer",
    "discarded": "Discarded",
    "in_use": "Still in use",
}

REPORT_TYPES: Final[Vocabulary] = {
    "initial": "Initial",
    "follow_up": "Follow-up",
    "final": "Final",
    "amendment": "Amendment",
}

REPORT_STATES: Final[Vocabulary] = {
    "draft": "Draft",
    "submitted_for_review": "Submitted for review",
    "returned": "Returned",
    "approved": "Approved",
    "sent_to_mhra": "Sent to MHRA",
    "acknowledged": "Acknowledged",
    "closed": "Closed",
    "withdrawn": "Withdrawn",
    "nullified": "Nullified",
}

ROLES: Final[Vocabulary] = {
    "clinician": "Clinician",
    "governance_lead": "Governance lead",
    "admin": "Administrator",
}

# Named sets of states and roles: every rule that asks "is this report
# still open?" or "may this person review?" uses one of these, in Python
# and (passed in as globals) in templates.
EDITABLE_STATES: Final = frozenset({"draft", "returned"})
OPEN_STATES: Final = frozenset({"draft", "submitted_for_review", "returned", "approved"})
SENT_STATES: Final = frozenset({"sent_to_mhra", "acknowledged", "closed"})
SIGNED_OFF_STATES: Final = frozenset({"approved", "nullified"}) | SENT_STATES  # no DRAFT watermark
FOLLOW_UP_SOURCE_STATES: Final = SENT_STATES
INACTIVE_STATES: Final = frozenset({"withdrawn", "closed", "nullified"})  # no clock, grey tag
NULLIFIABLE_STATES: Final = SENT_STATES  # E2B nullification: only what the regulator has
REVIEWER_ROLES: Final = frozenset({"governance_lead", "admin"})  # see every report and session of their site
WORKFLOW_REVIEWER_ROLES: Final = frozenset({"governance_lead"})  # return, approve, send
ALL_SITES_ROLES: Final = frozenset({"admin"})  # see every site; everyone else sees only their own site

# Where a report goes, by kind and the site's nation (reference doc s.3).
DESTINATIONS: Final[Vocabulary] = {
    "yellow_card": "MHRA Yellow Card scheme",
    "iric": "IRIC - Incident Reporting and Investigation Centre (NHS Scotland)",
    "niaic": "NIAIC - Northern Ireland Adverse Incident Centre",
}


# The regulator each destination scheme sends to, as people name it.
REGULATORS: Final[Vocabulary] = {"yellow_card": "MHRA", "iric": "IRIC", "niaic": "NIAIC"}


def regulator(scheme: str | None) -> str:
    """Return the short name of the regulator a scheme reports to (MHRA when unknown)."""
    return REGULATORS.get(scheme or "", REGULATORS["yellow_card"])


def reference_label(scheme: str | None) -> str:
    """Name the regulator's case reference for a destination: "MHRA reference", "IRIC reference"...

    One place, so the report page, the send form, its error messages, the
    PDF and the CSV all call the reference what the regulator calls it.
    """
    return f"{regulator(scheme)} reference"


def regulator_with_article(scheme: str | None) -> str:
    """Return the regulator as it reads in a sentence: "the MHRA", but "IRIC" and "NIAIC"."""
    name = regulator(scheme)
    return "the MHRA" if name == "MHRA" else name


def label(vocabulary: Vocabulary, value: str | None) -> str:
    """Return the human label for a stored value, or the value itself."""
    if value is None:
        return ""
    return vocabulary.get(value, value)
