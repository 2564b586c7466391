"""Views that start a report without "pre-filled from this session".

``/reports/new`` chooses the kind; with ``?kind=`` it shows the short
blank form of that kind (site, and the product, device or patient). A
medicine report can instead start from one of the person's earlier
sessions, chosen from a list. A defective medicine followed by a reaction
starts its reaction report from its own page. Domain work is in
``reports.starts``; these views parse, call, commit and redirect.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from ect_reporting import access, vocab
from ect_reporting.exceptions import ValidationFailed
from ect_reporting.extensions import db
from ect_reporting.fields import blank_form_fields
from ect_reporting.models import Report
from ect_reporting.report_pages import bp
from ect_reporting.reports import services, starts
from ect_reporting.web import clinical_settings, clock_rules, current_actor, organisation_code
from ect_reporting.webforms import BLANK_FORMS, save_form, typed_values


def _options() -> dict[str, Any]:
    return {"clock_rules": clock_rules(), "organisation_code": organisation_code()}


def _to_edit(report: Report, message: str) -> Any:
    flash(message, "success")
    return redirect(url_for("reports.edit", report_id=report.id))


@bp.route("/reports/new", methods=["GET", "POST"])
@login_required
def start() -> Any:
    """Choose a kind, then fill in the short blank form and go on to the full report."""
    kind = request.values.get("kind", "")
    if kind not in vocab.REPORT_KINDS:
        sessions = starts.sessions_to_start_from(db.session, current_actor())
        return render_template("reports/start.html", sessions=sessions)
    form = BLANK_FORMS[kind]()
    created: list[Report] = []
    fields = blank_form_fields(kind)
    # A defective medicine used on a patient may name the session it was used in.
    session_id = request.form.get("session_id", type=int) if kind == "defective_medicine" else None
    session = access.visible_session(db.session, session_id, current_actor()) if session_id else None
    if form.validate_on_submit() and save_form(
        form,
        fields,
        lambda: created.append(
            starts.start_blank_report(
                db.session, current_actor(), kind, typed_values(form, fields), session=session, **_options()
            )
        ),
    ):
        return _to_edit(created[0], "Draft report created. Fill in the rest and submit it for review.")
    status = 422 if request.method == "POST" else 200
    sessions = starts.sessions_to_start_from(db.session, current_actor()) if kind == "defective_medicine" else []
    page = render_template("reports/start_form.html", form=form, kind=kind, sessions=sessions, chosen=session_id)
    return page, status


@bp.post("/reports/new/from-session")
@login_required
def start_from_session() -> Any:
    """Start a medicine report from a patient's earlier session chosen from the list."""
    session_id = request.form.get("session_id", type=int)
    if session_id is None:
        raise ValidationFailed({"session_id": ["Choose the patient's ECT session"]})
    session = access.visible_session(db.session, session_id, current_actor())
    report = services.create_report(
        db.session, current_actor(), session, "medicine", clinical_settings=clinical_settings(), **_options()
    )
    db.session.commit()
    return _to_edit(report, "Draft report created and filled in from the session. Check it and add what happened.")


@bp.post("/reports/<int:report_id>/reaction-report")
@login_required
def start_reaction_report(report_id: int) -> Any:
    """Start the suspected reaction report of a defective medicine, pre-filled with its product and batch."""
    report = access.visible_report(db.session, report_id, current_actor())
    started = starts.start_reaction_report(db.session, current_actor(), report, **_options())
    db.session.commit()
    return _to_edit(started, f"Suspected reaction report started from {report.reference}, with its product and batch.")
