"""Reporting deadlines ("clocks") for the governance queue.

Why rules as settings: the timelines come from different regimes (MAH
medicine timelines of 15 / 90 days used as a governance default; GB
post-market surveillance device timelines of 2 / 10 / 15 days from 16 June
2025) and a trust may set stricter local targets. ``ClockRules`` holds the
numbers; ``due_date`` applies them. Days are calendar days counted from
the awareness date (day 0), as in the regulations.

Unknown inputs get the *shortest* clock that could apply, so a report is
never shown as on time when, once classified, it would turn out late. The
cost is a report that looks urgent until someone classifies it - which is
the nudge a governance queue wants.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Final, Literal

from ect_reporting.config import int_setting
from ect_reporting.vocab import REPORT_KINDS, URGENT_DEFECT_CATEGORIES

ClockStatus = Literal["overdue", "due_soon", "on_time"]

# Config key for each ClockRules field.
CONFIG_KEYS: Final[dict[str, str]] = {
    "medicine_serious_days": "ECT_CLOCK_MEDICINE_SERIOUS_DAYS",
    "medicine_non_serious_days": "ECT_CLOCK_MEDICINE_NON_SERIOUS_DAYS",
    "device_public_health_threat_days": "ECT_CLOCK_DEVICE_PUBLIC_HEALTH_THREAT_DAYS",
    "device_death_or_deterioration_days": "ECT_CLOCK_DEVICE_DEATH_OR_DETERIORATION_DAYS",
    "device_other_days": "ECT_CLOCK_DEVICE_OTHER_DAYS",
    "device_unclassified_days": "ECT_CLOCK_DEVICE_UNCLASSIFIED_DAYS",
    "due_soon_days": "ECT_CLOCK_DUE_SOON_DAYS",
    "defective_medicine_days": "ECT_CLOCK_DEFECTIVE_MEDICINE_DAYS",
    "defective_medicine_urgent_days": "ECT_CLOCK_DEFECTIVE_MEDICINE_URGENT_DAYS",
}


@dataclass(frozen=True)
class ClockRules:
    """Days allowed from awareness to report, by report kind and severity.

    - Medicine (Yellow Card; MAH timelines as the governance default):
      serious 15, non-serious 90. Unknown seriousness uses the serious
      clock: seriousness is often settled only after review, and a
      serious reaction reported on a 90-day clock would be very late.
    - Device (GB PMS serious incident timelines): serious public health
      threat 2; death or unanticipated serious deterioration 10; all other
      reportable incidents, near misses included, 15.
    - ``device_unclassified_days`` (default 2): a device incident not yet
      classified could be a serious public health threat, so it gets the
      shortest clock until someone classifies it.
    - ``due_soon_days``: how close a deadline must be to show "due soon".
    - Defective medicine (Yellow Card): ``defective_medicine_days`` (15);
      a suspected counterfeit is urgent: ``defective_medicine_urgent_days``
      (0, due the same day), since counterfeit stock may still be in use
      elsewhere.
    """

    medicine_serious_days: int = 15
    medicine_non_serious_days: int = 90
    device_public_health_threat_days: int = 2
    device_death_or_deterioration_days: int = 10
    device_other_days: int = 15
    device_unclassified_days: int = 2
    due_soon_days: int = 3
    defective_medicine_days: int = 15
    defective_medicine_urgent_days: int = 0

    def __post_init__(self) -> None:
        """Reject negative periods, which would make every report overdue."""
        for item in fields(self):
            if getattr(self, item.name) < 0:
                raise ValueError(f"{item.name} must not be negative")

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> ClockRules:
        """Build rules from app config (``ECT_CLOCK_*`` keys); missing keys keep defaults.

        Raises ``ValueError`` on a bad value so a misconfigured site fails
        at start-up instead of computing wrong deadlines.
        """
        default = cls()
        values = {
            name: int_setting(config, key, getattr(default, name))
            for name, key in CONFIG_KEYS.items()
        }
        return cls(**values)

    def days_for(
        self,
        kind: str,
        serious: bool | None,
        incident_classification: str | None,
        defect_category: str | None = None,
    ) -> int:
        """Return the number of days allowed; see ``due_date``."""
        if kind == "defective_medicine":
            if is_urgent(kind, defect_category):
                return self.defective_medicine_urgent_days
            return self.defective_medicine_days
        if kind == "medicine":
            if serious is False:
                return self.medicine_non_serious_days
            return self.medicine_serious_days  # serious, or not yet known
        if kind == "device":
            if incident_classification is None:
                return self.device_unclassified_days
            if incident_classification == "serious_public_health_threat":
                return self.device_public_health_threat_days
            if incident_classification in (
                "death",
                "unanticipated_serious_deterioration",
            ):
                return self.device_death_or_deterioration_days
            if incident_classification == "other_reportable":
                return self.device_other_days
            raise ValueError(
                f"unknown incident classification {incident_classification!r}"
            )
        raise ValueError(
            f"unknown report kind {kind!r}; expected one of {list(REPORT_KINDS)}"
        )


DEFAULT_RULES: Final = ClockRules()


def is_urgent(kind: str, defect_category: str | None) -> bool:
    """Whether a report is flagged "urgent": a defective medicine suspected to be counterfeit."""
    return kind == "defective_medicine" and defect_category in URGENT_DEFECT_CATEGORIES


def due_date(
    kind: str,
    awareness_date: datetime.date,
    serious: bool | None,
    incident_classification: str | None,
    rules: ClockRules = DEFAULT_RULES,
    defect_category: str | None = None,
) -> datetime.date:
    """Return the date a report must reach the MHRA by.

    ``kind`` is a ``vocab.REPORT_KINDS`` value. For medicine reports only
    ``serious`` matters (``None`` = not yet known, treated as serious); for
    device reports only ``incident_classification`` matters
    (``vocab.INCIDENT_CLASSIFICATIONS``; ``None`` = not yet classified,
    given the shortest device clock). Unknown kinds or classifications
    raise ``ValueError`` rather than guessing a deadline.
    """
    days = rules.days_for(kind, serious, incident_classification, defect_category)
    return awareness_date + datetime.timedelta(days=days)


def clock_status(
    due: datetime.date, today: datetime.date, due_soon_days: int = 3
) -> ClockStatus:
    """Classify a deadline for the queue.

    ``overdue`` once ``today`` is after ``due`` (a report due today is not
    yet late); ``due_soon`` when ``due`` is within ``due_soon_days`` days
    (inclusive, so due today is "due soon"); otherwise ``on_time``.
    """
    if today > due:
        return "overdue"
    if (due - today).days <= due_soon_days:
        return "due_soon"
    return "on_time"


def sent_on_time(sent: datetime.date, due: datetime.date) -> bool:
    """A report sent on its due date is on time; a day later is late.

    The same rule as ``clock_status`` (due today is not yet late), for a
    report already sent; the dashboard's SQL counts it as ``due_date >= sent``.
    """
    return sent <= due
