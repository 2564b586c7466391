"""Derived facts about a session shown on its page and in the API.

Flask-free: the clinical thresholds and the OPCS-4 coding choices are
passed in as ``ClinicalSettings`` and ``OpcsSettings`` values (callers use
``web.clinical_settings()`` and ``web.opcs_settings()``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import object_session

from ect_reporting import clinical, reference
from ect_reporting.config import OpcsSettings
from ect_reporting.models import EctSession
from ect_reporting.record_types import CodedTerm


@dataclass(frozen=True)
class SessionSummary:
    """BSA, dose per m2, drug-to-pulse minutes, warnings and OPCS codes.

    ``opcs_entries`` are the same codes as ``opcs_codes`` with their source
    status (for the page); ``opcs_notes`` say what a clinical coder must check.
    """

    body_surface_area_m2: float | None
    dose_per_m2: float | None
    minutes_drug_to_pulse: int | None
    warnings: list[clinical.ClinicalWarning] = field(default_factory=list)
    opcs_codes: list[CodedTerm] = field(default_factory=list)
    opcs_version: str = ""
    opcs_release: str = ""
    opcs_entries: tuple[reference.OpcsCode, ...] = ()
    opcs_notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """Return the API form."""
        return {
            "body_surface_area_m2": self.body_surface_area_m2,
            "dose_per_m2": self.dose_per_m2,
            "minutes_drug_to_pulse": self.minutes_drug_to_pulse,
            "warnings": [{"field": w.field, "message": w.message} for w in self.warnings],
            "opcs_codes": self.opcs_codes,
            "opcs_version": self.opcs_version,
            "opcs_release": self.opcs_release,
            "opcs_notes": list(self.opcs_notes),
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


def warning_snapshot(session: EctSession, settings: clinical.ClinicalSettings) -> list[dict[str, str]]:
    """The session's clinical warnings as plain data, to keep with a report created from it.

    A report copies the session's values when it is created; its warnings
    travel with them, so the record, page and exports show the checks that
    stood when the report was written.
    """
    warnings = clinical.session_warnings(session_facts(session), settings)
    return [{"field": w.field, "message": w.message} for w in warnings]


def opcs_coding(session: EctSession, opcs: OpcsSettings) -> reference.OpcsCoding:
    """The OPCS-4 codes of ``session``: the one place its columns meet the coding rules."""
    return reference.code_session(
        care_setting=session.care_setting,
        drug=session.drug,
        route=session.route,
        lesion_site=session.lesion_site,
        laterality=session.laterality,
        settings=opcs,
    )


def summarise(
    session: EctSession,
    settings: clinical.ClinicalSettings,
    opcs: OpcsSettings,
) -> SessionSummary:
    """Compute the derived values and warnings for ``session``.

    ``settings`` and ``opcs`` are the site's thresholds and coding choices,
    passed in as values (the blueprints read them from app config), so this
    stays Flask-free.
    The dose per m2 is derived from the unrounded BSA; the rounded BSA is
    for display.
    """
    weight, height = session.patient_weight_kg, session.patient_height_cm
    exact_bsa = clinical.body_surface_area_m2_exact(weight, height)
    coding = opcs_coding(session, opcs)
    return SessionSummary(
        body_surface_area_m2=clinical.body_surface_area_m2(weight, height),
        dose_per_m2=clinical.dose_per_m2(session.dose, exact_bsa),
        minutes_drug_to_pulse=clinical.minutes_between(session.drug_time, session.first_pulse_time),
        warnings=clinical.session_warnings(session_facts(session), settings),
        opcs_codes=coding.coded_terms(),
        opcs_version=reference.opcs_version(),
        opcs_release=reference.opcs_release(),
        opcs_entries=coding.codes,
        opcs_notes=coding.notes,
    )
