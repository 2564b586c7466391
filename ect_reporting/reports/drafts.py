"""No accidental duplicate drafts: offer to continue the draft a person already has.

Issue 11: pressing "Report a medicine problem" twice silently made a
second draft. Before creating a report from a session, the pages and the
API ask ``draft_to_continue``: when the same person already has an open
draft (or returned report) of the same kind from the same session, they
are offered that one instead. A second report is still possible, but only
as an explicit choice made *after seeing* the newest draft (its id is
posted back as ``after``): a double click posts twice with the same
choice, and the second post finds a newer draft than the one it saw.
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ect_reporting.models import EctSession, Report, User
from ect_reporting.vocab import EDITABLE_STATES


def open_drafts(db_session: Session, actor: User, session: EctSession, kind: str) -> list[Report]:
    """Return ``actor``'s drafts and returned reports of ``kind`` from ``session``, newest first."""
    statement = (
        select(Report)
        .where(
            Report.session_id == session.id,
            Report.created_by_id == actor.id,
            Report.kind == kind,
            Report.state.in_(sorted(EDITABLE_STATES)),
        )
        .order_by(Report.id.desc())
    )
    return list(db_session.scalars(statement))


def _lock_session(db_session: Session, session: EctSession) -> None:
    """Hold the session's row until commit, so two simultaneous clicks check one after the other.

    A no-op UPDATE takes the row lock on PostgreSQL and the write lock on
    SQLite (``SELECT ... FOR UPDATE`` does nothing there); raw SQL so the
    session's ``updated_at`` does not move.
    """
    db_session.execute(text("UPDATE ect_sessions SET id = id WHERE id = :id"), {"id": session.id})


def draft_to_continue(
    db_session: Session, actor: User, session: EctSession, kind: str, *, chose_new_after: int | None = None
) -> Report | None:
    """Return the draft to offer instead of creating a report, or None when one should be created.

    ``chose_new_after`` is the id of the newest draft the person saw when
    they chose "start a new report anyway". The caller creates the report
    (or rolls back) in the same transaction: the session stays locked until then.
    """
    _lock_session(db_session, session)
    drafts = open_drafts(db_session, actor, session, kind)
    if not drafts or drafts[0].id == chose_new_after:
        return None
    return drafts[0]
