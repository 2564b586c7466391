"""Demo data for the run command: one user per role and one ECT session."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ect_reporting import sessions, users
from ect_reporting.models import User

DEMO_PASSWORD = "demo-password-2026"
DEMO_USERS = (
    ("clinician@example.nhs.uk", "Dr Alex Morgan", "clinician", "Consultant dermatologist", "physician"),
    ("governance@example.nhs.uk", "Sam Patel", "governance_lead", "Clinical governance lead", "pharmacist"),
    ("admin@example.nhs.uk", "Jo Evans", "admin", "System administrator", None),
)


def demo_session_values(today: date) -> dict[str, Any]:
    """Return the values of the demo ECT session, done two days before ``today``."""
    return {
        "procedure_date": today - timedelta(days=2),
        "site_name": "Demo General Hospital, Skin Cancer Unit",
        "nation": "england",
        "care_setting": "day_case",
        "operator_name": "Dr Alex Morgan",
        "patient_initials": "JB",
        "patient_sex": "female",
        "patient_age": 67,
        "patient_weight_kg": 64.0,
        "patient_height_cm": 162.0,
        "local_reference": "DGH-0042",
        "histology": "melanoma",
        "lesion_count": 6,
        "largest_lesion_mm": 18,
        "lesion_location": "Left lower leg, in-transit metastases",
        "laterality": "left",
        "previous_irradiation": False,
        "anaesthesia": "general",
        "drug": "bleomycin",
        "drug_product": "Bleomycin 15,000 IU powder for solution",
        "drug_batch": "BLM2611A",
        "route": "intravenous",
        "dose": 25000.0,
        "dose_unit": "IU",
        "drug_time": time(10, 2),
        "first_pulse_time": time(10, 12),
        "generator_manufacturer": "IGEA",
        "generator_model": "Cliniporator VITAE",
        "generator_serial": "CLV-20931",
        "generator_software": "3.1.4",
        "electrode_type": "linear_needle_array",
        "electrode_model": "N-30-4B",
        "electrode_lot": "L24117",
        "electrode_udi": "(01)08033891610013(17)271130(10)L24117",
        "pulses_delivered": 96,
    }


def _ensure_user(
    db_session: Session, email: str, name: str, role: str, profession: str, qualification: str | None
) -> User:
    """Return the demo account for ``email``, creating it if missing."""
    user = users.find_user_by_email(db_session, email)
    if user is not None:
        return user
    return users.create_user(
        db_session,
        email=email,
        full_name=name,
        role=role,
        password=DEMO_PASSWORD,
        profession=profession,
        qualification=qualification,
        organisation="Demo NHS Foundation Trust",
    )


def seed_demo(db_session: Session) -> list[str]:
    """Create the demo accounts and a session if missing; return login lines."""
    lines = ["Demo sign-ins (password for all: " + DEMO_PASSWORD + "):"]
    clinician = None
    for email, name, role, profession, qualification in DEMO_USERS:
        user = _ensure_user(db_session, email, name, role, profession, qualification)
        if role == "clinician":
            clinician = user
        lines.append(f"  {role:16} {email}")
    assert clinician is not None
    if not clinician_has_sessions(db_session, clinician.id):
        sessions.create_session(db_session, clinician, demo_session_values(date.today()))
    return lines


def clinician_has_sessions(db_session: Session, user_id: int) -> bool:
    """Return True when the user already recorded a session."""
    from sqlalchemy import select

    from ect_reporting.models import EctSession

    return db_session.scalar(select(EctSession.id).where(EctSession.created_by_id == user_id).limit(1)) is not None
