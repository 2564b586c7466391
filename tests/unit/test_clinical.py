"""Tests for the pure clinical calculations and session warnings."""

from __future__ import annotations

import datetime
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ect_reporting import clinical
from ect_reporting.clinical import DEFAULT_SETTINGS, ClinicalSettings, ClinicalWarning, SessionFacts

T = datetime.time
DRUG_AT = T(10, 0)
PULSE_AT = T(10, 15)


# --- body surface area ------------------------------------------------------


@pytest.mark.parametrize(
    ("weight_kg", "height_cm", "expected"),
    [
        (70, 170, 1.82),
        (60, 150, 1.58),
        (100, 180, 2.24),
        (80, 180, 2.0),
        (36, 100, 1.0),
        (70.5, 172.5, 1.84),
    ],
)
def test_bsa_known_values(weight_kg: float, height_cm: float, expected: float) -> None:
    assert clinical.body_surface_area_m2(weight_kg, height_cm) == expected


@pytest.mark.parametrize(
    ("weight_kg", "height_cm"),
    [
        (None, 170),
        (70, None),
        (None, None),
        (0, 170),
        (70, 0),
        (-70, 170),
        (70, -170),
        (math.nan, 170),
        (70, math.inf),
    ],
)
def test_bsa_missing_or_invalid(
    weight_kg: float | None, height_cm: float | None
) -> None:
    assert clinical.body_surface_area_m2(weight_kg, height_cm) is None
    assert clinical.body_surface_area_m2_exact(weight_kg, height_cm) is None


def test_exact_bsa_is_unrounded() -> None:
    exact = clinical.body_surface_area_m2_exact(70, 165)
    assert exact == pytest.approx(1.791182105)
    assert clinical.body_surface_area_m2(70, 165) == 1.79


@given(st.floats(min_value=1, max_value=300), st.floats(min_value=30, max_value=250))
def test_displayed_bsa_is_the_exact_bsa_rounded(weight: float, height: float) -> None:
    exact = clinical.body_surface_area_m2_exact(weight, height)
    assert exact is not None
    assert clinical.body_surface_area_m2(weight, height) == pytest.approx(exact, abs=0.005 + 1e-9)


@given(
    st.floats(min_value=1, max_value=300),
    st.floats(min_value=30, max_value=250),
    st.floats(min_value=0, max_value=50),
    st.floats(min_value=0, max_value=50),
)
def test_bsa_monotonic(weight: float, height: float, dw: float, dh: float) -> None:
    smaller = clinical.body_surface_area_m2(weight, height)
    larger = clinical.body_surface_area_m2(weight + dw, height + dh)
    assert smaller is not None and larger is not None
    assert larger >= smaller


# --- dose per m2 ------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "bsa", "expected"),
    [
        (27_300, 1.82, 15_000.0),
        (30_000, 2.0, 15_000.0),
        (1, 2.0, 1.0),  # 0.5 rounds half up, not to even
        (0, 1.82, 0.0),
        (13_650, 1.82, 7_500.0),
    ],
)
def test_dose_per_m2(dose: float, bsa: float, expected: float) -> None:
    assert clinical.dose_per_m2(dose, bsa) == expected


@pytest.mark.parametrize(
    ("dose", "bsa"), [(None, 1.8), (1000, None), (1000, 0), (-5, 1.8), (1000, -1)]
)
def test_dose_per_m2_missing(dose: float | None, bsa: float | None) -> None:
    assert clinical.dose_per_m2(dose, bsa) is None


# --- minutes between --------------------------------------------------------


@pytest.mark.parametrize(
    ("drug", "pulse", "expected"),
    [
        (T(10, 0), T(10, 8), 8),
        (T(10, 0), T(10, 28), 28),
        (T(9, 50), T(10, 10), 20),
        (T(10, 0), T(10, 0), 0),
        (T(10, 10), T(10, 0), -10),
        (T(10, 0, 59), T(10, 8, 0), 8),  # seconds ignored
        (None, T(10, 0), None),
        (T(10, 0), None, None),
    ],
)
def test_minutes_between(
    drug: datetime.time | None, pulse: datetime.time | None, expected: int | None
) -> None:
    assert clinical.minutes_between(drug, pulse) == expected


# --- session warnings -------------------------------------------------------


def iv_bleomycin(
    dose: float = 30_000,
    drug_time: datetime.time | None = DRUG_AT,
    pulse_time: datetime.time | None = PULSE_AT,
    cumulative_bleomycin_iu: float | None = None,
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> list[ClinicalWarning]:
    """Warnings for an IV bleomycin session, 80 kg / 180 cm.

    The BSA is exactly 2.0 m2 with or without rounding, so the dose per m2
    boundaries below are exact (the IU/m2 dose is derived from the unrounded
    BSA, see ``test_dose_per_m2_warning_uses_unrounded_bsa``).
    """
    facts = SessionFacts(
        drug="bleomycin",
        route="intravenous",
        dose=dose,
        dose_unit="IU",
        weight_kg=80,
        height_cm=180,
        drug_time=drug_time,
        pulse_time=pulse_time,
        cumulative_bleomycin_iu=cumulative_bleomycin_iu,
    )
    return clinical.session_warnings(facts, settings)


def fields_of(warnings: list[ClinicalWarning]) -> list[str]:
    return [w.field for w in warnings]


def test_standard_session_has_no_warnings() -> None:
    assert iv_bleomycin() == []


@pytest.mark.parametrize(
    ("dose", "warns"),
    [
        (30_000, False),  # exactly 15,000 IU/m2
        (30_000.9, False),  # 15,000.45 rounds to 15,000: what the user sees
        (30_001, True),  # 15,000.5 -> 15,001 (half up)
        (36_000, True),
        (15_000, False),  # reduced dose
    ],
)
def test_esope_dose_boundary(dose: float, warns: bool) -> None:
    assert ("dose_per_m2" in fields_of(iv_bleomycin(dose=dose))) is warns


def test_dose_warning_message_names_values() -> None:
    (warning,) = iv_bleomycin(dose=40_000)
    assert warning.field == "dose_per_m2"
    assert "20,000 IU/m2" in warning.message
    assert "15,000 IU/m2" in warning.message


def test_dose_standard_is_configurable() -> None:
    settings = ClinicalSettings(bleomycin_iu_per_m2_standard=10_000)
    assert "dose_per_m2" in fields_of(iv_bleomycin(settings=settings))


def test_dose_per_m2_warning_uses_unrounded_bsa() -> None:
    # Changed: the IU/m2 dose used to be divided by the BSA rounded to 2
    # places (27,000 / 1.79 = 15,084 IU/m2); the true figure from the
    # unrounded BSA (1.7912 m2) is 15,074 IU/m2.
    facts = SessionFacts(
        drug="bleomycin", route="intravenous", dose=27_000, dose_unit="IU", weight_kg=70, height_cm=165
    )
    (warning,) = clinical.session_warnings(facts, DEFAULT_SETTINGS)
    assert "15,074 IU/m2" in warning.message
    # 27,300 IU at 70 kg / 170 cm was exactly 15,000 on the rounded BSA
    # (1.82); on the unrounded BSA (1.8181) it is 15,016 and so warns.
    facts = SessionFacts(
        drug="bleomycin", route="intravenous", dose=27_300, dose_unit="IU", weight_kg=70, height_cm=170
    )
    assert fields_of(clinical.session_warnings(facts, DEFAULT_SETTINGS)) == ["dose_per_m2"]


def test_no_dose_check_without_weight_or_height() -> None:
    facts = SessionFacts(
        "bleomycin", "intravenous", 99_999, "IU", None, 170, T(10, 0), T(10, 15)
    )
    assert clinical.session_warnings(facts, DEFAULT_SETTINGS) == []


def test_intratumoural_bleomycin_has_no_per_m2_or_window_check() -> None:
    facts = SessionFacts(
        "bleomycin", "intratumoural", 99_999, "IU", 70, 170, T(10, 0), T(11, 0)
    )
    assert clinical.session_warnings(facts, DEFAULT_SETTINGS) == []


@pytest.mark.parametrize(
    ("pulse", "warns"),
    [
        (T(10, 8), False),
        (T(10, 28), False),
        (T(10, 7), True),
        (T(10, 29), True),
        (T(10, 0), True),
        (T(9, 55), True),  # pulse recorded before the drug
    ],
)
def test_pulse_window_boundaries(pulse: datetime.time, warns: bool) -> None:
    assert ("first_pulse_at" in fields_of(iv_bleomycin(pulse_time=pulse))) is warns


@pytest.mark.parametrize(
    ("pulse", "text"),
    [(T(9, 55), "before the drug"), (T(10, 5), "too early"), (T(10, 40), "too late")],
)
def test_pulse_window_messages(pulse: datetime.time, text: str) -> None:
    (warning,) = iv_bleomycin(pulse_time=pulse)
    assert text in warning.message
    assert "8-28 minutes" in warning.message


def test_pulse_window_is_configurable() -> None:
    settings = ClinicalSettings(pulse_window_min_minutes=5, pulse_window_max_minutes=10)
    assert iv_bleomycin(pulse_time=T(10, 5), settings=settings) == []
    assert fields_of(iv_bleomycin(pulse_time=T(10, 11), settings=settings)) == [
        "first_pulse_at"
    ]


def test_pulse_window_skipped_when_times_missing() -> None:
    assert iv_bleomycin(pulse_time=None) == []
    assert iv_bleomycin(drug_time=None) == []


@pytest.mark.parametrize(
    ("prior", "dose", "warns"),
    [
        (None, 27_300, False),
        (370_000, 30_000, False),  # exactly 400,000 in total
        (370_001, 30_000, True),
        (400_001, 0, True),
        (0, 30_000, False),
    ],
)
def test_cumulative_bleomycin(prior: float | None, dose: float, warns: bool) -> None:
    warnings = iv_bleomycin(dose=dose, cumulative_bleomycin_iu=prior)
    assert ("cumulative_bleomycin_iu" in fields_of(warnings)) is warns


def test_cumulative_limit_is_configurable_and_message_mentions_smpc() -> None:
    settings = ClinicalSettings(bleomycin_lifetime_limit_iu=500_000)
    assert iv_bleomycin(cumulative_bleomycin_iu=450_000, settings=settings) == []
    (warning,) = iv_bleomycin(cumulative_bleomycin_iu=450_000)
    assert "480,000 IU" in warning.message
    assert "500,000" in warning.message


def test_cumulative_not_checked_for_cisplatin() -> None:
    facts = SessionFacts("cisplatin", "intratumoural", 10, "mg", 70, 170, None, None, 900_000)
    assert clinical.session_warnings(facts, DEFAULT_SETTINGS) == []


def test_bleomycin_in_mg_has_no_unit_warning_and_skips_iu_checks() -> None:
    # Changed: there used to be a "dose_unit" warning here. The dose unit
    # (bleomycin in IU, cisplatin in mg) is a hard validation rule in
    # rules.check_dose_unit, so such a session cannot be saved; each rule
    # exists once. The IU-based checks are still skipped for a non-IU dose
    # (a 30 mg dose is not counted towards the lifetime IU total).
    facts = SessionFacts("bleomycin", "intravenous", 30, "mg", 70, 170, T(10, 0), T(10, 15), 399_990)
    assert clinical.session_warnings(facts, DEFAULT_SETTINGS) == []


def test_session_facts_is_frozen() -> None:
    facts = SessionFacts(drug="bleomycin")
    with pytest.raises(AttributeError):
        facts.drug = "cisplatin"  # type: ignore[misc]


def test_several_warnings_at_once() -> None:
    warnings = iv_bleomycin(
        dose=40_000, pulse_time=T(10, 30), cumulative_bleomycin_iu=380_000
    )
    assert fields_of(warnings) == [
        "dose_per_m2",
        "first_pulse_at",
        "cumulative_bleomycin_iu",
    ]


def test_warning_is_frozen() -> None:
    warning = ClinicalWarning("dose", "x")
    with pytest.raises(AttributeError):
        warning.field = "other"  # type: ignore[misc]


# --- settings ----------------------------------------------------------------


def test_settings_defaults() -> None:
    settings = ClinicalSettings()
    assert settings == clinical.DEFAULT_SETTINGS
    assert settings.bleomycin_iu_per_m2_standard == 15_000
    assert settings.pulse_window_min_minutes == 8
    assert settings.pulse_window_max_minutes == 28
    assert settings.bleomycin_lifetime_limit_iu == 400_000


def test_settings_from_mapping() -> None:
    settings = ClinicalSettings.from_mapping(
        {
            "ECT_BLEOMYCIN_IU_PER_M2_STANDARD": 13_500,
            "ECT_PULSE_WINDOW_MIN_MINUTES": "5",
            "ECT_PULSE_WINDOW_MAX_MINUTES": 30,
            "ECT_BLEOMYCIN_LIFETIME_LIMIT_IU": "500000",
            "UNRELATED": "ignored",
        }
    )
    assert settings == ClinicalSettings(13_500, 5, 30, 500_000)


def test_settings_from_empty_mapping_is_default() -> None:
    assert ClinicalSettings.from_mapping({}) == clinical.DEFAULT_SETTINGS


@pytest.mark.parametrize(
    "config",
    [
        {"ECT_PULSE_WINDOW_MIN_MINUTES": 30},  # min above default max
        {"ECT_BLEOMYCIN_LIFETIME_LIMIT_IU": 0},
        {"ECT_BLEOMYCIN_IU_PER_M2_STANDARD": "lots"},
        {"ECT_BLEOMYCIN_IU_PER_M2_STANDARD": 15_000.5},
        {"ECT_PULSE_WINDOW_MAX_MINUTES": True},
    ],
)
def test_settings_reject_bad_config(config: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"ECT_|must"):
        ClinicalSettings.from_mapping(config)


# --- E2B age group ----------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "code", "label"),
    [
        (0.05, "1", "Neonate"),
        (0.5, "2", "Infant"),
        (1, "2", "Infant"),
        (2, "3", "Child"),
        (11, "3", "Child"),
        (12, "4", "Adolescent"),
        (17, "4", "Adolescent"),
        (18, "5", "Adult"),
        (64, "5", "Adult"),
        (65, "6", "Elderly"),
        (120, "6", "Elderly"),
    ],
)
def test_age_group(age: float, code: str, label: str) -> None:
    assert clinical.age_group(age) == code
    assert clinical.age_group_label(code) == label


@pytest.mark.parametrize("age", [None, 0, -1, 121, math.nan])
def test_age_group_unknown(age: float | None) -> None:
    assert clinical.age_group(age) is None
    assert clinical.age_group_label(None) == ""
