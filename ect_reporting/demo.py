"""Demo data for the run command: two sites, a team, one user per role and one ECT session.

Demo General Hospital has the skin cancer ECT team with two clinicians
(either can open the team's session and report from it), its governance
lead and the administrator; a second site, with its own clinician, shows
that sites do not see each other's sessions and reports.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ect_reporting import sessions, sites, users
from ect_reporting.models import EctSession, Site, Team, User

DEMO_PASSWORD = "demo-password-2026"
DEMO_SITE = ("DGH", "Demo General Hospital")
DEMO_TEAM = "Skin cancer ECT team"
OTHER_SITE = ("OTH", "Demo Other Hospital")
# e-mail, name, role, profession, qualification, where ("team", "site" or "other_site")
DEMO_USERS = (
    ("clinician@example.nhs.uk", "Dr Alex Morgan", "clinician", "Consultant dermatologist", "physician", "team"),
    ("nurse@example.nhs.uk", "Chris Lee", "clinician", "Clinical nurse specialist", "other_health_professional",
     "team"),
    ("governance@example.nhs.uk", "Sam Patel", "governance_lead", "Clinical governance lead", "pharmacist", "site"),
    ("admin@example.nhs.uk", "Jo Evans", "admin", "System administrator", None, "site"),
    ("other.site@example.nhs.uk", "Dr Kim Ashworth", "clinician", "Consultant plastic surgeon", "physician",
     "other_site"),
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


def _ensure_site(db_session: Session, code: str, name: str) -> Site:
    """Return the demo site with ``code``, creating it if missing."""
    site = db_session.scalar(select(Site).where(Site.code == code))
    return site or sites.create_site(db_session, None, code=code, name=name)


def _ensure_team(db_session: Session, site: Site) -> Team:
    """Return the demo team of ``site``, creating it if missing."""
    team = db_session.scalar(select(Team).where(Team.site_id == site.id, Team.name == DEMO_TEAM))
    return team or sites.create_team(db_session, None, site=site, name=DEMO_TEAM)


def _ensure_user(db_session: Session, row: tuple[str, ...], places: dict[str, tuple[Site, Team | None]]) -> User:
    """Return the demo account for the row's e-mail, creating it (at its site and team) if missing."""
    email, name, role, profession, qualification, where = row
    user = users.find_user_by_email(db_session, email)
    if user is not None:
        return user
    site, team = places[where]
    return users.create_user(
        db_session,
        email=email,
        full_name=name,
        role=role,
        password=DEMO_PASSWORD,
        profession=profession,
        qualification=qualification,
        organisation="Demo NHS Foundation Trust",
        site=site,
        team=team,
    )


def seed_demo(db_session: Session) -> list[str]:
    """Create the demo sites, team, accounts and a session if missing; return login lines."""
    home = _ensure_site(db_session, *DEMO_SITE)
    team = _ensure_team(db_session, home)
    places = {"team": (home, team), "site": (home, None), "other_site": (_ensure_site(db_session, *OTHER_SITE), None)}
    lines = ["Demo sign-ins (password for all: " + DEMO_PASSWORD + "):"]
    clinician = None
    for row in DEMO_USERS:
        user = _ensure_user(db_session, row, places)
        clinician = clinician or (user if row[2] == "clinician" else None)
        lines.append(f"  {row[2]:16} {row[0]:28} {user.site.name}{': ' + user.team.name if user.team else ''}")
    assert clinician is not None
    if not clinician_has_sessions(db_session, clinician.id):
        sessions.create_session(db_session, clinician, demo_session_values(date.today()))
    return lines


def clinician_has_sessions(db_session: Session, user_id: int) -> bool:
    """Return True when the user already recorded a session."""
    return db_session.scalar(select(EctSession.id).where(EctSession.created_by_id == user_id).limit(1)) is not None
