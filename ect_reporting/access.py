"""Who may see and change sessions and reports.

Clinicians see and edit what they created; governance leads and
administrators see everything but edit only what they created. Lookups
raise 404 for missing rows and 403 for rows the user may not see, as
Flask's tutorial ``get_post`` does.
"""

from __future__ import annotations

from flask import abort

from ect_reporting.extensions import db
from ect_reporting.models import EctSession, Report, User

REVIEWER_ROLES = ("governance_lead", "admin")
EDITABLE_STATES = ("draft", "returned")


def can_view_session(user: User, session: EctSession) -> bool:
    """Reviewers see every session; clinicians their own."""
    return user.has_role(*REVIEWER_ROLES) or session.created_by_id == user.id


def can_view_report(user: User, report: Report) -> bool:
    """Reviewers see every report; clinicians those they or their session created."""
    return user.has_role(*REVIEWER_ROLES) or report.created_by_id == user.id or report.session.created_by_id == user.id


def can_edit_session(user: User, session: EctSession) -> bool:
    """Only the clinician who recorded a session changes it; reviewers may only view it."""
    return session.created_by_id == user.id


def can_edit_report(user: User, report: Report) -> bool:
    """Only the author edits, and only while the report is a draft or returned."""
    return report.state in EDITABLE_STATES and report.created_by_id == user.id


def get_session_or_abort(session_id: int, user: User) -> EctSession:
    """Return the session or raise 404 (missing) / 403 (not allowed)."""
    session = db.session.get(EctSession, session_id)
    if session is None:
        abort(404, f"There is no ECT session {session_id}")
    if not can_view_session(user, session):
        abort(403, "You do not have access to this session")
    return session


def get_report_or_abort(report_id: int, user: User) -> Report:
    """Return the report or raise 404 (missing) / 403 (not allowed)."""
    report = db.session.get(Report, report_id)
    if report is None:
        abort(404, f"There is no report {report_id}")
    if not can_view_report(user, report):
        abort(403, "You do not have access to this report")
    return report
