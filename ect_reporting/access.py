"""Who may see and change sessions and reports.

Clinicians see and edit what they created; governance leads and
administrators see everything but edit only what they created. Lookups
raise ``NotFound`` for missing rows and ``Forbidden`` for rows the user
may not see (HTTP 404 / 403 via the blueprints' error handlers), as
Flask's tutorial ``get_post`` does.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ect_reporting.exceptions import Forbidden, NotFound
from ect_reporting.models import EctSession, Report, User
from ect_reporting.vocab import EDITABLE_STATES, REVIEWER_ROLES


def can_view_session(user: User, session: EctSession) -> bool:
    """Reviewers see every session; clinicians their own."""
    return user.has_role(*REVIEWER_ROLES) or session.created_by_id == user.id


def can_view_report(user: User, report: Report) -> bool:
    """Reviewers see every report; clinicians those they or their session created."""
    if user.has_role(*REVIEWER_ROLES) or report.created_by_id == user.id:
        return True
    return report.session is not None and report.session.created_by_id == user.id


def can_edit_session(user: User, session: EctSession) -> bool:
    """Only the clinician who recorded a session changes it; reviewers may only view it."""
    return session.created_by_id == user.id


def can_edit_report(user: User, report: Report) -> bool:
    """Only the author edits, and only while the report is a draft or returned."""
    return report.state in EDITABLE_STATES and report.created_by_id == user.id


def can_comment(user: User, report: Report) -> bool:
    """Governance leads, administrators and the report's author may comment."""
    return user.has_role(*REVIEWER_ROLES) or report.created_by_id == user.id


def visible_session(db_session: Session, session_id: int, user: User) -> EctSession:
    """Return the session or raise ``NotFound`` / ``Forbidden``."""
    session = db_session.get(EctSession, session_id)
    if session is None:
        raise NotFound(f"There is no ECT session {session_id}")
    if not can_view_session(user, session):
        raise Forbidden("You do not have access to this session")
    return session


def visible_report(db_session: Session, report_id: int, user: User) -> Report:
    """Return the report or raise ``NotFound`` / ``Forbidden``."""
    report = db_session.get(Report, report_id)
    if report is None:
        raise NotFound(f"There is no report {report_id}")
    if not can_view_report(user, report):
        raise Forbidden("You do not have access to this report")
    return report
