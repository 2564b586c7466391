"""Pages for recording a session and writing reports.

Views stay thin: parse the form, call one domain function, commit,
redirect. On bad input the page comes back with everything typed and
the errors in a summary and beside each field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ect_reporting import access, audit, reports, sessions, workflow
from ect_reporting.capture import bp
from ect_reporting.capture.forms import (
    DeviceReportForm,
    MedicineReportForm,
    SessionForm,
    attach_errors,
    reaction_values,
    typed_values,
)
from ect_reporting.conflicts import differences
from ect_reporting.duplicates import duplicate_warnings
from ect_reporting.errors import ValidationFailed, VersionConflict
from ect_reporting.extensions import db
from ect_reporting.fields import REACTION_FIELDS, SESSION_FIELDS, report_fields
from ect_reporting.models import EctSession, Report
from ect_reporting.readiness import submission_problems
from ect_reporting.records import build_record
from ect_reporting.session_summary import summarise
from ect_reporting.vocab import REPORT_KINDS


def _user() -> Any:
    return current_user._get_current_object()


@bp.get("/")
@login_required
def home() -> Any:
    """Send reviewers to their queue and clinicians to their sessions."""
    if current_user.has_role(*access.REVIEWER_ROLES) and "review.queue" in current_app.view_functions:
        return redirect(url_for("review.queue"))
    return redirect(url_for("capture.list_sessions"))


@bp.get("/sessions")
@login_required
def list_sessions() -> Any:
    """List the sessions this user may see, newest first."""
    query = select(EctSession).order_by(EctSession.procedure_date.desc(), EctSession.id.desc())
    if not current_user.has_role(*access.REVIEWER_ROLES):
        query = query.where(EctSession.created_by_id == current_user.id)
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
    if form.validate_on_submit():
        try:
            session = sessions.create_session(db.session, _user(), typed_values(form, SESSION_FIELDS))
        except ValidationFailed as exc:
            db.session.rollback()
            leftover = attach_errors(form, exc.errors, SESSION_FIELDS)
            form.form_errors.extend(message for messages in leftover.values() for message in messages)
        else:
            db.session.commit()
            flash("ECT session recorded.", "success")
            return redirect(url_for("capture.show_session", session_id=session.id))
    return render_template("capture/session_form.html", form=form, status=_status(form)), _status(form)


def _status(form: Any) -> int:
    """Answer 422 when a posted form has errors, so tools see the failure."""
    return 422 if request.method == "POST" and form.errors else 200


@bp.get("/sessions/<int:session_id>")
@login_required
def show_session(session_id: int) -> Any:
    """Show a session, its derived values, OPCS codes and reports."""
    session = access.get_session_or_abort(session_id, _user())
    return render_template(
        "capture/session.html",
        session=session,
        summary=summarise(session),
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
    session = access.get_session_or_abort(session_id, _user())
    if not access.can_edit_session(_user(), session):
        abort(403, "Only the clinician who recorded this session can change it")
    # On POST the form reads only what was sent, so a cleared field is cleared.
    form = SessionForm(data=_session_form_data(session)) if request.method == "GET" else SessionForm()
    if form.validate_on_submit():
        try:
            sessions.update_session(db.session, _user(), session, typed_values(form, SESSION_FIELDS))
        except ValidationFailed as exc:
            db.session.rollback()
            leftover = attach_errors(form, exc.errors, SESSION_FIELDS)
            form.form_errors.extend(m for ms in leftover.values() for m in ms)
        else:
            db.session.commit()
            message = "ECT session saved."
            if session.reports:
                message += " Reports already created from it keep the values they were created with."
            flash(message, "success")
            return redirect(url_for("capture.show_session", session_id=session.id))
    # ``ect_session``, not ``session``: that name is Flask's cookie session in templates.
    return render_template("capture/session_form.html", form=form, ect_session=session), _status(form)


@bp.post("/sessions/<int:session_id>/reports")
@login_required
def create_report(session_id: int) -> Any:
    """Create a pre-filled draft report of the chosen kind."""
    session = access.get_session_or_abort(session_id, _user())
    kind = request.form.get("kind", "")
    if kind not in REPORT_KINDS:
        abort(400, "Choose a medicine or device report")
    report = reports.create_report(db.session, _user(), session, kind)
    db.session.commit()
    flash("Draft report created and filled in from the session. Check it and add what happened.", "success")
    return redirect(url_for("capture.edit_report", report_id=report.id))


def _report_form(report: Report, formdata: Any = None) -> Any:
    from ect_reporting.api.presenters import report_values

    form_class = MedicineReportForm if report.kind == "medicine" else DeviceReportForm
    if formdata is not None:
        return form_class(formdata=formdata)
    data: dict[str, Any] = report_values(report)
    if report.kind == "medicine":
        data["reactions"] = [{f.attr: getattr(r, f.attr) for f in REACTION_FIELDS} for r in report.reactions] or [{}]
    return form_class(data=data)


def _problems(report: Report) -> list[tuple[str, str]]:
    return submission_problems(report)


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
def edit_report(report_id: int) -> Any:
    """Edit a draft: save it, add or remove reactions, or submit for review."""
    report = access.get_report_or_abort(report_id, _user())
    if not access.can_edit_report(_user(), report):
        flash("This report can no longer be edited.", "warning")
        return redirect(url_for("capture.show_report", report_id=report.id))
    if request.method == "GET":
        form = _report_form(report)
        return render_template("capture/report_form.html", form=form, report=report, version=report.version)
    form = _report_form(report, request.form)
    posted_version = request.form.get("version", type=int)
    if report.kind == "medicine" and request.form.get("add_reaction"):
        form.reactions.append_entry()
        return render_template("capture/report_form.html", form=form, report=report, version=posted_version)
    if report.kind == "medicine" and request.form.get("remove_reaction"):
        index = request.form.get("remove_reaction", type=int)
        if index is not None and 0 <= index < len(form.reactions):
            form.reactions.entries.pop(index)
            if not form.reactions.entries:
                form.reactions.append_entry()
        return render_template("capture/report_form.html", form=form, report=report, version=posted_version)
    conflict = None
    changes_by_others: list[Any] = []
    if form.validate():
        values = typed_values(form, report_fields(report.kind))
        reactions, positions = reaction_values(form) if report.kind == "medicine" else (None, None)
        try:
            reports.update_report(db.session, _user(), report, values, reactions, expected_version=posted_version)
            db.session.commit()
        except ValidationFailed as exc:
            db.session.rollback()
            leftover = attach_errors(form, exc.errors, report_fields(report.kind), positions)
            form.form_errors.extend(m for ms in leftover.values() for m in ms)
        except (VersionConflict, StaleDataError):
            db.session.rollback()
            db.session.refresh(report)
            conflict = report
            changes_by_others = differences(report, values, reactions)
        else:
            if request.form.get("submit_for_review"):
                return _submit(report)
            flash("Draft saved.", "success")
            return redirect(url_for("capture.show_report", report_id=report.id))
    return (
        render_template(
            "capture/report_form.html",
            form=form,
            report=report,
            version=posted_version,
            conflict=conflict,
            changes_by_others=changes_by_others,
        ),
        409 if conflict else 422,
    )


def _submit(report: Report) -> Any:
    try:
        workflow.apply_transition(db.session, _user(), report, "submit", completeness_check=_problems)
    except ValidationFailed:
        db.session.rollback()
        flash("Draft saved, but it is not ready to submit: complete the items listed below.", "warning")
        return redirect(url_for("capture.show_report", report_id=report.id))
    warnings = duplicate_warnings(db.session, report)
    db.session.commit()
    flash("Report submitted for review by the governance lead.", "success")
    for warning in warnings:
        flash(warning["message"], "warning")
    return redirect(url_for("capture.show_report", report_id=report.id))


def render_report_page(report: Report, status: int = 200, **extra: Any) -> Any:
    """Render the report page; ``extra`` carries form errors to show in place."""
    user = _user()
    page = render_template(
        "capture/report.html",
        report=report,
        record=build_record(report),
        problems=_problems(report),
        actions=workflow.available_actions(user, report),
        can_edit=access.can_edit_report(user, report),
        history=audit.history_for(db.session, "report", report.id),
        **extra,
    )
    return page, status


@bp.get("/reports/<int:report_id>")
@login_required
def show_report(report_id: int) -> Any:
    """Show a report as it will be sent, with what it still lacks."""
    return render_report_page(access.get_report_or_abort(report_id, _user()))


@bp.post("/reports/<int:report_id>/transition")
@login_required
def transition_report(report_id: int) -> Any:
    """Take a workflow action from the report page.

    A refused action (wrong role or state) comes back as a message; a
    missing comment, reference or date comes back beside its field with
    what was typed kept.
    """
    report = access.get_report_or_abort(report_id, _user())
    action = request.form.get("action", "")
    try:
        sent_date = _optional_date(request.form.get("sent_date"))
        workflow.apply_transition(
            db.session,
            _user(),
            report,
            action,
            comment=request.form.get("comment"),
            mhra_reference=request.form.get("mhra_reference"),
            sent_date=sent_date,
            completeness_check=_problems,
        )
    except (workflow.TransitionForbidden, workflow.TransitionNotAllowed) as exc:
        db.session.rollback()
        flash(str(exc), "error")
    except ValidationFailed as exc:
        db.session.rollback()
        errors = {path: messages[0] for path, messages in exc.errors.items()}
        return render_report_page(report, 422, action_name=action, action_errors=errors, action_values=request.form)
    else:
        warnings = duplicate_warnings(db.session, report) if action == "submit" else []
        db.session.commit()
        flash(f"Report {report.reference} is now {report.state.replace('_', ' ')}.", "success")
        for warning in warnings:
            flash(warning["message"], "warning")
    return redirect(url_for("capture.show_report", report_id=report.id))


def _optional_date(text: str | None) -> date | None:
    """Parse an optional ISO date from a form, as a field error when it is not one."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed({"sent_date": ["Date sent must be a real date, for example 24 November 2026"]}) from None
