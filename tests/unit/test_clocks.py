"""Tests for the reporting clocks."""

from __future__ import annotations

import datetime

import pytest

from ect_reporting import clocks, vocab
from ect_reporting.clocks import ClockRules

AWARE = datetime.date(2025, 7, 1)
D = datetime.date


@pytest.mark.parametrize(
    ("serious", "expected"),
    [
        (True, D(2025, 7, 16)),  # 15 days
        (False, D(2025, 9, 29)),  # 90 days
        (None, D(2025, 7, 16)),  # unknown -> serious clock
    ],
)
def test_medicine_clock(serious: bool | None, expected: datetime.date) -> None:
    assert clocks.due_date("medicine", AWARE, serious, None) == expected


def test_medicine_ignores_incident_classification() -> None:
    assert clocks.due_date("medicine", AWARE, False, "death") == D(2025, 9, 29)


@pytest.mark.parametrize(
    ("classification", "expected"),
    [
        ("serious_public_health_threat", D(2025, 7, 3)),  # 2 days
        ("death", D(2025, 7, 11)),  # 10 days
        ("unanticipated_serious_deterioration", D(2025, 7, 11)),  # 10 days
        ("other_reportable", D(2025, 7, 16)),  # 15 days
        (None, D(2025, 7, 3)),  # unclassified -> shortest clock
    ],
)
def test_device_clock(classification: str | None, expected: datetime.date) -> None:
    assert clocks.due_date("device", AWARE, None, classification) == expected


@pytest.mark.parametrize("serious", [True, False, None])
def test_device_ignores_serious_flag(serious: bool | None) -> None:
    assert clocks.due_date("device", AWARE, serious, "death") == D(2025, 7, 11)


@pytest.mark.parametrize("classification", sorted(vocab.INCIDENT_CLASSIFICATIONS))
def test_every_vocab_classification_has_a_clock(classification: str) -> None:
    assert clocks.due_date("device", AWARE, None, classification) > AWARE


@pytest.mark.parametrize("kind", sorted(vocab.REPORT_KINDS))
def test_every_vocab_kind_has_a_clock(kind: str) -> None:
    assert clocks.due_date(kind, AWARE, True, "death") > AWARE


def test_clock_crosses_year_end() -> None:
    assert clocks.due_date("medicine", D(2025, 12, 20), True, None) == D(2026, 1, 4)


def test_unknown_kind_or_classification_raises() -> None:
    with pytest.raises(ValueError, match="kind"):
        clocks.due_date("cosmetic", AWARE, True, None)
    with pytest.raises(ValueError, match="classification"):
        clocks.due_date("device", AWARE, True, "minor")


def test_custom_rules() -> None:
    rules = ClockRules(medicine_serious_days=7, device_unclassified_days=15)
    assert clocks.due_date("medicine", AWARE, True, None, rules) == D(2025, 7, 8)
    assert clocks.due_date("device", AWARE, None, None, rules=rules) == D(2025, 7, 16)


def test_rules_defaults() -> None:
    assert ClockRules() == clocks.DEFAULT_RULES
    assert ClockRules.from_mapping({}) == clocks.DEFAULT_RULES


def test_rules_from_mapping() -> None:
    rules = ClockRules.from_mapping(
        {
            "ECT_CLOCK_MEDICINE_SERIOUS_DAYS": 10,
            "ECT_CLOCK_MEDICINE_NON_SERIOUS_DAYS": "60",
            "ECT_CLOCK_DEVICE_PUBLIC_HEALTH_THREAT_DAYS": 1,
            "ECT_CLOCK_DEVICE_DEATH_OR_DETERIORATION_DAYS": 5,
            "ECT_CLOCK_DEVICE_OTHER_DAYS": 14,
            "ECT_CLOCK_DEVICE_UNCLASSIFIED_DAYS": "3",
            "ECT_CLOCK_DUE_SOON_DAYS": 5,
        }
    )
    assert rules == ClockRules(10, 60, 1, 5, 14, 3, 5)


@pytest.mark.parametrize(
    "config",
    [
        {"ECT_CLOCK_DEVICE_OTHER_DAYS": -1},
        {"ECT_CLOCK_MEDICINE_SERIOUS_DAYS": "fifteen"},
        {"ECT_CLOCK_MEDICINE_SERIOUS_DAYS": 1.5},
    ],
)
def test_rules_reject_bad_config(config: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"ECT_CLOCK|negative"):
        ClockRules.from_mapping(config)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2025, 7, 17), "overdue"),  # one day late
        (D(2025, 7, 16), "due_soon"),  # due today is not yet late
        (D(2025, 7, 13), "due_soon"),  # exactly 3 days left
        (D(2025, 7, 12), "on_time"),  # 4 days left
        (D(2025, 7, 1), "on_time"),
    ],
)
def test_clock_status_boundaries(today: datetime.date, expected: str) -> None:
    assert clocks.clock_status(D(2025, 7, 16), today) == expected


def test_clock_status_custom_window() -> None:
    due = D(2025, 7, 16)
    assert clocks.clock_status(due, D(2025, 7, 12), due_soon_days=4) == "due_soon"
    assert clocks.clock_status(due, D(2025, 7, 15), due_soon_days=0) == "on_time"
    assert clocks.clock_status(due, D(2025, 7, 16), due_soon_days=0) == "due_soon"
