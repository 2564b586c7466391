"""Possible duplicate reports: the same event reported twice.

Two reports are *possible duplicates* when they are of the same kind,
about the same patient (local hospital reference), name the same product
(the drug for a medicine report; the pulse generator or electrode model
for a device report), and began within ``WINDOW_DAYS`` of each other.
Versions of one case (a report and its follow-ups) are never duplicates
of each other, and withdrawn reports are ignored.

A defective-medicine report has no patient: it is a possible duplicate of
another defective-medicine report of the same batch and defect category
found within ``DEFECT_WINDOW_DAYS`` (the same bad batch reported by two
people, or twice by one).

This only warns: people decide. A missing patient reference, product or
onset date gives no match, because there is nothing to compare.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ect_reporting.models import Report
from ect_reporting.reports.follow_ups import follow_up_chain

WINDOW_DAYS = 7
DEFECT_WINDOW_DAYS = 30


def onset_date(report: Report) -> date | None:
    """Return when the problem began.

    Medicine: the earliest reaction onset, else the date the drug was
    started. Device: the incident date.
    """
    if report.kind == "medicine":
        onsets = [r.onset_date for r in report.reactions if r.onset_date is not None]
        return min(onsets) if onsets else report.drug_date_started
    if report.kind == "defective_medicine":
        return report.incident_date or report.awareness_date
    return report.incident_date


def _same_product(report: Report) -> Any:
    """Return the SQL condition "names the same product as ``report``", or None."""
    if report.kind == "medicine":
        return Report.drug == report.drug if report.drug else None
    conditions = []
    if report.generator_model:
        conditions.append(Report.generator_model == report.generator_model)
    if report.electrode_model:
        conditions.append(Report.electrode_model == report.electrode_model)
    return or_(*conditions) if conditions else None


def _same_defect(report: Report) -> tuple[Any, int] | None:
    """The condition "same batch and defect" and its window in days, or None (nothing to compare)."""
    if not report.drug_batch or not report.defect_category:
        return None
    same = (Report.drug_batch == report.drug_batch) & (Report.defect_category == report.defect_category)
    return same, DEFECT_WINDOW_DAYS


def _match(report: Report) -> tuple[Any, int] | None:
    """What a possible duplicate must share with ``report``, and within how many days it began."""
    if report.kind == "defective_medicine":
        return _same_defect(report)
    product = _same_product(report)
    if not report.local_reference or product is None:
        return None
    return (Report.local_reference == report.local_reference) & product, WINDOW_DAYS


def possible_duplicates(db_session: Session, report: Report) -> list[Report]:
    """Return other live reports that may describe the same event, oldest first."""
    onset = onset_date(report)
    match = _match(report)
    if onset is None or match is None:
        return []
    same, days = match
    same_case = [r.id for r in follow_up_chain(db_session, report)] if report.id is not None else []
    candidates = db_session.scalars(
        select(Report)
        .where(
            Report.kind == report.kind,
            Report.state != "withdrawn",
            Report.id.not_in(same_case or [report.id or 0]),
            same,
        )
        .options(selectinload(Report.reactions))
        .order_by(Report.id)
    )
    window = timedelta(days=days)
    return [
        other
        for other in candidates
        if (other_onset := onset_date(other)) is not None and abs(other_onset - onset) <= window
    ]


def duplicate_warnings(db_session: Session, report: Report) -> list[dict[str, Any]]:
    """Return one warning per possible duplicate, for pages and the API."""
    if report.kind == "defective_medicine":
        same, days = "the same batch and defect", DEFECT_WINDOW_DAYS
    else:
        what = "drug" if report.kind == "medicine" else "device model"
        same, days = f"the same patient and {what}", WINDOW_DAYS
    return [
        {
            "code": "possible_duplicate",
            "report_id": other.id,
            "reference": other.reference,
            "message": (
                f"Possible duplicate: {other.reference} is about {same}, "
                f"and began within {days} days of this report. Check it is not the same event."
            ),
        }
        for other in possible_duplicates(db_session, report)
    ]
