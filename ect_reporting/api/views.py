"""API v1 views: parse, call one domain function, commit, answer."""

from __future__ import annotations

from typing import Any

from flask import g, request, url_for

from ect_reporting import access, reports, sessions, workflow
from ect_reporting.api import bp
from ect_reporting.api.auth import ApiError, api_user, authenticate_request, json_body
from ect_reporting.api.payload import parse_fields, unknown_keys
from ect_reporting.api.presenters import report_json, session_json
from ect_reporting.duplicates import duplicate_warnings
from ect_reporting.errors import ValidationFailed, error_response
from ect_reporting.extensions import db
from ect_reporting.fields import REACTION_FIELDS, SESSION_FIELDS, report_fields
from ect_reporting.models import EctSession, Report
from ect_reporting.readiness import submission_problems
from ect_reporting.rules import Errors, add_error
from ect_reporting.vocab import REPORT_KINDS


@bp.before_request
def _authenticate() -> None:
    g.api_user = authenticate_request()


@bp.errorhandler(ValidationFailed)
def _invalid(exc: ValidationFailed) -> Any:
    db.session.rollback()
    return _validation_response(exc.errors)


@bp.errorhandler(workflow.TransitionForbidden)
def _forbidden(exc: workflow.TransitionForbidden) -> Any:
    db.session.rollback()
    return error_response(403, str(exc))


@bp.errorhandler(workflow.TransitionNotAllowed)
def _not_allowed(exc: workflow.TransitionNotAllowed) -> Any:
    db.session.rollback()
    extra = {"state": exc.state} if exc.state else {}
    return error_response(409, str(exc), **extra)


def _validation_response(errors: Errors) -> Any:
    return error_response(422, "The request has invalid or missing fields", errors=errors)


def _etag_value(report: Report) -> str:
    return f"report-{report.id}-v{report.version}"


def _etag(report: Report) -> str:
    """Return the quoted strong ETag of the report's current version."""
    return f'"{_etag_value(report)}"'


def _parse_report_body(
    kind: str, body: dict[str, Any], extra: tuple[str, ...]
) -> tuple[dict[str, Any], list[dict[str, Any]] | None, Errors]:
    fields = report_fields(kind)
    errors = unknown_keys(body, fields, extra=extra + (("reactions",) if kind == "medicine" else ()))
    values = parse_fields(body, fields, errors)
    reactions: list[dict[str, Any]] | None = None
    if kind == "medicine" and "reactions" in body:
        raw = body["reactions"]
        if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
            add_error(errors, "reactions", "Reactions must be a list of objects")
        else:
            reactions = []
            for index, item in enumerate(raw):
                prefix = f"reactions.{index}."
                for path, messages in unknown_keys(item, REACTION_FIELDS, prefix=prefix).items():
                    errors.setdefault(path, []).extend(messages)
                reactions.append(parse_fields(item, REACTION_FIELDS, errors, prefix=prefix))
    return values, reactions, errors


@bp.post("/sessions")
def create_session() -> Any:
    """Record an ECT session; 201 with Location."""
    body = json_body()
    errors = unknown_keys(body, SESSION_FIELDS)
    values = parse_fields(body, SESSION_FIELDS, errors)
    if errors:
        return _validation_response(errors)
    session = sessions.create_session(db.session, api_user(), values)
    db.session.commit()
    return session_json(session), 201, {"Location": url_for("api.get_session", session_id=session.id)}


@bp.get("/sessions/<int:session_id>")
def get_session(session_id: int) -> Any:
    """Return one session with its derived values and reports."""
    session = access.get_session_or_abort(session_id, api_user())
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
    session = access.get_session_or_abort(session_id, user)
    if not access.can_edit_session(user, session):
        raise ApiError(403, "Only the clinician who recorded this session can change it")
    body = json_body()
    errors = unknown_keys(body, SESSION_FIELDS)
    values = parse_fields(body, SESSION_FIELDS, errors)
    if errors:
        return _validation_response(errors)
    sessions.update_session(db.session, user, session, values)
    db.session.commit()
    return session_json(session)


@bp.post("/sessions/<int:session_id>/reports")
def create_report(session_id: int) -> Any:
    """Create a medicine or device report pre-filled from the session."""
    session: EctSession = access.get_session_or_abort(session_id, api_user())
    body = json_body()
    kind = body.get("kind")
    if kind not in REPORT_KINDS:
        return _validation_response({"kind": [f"Kind must be one of: {', '.join(REPORT_KINDS)}"]})
    values, reactions, errors = _parse_report_body(kind, body, extra=("kind",))
    if errors:
        return _validation_response(errors)
    report = reports.create_report(db.session, api_user(), session, kind, values, reactions)
    db.session.commit()
    headers = {"Location": url_for("api.get_report", report_id=report.id), "ETag": _etag(report)}
    return report_json(report, _problems(report)), 201, headers


def _problems(report: Report) -> list[dict[str, str]]:
    return [{"path": path, "message": message} for path, message in submission_problems(report)]


@bp.get("/reports/<int:report_id>")
def get_report(report_id: int) -> Any:
    """Return a report with an ETag; 304 when If-None-Match still matches."""
    report = access.get_report_or_abort(report_id, api_user())
    etag = _etag(report)
    if request.if_none_match.contains(_etag_value(report)):
        return "", 304, {"ETag": etag}
    return report_json(report, _problems(report)), 200, {"ETag": etag}


@bp.patch("/reports/<int:report_id>")
def patch_report(report_id: int) -> Any:
    """Change a report; needs If-Match with the current ETag (412 when stale)."""
    user = api_user()
    report = access.get_report_or_abort(report_id, user)
    if not access.can_edit_report(user, report):
        raise ApiError(403, "Only the author can change this report, and only while it is a draft or returned")
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
    values, reactions, errors = _parse_report_body(report.kind, body, extra=())
    if errors:
        return _validation_response(errors)
    # The If-Match check above already compared versions; a save racing
    # this one surfaces as StaleDataError, answered 412 by errors.py.
    reports.update_report(db.session, user, report, values, reactions, expected_version=report.version)
    db.session.commit()
    return report_json(report, _problems(report)), 200, {"ETag": _etag(report)}


def _renderer(fmt: str) -> Any:
    """Return the renderer for an export format (imported lazily: reportlab is heavy)."""
    if fmt == "json":
        from ect_reporting.exports.json_export import JsonRenderer

        return JsonRenderer()
    if fmt == "pdf":
        from ect_reporting.exports.pdf import PdfRenderer

        return PdfRenderer()
    return None


@bp.get("/reports/<int:report_id>/export.<fmt>")
def export_report(report_id: int, fmt: str) -> Any:
    """Download the report as JSON or PDF, rendered from the canonical record."""
    from flask import Response

    from ect_reporting.audit import record_event
    from ect_reporting.records import build_record

    user = api_user()
    report = access.get_report_or_abort(report_id, user)
    renderer = _renderer(fmt)
    if renderer is None:
        raise ApiError(404, f"Unknown export format '{fmt}'; use json or pdf")
    export = renderer.generate(build_record(report))
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


@bp.post("/reports/<int:report_id>/transitions")
def transition(report_id: int) -> Any:
    """Move a report through the workflow: 200, 403, 409 or 422."""
    from ect_reporting.api.payload import parse_fields
    from ect_reporting.fields import Field

    user = api_user()
    report = access.get_report_or_abort(report_id, user)
    body = json_body()
    errors: Errors = unknown_keys(body, (), extra=("action", "comment", "mhra_reference", "sent_date"))
    action = body.get("action")
    if not isinstance(action, str):
        add_error(errors, "action", "Action must be text")
    for key in ("comment", "mhra_reference"):
        if body.get(key) is not None and not isinstance(body.get(key), str):
            add_error(errors, key, "Must be text")
    sent = parse_fields(body, (Field("sent_date", "sent_date", "date", "Date sent"),), errors)
    if errors:
        return _validation_response(errors)
    workflow.apply_transition(
        db.session,
        user,
        report,
        str(action),
        comment=body.get("comment"),
        mhra_reference=body.get("mhra_reference"),
        sent_date=sent.get("sent_date"),
        completeness_check=submission_problems,
    )
    warnings = duplicate_warnings(db.session, report) if action == "submit" else []
    db.session.commit()
    body = report_json(report, _problems(report))
    body["warnings"] = warnings
    return body, 200, {"ETag": _etag(report)}


@bp.post("/reports/<int:report_id>/follow-ups")
def create_follow_up(report_id: int) -> Any:
    """Start a follow-up of a sent report: 201 with Location, 403, 409 or 422.

    The body is optional; ``{"report_type": "final"}`` marks the last report of the case.
    """
    user = api_user()
    report = access.get_report_or_abort(report_id, user)
    body = json_body() if request.get_data() else {}
    errors: Errors = unknown_keys(body, (), extra=("report_type",))
    report_type = body.get("report_type", "follow_up")
    if not isinstance(report_type, str):
        add_error(errors, "report_type", "Report type must be text")
    if errors:
        return _validation_response(errors)
    follow_up = reports.create_follow_up(db.session, user, report, report_type=report_type)
    db.session.commit()
    headers = {"Location": url_for("api.get_report", report_id=follow_up.id), "ETag": _etag(follow_up)}
    return report_json(follow_up, _problems(follow_up)), 201, headers
