"""Derived facts about a session shown on its page and in the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_app_context
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


def clinical_settings() -> clinical.ClinicalSettings:
    """Read the clinical thresholds from app config when there is an app."""
    if has_app_context():
        return clinical.ClinicalSettings.from_mapping(current_app.config)
    return clinical.ClinicalSettings()


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


def summarise(session: EctSession) -> SessionSummary:
    """Compute the derived values and warnings for ``session``."""
    bsa = clinical.body_surface_area_m2(session.patient_weight_kg, session.patient_height_cm)
    warnings = clinical.session_warnings(
        session.drug,
        session.route,
        session.dose,
        session.dose_unit,
        session.patient_weight_kg,
        session.patient_height_cm,
        session.drug_time,
        session.first_pulse_time,
        cumulative_bleomycin_iu=earlier_bleomycin_iu(session),
        settings=clinical_settings(),
    )
    return SessionSummary(
        body_surface_area_m2=bsa,
        dose_per_m2=clinical.dose_per_m2(session.dose, bsa),
        minutes_drug_to_pulse=clinical.minutes_between(session.drug_time, session.first_pulse_time),
        warnings=list(warnings),
        opcs_codes=list(reference.opcs_codes_for(session.laterality, session.care_setting)),
        opcs_version=reference.opcs_version(),
    )
