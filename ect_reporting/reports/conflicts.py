"""What another person saved while you were editing: field-by-field differences.

When a stale form is posted (optimistic locking), nothing is written. The
page then shows, for each field where the saved report and the posted
form disagree, both values side by side, so the editor can reconcile
instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from ect_reporting import reference
from ect_reporting.fields import REACTION_FIELDS, Field, by_attr, report_fields
from ect_reporting.models import Report
from ect_reporting.reports.values import reaction_values, report_values
from ect_reporting.vocab import label


@dataclass(frozen=True)
class Difference:
    """One field that differs: its label, the saved value and the posted one, as text."""

    label: str
    saved: str
    yours: str


def _list_item(field: Field, value: Any) -> str:
    """One ticked choice by its label; an IMDRF code (no choices) as "A040101 - Fracture", never bare."""
    if field.choices is not None:
        return label(field.choices, value)
    term = reference.imdrf_term(str(value))
    return term.label if term else str(value)


def display(field: Field, value: Any) -> str:
    """Render a typed value as a person reads it."""
    if value is None or value == "" or value == []:
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, list):
        return ", ".join(_list_item(field, v) for v in value)
    if field.choices:
        return label(field.choices, value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _reaction_text(reactions: Sequence[Mapping[str, Any]]) -> str:
    if not reactions:
        return "None"
    fields = by_attr(REACTION_FIELDS)
    parts = []
    for index, reaction in enumerate(reactions, start=1):
        words = display(fields["verbatim"], reaction.get("verbatim"))
        outcome = display(fields["outcome"], reaction.get("outcome"))
        parts.append(f"{index}. {words} (outcome: {outcome})")
    return "; ".join(parts)


def differences(
    report: Report, posted: Mapping[str, Any], posted_reactions: Sequence[Mapping[str, Any]] | None = None
) -> list[Difference]:
    """Return the fields where ``report`` (as saved) differs from ``posted``."""
    saved = report_values(report)
    result = []
    for field in report_fields(report.kind):
        if field.attr not in posted:
            continue
        mine = posted[field.attr]
        if field.attr == "seriousness_criteria":
            mine = sorted(mine or [])
        theirs = saved.get(field.attr)
        if (theirs or None) != (mine or None):
            result.append(Difference(field.label, display(field, theirs), display(field, mine)))
    if posted_reactions is not None and report.kind == "medicine":
        saved_reactions = reaction_values(report)
        if saved_reactions != list(posted_reactions):
            result.append(Difference("Reactions", _reaction_text(saved_reactions), _reaction_text(posted_reactions)))
    return result
