"""What needs a clinician's attention: reports returned to them, drafts due soon, other drafts.

Issue 11: a returned report was invisible to its author (no list, no
count), so it sat until its deadline passed. Plain functions: they take
the user, ``today`` and the due-soon window, and never read a request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ect_reporting.clocks import ClockStatus, clock_status
from ect_reporting.models import Report, ReportComment, User
from ect_reporting.reports.returns import return_comment
from ect_reporting.vocab import EDITABLE_STATES

URGENT: frozenset[ClockStatus] = frozenset({"overdue", "due_soon"})


@dataclass(frozen=True)
class Item:
    """One report on the list, with its clock and (when returned) the reviewer's reason."""

    report: Report
    clock: ClockStatus | None
    reason: ReportComment | None = None


@dataclass(frozen=True)
class Attention:
    """The three lists, each soonest due first."""

    returned: list[Item] = field(default_factory=list)
    due_soon: list[Item] = field(default_factory=list)
    drafts: list[Item] = field(default_factory=list)

    @property
    def total(self) -> int:
        """How many reports wait for this person (the header's count)."""
        return len(self.returned) + len(self.due_soon) + len(self.drafts)


def waiting_condition(user: User) -> ColumnElement[bool]:
    """Return the SQL test for "this person's report, waiting for them" (a draft or returned)."""
    return and_(Report.created_by_id == user.id, Report.state.in_(sorted(EDITABLE_STATES)))


def attention_for(db_session: Session, user: User, *, today: date, due_soon_days: int) -> Attention:
    """Return ``user``'s returned reports, drafts due soon (or overdue) and other drafts, in one query."""
    statement = (
        select(Report)
        .where(waiting_condition(user))
        .options(joinedload(Report.session), selectinload(Report.comments).joinedload(ReportComment.author))
        .order_by(Report.due_date.asc().nulls_last(), Report.id)
    )
    result = Attention()
    for report in db_session.scalars(statement):
        clock = clock_status(report.due_date, today, due_soon_days) if report.due_date else None
        if report.state == "returned":
            result.returned.append(Item(report, clock, return_comment(report)))
        elif clock in URGENT:
            result.due_soon.append(Item(report, clock))
        else:
            result.drafts.append(Item(report, clock))
    return result


def attention_count(db_session: Session, user: User) -> int:
    """Return how many reports wait for ``user`` (one COUNT, for the header on every page)."""
    return db_session.scalar(select(func.count()).select_from(Report).where(waiting_condition(user))) or 0
