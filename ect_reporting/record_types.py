"""Shape of the canonical report record (version ``RECORD_VERSION``).

The canonical record is a plain, JSON-serialisable dict built once from
the database by ``records.build_record`` and rendered by every export
(JSON, PDF, later E2B and FHIR). Exports never read the database.

Conventions: dates are ISO ``YYYY-MM-DD`` strings, datetimes ISO 8601 UTC
strings, times ``HH:MM``; a value that was not recorded is ``None`` (never
omitted); enumerations use the stored values of ``vocab.py``; numbers are
``int`` or ``float``.

Why the keys are the input field paths (record version 2.0): the dotted
path of every input field in ``fields.py`` (``patient.age``,
``suspect_drug.batch``, ``reactions.0.outcome``, ``incident.date``) is
also its path in this record, in API bodies, form error keys and
submission problems, so no layer translates names. Coded fields hold the
expanded ``CodedTerm`` (code, display, system) where the input holds the
bare code. Only minimum patient data appears: initials, sex,
age, weight, height and the local reference - never name, NHS number,
date of birth or address.

Record version 2.1 adds the third kind ``defective_medicine`` (parts
``product``, ``defect``, ``use``, ``stock``; None on other kinds), the
``site`` every report comes from, ``incident.no_patient_involved`` (a
device near miss) and ``related_report`` (the medicine report started from
a defective medicine, or the defect a medicine report was started from).
A report started from a blank form has no session: its ``procedure``
keeps every key with ``session_id`` and the session's values None.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

RECORD_VERSION = "2.1"


class CodedTerm(TypedDict):
    system: str  # e.g. "OPCS-4", "MedDRA", "IMDRF-A"
    code: str
    display: str


class CodeVersions(TypedDict):
    """Releases of the code lists the record's codes were chosen from (None: no such codes)."""

    meddra: str | None  # e.g. "20.1 (unconfirmed)"
    ctcae: str | None  # e.g. "5.0 (2017-11-27)"
    imdrf: str | None  # e.g. "2024 (A: 2024.1)"


class Patient(TypedDict):
    initials: str | None
    sex: str | None  # vocab.SEXES
    age: int | None  # years
    weight_kg: float | None
    height_cm: float | None
    local_reference: str | None
    # Medicine reports only (E2B D.7 and the Yellow Card's patient questions):
    ethnicity: NotRequired[str | None]  # vocab.ETHNICITIES
    pregnancy: NotRequired[str | None]  # vocab.PREGNANCY
    gestation_weeks: NotRequired[int | None]
    medical_history: NotRequired[str | None]
    test_results: NotRequired[str | None]
    allergies: NotRequired[str | None]


class Procedure(TypedDict):
    session_id: int | None  # None: the report started from a blank form
    procedure_date: str | None
    site_name: str | None
    nation: str | None  # vocab.NATIONS
    care_setting: str | None  # vocab.CARE_SETTINGS
    operator: str | None
    histology: str | None  # vocab.HISTOLOGIES
    lesion_count: int | None
    largest_lesion_mm: int | None
    lesion_location: str | None
    lesion_site: str | None  # vocab.LESION_SITES
    laterality: str | None  # vocab.LATERALITIES
    previous_irradiation: bool | None
    anaesthesia: str | None  # vocab.ANAESTHESIA
    drug: str | None  # vocab.DRUGS
    route: str | None  # vocab.ROUTES
    dose: float | None
    dose_unit: str | None  # vocab.DOSE_UNITS
    body_surface_area_m2: float | None
    dose_per_m2: float | None
    drug_administered_at: str | None  # HH:MM
    first_pulse_at: str | None  # HH:MM
    minutes_drug_to_pulse: int | None
    pulses_delivered: int | None
    opcs_codes: list[CodedTerm]  # system "OPCS-4", in coding sequence
    opcs_release: str  # e.g. "OPCS-4.10"
    opcs_notes: list[str]  # what a clinical coder must still confirm


class SuspectDrug(TypedDict):
    name: str | None  # vocab.DRUGS
    product: str | None  # brand or product name
    batch: str | None
    route: str | None
    dose: float | None
    dose_unit: str | None
    date_started: str | None
    date_stopped: str | None
    indication: str | None
    black_triangle: bool
    action_taken: str | None  # vocab.ACTIONS_TAKEN
    rechallenge: str | None  # vocab.RECHALLENGE (E2B G.k.9.i.4)


class OtherDrug(TypedDict):
    characterisation: str | None  # vocab.DRUG_CHARACTERISATIONS (E2B G.k.1)
    name: str | None
    batch: str | None
    dose: float | None
    dose_unit: str | None  # vocab.OTHER_DOSE_UNITS
    route: str | None  # vocab.OTHER_DRUG_ROUTES
    date_started: str | None
    date_stopped: str | None
    indication: str | None


class Reaction(TypedDict):
    verbatim: str | None  # the reporter's own words
    meddra_code: CodedTerm | None  # MedDRA LLT via CTCAE v5 subset
    ctcae_grade: int | None  # 1-5
    onset_date: str | None
    end_date: str | None
    treatment: str | None
    outcome: str | None  # vocab.OUTCOMES
    time_to_onset_days: int | None  # onset date minus the suspect drug's start date (derived)
    serious: bool | None  # E2B E.i.3.2, per reaction
    seriousness_criteria: dict[str, bool]  # every key of vocab.SERIOUSNESS_CRITERIA


class Seriousness(TypedDict):
    serious: bool | None
    criteria: dict[str, bool]  # every key of vocab.SERIOUSNESS_CRITERIA
    medically_significant_details: str | None


class Generator(TypedDict):
    manufacturer: str | None
    model: str | None
    serial_number: str | None
    software_version: str | None
    udi: str | None
    udi_di: str | None  # derived from udi: device identifier (GS1 GTIN, AI 01)
    udi_pi: str | None  # derived: production identifier, e.g. "(17)270630(10)L23-0457"
    udi_issuer: str | None  # derived: "GS1", "HIBCC" or "ICCBBA"


class Electrode(TypedDict):
    type: str | None  # vocab.ELECTRODE_TYPES
    manufacturer: str | None
    model: str | None  # model / catalogue number
    lot_number: str | None
    serial_number: str | None
    expiry_date: str | None
    udi: str | None
    udi_di: str | None  # derived from udi, as for the generator
    udi_pi: str | None
    udi_issuer: str | None


class Incident(TypedDict):
    no_patient_involved: bool  # a near miss: no patient data, IMDRF F27, "all other reportable incidents"
    description: str | None
    date: str | None
    classification: str | None  # vocab.INCIDENT_CLASSIFICATIONS
    device_problem_codes: list[CodedTerm]  # IMDRF annex A
    health_effect_codes: list[CodedTerm]  # IMDRF annex E/F
    patient_consequence: str | None
    device_location: str | None  # vocab.DEVICE_LOCATIONS
    available_for_investigation: bool | None


class Device(TypedDict):
    suspect_component: str | None  # vocab.SUSPECT_COMPONENTS
    generator: Generator
    electrode: Electrode
    conformity_mark: str | None  # vocab.CONFORMITY_MARKS
    single_use_reused: bool | None
    devices_involved: int | None
    operator: str | None  # vocab.DEVICE_OPERATORS
    manufacturer_informed: bool | None
    manufacturer_informed_date: str | None


class ClinicalCheck(TypedDict):
    field: str  # the procedure value it is about, e.g. "dose_per_m2", "first_pulse_at", "route"
    message: str


class Reporter(TypedDict):
    name: str | None
    profession: str | None
    email: str | None
    organisation: str | None
    address: str | None
    phone: str | None
    qualification: str | None  # vocab.QUALIFICATIONS (E2B C.2.r.4)


class Destination(TypedDict):
    scheme: str  # vocab.DESTINATIONS
    name: str
    nation: str | None


class Nullification(TypedDict):
    nullified: bool  # E2B C.1.11.1 = 1: the regulator should treat the case as void
    date: str | None  # ISO 8601 UTC datetime
    reason: str | None  # E2B C.1.11.2


class Site(TypedDict):
    name: str | None
    nation: str | None  # vocab.NATIONS


class Product(TypedDict):
    drug: str | None  # vocab.DRUGS
    name: str | None
    strength: str | None
    form: str | None
    batch: str | None
    expiry_date: str | None
    manufacturer: str | None  # manufacturer or marketing authorisation holder


class Defect(TypedDict):
    category: str | None  # vocab.DEFECT_CATEGORIES
    description: str | None
    date_found: str | None
    urgent: bool  # derived: a suspected counterfeit (same-day clock)


class Use(TypedDict):
    used_on_patient: bool | None
    reaction_followed: bool | None


class Stock(TypedDict):
    quantity_affected: int | None
    location: str | None  # vocab.STOCK_LOCATIONS
    pharmacy_informed: bool | None
    supplier_informed: bool | None


class RelatedReport(TypedDict):
    report_id: int
    reference: str
    kind: str  # vocab.REPORT_KINDS


class Record(TypedDict):
    record_version: str
    kind: Literal["medicine", "device", "defective_medicine"]
    report_id: int
    reference: str  # e.g. "ECT-000042"
    state: str  # vocab.REPORT_STATES
    report_type: str  # vocab.REPORT_TYPES
    follow_up_of: int | None
    version: int  # edit counter of this report (optimistic locking), not the case version
    case_id: str  # E2B C.1.1, e.g. "GB-ECT-000042": one id for every version of a case
    case_version: int  # 1 for the initial report, +1 per later version
    amendment: bool  # E2B C.1.11.1 = 2: this version corrects what was sent
    awareness_date: str | None
    due_date: str | None
    created_at: str
    updated_at: str
    destination: Destination
    mhra_reference: str | None  # this version's reference from the regulator
    regulator_reference: str | None  # the case's reference: the one given when it was first sent
    nullification: Nullification
    site: Site
    related_reports: list[RelatedReport]
    patient: Patient
    reporter: Reporter
    procedure: Procedure  # from the ECT session; read-only in the report
    clinical_warnings: list[ClinicalCheck]  # the session's warnings when the report was created
    code_versions: CodeVersions
    # Medicine reports (None, or [] for reactions, on device reports):
    suspect_drug: SuspectDrug | None
    reactions: list[Reaction]
    other_drugs: list[OtherDrug]
    seriousness: Seriousness | None
    other_medicines: str | None
    additional_information: str | None
    causality: str | None  # vocab.CAUSALITY
    # Device reports (None on medicine reports):
    device: Device | None
    incident: Incident | None
    # Defective-medicine reports (None on the other kinds):
    product: Product | None
    defect: Defect | None
    use: Use | None
    stock: Stock | None


# The keys of the other kind, as they stand empty in a record of one kind.
EMPTY_MEDICINE_PART: dict[str, object] = {
    "suspect_drug": None,
    "reactions": [],
    "other_drugs": [],
    "seriousness": None,
    "other_medicines": None,
    "additional_information": None,
    "causality": None,
}
EMPTY_DEVICE_PART: dict[str, object] = {"device": None, "incident": None}
EMPTY_DEFECTIVE_MEDICINE_PART: dict[str, object] = {"product": None, "defect": None, "use": None, "stock": None}
