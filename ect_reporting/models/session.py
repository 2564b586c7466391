"""An ECT session: one procedure on one patient, the root of reports."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ect_reporting.extensions import db
from ect_reporting.models._common import PatientMinimumData, utcnow

if TYPE_CHECKING:
    from ect_reporting.models.report import Report
    from ect_reporting.models.site import Site, Team
    from ect_reporting.models.user import User


class EctSession(PatientMinimumData, db.Model):
    """What was done in one electrochemotherapy procedure.

    Holds patient *minimum* data only: initials, sex, age, weight, height
    and a local hospital reference. The app never asks for a name, NHS
    number or date of birth.
    """

    __tablename__ = "ect_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Stamped from the author at creation: the session stays with the site
    # and team it was recorded in even if its author later moves.
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    procedure_date: Mapped[date]
    site_name: Mapped[str] = mapped_column(String(160))
    nation: Mapped[str] = mapped_column(String(32))
    care_setting: Mapped[str] = mapped_column(String(32))
    operator_name: Mapped[str] = mapped_column(String(120))

    histology: Mapped[str | None] = mapped_column(String(40))
    lesion_count: Mapped[int | None]
    largest_lesion_mm: Mapped[int | None]
    lesion_location: Mapped[str | None] = mapped_column(String(200))
    lesion_site: Mapped[str | None] = mapped_column(String(32))
    laterality: Mapped[str | None] = mapped_column(String(20))
    previous_irradiation: Mapped[bool | None]
    anaesthesia: Mapped[str | None] = mapped_column(String(20))

    drug: Mapped[str] = mapped_column(String(20))
    drug_product: Mapped[str | None] = mapped_column(String(120))
    drug_batch: Mapped[str | None] = mapped_column(String(35))
    route: Mapped[str] = mapped_column(String(20))
    dose: Mapped[float | None]
    dose_unit: Mapped[str | None] = mapped_column(String(8))
    drug_time: Mapped[time | None]
    first_pulse_time: Mapped[time | None]

    generator_manufacturer: Mapped[str | None] = mapped_column(String(120))
    generator_model: Mapped[str | None] = mapped_column(String(120))
    generator_serial: Mapped[str | None] = mapped_column(String(80))
    generator_software: Mapped[str | None] = mapped_column(String(40))
    electrode_type: Mapped[str | None] = mapped_column(String(40))
    electrode_model: Mapped[str | None] = mapped_column(String(120))
    electrode_lot: Mapped[str | None] = mapped_column(String(40))
    electrode_udi: Mapped[str | None] = mapped_column(String(120))
    electrode_manufacturer: Mapped[str | None] = mapped_column(String(120))
    electrode_serial: Mapped[str | None] = mapped_column(String(80))
    electrode_expiry: Mapped[date | None]
    generator_udi: Mapped[str | None] = mapped_column(String(120))
    pulses_delivered: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)

    created_by: Mapped[User] = relationship()
    site: Mapped[Site] = relationship()
    team: Mapped[Team | None] = relationship()
    reports: Mapped[list[Report]] = relationship(back_populates="session", order_by="Report.id")
