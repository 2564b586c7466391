"""Value rules (MHRA and clinical) checked on typed values.

Both the JSON API and the HTML forms call these functions after turning
input into Python values, so every rule exists once. Errors are keyed by
the field's JSON path (``patient.age``, ``reactions.0.outcome``) and hold
plain-English messages in the NHS service-manual style.

These rules apply to drafts too: a draft may be *incomplete*, but what it
does say must be valid. Completeness is checked separately, on the
canonical record, when a report is submitted for review.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ect_reporting import reference, vocab
from ect_reporting.fields import (
    DEVICE_FIELDS,
    MEDICINE_FIELDS,
    REACTION_FIELDS,
    REPORT_COMMON_FIELDS,
    SESSION_FIELDS,
    Field,
)

Errors = dict[str, list[str]]

# C0 control characters other than tab, newline and carriage return: they
# have no place in a report, break XML exports and PostgreSQL rejects NUL.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_REACTIONS = 50


def add_error(errors: Errors, path: str, message: str) -> None:
    """Append ``message`` under ``path`` once."""
    messages = errors.setdefault(path, [])
    if message not in messages:
        messages.append(message)


def _check_field(field: Field, value: Any, errors: Errors, today: date, path: str, enforce_required: bool) -> None:
    if value is None or value == "" or value == []:
        if enforce_required and field.required:
            add_error(
                errors,
                path,
                f"Enter {field.label.lower()}" if field.type != "enum" else f"Select {field.label.lower()}",
            )
        return
    if field.type in ("str", "text") and field.max_length and len(str(value)) > field.max_length:
        add_error(errors, path, f"{field.label} must be {field.max_length} characters or fewer")
    if field.type in ("str", "text", "enum") and _CONTROL_CHARACTERS.search(str(value)):
        add_error(errors, path, f"{field.label} contains control characters that are not allowed")
    if field.type in ("int", "float"):
        if field.maximum is not None and value > field.maximum:
            add_error(errors, path, field.maximum_message or f"{field.label} must be {field.maximum:g} or less")
        if field.minimum is not None and value < field.minimum:
            add_error(errors, path, f"{field.label} must be {field.minimum:g} or more")
    if field.type == "enum" and field.choices is not None and value not in field.choices:
        add_error(errors, path, f"Select a valid {field.label.lower()}")
    if field.type == "date" and value > today:
        add_error(errors, path, f"{field.label} must be today or in the past")
    if field.type == "codes" and field.choices is not None:
        for code in value:
            if code not in field.choices:
                add_error(errors, path, f"{code!s} is not a valid {field.label.lower()} value")


def check_fields(
    fields: Iterable[Field],
    values: Mapping[str, Any],
    *,
    today: date,
    enforce_required: bool,
    prefix: str = "",
) -> Errors:
    """Check each field's own limits; ``values`` is keyed by model attribute."""
    errors: Errors = {}
    for field in fields:
        if field.attr in values:
            _check_field(field, values[field.attr], errors, today, prefix + field.path, enforce_required)
        elif enforce_required and field.required:
            _check_field(field, None, errors, today, prefix + field.path, enforce_required)
    return errors


def _merge(into: Errors, other: Errors) -> None:
    for path, messages in other.items():
        for message in messages:
            add_error(into, path, message)


def check_dose_unit(drug: str | None, unit: str | None, path: str, errors: Errors) -> None:
    """Bleomycin is recorded in IU only, cisplatin in mg (transcription hazard)."""
    if drug is None or unit is None:
        return
    expected = vocab.DRUG_DOSE_UNIT.get(drug)
    if expected and unit != expected:
        if drug == "bleomycin":
            add_error(errors, path, "Bleomycin dose must be recorded in IU (international units), not mg")
        else:
            add_error(errors, path, f"{vocab.label(vocab.DRUGS, drug)} dose must be recorded in {expected}")


def check_date_order(start: date | None, end: date | None, path: str, message: str, errors: Errors) -> None:
    """Add ``message`` when ``end`` falls before ``start``."""
    if start is not None and end is not None and end < start:
        add_error(errors, path, message)


def session_errors(values: Mapping[str, Any], *, today: date, creating: bool) -> Errors:
    """Check an ECT session's values (``creating`` enforces required fields)."""
    errors = check_fields(SESSION_FIELDS, values, today=today, enforce_required=creating)
    check_dose_unit(values.get("drug"), values.get("dose_unit"), "drug.dose_unit", errors)
    return errors


def report_errors(
    kind: str,
    values: Mapping[str, Any],
    reactions: list[Mapping[str, Any]] | None,
    *,
    today: date,
) -> Errors:
    """Check a report's values and, for medicine reports, its reactions."""
    errors = check_fields(REPORT_COMMON_FIELDS, values, today=today, enforce_required=False)
    if kind == "medicine":
        _merge(errors, check_fields(MEDICINE_FIELDS, values, today=today, enforce_required=False))
        check_dose_unit(values.get("drug"), values.get("drug_dose_unit"), "suspect_drug.dose_unit", errors)
        check_date_order(
            values.get("drug_date_started"),
            values.get("drug_date_stopped"),
            "suspect_drug.date_stopped",
            "Date stopped must be the same as or after the date started",
            errors,
        )
        _check_seriousness(values, errors)
        if reactions and len(reactions) > MAX_REACTIONS:
            add_error(errors, "reactions", f"A report can list at most {MAX_REACTIONS} reactions")
        for index, reaction in enumerate(reactions or []):
            _merge(errors, reaction_errors(reaction, index, today=today))
    else:
        _merge(errors, check_fields(DEVICE_FIELDS, values, today=today, enforce_required=False))
        _check_imdrf(values.get("device_problem_codes") or [], "A", "incident.device_problem_codes", errors)
        _check_imdrf(values.get("health_effect_codes") or [], "EF", "incident.health_effect_codes", errors)
    return errors


def _check_seriousness(values: Mapping[str, Any], errors: Errors) -> None:
    criteria = values.get("seriousness_criteria")
    if criteria is None:
        return
    serious = values.get("serious")
    if serious is True and not criteria:
        add_error(errors, "seriousness.criteria", "Select at least one reason why the reaction is serious")
    if serious is False and criteria:
        add_error(errors, "seriousness.criteria", "Seriousness criteria can only be given for a serious reaction")


def _check_imdrf(codes: list[str], annexes: str, path: str, errors: Errors) -> None:
    for code in codes:
        term = reference.imdrf_term(code)
        if term is None or code[:1] not in annexes:
            add_error(errors, path, f"{code} is not in the IMDRF code list for this field")


def reaction_errors(reaction: Mapping[str, Any], index: int, *, today: date) -> Errors:
    """Check one reaction; paths are ``reactions.<index>.<field>``."""
    prefix = f"reactions.{index}."
    errors = check_fields(REACTION_FIELDS, reaction, today=today, enforce_required=False, prefix=prefix)
    code = reaction.get("meddra_code")
    if code:
        term = reference.meddra_term(code)
        if term is None:
            add_error(errors, prefix + "meddra_code", "Select a reaction term from the list")
        else:
            grade = reaction.get("ctcae_grade")
            allowed = reference.allowed_grades(code)
            if grade is not None and allowed and grade not in allowed:
                grades = ", ".join(str(g) for g in allowed)
                add_error(errors, prefix + "ctcae_grade", f"{term.term} can only be graded {grades} in CTCAE v5")
    check_date_order(
        reaction.get("onset_date"),
        reaction.get("end_date"),
        prefix + "end_date",
        "Date reaction stopped must be the same as or after the date it started",
        errors,
    )
    return errors
