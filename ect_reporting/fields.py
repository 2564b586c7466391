"""One table of fields per entity, shared by the API, forms and rules.

Each ``Field`` names the dotted path used in JSON (and in error keys,
e.g. ``patient.age``), the model attribute it is stored in, its type and
its limits. The API parses and serialises with these tables, the HTML
forms map their errors back with them, and ``rules.py`` checks the same
limits on typed values - so a limit is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ect_reporting import vocab

FieldType = Literal["str", "text", "int", "float", "date", "time", "bool", "enum", "codes"]

# MHRA receipt validation limits (reference doc section 2), written once.
MAX_AGE_YEARS = 120
MAX_WEIGHT_KG = 500
MAX_HEIGHT_CM = 300

# Free text given with a workflow action or as a comment: long enough for a
# clinical explanation, short enough that a page listing them stays small.
MAX_COMMENT_LENGTH = 5000
# The regulator's case reference (MHRA, IRIC, NIAIC) when a report is sent.
MAX_REFERENCE_LENGTH = 60


@dataclass(frozen=True)
class Field:
    """One input field: where it lives in JSON and in the model."""

    path: str
    attr: str
    type: FieldType
    label: str
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: vocab.Vocabulary | None = None
    required: bool = False
    unit: str | None = None  # said in range messages, after the limit
    submit_message: str | None = None  # when set, the field must be filled before submission
    narrative: bool = False  # free text checked for patient identifiers before submission
    future_allowed: bool = False  # dates such as an expiry date may lie ahead
    email: bool = False  # text that must be an e-mail address (rules.email_problem)


def _s(path: str, attr: str, label: str, max_length: int, required: bool = False) -> Field:
    return Field(path, attr, "str", label, max_length=max_length, required=required)


def _e(path: str, attr: str, label: str, choices: vocab.Vocabulary, required: bool = False) -> Field:
    return Field(path, attr, "enum", label, choices=choices, required=required)


def device_identifier_fields(prefix: str) -> tuple[Field, ...]:
    """Pulse generator and electrode identification, under ``prefix`` in JSON.

    Sessions carry them at the top level, device reports under ``device.``;
    both store them in the same-named columns.
    """
    return (
        _s(f"{prefix}generator.manufacturer", "generator_manufacturer", "Generator manufacturer", 120),
        _s(f"{prefix}generator.model", "generator_model", "Generator model", 120),
        _s(f"{prefix}generator.serial_number", "generator_serial", "Generator serial number", 80),
        _s(f"{prefix}generator.software_version", "generator_software", "Generator software version", 40),
        _s(f"{prefix}generator.udi", "generator_udi", "Generator UDI", 120),
        _e(f"{prefix}electrode.type", "electrode_type", "Electrode type", vocab.ELECTRODE_TYPES),
        _s(f"{prefix}electrode.manufacturer", "electrode_manufacturer", "Electrode manufacturer", 120),
        _s(f"{prefix}electrode.model", "electrode_model", "Electrode model or catalogue number", 120),
        _s(f"{prefix}electrode.lot_number", "electrode_lot", "Electrode lot number", 40),
        _s(f"{prefix}electrode.serial_number", "electrode_serial", "Electrode serial number", 80),
        Field(
            f"{prefix}electrode.expiry_date", "electrode_expiry", "date", "Electrode expiry date", future_allowed=True
        ),
        _s(f"{prefix}electrode.udi", "electrode_udi", "Electrode UDI", 120),
    )


PATIENT_FIELDS: tuple[Field, ...] = (
    _s("patient.initials", "patient_initials", "Patient initials", 10),
    _e("patient.sex", "patient_sex", "Sex", vocab.SEXES),
    Field("patient.age", "patient_age", "int", "Age (years)", minimum=0, maximum=MAX_AGE_YEARS, unit="years"),
    Field(
        "patient.weight_kg", "patient_weight_kg", "float", "Weight (kg)", minimum=0.5, maximum=MAX_WEIGHT_KG, unit="kg"
    ),
    Field(
        "patient.height_cm", "patient_height_cm", "float", "Height (cm)", minimum=20, maximum=MAX_HEIGHT_CM, unit="cm"
    ),
    _s("patient.local_reference", "local_reference", "Local hospital reference", 40),
)

SESSION_FIELDS: tuple[Field, ...] = (
    Field("procedure_date", "procedure_date", "date", "Procedure date", required=True),
    _s("site_name", "site_name", "Hospital or site", 160, required=True),
    _e("nation", "nation", "Nation", vocab.NATIONS, required=True),
    _e("care_setting", "care_setting", "Care setting", vocab.CARE_SETTINGS, required=True),
    _s("operator_name", "operator_name", "Operator", 120, required=True),
    *PATIENT_FIELDS,
    _e("tumour.histology", "histology", "Tumour histology", vocab.HISTOLOGIES),
    Field("tumour.lesion_count", "lesion_count", "int", "Number of lesions treated", minimum=1, maximum=500),
    Field("tumour.largest_lesion_mm", "largest_lesion_mm", "int", "Largest lesion (mm)", minimum=1, maximum=500),
    _e("tumour.site", "lesion_site", "Lesion site (for OPCS-4 coding)", vocab.LESION_SITES),
    Field("tumour.location", "lesion_location", "str", "Lesion location", max_length=200, narrative=True),
    _e("tumour.laterality", "laterality", "Laterality", vocab.LATERALITIES),
    Field("tumour.previous_irradiation", "previous_irradiation", "bool", "Previously irradiated field"),
    _e("anaesthesia", "anaesthesia", "Anaesthesia", vocab.ANAESTHESIA),
    _e("drug.name", "drug", "Drug", vocab.DRUGS, required=True),
    _s("drug.product", "drug_product", "Product or brand name", 120),
    _s("drug.batch", "drug_batch", "Batch number", 35),
    _e("drug.route", "route", "Route", vocab.ROUTES, required=True),
    Field("drug.dose", "dose", "float", "Dose", minimum=0.001, maximum=1_000_000, required=True),
    _e("drug.dose_unit", "dose_unit", "Dose unit", vocab.DOSE_UNITS, required=True),
    Field("drug.administered_at", "drug_time", "time", "Time drug given"),
    Field("drug.first_pulse_at", "first_pulse_time", "time", "Time of first pulse"),
    *device_identifier_fields(""),
    Field("pulses_delivered", "pulses_delivered", "int", "Pulses delivered", minimum=1, maximum=10_000),
    Field("notes", "notes", "text", "Notes (not exported)", max_length=5000),
)

# Session attributes copied onto a new report (attr on session -> attr on report).
SESSION_TO_REPORT: dict[str, str] = {
    "patient_initials": "patient_initials",
    "patient_sex": "patient_sex",
    "patient_age": "patient_age",
    "patient_weight_kg": "patient_weight_kg",
    "patient_height_cm": "patient_height_cm",
    "local_reference": "local_reference",
}
SESSION_TO_MEDICINE_REPORT: dict[str, str] = {
    "drug": "drug",
    "drug_product": "drug_product",
    "drug_batch": "drug_batch",
    "route": "drug_route",
    "dose": "drug_dose",
    "dose_unit": "drug_dose_unit",
    "procedure_date": "drug_date_started",
}
SESSION_TO_DEVICE_REPORT: dict[str, str] = {
    "generator_manufacturer": "generator_manufacturer",
    "generator_model": "generator_model",
    "generator_serial": "generator_serial",
    "generator_software": "generator_software",
    "electrode_type": "electrode_type",
    "electrode_model": "electrode_model",
    "electrode_lot": "electrode_lot",
    "electrode_udi": "electrode_udi",
    "electrode_manufacturer": "electrode_manufacturer",
    "electrode_serial": "electrode_serial",
    "electrode_expiry": "electrode_expiry",
    "generator_udi": "generator_udi",
    "procedure_date": "incident_date",
}

# Where the report comes from: copied from the session, typed on a blank form.
SITE_FIELDS: tuple[Field, ...] = (
    _s("site.name", "site_name", "Hospital or site", 160),
    _e("site.nation", "nation", "Nation", vocab.NATIONS),
)
SESSION_TO_SITE: dict[str, str] = {"site_name": "site_name", "nation": "nation"}

REPORT_COMMON_FIELDS: tuple[Field, ...] = (
    *SITE_FIELDS,
    Field(
        "awareness_date",
        "awareness_date",
        "date",
        "Date you became aware",
        submit_message="Enter the date you became aware of the problem: the reporting clock runs from it",
    ),
    *PATIENT_FIELDS,
    _s("reporter.name", "reporter_name", "Reporter name", 120),
    _s("reporter.profession", "reporter_profession", "Reporter profession", 80),
    Field("reporter.email", "reporter_email", "str", "Reporter email", max_length=254, email=True),
    _s("reporter.organisation", "reporter_organisation", "Reporter organisation", 160),
    Field("reporter.address", "reporter_address", "text", "Reporter work address", max_length=400),
    _s("reporter.phone", "reporter_phone", "Reporter telephone", 40),
    _e("reporter.qualification", "reporter_qualification", "Reporter qualification", vocab.QUALIFICATIONS),
)

MEDICINE_FIELDS: tuple[Field, ...] = (
    _e("patient.ethnicity", "patient_ethnicity", "Ethnicity", vocab.ETHNICITIES),
    _e("patient.pregnancy", "pregnancy", "Pregnancy", vocab.PREGNANCY),
    Field("patient.gestation_weeks", "gestation_weeks", "int", "Weeks pregnant", minimum=1, maximum=45),
    Field("patient.medical_history", "medical_history", "text", "Relevant medical history", max_length=5000,
          narrative=True),
    Field("patient.test_results", "test_results", "text", "Relevant test results", max_length=5000, narrative=True),
    Field("patient.allergies", "allergies", "text", "Allergies", max_length=2000, narrative=True),
    _e("suspect_drug.name", "drug", "Suspect drug", vocab.DRUGS),
    _s("suspect_drug.product", "drug_product", "Brand or product name", 120),
    _s("suspect_drug.batch", "drug_batch", "Batch number", 35),
    _e("suspect_drug.route", "drug_route", "Route", vocab.ROUTES),
    Field("suspect_drug.dose", "drug_dose", "float", "Dose", minimum=0.001, maximum=1_000_000),
    _e("suspect_drug.dose_unit", "drug_dose_unit", "Dose unit", vocab.DOSE_UNITS),
    Field("suspect_drug.date_started", "drug_date_started", "date", "Date started"),
    Field("suspect_drug.date_stopped", "drug_date_stopped", "date", "Date stopped"),
    _s("suspect_drug.indication", "drug_indication", "Prescribed for", 200),
    Field("suspect_drug.black_triangle", "black_triangle", "bool", "Black triangle product"),
    _e("suspect_drug.action_taken", "action_taken", "Action taken with the drug", vocab.ACTIONS_TAKEN),
    _e("suspect_drug.rechallenge", "rechallenge", "Rechallenge", vocab.RECHALLENGE),
    Field("seriousness.serious", "serious", "bool", "Serious", submit_message="Say whether the reaction was serious"),
    Field(
        "seriousness.criteria",
        "seriousness_criteria",
        "codes",
        "Seriousness criteria",
        choices=vocab.SERIOUSNESS_CRITERIA,
    ),
    Field(
        "seriousness.medically_significant_details",
        "medically_significant_details",
        "text",
        "Why it is medically significant",
        max_length=2000,
        narrative=True,
    ),
    Field(
        "other_medicines",
        "other_medicines",
        "text",
        "Other medicines in the last 3 months",
        max_length=5000,
        narrative=True,
    ),
    Field(
        "additional_information",
        "additional_information",
        "text",
        "Additional information",
        max_length=10000,
        narrative=True,
    ),
    _e("causality", "causality", "Causality (WHO-UMC)", vocab.CAUSALITY),
)

REACTION_FIELDS: tuple[Field, ...] = (
    Field("verbatim", "verbatim", "text", "Reaction in your own words", max_length=5000, narrative=True),
    _s("meddra_code", "meddra_code", "Coded term (MedDRA)", 12),
    Field("ctcae_grade", "ctcae_grade", "int", "CTCAE grade", minimum=1, maximum=5),
    Field("onset_date", "onset_date", "date", "Date reaction started"),
    Field("end_date", "end_date", "date", "Date reaction stopped"),
    Field("treatment", "treatment", "text", "Treatment given", max_length=5000, narrative=True),
    Field(
        "outcome",
        "outcome",
        "enum",
        "Outcome",
        choices=vocab.OUTCOMES,
        submit_message="Give the outcome of the reaction (choose 'Not known' if unknown)",
    ),
    Field("serious", "serious", "bool", "Was this reaction serious?"),
    Field(
        "seriousness_criteria",
        "seriousness_criteria",
        "codes",
        "Why this reaction was serious",
        choices=vocab.SERIOUSNESS_CRITERIA,
    ),
)

# Other medicines on a medicine report (E2B G.k after the ECT drug): a
# second suspect (e.g. the anaesthetic) or one taken at the same time.
OTHER_DRUG_FIELDS: tuple[Field, ...] = (
    _e("characterisation", "characterisation", "Role in the reaction", vocab.DRUG_CHARACTERISATIONS),
    _s("name", "name", "Medicine name", 120),
    _s("batch", "batch", "Batch number", 35),
    Field("dose", "dose", "float", "Dose", minimum=0.000001, maximum=1_000_000),
    _e("dose_unit", "dose_unit", "Dose unit", vocab.OTHER_DOSE_UNITS),
    _e("route", "route", "Route", vocab.OTHER_DRUG_ROUTES),
    Field("date_started", "date_started", "date", "Date started"),
    Field("date_stopped", "date_stopped", "date", "Date stopped"),
    _s("indication", "indication", "Taken for", 200),
)

DEVICE_FIELDS: tuple[Field, ...] = (
    _e("device.suspect_component", "suspect_component", "Suspect component", vocab.SUSPECT_COMPONENTS),
    *device_identifier_fields("device."),
    _e("device.conformity_mark", "conformity_mark", "Conformity mark on the device", vocab.CONFORMITY_MARKS),
    Field("device.single_use_reused", "single_use_reused", "bool", "Was a single-use device reused?"),
    Field("device.devices_involved", "devices_involved", "int", "Number of devices involved", minimum=1, maximum=1000),
    _e("device.operator", "device_operator", "Who was operating the device", vocab.DEVICE_OPERATORS),
    Field("device.manufacturer_informed", "manufacturer_informed", "bool", "Manufacturer informed"),
    Field("device.manufacturer_informed_date", "manufacturer_informed_date", "date", "Date manufacturer informed"),
    Field(
        "incident.no_patient_involved",
        "no_patient_involved",
        "bool",
        "No patient involved (near miss found before any patient was treated)",
    ),
    Field(
        "incident.description",
        "incident_description",
        "text",
        "What happened",
        max_length=20000,
        submit_message="Describe what happened",
        narrative=True,
    ),
    Field("incident.date", "incident_date", "date", "Date of incident"),
    Field(
        "incident.classification",
        "incident_classification",
        "enum",
        "Incident classification",
        choices=vocab.INCIDENT_CLASSIFICATIONS,
        submit_message="Choose how the incident is classified",
    ),
    Field("incident.device_problem_codes", "device_problem_codes", "codes", "Device problem (IMDRF annex A)"),
    Field("incident.health_effect_codes", "health_effect_codes", "codes", "Health effect (IMDRF annexes E and F)"),
    Field(
        "incident.patient_consequence",
        "patient_consequence",
        "text",
        "Consequences for the patient",
        max_length=5000,
        narrative=True,
    ),
    Field(
        "incident.device_location",
        "device_location",
        "enum",
        "Where the device is now",
        choices=vocab.DEVICE_LOCATIONS,
        submit_message="Say where the device is now",
    ),
    Field(
        "incident.available_for_investigation",
        "available_for_investigation",
        "bool",
        "Available for investigation",
        submit_message="Say whether the device is available for investigation",
    ),
)


DEFECTIVE_MEDICINE_FIELDS: tuple[Field, ...] = (
    _e("product.drug", "drug", "Medicine", vocab.DRUGS),
    _s("product.name", "drug_product", "Product or brand name", 120),
    _s("product.strength", "product_strength", "Strength", 60),
    _s("product.form", "product_form", "Form (for example powder for solution for injection)", 60),
    Field(
        "product.batch",
        "drug_batch",
        "str",
        "Batch number",
        max_length=35,
        submit_message="Give the batch number: the batch matters most in a defect report",
    ),
    Field("product.expiry_date", "product_expiry", "date", "Expiry date", future_allowed=True),
    _s("product.manufacturer", "product_manufacturer", "Manufacturer or marketing authorisation holder", 160),
    Field(
        "defect.category",
        "defect_category",
        "enum",
        "What is wrong with the product",
        choices=vocab.DEFECT_CATEGORIES,
        submit_message="Choose what is wrong with the product",
    ),
    Field(
        "defect.description",
        "defect_description",
        "text",
        "Describe the defect",
        max_length=20000,
        submit_message="Describe the defect",
        narrative=True,
    ),
    Field("defect.date_found", "incident_date", "date", "Date the defect was found"),
    Field(
        "use.used_on_patient",
        "used_on_patient",
        "bool",
        "Was the product used on a patient?",
        submit_message="Say whether the product was used on a patient",
    ),
    Field("use.reaction_followed", "reaction_followed", "bool", "Did an adverse reaction follow?"),
    Field("stock.quantity_affected", "quantity_affected", "int", "Quantity affected (packs or vials)",
          minimum=1, maximum=100_000),
    Field(
        "stock.location",
        "stock_location",
        "enum",
        "Where the stock is now",
        choices=vocab.STOCK_LOCATIONS,
        submit_message="Say where the stock is now",
    ),
    Field("stock.pharmacy_informed", "pharmacy_informed", "bool", "Pharmacy informed"),
    Field(
        "stock.supplier_informed", "supplier_informed", "bool", "Supplier or marketing authorisation holder informed"
    ),
)

# Session attributes a defective-medicine report starts with (the product given that day).
SESSION_TO_DEFECTIVE_REPORT: dict[str, str] = {
    "drug": "drug",
    "drug_product": "drug_product",
    "drug_batch": "drug_batch",
    "procedure_date": "incident_date",
}

# Defective-medicine attributes a medicine (ADR) report started from it takes over.
DEFECTIVE_TO_MEDICINE_REPORT: dict[str, str] = {
    "drug": "drug",
    "drug_product": "drug_product",
    "drug_batch": "drug_batch",
    "site_name": "site_name",
    "nation": "nation",
    **SESSION_TO_REPORT,
}

# Lists of entries on a medicine report: key (API, record and error path
# prefix) -> (label, the fields of one entry, most entries allowed).
MEDICINE_LISTS: dict[str, tuple[str, tuple[Field, ...], int]] = {
    "reactions": ("Reactions", REACTION_FIELDS, 50),
    "other_drugs": ("Other medicines", OTHER_DRUG_FIELDS, 30),
}


# Each report kind's own fields (after the common ones); keyed like vocab.REPORT_KINDS.
KIND_FIELDS: dict[str, tuple[Field, ...]] = {
    "medicine": MEDICINE_FIELDS,
    "device": DEVICE_FIELDS,
    "defective_medicine": DEFECTIVE_MEDICINE_FIELDS,
}


def report_fields(kind: str) -> tuple[Field, ...]:
    """Return the top-level fields of a report of ``kind``."""
    return REPORT_COMMON_FIELDS + KIND_FIELDS[kind]


# What a blank form asks before the full report form (attributes of the kind's fields):
# the site, and enough to identify the product, the device or the patient.
BLANK_FORM_ATTRS: dict[str, tuple[str, ...]] = {
    "device": (
        "site_name",
        "nation",
        "no_patient_involved",
        "generator_udi",
        "electrode_udi",
        "generator_manufacturer",
        "generator_model",
        "electrode_model",
        "electrode_lot",
    ),
    "defective_medicine": ("site_name", "nation", "drug", "drug_product", "drug_batch", "defect_category"),
    "medicine": (
        "site_name",
        "nation",
        *(f.attr for f in PATIENT_FIELDS),
        "drug",
        "drug_product",
        "drug_batch",
    ),
}


def blank_form_fields(kind: str) -> tuple[Field, ...]:
    """Return the fields a blank form of ``kind`` asks, in form order."""
    fields = by_attr(report_fields(kind))
    return tuple(fields[attr] for attr in BLANK_FORM_ATTRS[kind])


def by_attr(fields: tuple[Field, ...]) -> dict[str, Field]:
    """Index fields by model attribute."""
    return {f.attr: f for f in fields}
