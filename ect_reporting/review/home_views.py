"""The governance lead's home page, "Needs action", and its count in the header navigation."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, render_template
from flask_login import current_user

from ect_reporting import access
from ect_reporting.extensions import db
from ect_reporting.review import bp, needs_action
from ect_reporting.review.views import visible_only
from ect_reporting.vocab import REVIEWER_ROLES
from ect_reporting.web import clock_rules, current_actor, role_required


def _chase_days() -> int:
    return int(current_app.config["ECT_ACK_CHASE_DAYS"])


@bp.get("/needs-action")
@role_required(*REVIEWER_ROLES)
@visible_only
def needs_action_page() -> Any:
    """List this site's reports that need a governance lead: review, send, or chase, soonest due first."""
    today = date.today()
    due_soon_days = clock_rules().due_soon_days
    statement = needs_action.needs_action_statement(today, _chase_days())
    page = db.paginate(statement, per_page=current_app.config["ECT_PAGE_SIZE"], error_out=False)
    rows = [needs_action.row_for(report, today, due_soon_days) for report in page.items]
    return render_template("review/needs_action.html", page=page, rows=rows, chase_days=_chase_days())


@bp.app_context_processor
def _needs_action_count() -> dict[str, Any]:
    """Give every page a callable (not a number): the COUNT runs only where the header shows it."""

    def count() -> int:
        if not (current_user.is_authenticated and current_user.has_role(*REVIEWER_ROLES)):
            return 0
        with access.only_visible_reports(current_actor()):
            return needs_action.needs_action_count(db.session, date.today(), _chase_days())

    return {"needs_action_count": count}
