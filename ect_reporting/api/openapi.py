"""The OpenAPI 3.1 description of API v1, generated from the field tables.

Request bodies are built from ``fields.py`` (types, lengths, ranges and
the vocabularies' stored values) rather than written by hand, so the
description cannot drift from what ``api/payload.py`` accepts: a new field
or a new choice appears in both at once. The export's JSON Schema is
embedded from ``schemas/report.schema.json`` (the file served at
``/api/v1/schema/report.json``) for the same reason.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable
from typing import Any

from ect_reporting import vocab
from ect_reporting.fields import (
    MAX_COMMENT_LENGTH,
    MAX_REFERENCE_LENGTH,
    MEDICINE_LISTS,
    SESSION_FIELDS,
    Field,
    report_fields,
)

Schema = dict[str, Any]

# Every error body has this shape (errors.error_response); some add members
# (state, current, problems, completeness, schema_errors), hence no
# additionalProperties: false.
ERROR_SCHEMA: Schema = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {
        "error": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "errors": {
            "type": "object",
            "description": "Field path (e.g. patient.age, reactions.0.outcome) -> messages",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}

_ERROR_TEXT: dict[int, str] = {
    400: "Malformed JSON, not a JSON object, or nested more than 32 levels",
    401: "No bearer token, or one that is unknown, expired or revoked",
    403: "The caller's role or ownership does not allow this",
    404: "No such object visible to the caller (ids above 2147483647 included)",
    405: "Method not allowed",
    409: "Not allowed in the report's current state (creating a report: you already have an open draft of "
    "that kind from the session, named in existing_report)",
    412: "If-Match does not name the report's current version",
    413: "The request body is too large",
    415: "Wrong Content-Type",
    422: "Invalid or missing fields: `errors` maps field paths to messages",
    428: "If-Match is required",
}

_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"

_SCALARS: dict[str, Schema] = {
    "str": {"type": "string"},
    "text": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "date": {"type": "string", "format": "date", "pattern": _DATE_PATTERN},
    "time": {"type": "string", "pattern": _TIME_PATTERN},
}


def field_schema(field: Field) -> Schema:
    """The JSON Schema of one field's value; ``null`` is always allowed because it clears the value."""
    if field.type == "enum":
        return {"enum": [*(field.choices or {}), None], "description": field.label}
    if field.type == "codes":
        items: Schema = {"type": "string"}
        if field.choices:
            items = {"enum": list(field.choices)}
        return {"type": ["array", "null"], "items": items, "description": field.label}
    schema = dict(_SCALARS[field.type])
    schema["type"] = [schema["type"], "null"]
    schema["description"] = field.label
    if field.max_length is not None:
        schema["maxLength"] = field.max_length
    if field.minimum is not None:
        schema["minimum"] = field.minimum
    if field.maximum is not None:
        schema["maximum"] = field.maximum
    return schema


def _object() -> Schema:
    return {"type": "object", "additionalProperties": False, "properties": {}}


def fields_schema(fields: Iterable[Field], required: bool = False) -> Schema:
    """Nest the fields by dotted path into objects that refuse unknown keys, as ``unknown_keys`` does.

    With ``required`` the fields marked required are listed as such (POST);
    a partial body (PATCH) lists none.
    """
    root = _object()
    for field in fields:
        node = root
        parts = field.path.split(".")
        for part in parts[:-1]:
            node = node["properties"].setdefault(part, _object())
        node["properties"][parts[-1]] = field_schema(field)
        if required and field.required:
            _mark_required(root, parts)
    return root


def _mark_required(root: Schema, parts: list[str]) -> None:
    """List each step of a required field's path as required in its parent object."""
    node = root
    for part in parts:
        wanted = node.setdefault("required", [])
        if part not in wanted:
            wanted.append(part)
        node = node["properties"][part]


def report_body_schema(kind: str, with_kind: bool) -> Schema:
    """The body of a report of ``kind``: its fields and, for medicine reports, the entry lists."""
    schema = fields_schema(report_fields(kind))
    if kind == "medicine":
        for key, (label, entry_fields, most) in MEDICINE_LISTS.items():
            schema["properties"][key] = {
                "type": "array",
                "description": label,
                "maxItems": most,
                "items": fields_schema(entry_fields),
            }
    if with_kind:
        schema["properties"]["kind"] = {"const": kind}
        schema["properties"]["another_draft"] = {
            "type": "boolean",
            "description": "true: create a second open draft of this kind from the session on purpose "
            "(without it, 409 names the open draft you already have)",
        }
        schema["required"] = ["kind"]
    return schema


def _text(max_length: int) -> Schema:
    return {"type": ["string", "null"], "maxLength": max_length}


def transition_schema() -> Schema:
    """Body of POST /reports/{id}/transitions (the actions are workflow.TRANSITIONS)."""
    from ect_reporting.reports.workflow import TRANSITIONS

    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["action"],
        "properties": {
            "action": {"enum": list(TRANSITIONS)},
            "comment": _text(MAX_COMMENT_LENGTH),
            "mhra_reference": _text(MAX_REFERENCE_LENGTH),
            "sent_date": {"type": ["string", "null"], "format": "date", "pattern": _DATE_PATTERN},
        },
    }


def follow_up_schema() -> Schema:
    """Body of POST /reports/{id}/follow-ups (optional)."""
    from ect_reporting.reports.follow_ups import FOLLOW_UP_TYPES

    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {"report_type": {"enum": list(FOLLOW_UP_TYPES)}},
    }


def export_schema() -> Schema:
    """The export's JSON Schema as an OpenAPI component: ``$defs`` refs pointed at the component."""
    from ect_reporting.schemas import report_schema

    schema = copy.deepcopy(report_schema())
    schema.pop("$schema", None)
    schema.pop("$id", None)
    return _rebase_refs(schema, "#/components/schemas/ReportExport/$defs/")


def _rebase_refs(node: Any, base: str) -> Any:
    """Rewrite ``#/$defs/X`` to ``<base>X`` throughout ``node`` (without its $id the refs resolve in the document)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            node["$ref"] = base + ref[len("#/$defs/") :]
        for value in node.values():
            _rebase_refs(value, base)
    elif isinstance(node, list):
        for value in node:
            _rebase_refs(value, base)
    return node


def components() -> Schema:
    """Schemas, responses and the bearer security scheme shared by the operations."""
    return {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "An API token (flask issue-token)"}
        },
        "schemas": {
            "Error": ERROR_SCHEMA,
            "SessionBody": fields_schema(SESSION_FIELDS, required=True),
            "SessionPatch": fields_schema(SESSION_FIELDS),
            "NewReport": {
                "oneOf": [
                    report_body_schema(kind, with_kind=True) for kind in vocab.REPORT_KINDS
                ]
            },
            "MedicineReportPatch": report_body_schema("medicine", with_kind=False),
            "DeviceReportPatch": report_body_schema("device", with_kind=False),
            "DefectiveMedicineReportPatch": report_body_schema("defective_medicine", with_kind=False),
            "Transition": transition_schema(),
            "FollowUp": follow_up_schema(),
            "Session": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
            "Report": {
                "type": "object",
                "required": ["id", "kind", "state", "version"],
                "properties": {
                    "id": {"type": "integer"},
                    "kind": {"enum": list(vocab.REPORT_KINDS)},
                    "state": {"type": "string"},
                    "version": {"type": "integer"},
                },
            },
            "ReportExport": export_schema(),
        },
        "responses": {
            str(status): {
                "description": text,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
            for status, text in _ERROR_TEXT.items()
        },
    }


@functools.cache
def _document() -> Schema:
    from ect_reporting.api.openapi_paths import paths

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ECT adverse event reporting: API v1",
            "version": "1.0",
            "description": "Yellow Card medicine and device reports of electrochemotherapy sessions. "
            "Every error body is {error, status, errors?}.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths(),
        "components": components(),
    }


def openapi_document() -> Schema:
    """Return a copy of the description (built once per process)."""
    return copy.deepcopy(_document())
