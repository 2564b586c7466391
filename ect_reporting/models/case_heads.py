"""Keep ``reports.is_current`` true for exactly the newest live version of each case.

A version is *current* when it is not withdrawn and no live (not
withdrawn) version follows it directly. The dashboard's case figures
count only current versions; storing the fact lets them read an index
instead of re-scanning ``reports`` for followers in every statement.

Why a flush hook rather than calls in the domain functions: versions are
created (follow-ups, final reports, amendments) and withdrawn through
several paths (pages, API, acknowledgement files, test factories, demo
data); maintaining the flag where the ORM writes the rows means none of
them can forget it, and the change lands in the same transaction as the
write that caused it. Only creating, withdrawing or deleting a version
can change the flag, so ordinary edits cost nothing; those cost one
UPDATE of the affected versions after the flush. Bulk inserts that
bypass the ORM call ``refresh`` themselves (as migration 0010 does).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, event, exists, inspect, update
from sqlalchemy.orm import Session

from ect_reporting.models.report import Report

WITHDRAWN = "withdrawn"
_PENDING = "ect_case_heads_pending"  # key in Session.info: report objects whose neighbours need a refresh


def current_expression() -> ColumnElement[bool]:
    """Return the SQL for "not withdrawn and no live version follows it" on ``reports``."""
    reports = Report.__table__
    follower = reports.alias("follower")
    live_follower = exists().where(follower.c.follow_up_of_id == reports.c.id, follower.c.state != WITHDRAWN)
    return and_(reports.c.state != WITHDRAWN, ~live_follower)


def refresh(connection: Connection | Session, ids: Iterable[int] | None = None) -> None:
    """Recompute the flag for the reports ``ids`` (every report when None) in one UPDATE."""
    reports = Report.__table__
    statement = update(reports).values(is_current=current_expression())
    if ids is not None:
        wanted = sorted(set(ids))
        if not wanted:
            return
        statement = statement.where(reports.c.id.in_(wanted))
    connection.execute(statement)


def _withdrawn_changed(report: Report) -> bool:
    """True when this flush moves the report into or out of "withdrawn"."""
    history = inspect(report).attrs.state.history
    if not history.has_changes():
        return False
    before = history.deleted[0] if history.deleted else None
    return (before == WITHDRAWN) != (report.state == WITHDRAWN)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Set the flag on new and withdrawn versions; remember whose neighbours to refresh."""
    # (report, refresh it too); a fresh list, so nothing from a failed flush lingers.
    pending: list[tuple[Report, bool]] = []
    session.info[_PENDING] = pending
    for obj in session.new:
        if isinstance(obj, Report):
            obj.is_current = obj.state != WITHDRAWN  # nothing can follow a row not yet written
            if obj.follow_up_of_id is not None or obj.follow_up_of is not None:
                pending.append((obj, False))
    for obj in session.dirty:
        if isinstance(obj, Report) and _withdrawn_changed(obj):
            obj.is_current = False if obj.state == WITHDRAWN else obj.is_current
            pending.append((obj, obj.state != WITHDRAWN))
    pending.extend((obj, False) for obj in session.deleted if isinstance(obj, Report))


@event.listens_for(Session, "after_flush_postexec")
def _after_flush(session: Session, _context: Any) -> None:
    """Recompute the flag of each changed version and the version it follows, in SQL."""
    pending: list[tuple[Report, bool]] = session.info.pop(_PENDING, [])
    if not pending:
        return
    ids = {r.follow_up_of_id for r, _ in pending if r.follow_up_of_id is not None}
    ids |= {r.id for r, itself in pending if itself}
    refresh(session.connection(), ids)
    for report_id in ids:
        loaded = session.identity_map.get(inspect(Report).identity_key_from_primary_key((report_id,)))
        if loaded is not None:
            session.expire(loaded, ["is_current"])
