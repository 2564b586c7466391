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
from ect_reporting.vocab import DRUG_DOSE_UNIT, DRUGS, label

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


def body_surface_area_m2(
    weight_kg: float | None, height_cm: float | None
) -> float | None:
    """Mosteller body surface area, sqrt(height_cm * weight_kg / 3600), in m2.

    Rounded to 2 decimal places (half up) because that is how BSA is written
    on prescriptions, and the IU/m2 dose is derived from the rounded value
    so the numbers the clinician sees agree with each other. ``None`` when
    either measurement is missing, zero, negative or not finite: no number
    is better than a wrong one.
    """
    if weight_kg is None or height_cm is None:
        return None
    if not (math.isfinite(weight_kg) and math.isfinite(height_cm)):
        return None
    if weight_kg <= 0 or height_cm <= 0:
        return None
    return _round_half_up(math.sqrt(height_cm * weight_kg / 3600), 2)


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


def session_warnings(
    drug: str | None,
    route: str | None,
    dose: float | None,
    dose_unit: str | None,
    weight_kg: float | None,
    height_cm: float | None,
    drug_time: datetime.time | None,
    pulse_time: datetime.time | None,
    cumulative_bleomycin_iu: float | None = None,
    settings: ClinicalSettings = DEFAULT_SETTINGS,
) -> list[ClinicalWarning]:
    """Return the warnings for one ECT session (empty list when all is well).

    Values are the stored values of ``vocab`` (``drug`` "bleomycin",
    ``route`` "intravenous", ``dose_unit`` "IU"...). Checks that lack the
    data they need are skipped, not warned about: completeness is the job
    of form validation, and drafts are often incomplete.

    - Dose unit: bleomycin in anything but IU (mg is a classic
      transcription hazard), and then no IU-based check is attempted.
    - IV bleomycin above the ESOPE standard per m2 (exactly the standard
      is fine). Compared on the rounded IU/m2 value the user is shown.
    - IV route: first pulse outside the inclusive therapeutic window,
      including a pulse recorded before the drug.
    - Cumulative lifetime bleomycin (bleomycin sessions only):
      ``cumulative_bleomycin_iu`` is the total received *before* this
      session; this session's IU dose (any route) is added, and a total
      above the limit warns.
    """
    warnings: list[ClinicalWarning] = []
    is_bleomycin = drug == "bleomycin"
    expected_unit = DRUG_DOSE_UNIT.get(drug or "")
    unit_ok = expected_unit is None or dose_unit is None or dose_unit == expected_unit
    if not unit_ok:
        warnings.append(
            ClinicalWarning(
                "dose_unit",
                f"{label(DRUGS, drug)} is recorded in {expected_unit}, not {dose_unit}: "
                "check the dose was not transcribed in the wrong unit.",
            )
        )

    dose_in_iu = (
        dose
        if is_bleomycin and dose_unit == "IU" and dose is not None and dose >= 0
        else None
    )

    if is_bleomycin and route == "intravenous" and dose_in_iu is not None:
        per_m2 = dose_per_m2(dose_in_iu, body_surface_area_m2(weight_kg, height_cm))
        standard = settings.bleomycin_iu_per_m2_standard
        if per_m2 is not None and per_m2 > standard:
            warnings.append(
                ClinicalWarning(
                    "dose_per_m2",
                    f"IV bleomycin {_format_iu(per_m2)}/m2 is above the ESOPE standard "
                    f"of {_format_iu(standard)}/m2: check the dose, weight and height.",
                )
            )

    if route == "intravenous":
        minutes = minutes_between(drug_time, pulse_time)
        low, high = settings.pulse_window_min_minutes, settings.pulse_window_max_minutes
        if minutes is not None and not low <= minutes <= high:
            if minutes < 0:
                detail = f"is recorded {-minutes} minutes before the drug"
            elif minutes < low:
                detail = f"was {minutes} minutes after the drug (too early)"
            else:
                detail = f"was {minutes} minutes after the drug (too late)"
            warnings.append(
                ClinicalWarning(
                    "first_pulse_at",
                    f"First pulse {detail}; the ESOPE window after an IV bolus is "
                    f"{low}-{high} minutes. Check the recorded times.",
                )
            )

    if (
        is_bleomycin
        and cumulative_bleomycin_iu is not None
        and math.isfinite(cumulative_bleomycin_iu)
        and cumulative_bleomycin_iu >= 0
    ):
        total = cumulative_bleomycin_iu + (dose_in_iu or 0)
        limit = settings.bleomycin_lifetime_limit_iu
        if total > limit:
            warnings.append(
                ClinicalWarning(
                    "cumulative_bleomycin_iu",
                    f"Cumulative lifetime bleomycin {_format_iu(total)} is above the "
                    f"configured limit of {_format_iu(limit)} (sources differ: about "
                    "400,000 IU in ECT guidance, 500,000 IU in the SmPC); "
                    "watch for pulmonary toxicity.",
                )
            )
    return warnings


def age_group(age_years: float | None) -> str | None:
    """Return the ICH E2B(R3) D.2.3 age group code for an age in years.

    Bands (E2B(R3) implementation guide): neonate 0-27 days, infant 28 days
    to 23 months, child 2-11 years, adolescent 12-17, adult 18-64, elderly
    65 and over. Fractional ages are accepted. ``None`` when the age is
    missing, negative, over 120 (MHRA validation limit), not finite, or
    exactly 0: a whole-year age of 0 cannot tell a neonate from an infant,
    and sending no age group is safer than a wrong one. "Foetus" (0) is
    never derived from an age.
    """
    if age_years is None or not math.isfinite(age_years):
        return None
    if age_years <= 0 or age_years > 120:
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
