"""Turn JSON bodies into typed values with the field tables, and back.

Parsing is strict on purpose: an unknown key is an error rather than
silently ignored, because a mistyped field name in a safety report must
not vanish. Absent keys are "not given" (PATCH leaves them alone); an
explicit ``null`` clears a value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from ect_reporting.fields import Field
from ect_reporting.rules import Errors, add_error, parse_date

_MISSING = object()

# Whole numbers beyond this cannot be held exactly as a float (2**53) and no
# field's range comes near it: refusing them before any conversion means a
# 400-digit number is a 422, never an OverflowError.
_LARGEST_NUMBER = 2**53


def _lookup(payload: Mapping[str, Any], path: str) -> Any:
    node: Any = payload
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _bad(raw: Any) -> Any:
    raise ValueError(raw)


def _text(raw: Any) -> str:
    return raw if isinstance(raw, str) else _bad(raw)


def _whole_number(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or abs(raw) > _LARGEST_NUMBER:
        return _bad(raw)
    if isinstance(raw, float) and not raw.is_integer():
        return _bad(raw)
    return int(raw)


def _number(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return _bad(raw)
    if isinstance(raw, int) and abs(raw) > _LARGEST_NUMBER:  # before float(): no OverflowError
        return _bad(raw)
    return float(raw) if math.isfinite(raw) else _bad(raw)


def _boolean(raw: Any) -> bool:
    return raw if isinstance(raw, bool) else _bad(raw)


def _date(raw: Any) -> date:
    return parse_date(raw) if isinstance(raw, str) else _bad(raw)


def _time(raw: Any) -> time:
    return datetime.strptime(raw, "%H:%M").time() if isinstance(raw, str) else _bad(raw)


def _codes(raw: Any) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        return _bad(raw)
    return list(dict.fromkeys(raw))


# Field type -> (converter raising ValueError on a bad value, what the value must be).
_CONVERTERS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "str": (_text, "must be text"),
    "text": (_text, "must be text"),
    "enum": (_text, "must be text"),
    "int": (_whole_number, "must be a whole number"),
    "float": (_number, "must be a number"),
    "bool": (_boolean, "must be true or false"),
    "date": (_date, "must be a real date in the format YYYY-MM-DD"),
    "time": (_time, "must be a 24-hour time in the format HH:MM"),
    "codes": (_codes, "must be a list of codes"),
}


def _convert(field: Field, raw: Any, path: str, errors: Errors) -> Any:
    if raw is None:
        return None
    converter = _CONVERTERS.get(field.type)
    if converter is None:
        raise AssertionError(field.type)
    convert, requirement = converter
    try:
        return convert(raw)
    except ValueError:
        add_error(errors, path, f"{field.label} {requirement}")
        return _MISSING


def parse_fields(
    payload: Mapping[str, Any], fields: Iterable[Field], errors: Errors, prefix: str = ""
) -> dict[str, Any]:
    """Return {model attribute: typed value} for the fields present in ``payload``."""
    values: dict[str, Any] = {}
    for field in fields:
        raw = _lookup(payload, field.path)
        if raw is _MISSING:
            continue
        value = _convert(field, raw, prefix + field.path, errors)
        if value is not _MISSING:
            values[field.attr] = value
    return values


def unknown_keys(
    payload: Mapping[str, Any], fields: Iterable[Field], extra: Iterable[str] = (), prefix: str = ""
) -> Errors:
    """Report keys in ``payload`` that no field (or ``extra`` key) accounts for."""
    known = set(extra)
    groups: set[str] = set()
    for field in fields:
        known.add(field.path)
        parts = field.path.split(".")
        for i in range(1, len(parts)):
            groups.add(".".join(parts[:i]))
    errors: Errors = {}

    def walk(node: Mapping[str, Any], base: str) -> None:
        for key, value in node.items():
            path = f"{base}{key}"
            if path in known:
                continue
            if path in groups:
                if isinstance(value, Mapping):
                    walk(value, path + ".")
                else:
                    add_error(errors, prefix + path, "Must be an object")
                continue
            add_error(errors, prefix + path, "Unknown field")

    walk(payload, "")
    return errors


def _out(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def serialise_fields(values: Mapping[str, Any], fields: Iterable[Field]) -> dict[str, Any]:
    """Build the nested JSON shape of ``fields`` from attribute values."""
    body: dict[str, Any] = {}
    for field in fields:
        node = body
        parts = field.path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = _out(values.get(field.attr))
    return body
