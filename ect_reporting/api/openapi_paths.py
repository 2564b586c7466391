"""The operations of API v1 for the OpenAPI description: one entry per view in ``api/views.py``.

Kept apart from the schema generation so each file reads on its own;
a test checks that every API route has an operation here.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

# Errors any body-taking operation can give before the view looks at the fields.
_BODY_ERRORS = (400, 401, 413, 415, 422)


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: Schema, media: str = "application/json") -> Schema:
    return {"content": {media: {"schema": schema}}}


def _id(name: str, what: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}, "description": what}


_SESSION_ID = _id("session_id", "Session id")
_REPORT_ID = _id("report_id", "Report id")


def _op(
    op_id: str,
    summary: str,
    ok: dict[int, Schema],
    errors: tuple[int, ...],
    body: Schema | None = None,
    params: list[Schema] | None = None,
) -> Schema:
    """One operation: its documented successes and the shared error responses by reference."""
    responses: Schema = {str(status): {"description": "OK", **spec} for status, spec in ok.items()}
    # 405 also answers an id out of range on a path that has a GET (Werkzeug's routing); documented everywhere.
    for status in sorted({*errors, 405}):
        responses[str(status)] = {"$ref": f"#/components/responses/{status}"}
    operation: Schema = {"operationId": op_id, "summary": summary, "responses": responses}
    if params:
        operation["parameters"] = params
    if body is not None:
        operation["requestBody"] = body
    return operation


def _created(schema_name: str) -> dict[int, Schema]:
    return {201: {**_json(_ref(schema_name)), "headers": {"Location": {"schema": {"type": "string"}}}}}


def _session_paths() -> Schema:
    return {
        "/sessions": {
            "post": _op(
                "createSession",
                "Record an ECT session",
                _created("Session"),
                _BODY_ERRORS,
                body={"required": True, **_json(_ref("SessionBody"))},
            )
        },
        "/sessions/{session_id}": {
            "parameters": [_SESSION_ID],
            "get": _op("getSession", "A session with derived values", {200: _json(_ref("Session"))}, (401, 404)),
            "patch": _op(
                "patchSession",
                "Change some of a session's fields (author only; null clears)",
                {200: _json(_ref("Session"))},
                (*_BODY_ERRORS, 403, 404),
                body={"required": True, **_json(_ref("SessionPatch"))},
            ),
        },
        "/sessions/{session_id}/reports": {
            "parameters": [_SESSION_ID],
            "post": _op(
                "createReport",
                "Create a medicine or device report pre-filled from the session",
                _created("Report"),
                (*_BODY_ERRORS, 404, 409),
                body={"required": True, **_json(_ref("NewReport"))},
            ),
        },
    }


_IF_MATCH = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"}}


def _report_paths() -> Schema:
    patches = ("MedicineReportPatch", "DeviceReportPatch", "DefectiveMedicineReportPatch")
    patch_body = {"oneOf": [_ref(name) for name in patches]}
    return {
        "/reports": {
            "post": _op(
                "createBlankReport",
                "Create a report without a session: give the site (and for a medicine report the patient)",
                _created("Report"),
                _BODY_ERRORS,
                body={"required": True, **_json(_ref("NewReport"))},
            ),
        },
        "/reports/{report_id}/reaction-report": {
            "parameters": [_REPORT_ID],
            "post": _op(
                "createReactionReport",
                "Start the suspected reaction report of a defective medicine followed by a reaction",
                _created("Report"),
                (401, 403, 404, 409),
            ),
        },
        "/reports/{report_id}": {
            "parameters": [_REPORT_ID],
            "get": _op(
                "getReport",
                "A report with its ETag and completeness",
                {200: _json(_ref("Report")), 304: {}},
                (401, 404),
            ),
            "patch": _op(
                "patchReport",
                "Change a draft or returned report (author only; If-Match required)",
                {200: _json(_ref("Report"))},
                (*_BODY_ERRORS, 403, 404, 409, 412, 428),
                body={"required": True, **_json(patch_body)},
                params=[_IF_MATCH],
            ),
        },
        "/reports/{report_id}/transitions": {
            "parameters": [_REPORT_ID],
            "post": _op(
                "transitionReport",
                "Move a report through the workflow",
                {200: _json(_ref("Report"))},
                (*_BODY_ERRORS, 403, 404, 409),
                body={"required": True, **_json(_ref("Transition"))},
            ),
        },
        "/reports/{report_id}/follow-ups": {
            "parameters": [_REPORT_ID],
            "post": _op(
                "createFollowUp",
                "Start a follow-up, final report or amendment of a sent case",
                _created("Report"),
                (*_BODY_ERRORS, 403, 404, 409),
                body={"required": False, **_json(_ref("FollowUp"))},
            ),
        },
    }


def _export_paths() -> Schema:
    binary = {"type": "string"}
    exports: dict[str, tuple[str, Schema, tuple[int, ...]]] = {
        "json": ("application/json", _ref("ReportExport"), ()),
        "pdf": ("application/pdf", binary, ()),
        "xml": ("application/xml", binary, (409, 422)),
        "fhir.json": ("application/fhir+json", {"type": "object"}, (409, 422)),
    }
    return {
        f"/reports/{{report_id}}/export.{fmt}": {
            "parameters": [_REPORT_ID],
            "get": _op(
                f"export{fmt.replace('.', '_').title().replace('_', '')}",
                f"The report exported as {fmt}",
                {200: _json(schema, media)},
                (401, 404, *extra),
            ),
        }
        for fmt, (media, schema, extra) in exports.items()
    }


def _other_paths() -> Schema:
    return {
        "/acknowledgements": {
            "post": _op(
                "applyAcknowledgement",
                "Apply the regulator's E2B(R3) acknowledgement (governance lead)",
                {200: _json({"type": "object", "required": ["acknowledgement", "reports"]})},
                (401, 403, 409, 413, 415, 422),
                body={"required": True, **_json({"type": "string"}, "application/xml")},
            )
        },
        "/schema/report.json": {
            "get": _op(
                "reportSchema",
                "JSON Schema (2020-12) of the JSON export",
                {200: _json({"type": "object"}, "application/schema+json")},
                (401,),
            )
        },
        "/openapi.json": {
            "get": {
                **_op("openapi", "This description (no authentication needed)", {200: _json({"type": "object"})}, ()),
                "security": [],
            }
        },
    }


def paths() -> Schema:
    """Every path of API v1 with its operations."""
    return {**_session_paths(), **_report_paths(), **_export_paths(), **_other_paths()}
