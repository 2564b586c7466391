"""Unit tests for ``rules.report_errors``: what a report needs before submission.

Ported from the tests of the removed ``completeness.check_completeness``
(which worked on the canonical record): the same rules, now checked on
typed values keyed by model attribute at ``rules.SUBMIT`` level, with
errors keyed by the API/form path. ``rules.SAVE`` is what every draft
must satisfy, so the rules that only say "not finished yet" must not fire
there, while a mistake gives the same message at both levels.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from ect_reporting import rules
from ect_reporting.rules import SAVE, SUBMIT

TODAY = date(2026, 11, 26)
TOMORROW = TODAY + timedelta(days=1)

PATIENT_IDENTIFIERS = ("patient_initials", "patient_sex", "patient_age", "local_reference")
REPORTER = ("reporter_name", "reporter_profession", "reporter_email", "reporter_organisation")

BLEOMYCIN_IN_MG = (
    "Bleomycin dose must be recorded in IU (international units), not mg: check the dose and correct the unit"
)
PATIENT_GAP = "Identify the patient: give at least one of initials, age, sex or local reference"
REPORTER_GAP = "Add the reporter: their name, and their profession or email address"


def medicine_values() -> dict[str, Any]:
    """A complete serious report: anaphylaxis minutes after an IV bleomycin bolus for ECT."""
    return {
        "awareness_date": date(2026, 11, 20),
        "patient_initials": "MR",
        "patient_sex": "female",
        "patient_age": 67,
        "patient_weight_kg": 64.5,
        "patient_height_cm": 162.0,
        "local_reference": "RXH-0042317",
        "reporter_name": "Dr Amelia Hart",
        "reporter_profession": "Consultant dermatologist",
        "reporter_email": "amelia.hart@example.nhs.uk",
        "reporter_organisation": "Example Hospitals NHS Foundation Trust",
        "drug": "bleomycin",
        "drug_product": "Bleomycin 15,000 IU powder for solution for injection",
        "drug_batch": "B2417X",
        "drug_route": "intravenous",
        "drug_dose": 25800.0,
        "drug_dose_unit": "IU",
        "drug_date_started": date(2026, 11, 19),
        "drug_date_stopped": date(2026, 11, 19),
        "drug_indication": "Electrochemotherapy for cutaneous metastatic melanoma",
        "black_triangle": False,
        "action_taken": "not_applicable",
        "serious": True,
        "seriousness_criteria": ["hospitalisation"],
        "medically_significant_details": None,
        "other_medicines": "Amlodipine 5 mg once daily; paracetamol 1 g when required",
        "additional_information": "No known drug allergies. Bleomycin ECT in 2025 without reaction.",
        "causality": "probable",
    }


def anaphylaxis() -> dict[str, Any]:
    """The report's one reaction."""
    return {
        "verbatim": "Within 5 minutes of the bleomycin bolus she became flushed, wheezy and hypotensive (BP 78/40).",
        "meddra_code": "10002218",
        "ctcae_grade": 3,
        "onset_date": date(2026, 11, 19),
        "end_date": date(2026, 11, 20),
        "treatment": "IM adrenaline 500 micrograms, IV chlorphenamine, IV hydrocortisone",
        "outcome": "recovered",
    }


def device_values() -> dict[str, Any]:
    """A complete report: a linear needle array snapped at the hub during ECT."""
    return {
        "awareness_date": date(2026, 11, 24),
        "patient_initials": "JD",
        "patient_sex": "male",
        "patient_age": 74,
        "patient_weight_kg": 81.0,
        "patient_height_cm": 178.0,
        "local_reference": "TAY-5520931",
        "reporter_name": "Sr Morag Campbell",
        "reporter_profession": "Theatre sister",
        "reporter_email": "morag.campbell@example.scot.nhs.uk",
        "reporter_organisation": "Example Royal Infirmary",
        "suspect_component": "electrode",
        "generator_manufacturer": "IGEA",
        "generator_model": "Cliniporator VITAE",
        "generator_serial": "CPV-21-0457",
        "generator_software": "3.2.1",
        "electrode_type": "linear_needle_array",
        "electrode_model": "LNA-30-8",
        "electrode_lot": "L24-1187",
        "electrode_udi": "(01)08056245000123(17)270131(10)L24-1187",
        "incident_description": (
            "During the third application one needle of the linear array snapped at the hub. "
            "The fragment was retrieved from the lesion with forceps."
        ),
        "incident_date": date(2026, 11, 24),
        "incident_classification": "other_reportable",
        "device_problem_codes": ["A0201"],
        "health_effect_codes": ["F11"],
        "patient_consequence": "Small puncture wound closed with one suture; no lasting harm.",
        "device_location": "quarantined",
        "available_for_investigation": True,
    }


def medicine_errors(
    values: dict[str, Any], reactions: list[dict[str, Any]] | None = None, level: rules.Level = SUBMIT
) -> dict[str, list[str]]:
    return rules.report_errors(
        "medicine", values, [anaphylaxis()] if reactions is None else reactions, today=TODAY, level=level
    )


def device_errors(values: dict[str, Any], level: rules.Level = SUBMIT) -> dict[str, list[str]]:
    return rules.report_errors("device", values, None, today=TODAY, level=level)


# --- complete reports -------------------------------------------------------------


@pytest.mark.parametrize("level", [SAVE, SUBMIT])
def test_complete_medicine_report_has_no_errors(level):
    assert medicine_errors(medicine_values(), level=level) == {}


@pytest.mark.parametrize("level", [SAVE, SUBMIT])
def test_complete_device_report_has_no_errors(level):
    assert device_errors(device_values(), level=level) == {}


def test_error_is_keyed_by_path_in_plain_english():
    values = medicine_values() | {"reporter_name": None}
    assert medicine_errors(values) == {"reporter.name": ["Give the reporter's name"]}


# --- identifiable patient -------------------------------------------------------------


def test_patient_without_any_identifier_is_one_gap():
    values = medicine_values() | dict.fromkeys(PATIENT_IDENTIFIERS)
    assert medicine_errors(values) == {"patient": [PATIENT_GAP]}


@pytest.mark.parametrize(
    ("attr", "value"),
    [
        ("patient_initials", "MR"),
        ("patient_sex", "female"),
        ("patient_age", 67),
        ("patient_age", 0),  # a baby under one year is identified by age 0
        ("local_reference", "RXH-1"),
    ],
)
def test_any_one_patient_identifier_is_enough(attr, value):
    values = medicine_values() | dict.fromkeys(PATIENT_IDENTIFIERS) | {attr: value}
    assert medicine_errors(values) == {}


def test_empty_initials_do_not_identify_the_patient():
    values = medicine_values() | dict.fromkeys(PATIENT_IDENTIFIERS) | {"patient_initials": ""}
    assert list(medicine_errors(values)) == ["patient"]


# --- identifiable reporter ------------------------------------------------------------


def test_reporter_needs_a_name():
    values = medicine_values() | {"reporter_name": ""}
    assert list(medicine_errors(values)) == ["reporter.name"]


def test_missing_reporter_is_one_gap():
    values = medicine_values() | {"reporter_name": None, "reporter_profession": "", "reporter_email": None}
    values["reporter_organisation"] = None
    assert medicine_errors(values) == {"reporter": [REPORTER_GAP]}


def test_organisation_alone_asks_for_name_and_contact():
    values = medicine_values() | dict.fromkeys(REPORTER[:3])
    assert medicine_errors(values) == {
        "reporter.name": ["Give the reporter's name"],
        "reporter.profession": ["Give the reporter's profession or email address"],
    }


def test_reporter_needs_profession_or_email():
    values = medicine_values() | {"reporter_profession": None, "reporter_email": None}
    assert medicine_errors(values) == {"reporter.profession": ["Give the reporter's profession or email address"]}


@pytest.mark.parametrize("drop", ["reporter_profession", "reporter_email"])
def test_reporter_profession_or_email_is_enough(drop):
    assert medicine_errors(medicine_values() | {drop: None}) == {}


# --- suspect product --------------------------------------------------------------------


def test_medicine_needs_drug_or_product_name():
    values = medicine_values() | {"drug": None, "drug_product": None}
    assert medicine_errors(values) == {"suspect_drug.name": ["Give the suspected drug or its brand or product name"]}


def test_product_name_alone_identifies_the_suspect_drug():
    assert medicine_errors(medicine_values() | {"drug": None}) == {}


def test_drug_alone_identifies_the_suspect_drug():
    assert medicine_errors(medicine_values() | {"drug_product": None}) == {}


def test_device_needs_generator_make_and_model_or_electrode_model():
    values = device_values() | {"generator_model": None, "electrode_model": None}
    assert device_errors(values) == {
        "device.generator": [
            "Identify the suspect device: give the pulse generator manufacturer and model, or the electrode model"
        ]
    }


def test_generator_model_without_manufacturer_does_not_identify_the_device():
    values = device_values() | {"generator_manufacturer": None, "electrode_model": None}
    assert list(device_errors(values)) == ["device.generator"]


def test_electrode_model_alone_identifies_the_device():
    values = device_values() | {"generator_manufacturer": None, "generator_model": None}
    assert device_errors(values) == {}


def test_generator_make_and_model_alone_identify_the_device():
    assert device_errors(device_values() | {"electrode_model": None}) == {}


# --- reaction or incident -------------------------------------------------------------


def test_medicine_needs_a_reaction():
    assert medicine_errors(medicine_values(), reactions=[]) == {"reactions": ["Add at least one suspected reaction"]}


def test_reaction_needs_own_words_or_coded_term():
    reaction = anaphylaxis() | {"verbatim": None, "meddra_code": None}
    assert medicine_errors(medicine_values(), [reaction]) == {
        "reactions.0.verbatim": ["Describe the reaction in your own words or choose a coded term"]
    }


@pytest.mark.parametrize("drop", ["verbatim", "meddra_code"])
def test_own_words_or_coded_term_is_enough(drop):
    reaction = anaphylaxis() | {drop: None}
    if drop == "meddra_code":
        reaction["ctcae_grade"] = None  # a grade is only checked against a coded term
    assert medicine_errors(medicine_values(), [reaction]) == {}


def test_reaction_paths_carry_the_reaction_index():
    first = anaphylaxis() | {"serious": True, "seriousness_criteria": ["hospitalisation"]}
    second = anaphylaxis() | {"verbatim": None, "meddra_code": None, "outcome": None, "serious": False}
    errors = medicine_errors(medicine_values(), [first, second])
    assert sorted(errors) == ["reactions.1.outcome", "reactions.1.verbatim"]


def test_each_of_several_reactions_of_a_serious_report_says_whether_it_was_serious():
    errors = medicine_errors(medicine_values(), [anaphylaxis(), anaphylaxis()])
    assert errors["reactions.0.serious"] == ["Say whether reaction 1 was serious"]
    assert errors["reactions.1.serious"] == ["Say whether reaction 2 was serious"]


def test_device_needs_an_incident_description():
    assert device_errors(device_values() | {"incident_description": None}) == {
        "incident.description": ["Describe what happened"]
    }


# --- MHRA receipt rules -------------------------------------------------------------------


def test_every_reaction_needs_an_outcome():
    reaction = anaphylaxis() | {"outcome": None}
    assert medicine_errors(medicine_values(), [reaction]) == {
        "reactions.0.outcome": ["Give the outcome of the reaction (choose 'Not known' if unknown)"]
    }


def test_outcome_not_known_is_an_answer():
    reaction = anaphylaxis() | {"outcome": "unknown"}
    assert medicine_errors(medicine_values(), [reaction]) == {}


@pytest.mark.parametrize(
    ("attr", "path", "limit", "over", "message"),
    [
        ("patient_age", "patient.age", 120, 121, "Age must be 120 years or less"),
        ("patient_weight_kg", "patient.weight_kg", 500.0, 500.5, "Weight must be 500 kg or less"),
        ("patient_height_cm", "patient.height_cm", 300.0, 301.0, "Height must be 300 cm or less"),
    ],
)
def test_patient_measurements_have_upper_limits(attr, path, limit, over, message):
    assert medicine_errors(medicine_values() | {attr: limit}) == {}
    assert medicine_errors(medicine_values() | {attr: over}) == {path: [message]}


@pytest.mark.parametrize(
    ("attr", "path", "limit", "under", "message"),
    [
        ("patient_age", "patient.age", 0, -1, "Age must be 0 years or more"),
        ("patient_weight_kg", "patient.weight_kg", 0.5, 0.4, "Weight must be 0.5 kg or more"),
        ("patient_height_cm", "patient.height_cm", 20.0, 19.0, "Height must be 20 cm or more"),
    ],
)
def test_patient_measurements_have_lower_limits(attr, path, limit, under, message):
    assert medicine_errors(medicine_values() | {attr: limit}) == {}
    assert medicine_errors(medicine_values() | {attr: under}) == {path: [message]}


@pytest.mark.parametrize(
    ("attr", "path", "message"),
    [
        ("awareness_date", "awareness_date", "Date you became aware must be today or in the past"),
        ("drug_date_started", "suspect_drug.date_started", "Date started must be today or in the past"),
        ("drug_date_stopped", "suspect_drug.date_stopped", "Date stopped must be today or in the past"),
    ],
)
def test_medicine_dates_cannot_be_in_the_future(attr, path, message):
    values = medicine_values() | {"drug_date_started": date(2026, 11, 19), "drug_date_stopped": None}
    assert path not in medicine_errors(values | {attr: TODAY})
    assert message in medicine_errors(values | {attr: TOMORROW})[path]


@pytest.mark.parametrize(
    ("attr", "message"),
    [
        ("onset_date", "Date reaction started must be today or in the past"),
        ("end_date", "Date reaction stopped must be today or in the past"),
    ],
)
def test_reaction_dates_cannot_be_in_the_future(attr, message):
    path = f"reactions.0.{attr}"
    assert path not in medicine_errors(medicine_values(), [anaphylaxis() | {attr: TODAY}])
    assert message in medicine_errors(medicine_values(), [anaphylaxis() | {attr: TOMORROW}])[path]


def test_device_incident_date_cannot_be_in_the_future():
    assert device_errors(device_values() | {"incident_date": TODAY}) == {}
    assert device_errors(device_values() | {"incident_date": TOMORROW}) == {
        "incident.date": ["Date of incident must be today or in the past"]
    }


def test_drug_cannot_stop_before_it_started():
    values = medicine_values() | {"drug_date_stopped": date(2026, 11, 18)}
    assert medicine_errors(values) == {
        "suspect_drug.date_stopped": ["Date stopped must be the same as or after the date started"]
    }


def test_reaction_cannot_end_before_onset():
    reaction = anaphylaxis() | {"end_date": date(2026, 11, 18)}
    assert medicine_errors(medicine_values(), [reaction]) == {
        "reactions.0.end_date": ["Date reaction stopped must be the same as or after the date it started"]
    }


def test_bleomycin_suspect_drug_in_mg_is_an_error():
    values = medicine_values() | {"drug_dose_unit": "mg"}
    assert medicine_errors(values) == {"suspect_drug.dose_unit": [BLEOMYCIN_IN_MG]}


def test_bleomycin_named_only_in_product_name_in_mg_is_an_error():
    values = medicine_values() | {"drug": None, "drug_dose_unit": "mg"}
    assert medicine_errors(values) == {"suspect_drug.dose_unit": [BLEOMYCIN_IN_MG]}


def test_cisplatin_in_iu_is_an_error_and_in_mg_is_not():
    values = medicine_values() | {
        "drug": "cisplatin",
        "drug_product": "Cisplatin 1 mg/mL concentrate for solution for infusion",
        "drug_dose": 2.0,
        "drug_dose_unit": "IU",
    }
    assert medicine_errors(values) == {
        "suspect_drug.dose_unit": ["Cisplatin dose must be recorded in mg, not IU: check the dose and correct the unit"]
    }
    assert medicine_errors(values | {"drug_dose_unit": "mg"}) == {}


def test_seriousness_must_be_answered():
    values = medicine_values() | {"serious": None, "seriousness_criteria": []}
    assert medicine_errors(values) == {"seriousness.serious": ["Say whether the reaction was serious"]}


def test_serious_needs_a_criterion():
    values = medicine_values() | {"seriousness_criteria": []}
    assert medicine_errors(values) == {
        "seriousness.criteria": ["Select at least one reason why the reaction is serious"]
    }


def test_not_serious_with_a_ticked_criterion_is_contradictory():
    values = medicine_values() | {"serious": False}
    assert medicine_errors(values) == {
        "seriousness.criteria": ["Seriousness criteria can only be given for a serious reaction"]
    }


def test_not_serious_without_criteria_is_fine():
    assert medicine_errors(medicine_values() | {"serious": False, "seriousness_criteria": []}) == {}


def test_medically_significant_needs_details():
    values = medicine_values() | {"seriousness_criteria": ["medically_significant"]}
    assert medicine_errors(values) == {
        "seriousness.medically_significant_details": ["Explain why the reaction was medically significant"]
    }
    values["medically_significant_details"] = "Required IM adrenaline."
    assert medicine_errors(values) == {}


@pytest.mark.parametrize(
    ("attr", "path", "message"),
    [
        ("incident_classification", "incident.classification", "Choose how the incident is classified"),
        ("device_location", "incident.device_location", "Say where the device is now"),
        (
            "available_for_investigation",
            "incident.available_for_investigation",
            "Say whether the device is available for investigation",
        ),
    ],
)
def test_device_incident_questions_must_be_answered(attr, path, message):
    assert device_errors(device_values() | {attr: None}) == {path: [message]}


def test_device_not_available_for_investigation_is_an_answer():
    assert device_errors(device_values() | {"available_for_investigation": False}) == {}


# --- patient identifiers in free text ---------------------------------------------------


def test_postcode_in_narrative_blocks_saving_and_submission_naming_the_field():
    """Issue 11: refused on save too, so an identifier is never stored, not even in a draft."""
    values = medicine_values() | {"other_medicines": "Lives at SW1A 1AA; amlodipine 5 mg"}
    reaction = anaphylaxis() | {"treatment": "Adrenaline given, DOB 01/02/1959"}
    message = "{} contains what looks like {}: remove it, reports must not identify the patient"
    expected = {
        "other_medicines": [message.format("Other medicines in the last 3 months", "a postcode")],
        "reactions.0.treatment": [message.format("Treatment given", "a date of birth")],
    }
    assert medicine_errors(values, [reaction]) == expected
    assert medicine_errors(values, [reaction], level=SAVE) == expected


def test_serial_and_lot_numbers_are_not_narrative():
    # 943 476 5919 passes the NHS number check, but serial and lot numbers are long digit strings by design.
    values = device_values() | {"generator_serial": "9434765919", "electrode_lot": "9434765919", "electrode_udi": None}
    assert device_errors(values) == {}


# --- partly built drafts ------------------------------------------------------------------


def test_missing_medicine_section_lists_what_to_add():
    values = {attr: medicine_values()[attr] for attr in (*PATIENT_IDENTIFIERS, *REPORTER)}
    assert sorted(medicine_errors(values, reactions=[])) == [
        "awareness_date",
        "reactions",
        "seriousness.serious",
        "suspect_drug.name",
    ]


def test_empty_medicine_values_at_submit_list_the_minimum_data_gaps():
    errors = rules.report_errors("medicine", {}, None, today=TODAY, level=SUBMIT)
    assert errors == {
        "patient": [PATIENT_GAP],
        "awareness_date": ["Enter the date you became aware of the problem: the reporting clock runs from it"],
        "reporter": [REPORTER_GAP],
        "suspect_drug.name": ["Give the suspected drug or its brand or product name"],
        "reactions": ["Add at least one suspected reaction"],
        "seriousness.serious": ["Say whether the reaction was serious"],
    }


def test_empty_device_values_at_submit_list_the_minimum_data_gaps():
    assert sorted(rules.report_errors("device", {}, None, today=TODAY, level=SUBMIT)) == [
        "awareness_date",
        "device.generator",
        "incident.available_for_investigation",
        "incident.classification",
        "incident.description",
        "incident.device_location",
        "patient",
        "reporter",
    ]


@pytest.mark.parametrize("kind", ["medicine", "device"])
def test_empty_values_at_save_are_a_valid_draft(kind):
    assert rules.report_errors(kind, {}, None, today=TODAY, level=SAVE) == {}
    assert rules.report_errors(kind, {}, [], today=TODAY, level=SAVE) == {}


# --- one rule, one message, at both levels ------------------------------------------------


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"patient_age": 130}, "patient.age", "Age must be 120 years or less"),
        ({"drug_dose_unit": "mg"}, "suspect_drug.dose_unit", BLEOMYCIN_IN_MG),
        (
            {"drug_date_stopped": date(2026, 11, 18)},
            "suspect_drug.date_stopped",
            "Date stopped must be the same as or after the date started",
        ),
        ({"awareness_date": TOMORROW}, "awareness_date", "Date you became aware must be today or in the past"),
        (
            {"serious": False},
            "seriousness.criteria",
            "Seriousness criteria can only be given for a serious reaction",
        ),
    ],
)
def test_same_mistake_gives_same_message_at_save_and_submit(change, path, message):
    values = medicine_values() | change
    assert medicine_errors(values, level=SAVE) == {path: [message]}
    assert medicine_errors(values, level=SUBMIT) == {path: [message]}


def test_same_device_mistake_gives_same_message_at_save_and_submit():
    values = device_values() | {"incident_date": TOMORROW}
    expected = {"incident.date": ["Date of incident must be today or in the past"]}
    assert device_errors(values, level=SAVE) == expected
    assert device_errors(values, level=SUBMIT) == expected


# --- required before submission, not before saving ----------------------------------------


@pytest.mark.parametrize(
    ("change", "reactions", "path"),
    [
        ({}, [anaphylaxis() | {"outcome": None}], "reactions.0.outcome"),
        ({}, [anaphylaxis() | {"verbatim": None, "meddra_code": None, "ctcae_grade": None}], "reactions.0.verbatim"),
        ({}, [], "reactions"),
        ({"serious": None, "seriousness_criteria": []}, None, "seriousness.serious"),
        ({"seriousness_criteria": ["medically_significant"]}, None, "seriousness.medically_significant_details"),
        ({"drug": None, "drug_product": None}, None, "suspect_drug.name"),
        (dict.fromkeys(PATIENT_IDENTIFIERS), None, "patient"),
        (dict.fromkeys(REPORTER), None, "reporter"),
        ({"reporter_name": None}, None, "reporter.name"),
        ({"reporter_profession": None, "reporter_email": None}, None, "reporter.profession"),
    ],
)
def test_medicine_gaps_are_errors_at_submit_only(change, reactions, path):
    values = medicine_values() | change
    assert list(medicine_errors(values, reactions, level=SUBMIT)) == [path]
    assert medicine_errors(values, reactions, level=SAVE) == {}


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"incident_description": None}, "incident.description"),
        ({"incident_classification": None}, "incident.classification"),
        ({"device_location": None}, "incident.device_location"),
        ({"available_for_investigation": None}, "incident.available_for_investigation"),
        ({"generator_model": None, "electrode_model": None}, "device.generator"),
    ],
)
def test_device_gaps_are_errors_at_submit_only(change, path):
    values = device_values() | change
    assert list(device_errors(values, level=SUBMIT)) == [path]
    assert device_errors(values, level=SAVE) == {}
