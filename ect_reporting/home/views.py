"""The clinician's home page, and the count of waiting reports in the header navigation."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import render_template
from flask_login import current_user, login_required

from ect_reporting.extensions import db
from ect_reporting.home import attention, bp
from ect_reporting.web import clock_rules, current_actor


@bp.get("/needs-attention")
@login_required
def attention_page() -> Any:
    """List the reports waiting for the signed-in person: returned first, with the reviewer's reason."""
    rules = clock_rules()
    found = attention.attention_for(db.session, current_actor(), today=date.today(), due_soon_days=rules.due_soon_days)
    return render_template("home/attention.html", attention=found, due_soon_days=rules.due_soon_days)


@bp.app_context_processor
def _attention_count() -> dict[str, Any]:
    """Give every page a callable (not a number): the COUNT runs only where the header shows it."""

    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        return attention.attention_count(db.session, current_actor())

    return {"attention_count": count}
