"""Pages for recording and editing ECT sessions (reports live in ``reports.views``).

Views stay thin: parse the form, call one domain function, commit,
redirect. On bad input the page comes back with everything typed and
the errors in a summary and beside each field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ect_reporting import access, sessions
from ect_reporting.capture import bp
from ect_reporting.exceptions import Forbidden
from ect_reporting.extensions import db
from ect_reporting.fields import SESSION_FIELDS
from ect_reporting.models import EctSession
from ect_reporting.session_summary import summarise
from ect_reporting.vocab import REVIEWER_ROLES
from ect_reporting.web import clinical_settings, opcs_settings
from ect_reporting.web import current_actor as _user
from ect_reporting.webforms import SessionForm, save_form, typed_values


@bp.get("/")
@login_required
def home() -> Any:
    """Send reviewers to what needs action and clinicians to what needs their attention.

    Endpoints are looked up by name so this blueprint never imports its siblings.
    """
    for endpoint in _HOMES[current_user.has_role(*REVIEWER_ROLES)]:
        if endpoint in current_app.view_functions:
            return redirect(url_for(endpoint))
    return redirect(url_for("capture.list_sessions"))


# Each audience's home, best first (reviewer or not).
_HOMES = {True: ("review.needs_action_page", "review.queue"), False: ("home.attention_page",)}


@bp.get("/sessions")
@login_required
def list_sessions() -> Any:
    """List the sessions this user may see (their team's; reviewers their site's), newest first."""
    query = (
        select(EctSession)
        .where(access.session_scope(_user()))
        .order_by(EctSession.procedure_date.desc(), EctSession.id.desc())
    )
    page = db.paginate(query, per_page=current_app.config["ECT_PAGE_SIZE"], error_out=False)
    return render_template("capture/sessions.html", page=page)


@bp.route("/sessions/new", methods=["GET", "POST"])
@login_required
def new_session() -> Any:
    """Record a new ECT session."""
    form = SessionForm()
    if request.method == "GET":
        form.procedure_date.data = date.today()
        form.operator_name.data = current_user.full_name
    created: list[EctSession] = []
    if form.validate_on_submit() and save_form(
        form,
        SESSION_FIELDS,
        lambda: created.append(sessions.create_session(db.session, _user(), typed_values(form, SESSION_FIELDS))),
    ):
        flash("ECT session recorded.", "success")
        return redirect(url_for("capture.show_session", session_id=created[0].id))
    return render_template("capture/session_form.html", form=form, status=_status(form)), _status(form)


def _status(form: Any) -> int:
    """Answer 422 when a posted form has errors, so tools see the failure."""
    return 422 if request.method == "POST" and form.errors else 200


@bp.get("/sessions/<int:session_id>")
@login_required
def show_session(session_id: int) -> Any:
    """Show a session, its derived values, OPCS codes and reports."""
    session = access.visible_session(db.session, session_id, _user())
    return render_template(
        "capture/session.html",
        session=session,
        summary=summarise(session, clinical_settings(), opcs_settings()),
        can_edit=access.can_edit_session(_user(), session),
    )


def _session_form_data(session: EctSession) -> dict[str, Any]:
    """Return the session's values for the form; whole-number floats show without ".0"."""
    data = {}
    for field in SESSION_FIELDS:
        value = getattr(session, field.attr)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        data[field.attr] = value
    return data


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int) -> Any:
    """Change a session (its author only; 403 for anyone else, reviewers included).

    Reports already created from the session keep the values they were
    filled in with: pre-fill is a copy, so a report under review never
    changes underneath the reviewer.
    """
    session = access.visible_session(db.session, session_id, _user())
    if not access.can_edit_session(_user(), session):
        raise Forbidden("Only the clinician who recorded this session can change it")
    # On POST the form reads only what was sent, so a cleared field is cleared.
    form = SessionForm(data=_session_form_data(session)) if request.method == "GET" else SessionForm()
    if form.validate_on_submit() and save_form(
        form,
        SESSION_FIELDS,
        lambda: sessions.update_session(db.session, _user(), session, typed_values(form, SESSION_FIELDS)),
    ):
        message = "ECT session saved."
        if session.reports:
            message += " Reports already created from it keep the values they were created with."
        flash(message, "success")
        return redirect(url_for("capture.show_session", session_id=session.id))
    # ``ect_session``, not ``session``: that name is Flask's cookie session in templates.
    return render_template("capture/session_form.html", form=form, ect_session=session), _status(form)
