"""Issue 10 rules and clocks, as plain functions: defective medicines and device near misses."""

from __future__ import annotations

import datetime

import pytest

from ect_reporting import clocks, rules
from ect_reporting.clocks import ClockRules
from ect_reporting.reports.services import near_miss_fills

AWARE = datetime.date(2025, 7, 1)
TODAY = datetime.date(2025, 7, 2)

COMPLETE_DEFECT = {
    "drug": "bleomycin",
    "drug_batch": "BX4471A",
    "defect_category": "container_closure",
    "defect_description": "Cracked vial noticed before reconstitution",
    "used_on_patient": False,
    "stock_location": "quarantined",
    "awareness_date": AWARE,
    "reporter_name": "Dr A",
    "reporter_profession": "Pharmacist",
}


@pytest.mark.parametrize(
    ("category", "days"),
    [(None, 15), ("container_closure", 15), ("other", 15), ("suspected_counterfeit", 0)],
)
def test_defective_medicine_clock(category, days):
    due = clocks.due_date("defective_medicine", AWARE, None, None, defect_category=category)
    assert due == AWARE + datetime.timedelta(days=days)


def test_defective_medicine_clock_is_a_setting():
    settings = ClockRules.from_mapping(
        {"ECT_CLOCK_DEFECTIVE_MEDICINE_DAYS": 7, "ECT_CLOCK_DEFECTIVE_MEDICINE_URGENT_DAYS": "1"}
    )
    assert settings.days_for("defective_medicine", None, None, "other") == 7
    assert settings.days_for("defective_medicine", None, None, "suspected_counterfeit") == 1


def test_only_a_suspected_counterfeit_is_urgent():
    assert clocks.is_urgent("defective_medicine", "suspected_counterfeit")
    assert not clocks.is_urgent("defective_medicine", "particles_discolouration")
    assert not clocks.is_urgent("medicine", "suspected_counterfeit")


def test_a_complete_defect_report_needs_no_patient():
    assert rules.report_errors("defective_medicine", COMPLETE_DEFECT, None, today=TODAY, level=rules.SUBMIT) == {}


@pytest.mark.parametrize(
    ("missing", "path"),
    [
        ("drug_batch", "product.batch"),
        ("defect_category", "defect.category"),
        ("defect_description", "defect.description"),
        ("used_on_patient", "use.used_on_patient"),
        ("stock_location", "stock.location"),
    ],
)
def test_defect_report_completeness(missing, path):
    values = {**COMPLETE_DEFECT, missing: None}
    assert path in rules.report_errors("defective_medicine", values, None, today=TODAY, level=rules.SUBMIT)
    assert rules.report_errors("defective_medicine", values, None, today=TODAY) == {}  # a draft may lack it


def test_used_on_patient_asks_whether_a_reaction_followed():
    values = {**COMPLETE_DEFECT, "used_on_patient": True}
    errors = rules.report_errors("defective_medicine", values, None, today=TODAY, level=rules.SUBMIT)
    assert list(errors) == ["use.reaction_followed"]


def test_a_product_or_drug_is_needed():
    values = {**COMPLETE_DEFECT, "drug": None}
    errors = rules.report_errors("defective_medicine", values, None, today=TODAY, level=rules.SUBMIT)
    assert "product.name" in errors
    assert rules.report_errors(
        "defective_medicine", {**values, "drug_product": "Bleo-Kyowa"}, None, today=TODAY, level=rules.SUBMIT
    ) == {}


def test_identifiers_in_the_defect_description_block_submission():
    values = {**COMPLETE_DEFECT, "defect_description": "Vial for NHS number 943 476 5919 was cracked"}
    errors = rules.report_errors("defective_medicine", values, None, today=TODAY, level=rules.SUBMIT)
    assert "defect.description" in errors


NEAR_MISS = {
    "no_patient_involved": True,
    "generator_manufacturer": "IGEA",
    "generator_model": "Cliniporator VITAE",
    "incident_description": "Self-test failure at switch-on",
    "device_location": "quarantined",
    "available_for_investigation": True,
    "awareness_date": AWARE,
    "reporter_name": "Dr A",
    "reporter_profession": "Consultant",
}


def test_near_miss_fills_f27_and_other_reportable():
    fills = near_miss_fills(NEAR_MISS)
    assert fills == {"health_effect_codes": ["F27"], "incident_classification": "other_reportable"}
    assert near_miss_fills({**NEAR_MISS, "no_patient_involved": False}) == {}
    values = {**NEAR_MISS, **fills}
    assert rules.report_errors("device", values, None, today=TODAY, level=rules.SUBMIT) == {}


@pytest.mark.parametrize(
    ("given", "path"),
    [
        ({"patient_initials": "MK"}, "patient"),
        ({"local_reference": "SEH1"}, "patient"),
        ({"patient_consequence": "Bruise"}, "incident.patient_consequence"),
        ({"health_effect_codes": ["F27", "E2008"]}, "incident.health_effect_codes"),
        ({"incident_classification": "unanticipated_serious_deterioration"}, "incident.classification"),
    ],
)
def test_near_miss_refuses_patient_data_and_harm_even_in_a_draft(given, path):
    values = {**NEAR_MISS, "health_effect_codes": ["F27"], "incident_classification": "other_reportable", **given}
    assert path in rules.report_errors("device", values, None, today=TODAY)


def test_a_device_report_with_a_patient_still_needs_one():
    values = {**NEAR_MISS, "no_patient_involved": False, "incident_classification": "other_reportable"}
    assert "patient" in rules.report_errors("device", values, None, today=TODAY, level=rules.SUBMIT)
