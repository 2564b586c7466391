"""A report's field values: the one conversion between rows and typed values.

Values are keyed by model attribute (``fields.Field.attr``) and typed as
Python values (dates, floats, lists of codes), exactly as the API parser
and the forms produce them. Everything that needs "the report as field
values" - the rules on submit, the edit form, the API body, the conflict
page, the canonical record - calls these functions, so a field added to
``fields.py`` appears everywhere at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ect_reporting.fields import OTHER_DRUG_FIELDS, REACTION_FIELDS, report_fields
from ect_reporting.models import OtherDrug, Reaction, Report
from ect_reporting.models.report import SERIOUSNESS_COLUMNS

REACTION_ATTRS = tuple(f.attr for f in REACTION_FIELDS)
OTHER_DRUG_ATTRS = tuple(f.attr for f in OTHER_DRUG_FIELDS)
_LIST_ATTRS = ("device_problem_codes", "health_effect_codes", "seriousness_criteria")


def report_values(report: Report) -> dict[str, Any]:
    """Return {attr: value} for every field of the report's kind (criteria as a sorted list)."""
    values = {f.attr: getattr(report, f.attr) for f in report_fields(report.kind) if f.attr != "seriousness_criteria"}
    if report.kind == "medicine":
        values["seriousness_criteria"] = sorted(k for k, ticked in report.seriousness_criteria.items() if ticked)
    return values


def reaction_values(report: Report) -> list[dict[str, Any]]:
    """Return each reaction's {attr: value}, in report order."""
    return [{attr: getattr(r, attr) for attr in REACTION_ATTRS} for r in report.reactions]


def other_drug_values(report: Report) -> list[dict[str, Any]]:
    """Return each other medicine's {attr: value}, in report order."""
    return [{attr: getattr(d, attr) for attr in OTHER_DRUG_ATTRS} for d in report.other_drugs]


def _clean_text(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def clean_values(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the kind's fields; strip text (blank becomes None); lists are never None."""
    attrs = {f.attr for f in report_fields(kind)}
    cleaned = {attr: _clean_text(values[attr]) for attr in attrs if attr in values}
    if cleaned.get("patient_initials"):
        cleaned["patient_initials"] = cleaned["patient_initials"].upper()
    for attr in _LIST_ATTRS:
        if attr in cleaned and cleaned[attr] is None:
            cleaned[attr] = []
    for flag in ("black_triangle", "no_patient_involved"):
        if flag in cleaned and cleaned[flag] is None:
            cleaned[flag] = False  # not flagged unless someone says so
    return cleaned


def clean_reactions(reactions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return each reaction with every field present, its text stripped and its criteria a list."""
    cleaned = [{attr: _clean_text(r.get(attr)) for attr in REACTION_ATTRS} for r in reactions]
    for reaction in cleaned:
        reaction["seriousness_criteria"] = sorted(reaction["seriousness_criteria"] or [])
    return cleaned


def clean_other_drugs(drugs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Return each other medicine with every field present and its text stripped."""
    return [{attr: _clean_text(d.get(attr)) for attr in OTHER_DRUG_ATTRS} for d in drugs]


def apply_values(report: Report, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Set values on ``report``; return {attr: {old, new}} for what changed."""
    changes: dict[str, dict[str, Any]] = {}
    for attr, value in values.items():
        if attr == "seriousness_criteria":
            old = sorted(k for k, ticked in report.seriousness_criteria.items() if ticked)
            new = sorted(value or [])
            if old != new:
                changes[attr] = {"old": old, "new": new}
            for name, column in SERIOUSNESS_COLUMNS.items():
                setattr(report, column, name in new)
            continue
        old = getattr(report, attr)
        if old != value:
            changes[attr] = {"old": old, "new": value}
            setattr(report, attr, value)
    return changes


def replace_reactions(report: Report, reactions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Replace the report's reactions; return {old, new} when they changed."""
    old = reaction_values(report)
    if old == reactions:
        return None
    report.reactions.clear()
    for position, values in enumerate(reactions):
        report.reactions.append(Reaction(position=position, **values))
    return {"old": old, "new": reactions}


def replace_other_drugs(report: Report, drugs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Replace the report's other medicines; return {old, new} when they changed."""
    old = other_drug_values(report)
    if old == drugs:
        return None
    report.other_drugs.clear()
    for position, values in enumerate(drugs):
        report.other_drugs.append(OtherDrug(position=position, **values))
    return {"old": old, "new": drugs}
