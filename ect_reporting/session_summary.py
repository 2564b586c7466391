"""Derived facts about a session shown on its page and in the API.

Flask-free: the clinical thresholds are passed in as a ``ClinicalSettings``
value (callers build it with ``ClinicalSettings.from_mapping(current_app.config)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import object_session

from ect_reporting import clinical, reference
from ect_reporting.models import EctSession
from ect_reporting.record_types import CodedTerm


@dataclass(frozen=True)
class SessionSummary:
    """BSA, dose per m2, drug-to-pulse minutes, warnings and OPCS codes."""

    body_surface_area_m2: float | None
    dose_per_m2: float | None
    minutes_drug_to_pulse: int | None
    warnings: list[clinical.ClinicalWarning] = field(default_factory=list)
    opcs_codes: list[CodedTerm] = field(default_factory=list)
    opcs_version: str = ""

    def as_json(self) -> dict[str, Any]:
        """Return the API form."""
        return {
            "body_surface_area_m2": self.body_surface_area_m2,
            "dose_per_m2": self.dose_per_m2,
            "minutes_drug_to_pulse": self.minutes_drug_to_pulse,
            "warnings": [{"field": w.field, "message": w.message} for w in self.warnings],
            "opcs_codes": self.opcs_codes,
            "opcs_version": self.opcs_version,
        }


def earlier_bleomycin_iu(session: EctSession) -> float | None:
    """Sum bleomycin IU recorded for the same local reference before ``session``.

    Only sessions in this app are counted, so the figure is a floor: doses
    given elsewhere are not known here.
    """
    db_session = object_session(session)
    if db_session is None or not session.local_reference:
        return None
    total = db_session.scalar(
        select(func.sum(EctSession.dose)).where(
            EctSession.local_reference == session.local_reference,
            EctSession.drug == "bleomycin",
            EctSession.dose_unit == "IU",
            EctSession.id != session.id,
            or_(
                EctSession.procedure_date < session.procedure_date,
                and_(EctSession.procedure_date == session.procedure_date, EctSession.id < session.id),
            ),
        )
    )
    return float(total) if total else None


def session_facts(session: EctSession) -> clinical.SessionFacts:
    """The recorded values of ``session`` the clinical warnings look at."""
    return clinical.SessionFacts(
        drug=session.drug,
        route=session.route,
        dose=session.dose,
        dose_unit=session.dose_unit,
        weight_kg=session.patient_weight_kg,
        height_cm=session.patient_height_cm,
        drug_time=session.drug_time,
        pulse_time=session.first_pulse_time,
        cumulative_bleomycin_iu=earlier_bleomycin_iu(session),
    )


def summarise(
    session: EctSession,
    settings: clinical.ClinicalSettings,
) -> SessionSummary:
    """Compute the derived values and warnings for ``session``.

    ``settings`` are the site's thresholds, passed in as a value (the
    blueprints read them from app config), so this stays Flask-free.
    The dose per m2 is derived from the unrounded BSA; the rounded BSA is
    for display.
    """
    weight, height = session.patient_weight_kg, session.patient_height_cm
    exact_bsa = clinical.body_surface_area_m2_exact(weight, height)
    return SessionSummary(
        body_surface_area_m2=clinical.body_surface_area_m2(weight, height),
        dose_per_m2=clinical.dose_per_m2(session.dose, exact_bsa),
        minutes_drug_to_pulse=clinical.minutes_between(session.drug_time, session.first_pulse_time),
        warnings=clinical.session_warnings(session_facts(session), settings),
        opcs_codes=list(reference.opcs_codes_for(session.laterality, session.care_setting)),
        opcs_version=reference.opcs_version(),
    )
