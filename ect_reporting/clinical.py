"""Pure clinical calculations and safety warnings for an ECT session.

Why warnings and never errors: the reference doc (ESOPE SOP, bleomycin
limits) gives standards that clinicians may deliberately depart from
(reduced dose in renal impairment or the elderly, a late pulse after a
delay). The app must record what actually happened, so these checks only
draw attention; they never block saving or reporting. Thresholds are
settings (``ClinicalSettings``) because sources conflict (the lifetime
bleomycin limit is about 400,000 IU in one ECT guideline but 500,000 IU in
the SmPC).

Everything here is pure (no Flask, no database) so forms, the API, records
and exports compute the same numbers.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from ect_reporting.config import int_setting
from ect_reporting.fields import MAX_AGE_YEARS

# ICH E2B(R3) D.2.3 patient age group: code -> label.
AGE_GROUPS: Final[dict[str, str]] = {
    "0": "Foetus",
    "1": "Neonate",
    "2": "Infant",
    "3": "Child",
    "4": "Adolescent",
    "5": "Adult",
    "6": "Elderly",
}


def _round_half_up(value: float, places: int) -> float:
    """Round as people do (2.5 -> 3), not banker's rounding.

    ``repr`` gives the shortest decimal that round-trips, so 1.825 rounds
    to 1.83 as a clinician doing it by hand would expect.
    """
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def body_surface_area_m2_exact(
    weight_kg: float | None, height_cm: float | None
) -> float | None:
    """Mosteller body surface area, sqrt(height_cm * weight_kg / 3600), in m2, unrounded.

    Use this for derived doses (``dose_per_m2``): dividing by the rounded
    BSA shifts the IU/m2 figure by up to 0.3% (e.g. 15,084 instead of
    15,074 IU/m2). ``None`` when either measurement is missing, zero,
    negative or not finite: no number is better than a wrong one.
    """
    if weight_kg is None or height_cm is None:
        return None
    if not (math.isfinite(weight_kg) and math.isfinite(height_cm)):
        return None
    if weight_kg <= 0 or height_cm <= 0:
        return None
    return math.sqrt(height_cm * weight_kg / 3600)


def body_surface_area_m2(
    weight_kg: float | None, height_cm: float | None
) -> float | None:
    """Mosteller body surface area in m2, rounded to 2 decimal places (half up).

    Rounded for display because that is how BSA is written on
    prescriptions. Derived doses use ``body_surface_area_m2_exact``
    instead. ``None`` in the same cases as the exact value.
    """
    exact = body_surface_area_m2_exact(weight_kg, height_cm)
    return None if exact is None else _round_half_up(exact, 2)


def dose_per_m2(dose: float | None, bsa: float | None) -> float | None:
    """Dose per m2 of body surface area, rounded to a whole unit (half up).

    ``None`` when the dose is missing, negative or not finite, or the BSA
    is missing or not positive. A zero dose gives 0.0.
    """
    if dose is None or bsa is None:
        return None
    if not (math.isfinite(dose) and math.isfinite(bsa)) or dose < 0 or bsa <= 0:
        return None
    return _round_half_up(dose / bsa, 0)


def minutes_between(
    drug_time: datetime.time | None, pulse_time: datetime.time | None
) -> int | None:
    """Whole minutes from drug administration to the first pulse.

    Both times are taken to be on the same day (an ECT session does not
    cross midnight); a pulse recorded before the drug gives a negative
    number, which the window check flags rather than hiding. Seconds are
    ignored because times are recorded to the minute (``HH:MM``).
    ``None`` if either time is missing.
    """
    if drug_time is None or pulse_time is None:
        return None
    return (pulse_time.hour * 60 + pulse_time.minute) - (
        drug_time.hour * 60 + drug_time.minute
    )


@dataclass(frozen=True)
class ClinicalSettings:
    """Thresholds for the session warnings; defaults from the reference doc.

    - ``bleomycin_iu_per_m2_standard``: ESOPE standard IV bleomycin dose.
    - ``pulse_window_min_minutes`` / ``pulse_window_max_minutes``: ESOPE
      therapeutic window for the first pulse after an IV bolus (inclusive).
    - ``bleomycin_lifetime_limit_iu``: cumulative lifetime bleomycin limit.
      Default 400,000 IU (ECT guideline) - the safer of the two published
      figures; the SmPC says 500,000 IU. Sites may set either.
    """

    bleomycin_iu_per_m2_standard: int = 15_000
    pulse_window_min_minutes: int = 8
    pulse_window_max_minutes: int = 28
    bleomycin_lifetime_limit_iu: int = 400_000

    def __post_init__(self) -> None:
        """Reject settings that would make the checks meaningless."""
        if self.bleomycin_iu_per_m2_standard <= 0:
            raise ValueError("bleomycin_iu_per_m2_standard must be positive")
        if self.bleomycin_lifetime_limit_iu <= 0:
            raise ValueError("bleomycin_lifetime_limit_iu must be positive")
        if not 0 <= self.pulse_window_min_minutes <= self.pulse_window_max_minutes:
            raise ValueError("pulse window must satisfy 0 <= min <= max")

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> ClinicalSettings:
        """Build settings from app config (``ECT_*`` keys); missing keys keep defaults.

        Raises ``ValueError`` on a bad value so a misconfigured site fails
        at start-up rather than silently warning at the wrong threshold.
        """
        default = cls()
        return cls(
            bleomycin_iu_per_m2_standard=int_setting(
                config,
                "ECT_BLEOMYCIN_IU_PER_M2_STANDARD",
                default.bleomycin_iu_per_m2_standard,
            ),
            pulse_window_min_minutes=int_setting(
                config, "ECT_PULSE_WINDOW_MIN_MINUTES", default.pulse_window_min_minutes
            ),
            pulse_window_max_minutes=int_setting(
                config, "ECT_PULSE_WINDOW_MAX_MINUTES", default.pulse_window_max_minutes
            ),
            bleomycin_lifetime_limit_iu=int_setting(
                config,
                "ECT_BLEOMYCIN_LIFETIME_LIMIT_IU",
                default.bleomycin_lifetime_limit_iu,
            ),
        )


DEFAULT_SETTINGS: Final = ClinicalSettings()


@dataclass(frozen=True)
class ClinicalWarning:
    """A non-blocking warning about one field of the session record.

    ``field`` names the key in ``record_types.Procedure`` the warning is
    about (or ``cumulative_bleomycin_iu``) so forms can show it in place.
    """

    field: str
    message: str


def _format_iu(value: float) -> str:
    return f"{value:,.0f} IU"


@dataclass(frozen=True)
class SessionFacts:
    """The recorded values of one ECT session the warnings look at.

    Values are the stored values of ``vocab`` (``drug`` "bleomycin",
    ``route`` "intravenous", ``dose_unit`` "IU"...).
    ``cumulative_bleomycin_iu`` is the total received *before* this session.
    """

    drug: str | None = None
    route: str | None = None
    dose: float | None = None
    dose_unit: str | None = None
    weight_kg: float | None = None
    height_cm: float | None = None
    drug_time: datetime.time | None = None
    pulse_time: datetime.time | None = None
    cumulative_bleomycin_iu: float | None = None

    @property
    def is_bleomycin(self) -> bool:
        """True for a bleomycin session."""
        return self.drug == "bleomycin"

    @property
    def is_intravenous(self) -> bool:
        """True for an IV session."""
        return self.route == "intravenous"

    @property
    def bleomycin_dose_iu(self) -> float | None:
        """This session's bleomycin dose in IU; ``None`` unless recorded as such.

        The dose unit itself is a hard validation rule (``rules``), so a
        session in another unit simply gets no IU-based check here.
        """
        if not self.is_bleomycin or self.dose_unit != "IU":
            return None
        if self.dose is None or self.dose < 0:
            return None
        return self.dose


def _dose_per_m2_warning(
    facts: SessionFacts, settings: ClinicalSettings
) -> ClinicalWarning | None:
    """IV bleomycin above the ESOPE standard per m2 (exactly the standard is fine).

    Compared on the rounded IU/m2 value the user is shown, derived from the
    unrounded BSA.
    """
    dose_iu = facts.bleomycin_dose_iu
    if not facts.is_intravenous or dose_iu is None:
        return None
    per_m2 = dose_per_m2(
        dose_iu, body_surface_area_m2_exact(facts.weight_kg, facts.height_cm)
    )
    standard = settings.bleomycin_iu_per_m2_standard
    if per_m2 is None or per_m2 <= standard:
        return None
    return ClinicalWarning(
        "dose_per_m2",
        f"IV bleomycin {_format_iu(per_m2)}/m2 is above the ESOPE standard "
        f"of {_format_iu(standard)}/m2: check the dose, weight and height.",
    )


def _pulse_detail(minutes: int, low: int) -> str:
    if minutes < 0:
        return f"is recorded {-minutes} minutes before the drug"
    if minutes < low:
        return f"was {minutes} minutes after the drug (too early)"
    return f"was {minutes} minutes after the drug (too late)"


def _pulse_window_warning(
    facts: SessionFacts, settings: ClinicalSettings
) -> ClinicalWarning | None:
    """IV route: first pulse outside the inclusive therapeutic window.

    A pulse recorded before the drug is outside the window too.
    """
    if not facts.is_intravenous:
        return None
    minutes = minutes_between(facts.drug_time, facts.pulse_time)
    low, high = settings.pulse_window_min_minutes, settings.pulse_window_max_minutes
    if minutes is None or low <= minutes <= high:
        return None
    return ClinicalWarning(
        "first_pulse_at",
        f"First pulse {_pulse_detail(minutes, low)}; the ESOPE window after an IV "
        f"bolus is {low}-{high} minutes. Check the recorded times.",
    )


def _cumulative_bleomycin_warning(
    facts: SessionFacts, settings: ClinicalSettings
) -> ClinicalWarning | None:
    """Cumulative lifetime bleomycin above the limit (bleomycin sessions only).

    This session's IU dose (any route) is added to the earlier total.
    """
    earlier = facts.cumulative_bleomycin_iu
    if not facts.is_bleomycin or earlier is None:
        return None
    if not math.isfinite(earlier) or earlier < 0:
        return None
    total = earlier + (facts.bleomycin_dose_iu or 0)
    limit = settings.bleomycin_lifetime_limit_iu
    if total <= limit:
        return None
    return ClinicalWarning(
        "cumulative_bleomycin_iu",
        f"Cumulative lifetime bleomycin {_format_iu(total)} is above the "
        f"configured limit of {_format_iu(limit)} (sources differ: about "
        "400,000 IU in ECT guidance, 500,000 IU in the SmPC); "
        "watch for pulmonary toxicity.",
    )


def _cisplatin_route_warning(facts: SessionFacts, settings: ClinicalSettings) -> ClinicalWarning | None:
    """Cisplatin in ECT is given into the tumour (ESOPE); an IV route is unusual and may be a slip."""
    if facts.drug != "cisplatin" or not facts.is_intravenous:
        return None
    return ClinicalWarning(
        "route",
        "Cisplatin is given intratumourally in ECT (ESOPE), not intravenously: check the route recorded.",
    )


_CHECKS: Final = (
    _cisplatin_route_warning,
    _dose_per_m2_warning,
    _pulse_window_warning,
    _cumulative_bleomycin_warning,
)


def session_warnings(
    facts: SessionFacts, settings: ClinicalSettings
) -> list[ClinicalWarning]:
    """Return the warnings for one ECT session (empty list when all is well).

    Checks that lack the data they need are skipped, not warned about:
    completeness is the job of form validation, and drafts are often
    incomplete. There is no dose-unit warning: the unit is a hard
    validation rule (``rules.check_dose_unit``), so each rule exists once.
    """
    found = (check(facts, settings) for check in _CHECKS)
    return [warning for warning in found if warning is not None]


def age_group(age_years: float | None) -> str | None:
    """Return the ICH E2B(R3) D.2.3 age group code for an age in years.

    Bands (E2B(R3) implementation guide): neonate 0-27 days, infant 28 days
    to 23 months, child 2-11 years, adolescent 12-17, adult 18-64, elderly
    65 and over. Fractional ages are accepted. ``None`` when the age is
    missing, negative, over ``MAX_AGE_YEARS`` (MHRA validation limit), not finite, or
    exactly 0: a whole-year age of 0 cannot tell a neonate from an infant,
    and sending no age group is safer than a wrong one. "Foetus" (0) is
    never derived from an age.
    """
    if age_years is None or not math.isfinite(age_years):
        return None
    if age_years <= 0 or age_years > MAX_AGE_YEARS:
        return None
    if age_years < 28 / 365.25:
        return "1"
    if age_years < 2:
        return "2"
    if age_years < 12:
        return "3"
    if age_years < 18:
        return "4"
    if age_years < 65:
        return "5"
    return "6"


def age_group_label(code: str | None) -> str:
    """Return the label for an E2B D.2.3 age group code ("" for ``None``)."""
    if code is None:
        return ""
    return AGE_GROUPS.get(code, code)
