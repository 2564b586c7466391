"""How a browser posts the HTML forms, for tests that post them through the test client.

Dates are NHS date inputs: three boxes named ``<name>-day``, ``-month`` and
``-year``. Tests write dates the readable way (ISO text or ``date``) and
``posted`` turns them into the boxes, so the form's shape lives here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ect_reporting.fields import MEDICINE_LISTS, SESSION_FIELDS, Field, report_fields
from ect_reporting.vocab import REPORT_KINDS

_ALL_FIELDS: tuple[Field, ...] = (
    SESSION_FIELDS
    + tuple(f for kind in REPORT_KINDS for f in report_fields(kind))
    + tuple(f for _label, fields, _most in MEDICINE_LISTS.values() for f in fields)
)
DATE_NAMES = frozenset(f.attr for f in _ALL_FIELDS if f.type == "date")


def date_boxes(name: str, value: date | str | None) -> dict[str, str]:
    """The three boxes of date input ``name`` holding ``value`` (empty boxes for None or "")."""
    if not value:
        return {f"{name}-day": "", f"{name}-month": "", f"{name}-year": ""}
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def is_date_name(name: str) -> bool:
    """True for a date field's name, also inside a list (``reactions-0-onset_date``)."""
    return name.rsplit("-", 1)[-1] in DATE_NAMES


def posted(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``data`` as the browser posts it: each date field as its three boxes."""
    result: dict[str, Any] = {}
    for name, value in data.items():
        if is_date_name(name) and (value is None or isinstance(value, date | str)):
            result.update(date_boxes(name, value))
        else:
            result[name] = value
    return result


def input_names(fields: Iterable[Field]) -> list[str]:
    """The names a form's inputs post under: a date field's three boxes, every other field's own name."""
    names: list[str] = []
    for f in fields:
        names.extend(date_boxes(f.attr, None) if f.type == "date" else [f.attr])
    return names
