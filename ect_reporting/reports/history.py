"""The report's audit trail as people read it: field labels and old -> new values.

The audit rows keep model attribute names and stored values (right for
verification); the page shows "Causality (WHO-UMC): Possible -> Probable"
instead of "Changed causality". Labels and vocabularies come from the
field tables, so no label is written twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from ect_reporting import vocab
from ect_reporting.fields import MEDICINE_LISTS, Field, by_attr, report_fields
from ect_reporting.models import AuditEvent
from ect_reporting.reports.conflicts import display

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


def _typed(field: Field, value: Any) -> Any:
    """Return an audited (JSON) value as its field's type: dates and times are stored as ISO text."""
    try:
        if field.type == "date" and isinstance(value, str):
            return date.fromisoformat(value)
        if field.type == "time" and isinstance(value, str):
            return time.fromisoformat(value)
    except ValueError:
        return value
    return value


def value_text(field: Field | None, value: Any) -> str:
    """Return an audited value as the page shows it: the conflict page's wording, shortened."""
    if field is None:
        text = NOT_RECORDED if value in (None, "", []) else str(value)
    else:
        text = display(field, _typed(field, value))
        text = NOT_RECORDED if text == "Not recorded" else text
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
