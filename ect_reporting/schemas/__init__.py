"""The published JSON Schema of the JSON export, and a validator for it.

The schema file is committed (not generated at import) so it can be
served as-is at ``/api/v1/schema/report.json``, diffed in review and
given to integrators; a test keeps its enumerations equal to ``vocab.py``.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

SCHEMA_FILE = "report.schema.json"


@functools.cache
def report_schema() -> dict[str, Any]:
    """Return the export schema, parsed once per process.

    The same dict is returned on every call: treat it as read-only.
    """
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _format_checker() -> FormatChecker:
    """Return a format checker that also asserts ``date-time``.

    jsonschema checks ``date-time`` only when the optional
    ``rfc3339-validator`` package is installed, and silently passes it
    otherwise; registering a stdlib check makes validation the same on
    every machine. The schema's own pattern already pins the shape, so
    ``fromisoformat`` only has to confirm the values are real.
    """
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_datetime(instance: object) -> bool:
        if not isinstance(instance, str):
            return True
        datetime.fromisoformat(instance)
        return True

    return checker


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(report_schema(), format_checker=_format_checker())


def export_errors(document: Any) -> list[ValidationError]:
    """Return every schema violation in ``document`` (empty when valid)."""
    return sorted(_validator().iter_errors(document), key=lambda error: error.json_path)


def validate_export(document: Any) -> None:
    """Raise ``jsonschema.ValidationError`` (the most relevant one) if invalid."""
    error = best_match(_validator().iter_errors(document))
    if error is not None:
        raise error
