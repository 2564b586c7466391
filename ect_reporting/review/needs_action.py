"""The governance lead's home: every report that needs them to act, soonest due first.

Three things need a governance lead (issue 11): a report submitted for
review (review it), an approved report not yet sent (send it - these were
hidden when the queue opened on "Submitted for review"), and a report sent
``chase_days`` ago or more with no acknowledgement from the regulator
(chase it). Plain functions; the caller limits them to the lead's site
(``access.only_visible_reports``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from ect_reporting.clocks import ClockStatus, clock_status
from ect_reporting.models import Report

# What the lead must do, by the report's state (the page's "Action needed" column).
ACTIONS: Final[dict[str, str]] = {
    "submitted_for_review": "Review it",
    "approved": "Send it to the regulator",
    "sent_to_mhra": "Chase the acknowledgement",
}


@dataclass(frozen=True)
class Row:
    """One report on the list, what to do with it and its clock."""

    report: Report
    action: str
    clock: ClockStatus | None


def needs_action_condition(today: date, chase_days: int) -> ColumnElement[bool]:
    """Return the SQL test: submitted, approved, or sent at least ``chase_days`` ago and not acknowledged."""
    cutoff = today - timedelta(days=chase_days)
    waiting_for_ack = and_(
        Report.state == "sent_to_mhra",
        or_(Report.mhra_sent_date.is_(None), Report.mhra_sent_date <= cutoff),
    )
    return or_(Report.state.in_(("submitted_for_review", "approved")), waiting_for_ack)


def needs_action_statement(today: date, chase_days: int) -> Select[tuple[Report]]:
    """Return the SELECT of reports needing action, soonest due first (undated last), not paginated."""
    return (
        select(Report)
        .options(joinedload(Report.created_by), joinedload(Report.session))
        .where(needs_action_condition(today, chase_days))
        .order_by(Report.due_date.asc().nulls_last(), Report.id)
    )


def row_for(report: Report, today: date, due_soon_days: int) -> Row:
    """Return what the lead must do with ``report`` and, until it is sent, its clock."""
    running = report.state != "sent_to_mhra" and report.due_date is not None
    clock = clock_status(report.due_date, today, due_soon_days) if running and report.due_date else None
    return Row(report, ACTIONS[report.state], clock)


def needs_action_count(db_session: Session, today: date, chase_days: int) -> int:
    """Return how many reports need action (one COUNT, for the header)."""
    statement = select(func.count()).select_from(Report).where(needs_action_condition(today, chase_days))
    return db_session.scalar(statement) or 0
