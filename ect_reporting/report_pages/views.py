"""Views of the report pages blueprint: the report page and everything done on it.

Create (from a session), edit, submit, workflow actions, comments and
follow-ups all live here, rendered from one read model per request.
Views stay thin: parse the form, call one domain function, commit,
redirect; domain exceptions reach the app's error handlers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy.orm.exc import StaleDataError

from ect_reporting import access, vocab
from ect_reporting.exceptions import Forbidden, NotAllowedNow, NotFound, ValidationFailed, VersionConflict
from ect_reporting.extensions import db
from ect_reporting.fields import report_fields
from ect_reporting.models import Report
from ect_reporting.report_pages import bp
from ect_reporting.reports import (
    acknowledgements,
    comments,
    drafts,
    duplicates,
    follow_ups,
    returns,
    services,
    workflow,
)
from ect_reporting.reports.conflicts import differences
from ect_reporting.reports.read_model import ReportView, report_view
from ect_reporting.reports.readiness import submission_problems
from ect_reporting.reports.values import other_drug_values, reaction_values, report_values
from ect_reporting.web import clinical_settings, clock_rules, current_actor, opcs_settings, organisation_code
from ect_reporting.webforms import (
    REPORT_FORMS,
    SentDateForm,
    attach_errors,
    code_pickers,
    field_anchor,
    posted_lists,
    save_form,
    typed_values,
)


def _report(report_id: int) -> Report:
    return access.visible_report(db.session, report_id, current_actor())


def _to_page(report: Report, anchor: str | None = None) -> Any:
    return redirect(url_for("reports.show", report_id=report.id, _anchor=anchor))


def render_page(view: ReportView, status: int = 200, **extra: Any) -> Any:
    """Render the report page from its read model; ``extra`` carries form errors to show in place.

    Each "Not ready to submit" item links to its field on the edit form
    (which shows the same problems as errors) when the viewer may edit.
    """
    fields = report_fields(view.report.kind)
    anchors = {path: field_anchor(fields, path) for path, _message in view.problems} if view.can_edit else {}
    page = render_template(
        "reports/report.html", view=view, report=view.report, record=view.record, problem_anchors=anchors, **extra
    )
    return page, status


@bp.get("/reports/<int:report_id>")
@login_required
def show(report_id: int) -> Any:
    """Show a report as it will be sent, with what it still lacks."""
    return render_page(report_view(db.session, current_actor(), _report(report_id), opcs=opcs_settings()))


@bp.post("/sessions/<int:session_id>/reports")
@login_required
def create(session_id: int) -> Any:
    """Create a pre-filled draft report of the chosen kind, or offer the draft this person already has.

    POST/redirect/GET either way, so a second click or a reload never makes a second draft.
    """
    session = access.visible_session(db.session, session_id, current_actor())
    kind = request.form.get("kind", "")
    if kind not in vocab.REPORT_KINDS:
        kinds = ", ".join(vocab.REPORT_KINDS.values()).lower()
        raise ValidationFailed({"kind": [f"Choose the kind of report: {kinds}"]})
    chose_new_after = request.form.get("after", type=int)
    if drafts.draft_to_continue(db.session, current_actor(), session, kind, chose_new_after=chose_new_after):
        db.session.rollback()  # nothing changed; releases the session's lock
        return redirect(url_for("reports.choose_draft", session_id=session.id, kind=kind), 303)
    report = services.create_report(
        db.session,
        current_actor(),
        session,
        kind,
        clock_rules=clock_rules(),
        organisation_code=organisation_code(),
        clinical_settings=clinical_settings(),
    )
    db.session.commit()
    flash("Draft report created and filled in from the session. Check it and add what happened.", "success")
    return redirect(url_for("reports.edit", report_id=report.id))


@bp.get("/sessions/<int:session_id>/reports/<kind>/drafts")
@login_required
def choose_draft(session_id: int, kind: str) -> Any:
    """Offer the drafts this person already has of ``kind`` from the session, or a new report anyway."""
    session = access.visible_session(db.session, session_id, current_actor())
    if kind not in vocab.REPORT_KINDS:
        raise NotFound(f"There is no kind of report called {kind}")
    existing = drafts.open_drafts(db.session, current_actor(), session, kind)
    if not existing:
        return redirect(url_for("capture.show_session", session_id=session.id))
    return render_template("reports/choose_draft.html", session=session, kind=kind, drafts=existing)


def _form(report: Report, formdata: Any = None) -> Any:
    form_class = REPORT_FORMS[report.kind]
    if formdata is not None:
        return form_class(formdata=formdata)
    data: dict[str, Any] = report_values(report)
    if report.kind == "medicine":
        data["reactions"] = reaction_values(report) or [{}]
        data["other_drugs"] = other_drug_values(report)
    return form_class(data=data)


def _render_form(report: Report, form: Any, version: int | None, status: int = 200, **extra: Any) -> Any:
    pickers = code_pickers(form, request.form)
    page = render_template(
        "reports/report_form.html",
        form=form,
        report=report,
        version=version,
        code_pickers=pickers,
        return_comment=returns.return_comment(report),
        **extra,
    )
    return page, status


# List -> (add button name, remove button name, fewest entries shown).
_LIST_BUTTONS = {
    "reactions": ("add_reaction", "remove_reaction", 1),
    "other_drugs": ("add_other_drug", "remove_other_drug", 0),
}


def _change_list(form: Any, key: str) -> bool:
    """Add or remove an entry of list ``key`` without saving (works without JavaScript)."""
    add, remove, fewest = _LIST_BUTTONS[key]
    entries = form[key]
    if request.form.get(add):
        entries.append_entry()
        return True
    index = request.form.get(remove, type=int)
    if index is None:
        return False
    if 0 <= index < len(entries):
        entries.entries.pop(index)
        while len(entries.entries) < fewest:
            entries.append_entry()
    return True


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
def edit(report_id: int) -> Any:
    """Edit a draft: save it, add or remove reactions, or submit for review."""
    report = _report(report_id)
    if report.created_by_id != current_actor().id:
        # Someone else's report: refused outright (403), not a redirect that hides the refusal.
        raise Forbidden("Only the clinician who wrote this report can change it")
    if not access.can_edit_report(current_actor(), report):
        flash("This report can no longer be edited.", "warning")
        return _to_page(report)
    if request.method == "GET":
        if request.args.get("check"):  # from the report page's "Not ready to submit" links
            return _render_problems(report, _form(report), dict(_problem_errors(report)), None, status=200)
        return _render_form(report, _form(report), report.version)
    form = _form(report, request.form)
    posted_version = request.form.get("version", type=int)
    if report.kind == "medicine" and any(_change_list(form, key) for key in _LIST_BUTTONS):
        return _render_form(report, form, posted_version)
    if request.form.get("awareness_today"):
        form.awareness_date.set_date(date.today())
        return _render_form(report, form, posted_version)
    if request.form.get("search_codes"):  # re-render with the search applied; nothing saved
        return _render_form(report, form, posted_version)
    if not form.validate():
        return _render_form(report, form, posted_version, 422)
    values = typed_values(form, report_fields(report.kind))
    lists, positions = posted_lists(form)
    try:
        saved = save_form(
            form,
            report_fields(report.kind),
            lambda: services.update_report(
                db.session,
                current_actor(),
                report,
                values,
                expected_version=posted_version,
                clock_rules=clock_rules(),
                **lists,
            ),
            positions,
        )
    except (VersionConflict, StaleDataError):
        db.session.rollback()
        db.session.refresh(report)
        others = differences(report, values, lists.get("reactions"))
        return _render_form(report, form, posted_version, 409, conflict=report, changes_by_others=others)
    if not saved:
        return _render_form(report, form, posted_version, 422)
    if request.form.get("submit_for_review"):
        return _submit(report, form, positions)
    flash("Draft saved.", "success")
    return _to_page(report)


def _flash_duplicates(report: Report) -> None:
    for warning in duplicates.duplicate_warnings(db.session, report):
        flash(warning["message"], "warning")


def _problem_errors(report: Report) -> dict[str, list[str]]:
    """Return what blocks submission as {field path: messages}, the shape field errors take."""
    errors: dict[str, list[str]] = {}
    for path, message in submission_problems(report):
        errors.setdefault(path, []).append(message)
    return errors


def _render_problems(
    report: Report, form: Any, errors: dict[str, list[str]], positions: Any, status: int = 422
) -> Any:
    """Show the edit form with what blocks submission beside each field and linked from the summary.

    One error pattern for field errors and completeness problems: the
    saved draft comes back as the form, not as a list on another page.
    """
    leftover = attach_errors(form, errors, report_fields(report.kind), positions)
    form.form_errors.extend(message for messages in leftover.values() for message in messages)
    return _render_form(report, form, report.version, status, not_ready=True)


def _submit(report: Report, form: Any, positions: Any) -> Any:
    given = workflow.TransitionInput(problems=submission_problems(report))
    try:
        workflow.apply_transition(db.session, current_actor(), report, "submit", given)
    except ValidationFailed as exc:
        db.session.rollback()
        return _render_problems(report, form, exc.errors, positions)
    _flash_duplicates(report)
    db.session.commit()
    flash("Report submitted for review by the governance lead.", "success")
    return _to_page(report)


def _sent_date() -> date | None:
    """Parse the optional "Date sent" boxes of the send action, as a field error when they are not a date."""
    form = SentDateForm(request.form)
    if form.sent_date.process_errors:
        raise ValidationFailed({"sent_date": list(form.sent_date.process_errors)})
    return form.sent_date.data


def _state_phrase(report: Report) -> str:
    """The report's state for the middle of a sentence: "submitted for review", "sent to MHRA"."""
    label = vocab.label(vocab.REPORT_STATES, report.state)
    return label[:1].lower() + label[1:]


def _confirmable(view: ReportView, action: str) -> workflow.Transition | None:
    """Return the destructive action ``action`` when this actor may take it now, else None."""
    return next((t for t in view.actions if t.action == action and t.confirm), None)


def _render_confirm(view: ReportView, transition: workflow.Transition, status: int = 200, **extra: Any) -> Any:
    page = render_template(
        "reports/confirm.html", view=view, report=view.report, record=view.record, transition=transition, **extra
    )
    return page, status


@bp.get("/reports/<int:report_id>/confirm/<action>")
@login_required
def confirm(report_id: int, action: str) -> Any:
    """Ask before a destructive action (withdraw, nullify): what happens, and the reason it needs.

    The reason box is on this page, not on every draft's report page.
    """
    view = report_view(db.session, current_actor(), _report(report_id), opcs=opcs_settings())
    transition = _confirmable(view, action)
    if transition is None:
        flash("That action cannot be taken on this report now.", "error")
        return _to_page(view.report)
    return _render_confirm(view, transition)


def _refused(report: Report, action: str, exc: ValidationFailed) -> Any:
    """Show why an action was refused where it was asked: the edit form, the confirm page or the report page."""
    if action == "submit" and access.can_edit_report(current_actor(), report):
        return _render_problems(report, _form(report), exc.errors, None)
    errors = {path: messages[0] for path, messages in exc.errors.items()}
    view = report_view(db.session, current_actor(), report, opcs=opcs_settings())
    destructive = _confirmable(view, action)
    if destructive is not None:
        comment = request.form.get("comment", "")
        return _render_confirm(view, destructive, 422, comment_error=errors.get("comment"), comment_text=comment)
    return render_page(view, 422, action_name=action, action_errors=errors, action_values=request.form)


@bp.post("/reports/<int:report_id>/transition")
@login_required
def transition(report_id: int) -> Any:
    """Take a workflow action from the report page (or a destructive one's confirm page).

    A refused action (wrong role or state) comes back as a message; a
    missing comment, reference or date comes back beside its field with
    what was typed kept.
    """
    report = _report(report_id)
    action = request.form.get("action", "")
    try:
        given = workflow.TransitionInput(
            comment=request.form.get("comment"),
            mhra_reference=request.form.get("mhra_reference"),
            sent_date=_sent_date() if action == "send" else None,
            problems=submission_problems(report) if action == "submit" else (),
        )
        workflow.apply_transition(db.session, current_actor(), report, action, given)
    except NotAllowedNow as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _to_page(report)
    except ValidationFailed as exc:
        db.session.rollback()
        return _refused(report, action, exc)
    if action == "submit":
        _flash_duplicates(report)
    db.session.commit()
    flash(f"Report {report.reference} is now {_state_phrase(report)}.", "success")
    return _to_page(report)


@bp.post("/reports/<int:report_id>/comments")
@login_required
def add_comment(report_id: int) -> Any:
    """Add a comment to a report without changing its state."""
    report = _report(report_id)
    body = request.form.get("comment", "")
    try:
        comments.add_comment(db.session, current_actor(), report, body)
    except ValidationFailed as exc:
        db.session.rollback()
        view = report_view(db.session, current_actor(), report, opcs=opcs_settings())
        return render_page(view, 422, comment_error=exc.errors["comment"][0], comment_text=body)
    db.session.commit()
    flash("Comment added.", "success")
    return _to_page(report, "comments")


def _source_version(follow_up: Report) -> int:
    """The case version a new version was copied from (a withdrawn one in between is skipped)."""
    source = follow_up.follow_up_of
    return source.case_version if source is not None else follow_up.case_version - 1


@bp.post("/reports/<int:report_id>/follow-up")
@login_required
def create_follow_up(report_id: int) -> Any:
    """Start a follow-up (or final) report from a report that has been sent."""
    report = _report(report_id)
    try:
        follow_up = follow_ups.create_follow_up(
            db.session,
            current_actor(),
            report,
            report_type=request.form.get("report_type") or "follow_up",
            clock_rules=clock_rules(),
        )
    except (NotAllowedNow, ValidationFailed) as exc:
        db.session.rollback()
        flash(str(exc) if isinstance(exc, NotAllowedNow) else exc.errors["report_type"][0], "error")
        return _to_page(report)
    db.session.commit()
    label = vocab.label(vocab.REPORT_TYPES, follow_up.report_type).lower()
    flash(
        f"Version {follow_up.case_version} of case {follow_up.case_id} is a new {label} report, "
        f"filled in from version {_source_version(follow_up)}. Add what is new."
    )
    return redirect(url_for("reports.edit", report_id=follow_up.id))


ACK_MAX_BYTES = 1_000_000  # an E2B(R3) acknowledgement is a few kilobytes; anything near 1 MB is the wrong file


def _uploaded_acknowledgement() -> bytes:
    """Return the uploaded file's bytes, refusing a missing or over-size file as a field error."""
    upload = request.files.get(acknowledgements.FIELD)
    if upload is None or not upload.filename:
        raise ValidationFailed({acknowledgements.FIELD: ["Choose the acknowledgement file to upload"]})
    content = upload.stream.read(ACK_MAX_BYTES + 1)
    if len(content) > ACK_MAX_BYTES:
        raise ValidationFailed(
            {acknowledgements.FIELD: ["The file must be smaller than 1 MB; an acknowledgement is a few kilobytes"]}
        )
    return bytes(content)


@bp.post("/reports/<int:report_id>/acknowledgement")
@login_required
def upload_acknowledgement(report_id: int) -> Any:
    """Apply the regulator's E2B(R3) acknowledgement file, uploaded from a sent report's page.

    The file may answer several reports; each one's outcome is flashed.
    A file that cannot be read or applied changes nothing and comes back
    beside the upload field.
    """
    report = _report(report_id)
    actor = current_actor()
    if not actor.has_role(*acknowledgements.ACK_ROLES):
        raise Forbidden("Only a governance lead can record the regulator's acknowledgement")
    try:
        batch = acknowledgements.read_file(_uploaded_acknowledgement())
        applied = acknowledgements.apply_acknowledgement(db.session, actor, batch)
    except (ValidationFailed, NotAllowedNow) as exc:
        db.session.rollback()
        status, message = (409, str(exc)) if isinstance(exc, NotAllowedNow) else (422, _first_error(exc))
        view = report_view(db.session, actor, report, opcs=opcs_settings())
        return render_page(view, status, ack_error=message)
    db.session.commit()
    for outcome in applied:
        flash(outcome.summary, "success" if outcome.action == "acknowledge" else "warning")
    return _to_page(report)


def _first_error(exc: ValidationFailed) -> str:
    return next((messages[0] for messages in exc.errors.values() if messages), "The file could not be applied")
