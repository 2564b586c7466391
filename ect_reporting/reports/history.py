"""The report's audit trail as people read it: field labels and old -> new values.

The audit rows keep model attribute names and stored values (right for
verification); the page shows "Causality (WHO-UMC): Possible -> Probable"
instead of "Changed causality". Labels and vocabularies come from the
field tables, so no label is written twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ect_reporting import reference, vocab
from ect_reporting.fields import MEDICINE_LISTS, Field, by_attr, report_fields
from ect_reporting.models import AuditEvent

NOT_RECORDED = "not recorded"
# Longest value shown in a history line; the full text stays in the audit trail.
MAX_SHOWN = 80


@dataclass(frozen=True)
class Change:
    """One changed field: its label, and what it held before and after."""

    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    """One audit row: when, who, a sentence, and for a save the changes it made."""

    event: AuditEvent
    summary: str
    changes: tuple[Change, ...] = ()


def _date_text(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


def _codes_text(field: Field, codes: list[Any]) -> str:
    """Return ticked codes by their labels: "A040101 - Fracture", a criterion's wording."""
    if field.choices is not None:
        return "; ".join(vocab.label(field.choices, str(code)) for code in codes)
    terms = [reference.imdrf_term(str(code)) for code in codes]
    return "; ".join(
        reference.code_and_term(str(code), term.display if term else None)
        for code, term in zip(codes, terms, strict=True)
    )


def _typed_text(field: Field, value: Any) -> str | None:
    """Return ``value`` worded by its field's type (labels, dates, times), or None for plain text."""
    if field.type == "codes" and isinstance(value, list):
        return _codes_text(field, value)
    if field.choices is not None:
        return vocab.label(field.choices, str(value))
    if field.type == "date":
        return _date_text(str(value))
    if field.type == "time":
        return str(value)[:5]
    return None


def value_text(field: Field | None, value: Any) -> str:
    """Return a stored value as the page shows it."""
    if value is None or value == "" or value == []:
        return NOT_RECORDED
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = _typed_text(field, value) if field is not None else None
    if text is None:
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "\u2026"


def _list_text(key: str, entries: Any) -> str:
    """Return a list of entries (reactions, other medicines) as a count: the entries are on the page."""
    noun = {"reactions": "reaction", "other_drugs": "other medicine"}.get(key, "entry")
    count = len(entries) if isinstance(entries, list) else 0
    return NOT_RECORDED if count == 0 else f"{count} {noun}{'s' if count != 1 else ''}"


def changes_of(kind: str, changes: dict[str, Any]) -> tuple[Change, ...]:
    """Return each changed field of a report of ``kind`` with its label, in form order."""
    fields = by_attr(report_fields(kind))
    order = list(fields) + list(MEDICINE_LISTS)
    result = []
    for attr in sorted(changes, key=lambda a: order.index(a) if a in order else len(order)):
        change = changes[attr] if isinstance(changes[attr], dict) else {}
        if attr in MEDICINE_LISTS:
            label = MEDICINE_LISTS[attr][0]
            old, new = _list_text(attr, change.get("old")), _list_text(attr, change.get("new"))
        else:
            field = fields.get(attr)
            label = field.label if field else attr.replace("_", " ").capitalize()
            old, new = value_text(field, change.get("old")), value_text(field, change.get("new"))
        result.append(Change(label, old, new))
    return tuple(result)


def describe(kind: str, event: AuditEvent) -> HistoryEntry:
    """Return one audit row of a report as the history table shows it."""
    details = event.details or {}
    if event.action == "transition":
        states = vocab.REPORT_STATES
        summary = f"{vocab.label(states, details.get('from'))} to {vocab.label(states, details.get('to'))}"
        return HistoryEntry(event, summary)
    if event.action == "update":
        changes = changes_of(kind, details.get("changes") or {})
        noun = "field" if len(changes) == 1 else "fields"
        return HistoryEntry(event, f"Edited: {len(changes)} {noun} changed", changes)
    return HistoryEntry(event, event.action.replace("_", " ").capitalize())
