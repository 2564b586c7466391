"""Unit tests for ``check_completeness``: one or more tests per rule."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest
from ect_reporting.completeness import Problem, check_completeness

TODAY = date(2025, 6, 1)


def paths(record: dict[str, Any], today: date = TODAY) -> list[str]:
    return [problem.path for problem in check_completeness(record, today=today)]


def test_complete_medicine_record_has_no_problems(medicine_record):
    assert check_completeness(medicine_record, today=TODAY) == []


def test_complete_device_record_has_no_problems(device_record):
    assert check_completeness(device_record, today=TODAY) == []


def test_problem_is_frozen_and_plain_english(medicine_record):
    medicine_record["reporter"]["name"] = None
    [problem] = check_completeness(medicine_record, today=TODAY)
    assert problem == Problem("reporter.name", "Give the reporter's name.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.path = "x"  # type: ignore[misc]


# --- identifiable patient -----------------------------------------------------


def test_patient_without_any_identifier_is_a_problem(medicine_record):
    for key in ("initials", "sex", "age_years", "local_reference"):
        medicine_record["patient"][key] = None
    assert paths(medicine_record) == ["patient"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("initials", "MR"),
        ("sex", "female"),
        ("age_years", 67),
        ("local_reference", "RXH-1"),
    ],
)
def test_any_one_patient_identifier_is_enough(medicine_record, key, value):
    for other in ("initials", "sex", "age_years", "local_reference"):
        medicine_record["patient"][other] = None
    medicine_record["patient"][key] = value
    assert paths(medicine_record) == []


def test_blank_initials_do_not_identify_the_patient(medicine_record):
    medicine_record["patient"].update(initials="  ", sex=None, age_years=None, local_reference=None)
    assert paths(medicine_record) == ["patient"]


# --- identifiable reporter ----------------------------------------------------


def test_reporter_needs_a_name(medicine_record):
    medicine_record["reporter"]["name"] = ""
    assert paths(medicine_record) == ["reporter.name"]


def test_missing_reporter_is_one_gap(medicine_record):
    medicine_record["reporter"] = {"name": None, "profession": "", "email": None, "organisation": None}
    assert paths(medicine_record) == ["reporter"]


def test_reporter_needs_profession_or_email(medicine_record):
    medicine_record["reporter"].update(profession=None, email=None)
    assert paths(medicine_record) == ["reporter.profession"]


@pytest.mark.parametrize("keep", ["profession", "email"])
def test_reporter_profession_or_email_is_enough(medicine_record, keep):
    medicine_record["reporter"]["email" if keep == "profession" else "profession"] = None
    assert paths(medicine_record) == []


# --- suspect product ----------------------------------------------------------


def test_medicine_needs_a_suspect_drug(medicine_record):
    medicine_record["medicine"]["suspect_drugs"] = []
    assert paths(medicine_record) == ["suspect_drugs"]


def test_suspect_drug_needs_drug_or_product_name(medicine_record):
    medicine_record["medicine"]["suspect_drugs"][0].update(drug=None, product_name=None)
    assert paths(medicine_record) == ["suspect_drugs.0.drug"]


def test_product_name_alone_identifies_the_suspect_drug(medicine_record):
    medicine_record["medicine"]["suspect_drugs"][0]["drug"] = None
    assert paths(medicine_record) == []


def test_device_needs_generator_make_and_model_or_electrode_model(device_record):
    device_record["device"]["generator"]["model"] = None
    device_record["device"]["electrode"]["model"] = None
    assert paths(device_record) == ["generator"]


def test_electrode_model_alone_identifies_the_device(device_record):
    device_record["device"]["generator"].update(manufacturer=None, model=None)
    assert paths(device_record) == []


def test_generator_make_and_model_alone_identify_the_device(device_record):
    device_record["device"]["electrode"]["model"] = None
    assert paths(device_record) == []


# --- reaction or incident -----------------------------------------------------


def test_medicine_needs_a_reaction(medicine_record):
    medicine_record["medicine"]["reactions"] = []
    assert paths(medicine_record) == ["reactions"]


def test_reaction_needs_own_words_or_coded_term(medicine_record):
    medicine_record["medicine"]["reactions"][1].update(verbatim=None, term=None)
    assert paths(medicine_record) == ["reactions.1.verbatim"]


@pytest.mark.parametrize("drop", ["verbatim", "term"])
def test_own_words_or_coded_term_is_enough(medicine_record, drop):
    medicine_record["medicine"]["reactions"][0][drop] = None
    assert paths(medicine_record) == []


def test_device_needs_an_incident_description(device_record):
    device_record["device"]["incident"]["description"] = " \n"
    assert paths(device_record) == ["incident.description"]


# --- MHRA receipt rules -------------------------------------------------------


def test_every_reaction_needs_an_outcome(medicine_record):
    medicine_record["medicine"]["reactions"][1]["outcome"] = None
    assert paths(medicine_record) == ["reactions.1.outcome"]


@pytest.mark.parametrize(("key", "limit"), [("age_years", 120), ("weight_kg", 500), ("height_cm", 300)])
def test_patient_measurements_have_upper_limits(medicine_record, key, limit):
    medicine_record["patient"][key] = limit
    assert paths(medicine_record) == []
    medicine_record["patient"][key] = limit + 1
    assert paths(medicine_record) == [f"patient.{key}"]


@pytest.mark.parametrize("key", ["age_years", "weight_kg", "height_cm"])
def test_patient_measurements_cannot_be_negative(medicine_record, key):
    medicine_record["patient"][key] = -1
    assert paths(medicine_record) == [f"patient.{key}"]


@pytest.mark.parametrize(
    ("section", "path"),
    [
        (("awareness_date",), "awareness_date"),
        (("procedure", "procedure_date"), "procedure.procedure_date"),
        (
            ("medicine", "suspect_drugs", 0, "date_stopped"),
            "suspect_drugs.0.date_stopped",
        ),
        (("medicine", "reactions", 0, "onset_date"), "reactions.0.onset_date"),
        (("medicine", "reactions", 1, "end_date"), "reactions.1.end_date"),
    ],
)
def test_medicine_dates_cannot_be_in_the_future(medicine_record, section, path):
    target = medicine_record
    for key in section[:-1]:
        target = target[key]
    target[section[-1]] = TODAY.isoformat()
    assert path not in paths(medicine_record)
    target[section[-1]] = (TODAY + timedelta(days=1)).isoformat()
    assert path in paths(medicine_record)


def test_device_incident_date_cannot_be_in_the_future(device_record):
    device_record["device"]["incident"]["incident_date"] = "2025-06-02"
    assert paths(device_record) == ["incident.incident_date"]


def test_due_date_may_be_in_the_future(medicine_record):
    medicine_record["due_date"] = "2030-01-01"
    assert paths(medicine_record) == []


def test_today_defaults_to_the_real_date_at_call_time(medicine_record):
    medicine_record["awareness_date"] = (date.today() + timedelta(days=1)).isoformat()
    assert [p.path for p in check_completeness(medicine_record)] == ["awareness_date"]


def test_impossible_date_is_a_problem(medicine_record):
    medicine_record["medicine"]["reactions"][0]["onset_date"] = "2025-02-30"
    [problem] = check_completeness(medicine_record, today=TODAY)
    assert problem.path == "reactions.0.onset_date"
    assert "not a valid date" in problem.message


def test_drug_cannot_stop_before_it_started(medicine_record):
    medicine_record["medicine"]["suspect_drugs"][0]["date_stopped"] = "2025-03-13"
    assert paths(medicine_record) == ["suspect_drugs.0.date_stopped"]


def test_reaction_cannot_end_before_onset(medicine_record):
    medicine_record["medicine"]["reactions"][0]["end_date"] = "2025-03-13"
    assert paths(medicine_record) == ["reactions.0.end_date"]


def test_bleomycin_suspect_drug_in_mg_is_a_problem(medicine_record):
    medicine_record["medicine"]["suspect_drugs"][0]["dose_unit"] = "mg"
    [problem] = check_completeness(medicine_record, today=TODAY)
    assert problem.path == "suspect_drugs.0.dose_unit"
    assert "IU" in problem.message


def test_bleomycin_named_only_in_product_name_in_mg_is_a_problem(medicine_record):
    medicine_record["medicine"]["suspect_drugs"][0].update(drug=None, dose_unit="mg")
    assert paths(medicine_record) == ["suspect_drugs.0.dose_unit"]


def test_bleomycin_procedure_dose_in_mg_is_a_problem(medicine_record):
    medicine_record["procedure"]["dose_unit"] = "mg"
    assert paths(medicine_record) == ["procedure.dose_unit"]


def test_cisplatin_in_iu_is_a_problem_and_in_mg_is_not(medicine_record):
    medicine_record["medicine"]["suspect_drugs"][0].update(
        drug="cisplatin", product_name="Cisplatin 1 mg/mL", dose=2.0, dose_unit="IU"
    )
    assert paths(medicine_record) == ["suspect_drugs.0.dose_unit"]
    medicine_record["medicine"]["suspect_drugs"][0]["dose_unit"] = "mg"
    assert paths(medicine_record) == []


def test_seriousness_must_be_answered(medicine_record):
    medicine_record["medicine"]["seriousness"]["serious"] = None
    assert "seriousness.serious" in paths(medicine_record)


def test_serious_needs_a_criterion(medicine_record):
    medicine_record["medicine"]["seriousness"]["criteria"]["hospitalisation"] = False
    assert paths(medicine_record) == ["seriousness.criteria"]


def test_not_serious_with_a_ticked_criterion_is_contradictory(medicine_record):
    medicine_record["medicine"]["seriousness"]["serious"] = False
    assert paths(medicine_record) == ["seriousness.serious"]


def test_not_serious_without_criteria_is_fine(medicine_record):
    medicine_record["medicine"]["seriousness"]["serious"] = False
    medicine_record["medicine"]["seriousness"]["criteria"]["hospitalisation"] = False
    assert paths(medicine_record) == []


def test_medically_significant_needs_details(medicine_record):
    seriousness = medicine_record["medicine"]["seriousness"]
    seriousness["criteria"]["medically_significant"] = True
    assert paths(medicine_record) == ["seriousness.medically_significant_details"]
    seriousness["medically_significant_details"] = "Required adrenaline."
    assert paths(medicine_record) == []


@pytest.mark.parametrize("key", ["classification", "device_location", "available_for_investigation"])
def test_device_incident_questions_must_be_answered(device_record, key):
    device_record["device"]["incident"][key] = None
    assert paths(device_record) == [f"incident.{key}"]


def test_device_not_available_for_investigation_is_an_answer(device_record):
    device_record["device"]["incident"]["available_for_investigation"] = False
    assert paths(device_record) == []


# --- robustness on partly built drafts -----------------------------------------


def test_missing_medicine_section_lists_what_to_add(medicine_record):
    medicine_record["medicine"] = None
    assert paths(medicine_record) == [
        "suspect_drugs",
        "reactions",
        "seriousness.serious",
    ]


def test_empty_record_does_not_raise():
    assert paths({}) == [
        "patient",
        "suspect_drugs",
        "reactions",
        "seriousness.serious",
        "reporter",
    ]


def test_empty_device_record_does_not_raise():
    assert paths({"kind": "device", "device": None}) == [
        "patient",
        "generator",
        "incident.description",
        "incident.classification",
        "incident.device_location",
        "incident.available_for_investigation",
        "reporter",
    ]
