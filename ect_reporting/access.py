"""Who may see and change sessions and reports: the one place these rules live.

- A site is the outer boundary: nobody sees another site's sessions or
  reports except administrators (``ALL_SITES_ROLES``). Across that
  boundary a row answers 404, as if it did not exist, so ids do not tell
  one hospital what another records.
- Within a site, governance leads and administrators see every session
  and report; a clinician sees the sessions of their team (ECT is
  delivered by a team: any of them may notice a problem and report it)
  and, without a team, the sessions they recorded; and the reports of
  those sessions, plus any they wrote. Seen but not theirs answers 403.
- A report carries its own site (``Report.site_id``: its session's, or
  for a report started from a blank form its author's when it was
  created), so a report without a session is scoped like any other.
- Only the author changes a session, and only the author edits a report
  (while it is a draft or returned).

Lookups raise ``NotFound`` / ``Forbidden`` as Flask's tutorial
``get_post`` does. List pages and the review queries apply the same
rules as SQL conditions (``session_scope``, ``report_scope``), or
wrap their queries in ``only_visible_reports``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import ColumnElement, and_, event, or_, select, true
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from ect_reporting.exceptions import Forbidden, NotFound
from ect_reporting.models import EctSession, Report, User
from ect_reporting.vocab import ALL_SITES_ROLES, EDITABLE_STATES, REVIEWER_ROLES


def same_site(user: User, site_id: int) -> bool:
    """Whether ``user`` may see anything of the site ``site_id`` at all."""
    return user.has_role(*ALL_SITES_ROLES) or user.site_id == site_id


def on_team(user: User, session: EctSession) -> bool:
    """Whether ``user`` recorded ``session`` or is on the team it was recorded by."""
    return session.created_by_id == user.id or (user.team_id is not None and session.team_id == user.team_id)


def can_view_session(user: User, session: EctSession) -> bool:
    """Reviewers see their site's sessions; clinicians their team's (or, without a team, their own)."""
    if not same_site(user, session.site_id):
        return False
    return user.has_role(*REVIEWER_ROLES) or on_team(user, session)


def can_view_report(user: User, report: Report) -> bool:
    """Reviewers of the report's site see it; so do its author and whoever may see its session.

    A report started from a blank form has no session: only its author and
    the reviewers of its site see it.
    """
    if not same_site(user, report.site_id):
        return False
    if user.has_role(*REVIEWER_ROLES) or report.created_by_id == user.id:
        return True
    return report.session is not None and can_view_session(user, report.session)


def can_edit_session(user: User, session: EctSession) -> bool:
    """Only the clinician who recorded a session changes it; team mates and reviewers may only view it."""
    return session.created_by_id == user.id


def can_edit_report(user: User, report: Report) -> bool:
    """Only the author edits, and only while the report is a draft or returned."""
    return report.state in EDITABLE_STATES and report.created_by_id == user.id


def can_comment(user: User, report: Report) -> bool:
    """Governance leads and administrators of the report's site, and its author, may comment."""
    if report.created_by_id == user.id:
        return True
    return user.has_role(*REVIEWER_ROLES) and same_site(user, report.site_id)


def visible_session(db_session: Session, session_id: int, user: User) -> EctSession:
    """Return the session, or raise ``NotFound`` (missing, or another site's) / ``Forbidden``."""
    session = db_session.get(EctSession, session_id)
    if session is None or not same_site(user, session.site_id):
        raise NotFound(f"There is no ECT session {session_id}")
    if not can_view_session(user, session):
        raise Forbidden("You do not have access to this session")
    return session


def visible_report(db_session: Session, report_id: int, user: User) -> Report:
    """Return the report, or raise ``NotFound`` (missing, or another site's) / ``Forbidden``."""
    report = db_session.get(Report, report_id)
    if report is None or not same_site(user, report.site_id):
        raise NotFound(f"There is no report {report_id}")
    if not can_view_report(user, report):
        raise Forbidden("You do not have access to this report")
    return report


# --- The same rules as SQL conditions, for lists and queries ------------------


def site_limit(user: User) -> int | None:
    """The one site whose reports ``user`` may count, or None for every site (raw-SQL figures take this)."""
    return None if user.has_role(*ALL_SITES_ROLES) else user.site_id


def session_scope(user: User) -> ColumnElement[bool]:
    """Return the SQL condition for the sessions ``user`` may see (``can_view_session``)."""
    if user.has_role(*ALL_SITES_ROLES):
        return true()
    site = EctSession.site_id == user.site_id
    if user.has_role(*REVIEWER_ROLES):
        return site
    team = EctSession.created_by_id == user.id
    if user.team_id is not None:
        team = or_(team, EctSession.team_id == user.team_id)
    return and_(site, team)


def report_scope(user: User) -> ColumnElement[bool]:
    """Return the SQL condition for the reports ``user`` may see (``can_view_report``)."""
    if user.has_role(*ALL_SITES_ROLES):
        return true()
    site = Report.site_id == user.site_id
    if user.has_role(*REVIEWER_ROLES):
        return site
    sessions = Report.session_id.in_(select(EctSession.id).where(session_scope(user)))
    return and_(site, or_(Report.created_by_id == user.id, sessions))


_report_scope: ContextVar[ColumnElement[bool] | None] = ContextVar("report_scope", default=None)


@contextmanager
def only_visible_reports(user: User) -> Iterator[None]:
    """Limit every ORM query on reports run inside the block to what ``user`` may see.

    Why a block rather than a ``where`` in each query: the review queue,
    its CSV and the dashboard are many small queries (and grow), and a
    figure that forgot the condition would leak another site's counts.
    Inside the block SQLAlchemy adds ``report_scope`` to every SELECT that
    touches ``Report`` (subqueries and joins included).
    """
    marker = _report_scope.set(report_scope(user))
    try:
        yield
    finally:
        _report_scope.reset(marker)


@event.listens_for(Session, "do_orm_execute")
def _apply_report_scope(state: ORMExecuteState) -> None:
    scope = _report_scope.get()
    if scope is not None and state.is_select:
        state.statement = state.statement.options(with_loader_criteria(Report, scope))
