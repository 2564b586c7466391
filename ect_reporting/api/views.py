"""API v1 views: parse, call one domain function, commit, answer."""

from __future__ import annotations

from typing import Any

from flask import g, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ect_reporting import access, sessions
from ect_reporting.api import bp
from ect_reporting.api.auth import ApiError, api_user, authenticate_request, json_body
from ect_reporting.api.payload import parse_fields, unknown_keys
from ect_reporting.api.presenters import report_json, session_json
from ect_reporting.api.responses import json_response
from ect_reporting.errors import error_response
from ect_reporting.exceptions import Errors, Forbidden, ValidationFailed
from ect_reporting.exports.availability import available_formats, unavailable_reason
from ect_reporting.extensions import db
from ect_reporting.fields import MEDICINE_LISTS, SESSION_FIELDS, Field, report_fields
from ect_reporting.models import EctSession, Report
from ect_reporting.reports import acknowledgements, drafts, duplicates, follow_ups, services, workflow
from ect_reporting.reports.read_model import report_view
from ect_reporting.reports.readiness import submission_problems
from ect_reporting.rules import add_error
from ect_reporting.vocab import REPORT_KINDS
from ect_reporting.web import clinical_settings, clock_rules, e2b_settings, opcs_settings, organisation_code

_SENT_DATE = (Field("sent_date", "sent_date", "date", "Date sent"),)


# Operations anyone may call: the description holds no patient data, and
# client generators and validators fetch it before they have a token.
_PUBLIC_ENDPOINTS = frozenset({"api.openapi"})


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in _PUBLIC_ENDPOINTS:
        return
    if request.method in ("GET", "HEAD"):
        _read_without_transaction()
    g.api_user = authenticate_request()


def _read_without_transaction() -> None:
    """Run this read's statements in autocommit: no BEGIN and no ROLLBACK round trips.

    A report read is two statements (the token with its user, the report
    with what it shows), each consistent on its own; wrapping them in a
    transaction added two of a read's five round trips to PostgreSQL
    (issue 13). The "last used" stamp a read may write (once a minute)
    commits on its own as before. The pool restores the isolation level
    when the connection goes back. A session already in a transaction (a
    test's app context spanning requests) is left as it is.
    """
    session = db.session()
    if db.engine.dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})



def _report_body(report: Report) -> dict[str, Any]:
    """The report with its completeness (what blocks submission).

    Only the submission problems, not the whole read model: the API shows
    neither the canonical record nor the page's actions, and building them
    was most of a read's Python time (issue 13).
    """
    return report_json(report, submission_problems(report))


def _load_report(report_id: int) -> Report | None:
    """Load the report with its session, reactions and other drugs in one statement.

    ``access.visible_report`` then finds it in the identity map (the caller
    keeps the returned object referenced: the map holds it only weakly);
    without this, each relationship the presenter touches is a lazy load,
    one round trip each (issue 13).
    """
    return db.session.execute(
        select(Report)
        .where(Report.id == report_id)
        .options(joinedload(Report.session), joinedload(Report.reactions), joinedload(Report.other_drugs))
    ).unique().scalar_one_or_none()


def _commit_keeping_loaded() -> None:
    """Commit without expiring what this request holds, so the answer needs no re-select.

    Everything a new or changed report holds was set here (ids and the
    version come back from the flush), so reloading it after the commit
    would only read back what was just written.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _etag_value(report: Report) -> str:
    return f"report-{report.id}-v{report.version}"


def _etag(report: Report) -> str:
    """Return the quoted strong ETag of the report's current version."""
    return f'"{_etag_value(report)}"'


def _parse_list(key: str, raw: Any, errors: Errors) -> list[dict[str, Any]] | None:
    """Parse one list of entries (reactions, other_drugs) with paths ``key.<index>.<field>``."""
    label, fields, _ = MEDICINE_LISTS[key]
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        add_error(errors, key, f"{label} must be a list of objects")
        return None
    parsed = []
    for index, item in enumerate(raw):
        prefix = f"{key}.{index}."
        for path, messages in unknown_keys(item, fields, prefix=prefix).items():
            errors.setdefault(path, []).extend(messages)
        parsed.append(parse_fields(item, fields, errors, prefix=prefix))
    return parsed


def _parse_report_body(
    kind: str, body: dict[str, Any], extra: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]], Errors]:
    """Return the report's values, its lists that were sent (medicine reports) and the errors."""
    fields = report_fields(kind)
    lists = tuple(MEDICINE_LISTS) if kind == "medicine" else ()
    errors = unknown_keys(body, fields, extra=extra + lists)
    values = parse_fields(body, fields, errors)
    entries = {key: _parse_list(key, body[key], errors) for key in lists if key in body}
    return values, {key: parsed for key, parsed in entries.items() if parsed is not None}, errors


@bp.post("/sessions")
def create_session() -> Any:
    """Record an ECT session; 201 with Location."""
    body = json_body()
    errors = unknown_keys(body, SESSION_FIELDS)
    values = parse_fields(body, SESSION_FIELDS, errors)
    if errors:
        raise ValidationFailed(errors)
    session = sessions.create_session(db.session, api_user(), values)
    db.session.commit()
    return session_json(session), 201, {"Location": url_for("api.get_session", session_id=session.id)}


@bp.get("/sessions/<int:session_id>")
def get_session(session_id: int) -> Any:
    """Return one session with its derived values and reports."""
    session = access.visible_session(db.session, session_id, api_user())
    return session_json(session)


@bp.patch("/sessions/<int:session_id>")
def patch_session(session_id: int) -> Any:
    """Change some of a session's fields: 200, 403 (not the author) or 422.

    The body has the shape of POST /sessions, partial: absent keys are
    left alone, ``null`` clears a value. Sessions have no version, so
    there is no ETag here and the last write wins. That is acceptable
    because a report copies the session's values when it is created, so
    changing a session never changes a report a reviewer is checking.
    The audit row keeps the old and new value of every changed field.
    """
    user = api_user()
    session = access.visible_session(db.session, session_id, user)
    if not access.can_edit_session(user, session):
        raise Forbidden("Only the clinician who recorded this session can change it")
    body = json_body()
    errors = unknown_keys(body, SESSION_FIELDS)
    values = parse_fields(body, SESSION_FIELDS, errors)
    if errors:
        raise ValidationFailed(errors)
    sessions.update_session(db.session, user, session, values)
    db.session.commit()
    return session_json(session)


@bp.post("/sessions/<int:session_id>/reports")
def create_report(session_id: int) -> Any:
    """Create a medicine or device report pre-filled from the session.

    409 when the caller already has an open draft of that kind from the
    session (a retried request must not make a second one); the answer
    names it, and ``"another_draft": true`` creates a second one on purpose.
    """
    session: EctSession = access.visible_session(db.session, session_id, api_user())
    body = json_body()
    kind = body.get("kind")
    if not isinstance(kind, str) or kind not in REPORT_KINDS:
        raise ValidationFailed({"kind": [f"Kind must be one of: {', '.join(REPORT_KINDS)}"]})
    another = body.get("another_draft", False)
    values, lists, errors = _parse_report_body(kind, body, extra=("kind", "another_draft"))
    if not isinstance(another, bool):
        errors.setdefault("another_draft", []).append("another_draft must be true or false")
    if errors:
        raise ValidationFailed(errors)
    existing = None if another else drafts.draft_to_continue(db.session, api_user(), session, kind)
    if existing is not None:
        db.session.rollback()
        return _existing_draft(existing)
    report = services.create_report(
        db.session,
        api_user(),
        session,
        kind,
        values,
        clock_rules=clock_rules(),
        organisation_code=organisation_code(),
        clinical_settings=clinical_settings(),
        **lists,
    )
    _commit_keeping_loaded()
    headers = {"Location": url_for("api.get_report", report_id=report.id), "ETag": _etag(report)}
    return json_response(_report_body(report), 201, headers)


def _existing_draft(report: Report) -> Any:
    """Answer 409 (the API's one error shape) naming the caller's open draft, with its address to PATCH instead."""
    href = url_for("api.get_report", report_id=report.id)
    message = (
        f"You already have an open {report.kind} report from this session ({report.reference}). "
        f'Continue it (PATCH {href}), or send "another_draft": true to start a second one on purpose.'
    )
    response, status = error_response(
        409,
        message,
        errors={"kind": [message]},
        existing_report={"id": report.id, "href": href, "state": report.state},
    )
    response.headers["Content-Location"] = href
    return response, status


@bp.get("/reports/<int:report_id>")
def get_report(report_id: int) -> Any:
    """Return a report with an ETag; 304 when If-None-Match still matches."""
    _loaded = _load_report(report_id)  # held until we return, so visible_report finds it in the identity map
    report = access.visible_report(db.session, report_id, api_user())
    etag = _etag(report)
    if request.if_none_match.contains(_etag_value(report)):
        return "", 304, {"ETag": etag}
    return json_response(_report_body(report), 200, {"ETag": etag})


@bp.patch("/reports/<int:report_id>")
def patch_report(report_id: int) -> Any:
    """Change a report; needs If-Match with the current ETag (412 when stale)."""
    user = api_user()
    report = access.visible_report(db.session, report_id, user)
    if not access.can_edit_report(user, report):
        raise Forbidden("Only the author can change this report, and only while it is a draft or returned")
    if not request.if_match:
        return error_response(428, "Send If-Match with the report's ETag so changes are not lost")
    body = json_body()
    if not request.if_match.contains(_etag_value(report)):
        return error_response(
            412,
            "The report has changed since you fetched it",
            current_version=report.version,
            current=report_json(report),
        )
    values, lists, errors = _parse_report_body(report.kind, body, extra=())
    if errors:
        raise ValidationFailed(errors)
    # The If-Match check above already compared versions; a save racing
    # this one surfaces as StaleDataError, answered 412 by errors.py.
    services.update_report(
        db.session, user, report, values, expected_version=report.version, clock_rules=clock_rules(), **lists
    )
    db.session.commit()
    return _report_body(report), 200, {"ETag": _etag(report)}


def _renderer(fmt: str) -> Any:
    """Return the renderer for an export format (imported lazily: reportlab is heavy)."""
    if fmt == "json":
        from ect_reporting.exports.json_export import JsonRenderer

        return JsonRenderer()
    if fmt == "pdf":
        from ect_reporting.exports.pdf import PdfRenderer

        return PdfRenderer()
    if fmt == "fhir.json":
        from ect_reporting.exports.fhir import FhirRenderer

        return FhirRenderer()
    if fmt == "xml":
        from ect_reporting.exports.e2b import E2bRenderer

        return E2bRenderer(e2b_settings())
    return None


# Formats that refuse an incomplete report: a FHIR Bundle goes to other systems,
# which cannot tell a partial one from a complete one (JSON and PDF are drafts people read).
# Machine-readable exports a receiver loads as they are: never a partial file.
_COMPLETE_ONLY_FORMATS = frozenset({"fhir.json", "xml"})


def _refusal(fmt: str, problems: list[dict[str, str]]) -> Any:
    """The 422 answer (what is missing) instead of a partial FHIR Bundle; None when the export may go ahead.

    Returned, not raised: the HTTPException handler keeps only the message, and the
    caller needs the paths.
    """
    if fmt not in _COMPLETE_ONLY_FORMATS or not problems:
        return None
    errors: Errors = {}
    for problem in problems:
        add_error(errors, problem["path"], problem["message"])
    what = {"xml": "an E2B(R3) message", "fhir.json": "a FHIR Bundle"}[fmt]
    return error_response(
        422,
        f"The report is not complete, so it cannot be exported as {what}: complete what is listed",
        errors=errors,
        problems=problems,
        completeness={"complete": False, "problems": problems},
    )


@bp.get("/reports/<int:report_id>/export.<fmt>")
def export_report(report_id: int, fmt: str) -> Any:
    """Download the report as JSON, PDF, E2B(R3) XML or FHIR (``fhir.json``), rendered from the canonical record.

    The default converter matches dots, so ``export.fhir.json`` gives ``fmt="fhir.json"``.
    """
    from flask import Response

    from ect_reporting.audit import record_event
    from ect_reporting.exports.e2b_validation import E2bInvalid

    user = api_user()
    report = access.visible_report(db.session, report_id, user)
    renderer = _renderer(fmt)
    if renderer is None:
        raise ApiError(404, f"Unknown export format '{fmt}'; use json, pdf, xml or fhir.json")
    view = report_view(db.session, user, report, opcs=opcs_settings())
    unavailable = unavailable_reason(report.kind, fmt)
    if unavailable is not None:
        return error_response(409, unavailable, kind=report.kind, formats=available_formats(report.kind))
    refusal = _refusal(fmt, view.problem_dicts())
    if refusal is not None:
        return refusal
    try:
        export = renderer.generate(view.record)
    except E2bInvalid as exc:
        return error_response(
            422, "The E2B(R3) message failed validation against the ICH schema", schema_errors=exc.messages
        )
    record_event(
        db.session,
        actor=user,
        action="export",
        object_type="report",
        object_id=report.id,
        details={"format": fmt, "version": report.version},
    )
    db.session.commit()
    return Response(
        export.content,
        mimetype=export.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"', "Cache-Control": "no-store"},
    )


@bp.get("/schema/report.json")
def report_schema() -> Any:
    """Publish the JSON Schema the JSON export conforms to."""
    from ect_reporting.schemas import report_schema as load_schema

    return load_schema(), 200, {"Content-Type": "application/schema+json"}


@bp.get("/openapi.json")
def openapi() -> Any:
    """Publish the OpenAPI 3.1 description of API v1 (generated from the field tables; no token needed)."""
    from ect_reporting.api.openapi import openapi_document

    return openapi_document()


@bp.post("/reports/<int:report_id>/transitions")
def transition(report_id: int) -> Any:
    """Move a report through the workflow: 200, 403, 409 or 422."""
    user = api_user()
    report = access.visible_report(db.session, report_id, user)
    body = json_body()
    errors: Errors = unknown_keys(body, (), extra=("action", "comment", "mhra_reference", "sent_date"))
    action = body.get("action")
    if not isinstance(action, str):
        add_error(errors, "action", "Action must be text")
    for key in ("comment", "mhra_reference"):
        if body.get(key) is not None and not isinstance(body.get(key), str):
            add_error(errors, key, "Must be text")
    sent = parse_fields(body, _SENT_DATE, errors)
    if errors:
        raise ValidationFailed(errors)
    given = workflow.TransitionInput(
        comment=body.get("comment"),
        mhra_reference=body.get("mhra_reference"),
        sent_date=sent.get("sent_date"),
        problems=submission_problems(report) if action == "submit" else (),
    )
    workflow.apply_transition(db.session, user, report, str(action), given)
    warnings = duplicates.duplicate_warnings(db.session, report) if action == "submit" else []
    db.session.commit()
    body = _report_body(report)
    body["warnings"] = warnings
    return body, 200, {"ETag": _etag(report)}


@bp.post("/reports/<int:report_id>/follow-ups")
def create_follow_up(report_id: int) -> Any:
    """Start a follow-up of a sent report: 201 with Location, 403, 409 or 422.

    The body is optional; ``{"report_type": "final"}`` marks the last report of the case.
    """
    user = api_user()
    report = access.visible_report(db.session, report_id, user)
    body = json_body() if request.get_data() else {}
    errors: Errors = unknown_keys(body, (), extra=("report_type",))
    report_type = body.get("report_type", "follow_up")
    if not isinstance(report_type, str):
        add_error(errors, "report_type", "Report type must be text")
    if errors:
        raise ValidationFailed(errors)
    follow_up = follow_ups.create_follow_up(
        db.session, user, report, report_type=report_type, clock_rules=clock_rules()
    )
    db.session.commit()
    headers = {"Location": url_for("api.get_report", report_id=follow_up.id), "ETag": _etag(follow_up)}
    return _report_body(follow_up), 201, headers


ACK_MAX_BYTES = 1_000_000  # an E2B(R3) acknowledgement is a few kilobytes
_XML_TYPES = ("application/xml", "text/xml")


@bp.post("/acknowledgements")
def apply_acknowledgement() -> Any:
    """Apply the regulator's E2B(R3) acknowledgement (the XML is the body): 200, 403, 409, 413, 415 or 422.

    Governance leads only. The file is applied whole or not at all; the
    answer lists what happened to each report it names.
    """
    user = api_user()
    if not user.has_role(*acknowledgements.ACK_ROLES):
        raise Forbidden("Only a governance lead can record the regulator's acknowledgement")
    if request.mimetype not in _XML_TYPES:
        raise ApiError(415, "Content-Type must be application/xml (the E2B(R3) acknowledgement file)")
    if (request.content_length or 0) > ACK_MAX_BYTES:
        raise ApiError(413, "The acknowledgement must be smaller than 1 MB")
    request.max_content_length = ACK_MAX_BYTES
    batch = acknowledgements.read_file(request.get_data(cache=False))
    with access.only_visible_reports(user):  # another site's report is not found, as on every other route
        applied = acknowledgements.apply_acknowledgement(db.session, user, batch)
    db.session.commit()
    return {
        "acknowledgement": {
            "batch_number": batch.batch_number,
            "code": batch.code,
            "icsr_batch_number": batch.icsr_batch_number,
            "date": batch.created.isoformat() if batch.created else None,
        },
        "reports": [
            {
                "id": outcome.report.id,
                "url": url_for("api.get_report", report_id=outcome.report.id),
                "message_number": outcome.message.message_number,
                "code": outcome.message.code,
                "messages": list(outcome.message.texts),
                "state": outcome.report.state,
                "summary": outcome.summary,
            }
            for outcome in applied
        ],
    }
