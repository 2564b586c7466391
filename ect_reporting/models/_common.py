"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    """Return the current time in UTC (a callable default, never import-time)."""
    return datetime.now(UTC)


class PatientMinimumData:
    """Columns for the patient minimum data a session and its reports hold.

    Initials, sex, age, weight, height and a local hospital reference only:
    the app has no column for a name, NHS number, date of birth or address.
    """

    patient_initials: Mapped[str | None] = mapped_column(String(10))
    patient_sex: Mapped[str | None] = mapped_column(String(16))
    patient_age: Mapped[int | None]
    patient_weight_kg: Mapped[float | None]
    patient_height_cm: Mapped[float | None]
    local_reference: Mapped[str | None] = mapped_column(String(40), index=True)
