"""Domain functions for reports: create pre-filled from a session, and edit.

A new report copies what the session already knows (patient minimum
data; the suspect drug with batch, route, dose and date; or the pulse
generator and electrode identifiers), takes the signed-in user as
reporter, and gets a reporting deadline from ``clocks``. Values given
by the caller override the pre-filled ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ect_reporting import clinical, clocks, rules, udi
from ect_reporting.audit import record_changes, record_event
from ect_reporting.exceptions import ValidationFailed, VersionConflict
from ect_reporting.fields import (
    SESSION_TO_DEFECTIVE_REPORT,
    SESSION_TO_DEVICE_REPORT,
    SESSION_TO_MEDICINE_REPORT,
    SESSION_TO_REPORT,
    SESSION_TO_SITE,
)
from ect_reporting.models import EctSession, Report, User
from ect_reporting.models._common import utcnow
from ect_reporting.reports.coding import stamp_coding_versions
from ect_reporting.reports.values import (
    apply_values,
    clean_other_drugs,
    clean_reactions,
    clean_values,
    other_drug_values,
    reaction_values,
    replace_other_drugs,
    replace_reactions,
    report_values,
)
from ect_reporting.session_summary import warning_snapshot
from ect_reporting.vocab import NEAR_MISS_CLASSIFICATION, NEAR_MISS_HEALTH_IMPACT_CODE, REPORT_KINDS

# Session attributes each kind copies (besides the site); patient data only where a patient was treated.
_SESSION_TO_KIND: dict[str, dict[str, str]] = {
    "medicine": SESSION_TO_REPORT | SESSION_TO_MEDICINE_REPORT,
    "device": SESSION_TO_REPORT | SESSION_TO_DEVICE_REPORT,
    "defective_medicine": SESSION_TO_REPORT | SESSION_TO_DEFECTIVE_REPORT,
}


def near_miss_fills(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return what a device near miss always says: health impact F27, "all other reportable incidents".

    Filled in rather than asked, so a reporter ticking "no patient involved"
    cannot leave the code or classification out; anything contradicting
    them is refused by ``rules``.
    """
    if not values.get("no_patient_involved"):
        return {}
    fills: dict[str, Any] = {}
    if not values.get("health_effect_codes"):
        fills["health_effect_codes"] = [NEAR_MISS_HEALTH_IMPACT_CODE]
    if values.get("incident_classification") is None:
        fills["incident_classification"] = NEAR_MISS_CLASSIFICATION
    return fills


def prefill_values(session: EctSession | None, kind: str, reporter: User) -> dict[str, Any]:
    """Return the values a new ``kind`` report takes from ``session`` (if any) and ``reporter``."""
    values: dict[str, Any] = {}
    if session is not None:
        mapping = SESSION_TO_SITE | _SESSION_TO_KIND[kind]
        values = {report_attr: getattr(session, session_attr) for session_attr, report_attr in mapping.items()}
    values.update(
        reporter_name=reporter.full_name,
        reporter_profession=reporter.profession,
        reporter_email=reporter.email,
        reporter_organisation=reporter.organisation,
        reporter_qualification=reporter.qualification,
    )
    if kind == "medicine":
        histology = session.histology if session is not None else None
        values["drug_indication"] = "Electrochemotherapy for cutaneous metastases" + (
            f" ({histology.replace('_', ' ')})" if histology and histology != "other" else ""
        )
        values["action_taken"] = "not_applicable"
    elif kind == "device":
        values["suspect_component"] = "unknown"
    return values


def initial_values(
    session: EctSession | None, kind: str, actor: User, overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """Return a new report's values: pre-filled, overridden, then UDI and near-miss fills.

    A near miss (``no_patient_involved``) takes no patient data from the session.
    """
    given = clean_values(kind, overrides)
    prefill = prefill_values(session, kind, actor)
    if given.get("no_patient_involved"):
        prefill = {attr: value for attr, value in prefill.items() if attr not in SESSION_TO_REPORT.values()}
    values = udi.fill_from_udi(prefill | given)
    return values | near_miss_fills(values)


def case_id_for(organisation_code: str, initial_report_id: int) -> str:
    """Return the E2B C.1.1 case id ``GB-<ORG>-<initial report id, 6 digits>``.

    Built from the *initial* report's id, as migration 0002 does for older
    rows, so every version of a case shares it and it never changes.
    """
    return f"GB-{organisation_code}-{initial_report_id:06d}"


def _assign_case_id(db_session: Session, report: Report, case_id: str) -> None:
    """Store the case id without a second versioned UPDATE.

    The id exists only after the INSERT; an ORM update would bump the
    row version, so a new report would start at version 2 and its first
    ETag would already look like an edit.
    """
    db_session.execute(update(Report).where(Report.id == report.id).values(case_id=case_id))
    set_committed_value(report, "case_id", case_id)


def refresh_due_date(report: Report, clock_rules: clocks.ClockRules) -> None:
    """Recompute the reporting deadline from awareness date and seriousness."""
    if report.awareness_date is None:
        report.due_date = None
        return
    report.due_date = clocks.due_date(
        report.kind,
        report.awareness_date,
        report.serious,
        report.incident_classification,
        clock_rules,
        defect_category=report.defect_category,
    )


def _new_report(
    session: EctSession | None, kind: str, actor: User, values: Mapping[str, Any], lists: Mapping[str, list[Any]]
) -> Report:
    """Return an unsaved draft, version 1 of a new case, holding ``values`` and its lists."""
    report = Report(
        session=session,
        site_id=session.site_id if session is not None else actor.site_id,
        kind=kind,
        state="draft",
        report_type="initial",
        case_version=1,
        created_by=actor,
        device_problem_codes=[],
        health_effect_codes=[],
    )
    apply_values(report, values)
    replace_reactions(report, lists["reactions"])
    replace_other_drugs(report, lists["other_drugs"])
    stamp_coding_versions(report)
    return report


def create_report(
    db_session: Session,
    actor: User,
    session: EctSession | None,
    kind: str,
    overrides: Mapping[str, Any] | None = None,
    reactions: Sequence[Mapping[str, Any]] | None = None,
    *,
    other_drugs: Sequence[Mapping[str, Any]] | None = None,
    today: date | None = None,
    clock_rules: clocks.ClockRules = clocks.DEFAULT_RULES,
    organisation_code: str = "ECT",
    clinical_settings: clinical.ClinicalSettings = clinical.DEFAULT_SETTINGS,
    source_report: Report | None = None,
) -> Report:
    """Create a ``kind`` report pre-filled from ``session``; overrides win.

    ``session`` is None for a report started from a blank form (see
    ``reports.starts``). The report starts a new case: its case id (from
    ``organisation_code`` and its own id, so assigned after the flush) is
    version 1 of that case.
    """
    if kind not in REPORT_KINDS:
        raise ValidationFailed({"kind": [f"Kind must be one of: {', '.join(REPORT_KINDS)}"]})
    values = initial_values(session, kind, actor, overrides or {})
    is_medicine = kind == "medicine"
    cleaned_reactions = clean_reactions(reactions or []) if is_medicine else []
    cleaned_drugs = clean_other_drugs(other_drugs or []) if is_medicine else []
    errors = rules.report_errors(
        kind,
        values,
        cleaned_reactions,
        other_drugs=cleaned_drugs,
        today=today or date.today(),
        procedure_date=session.procedure_date if session is not None else None,
    )
    if errors:
        raise ValidationFailed(errors)
    # Before the new row exists: the snapshot queries earlier sessions, which would autoflush it half-built.
    warnings = warning_snapshot(session, clinical_settings) if session is not None else []
    report = _new_report(session, kind, actor, values, {"reactions": cleaned_reactions, "other_drugs": cleaned_drugs})
    report.clinical_warnings, report.source_report = warnings, source_report
    refresh_due_date(report, clock_rules)
    db_session.add(report)
    db_session.flush()
    _assign_case_id(db_session, report, case_id_for(organisation_code, report.id))
    record_event(
        db_session,
        actor=actor,
        action="create",
        object_type="report",
        object_id=report.id,
        details={"kind": kind, "session_id": report.session_id, "source_report_id": report.source_report_id},
    )
    return report


_CLEAN_LIST = {"reactions": clean_reactions, "other_drugs": clean_other_drugs}
_CURRENT_LIST = {"reactions": reaction_values, "other_drugs": other_drug_values}
_REPLACE_LIST = {"reactions": replace_reactions, "other_drugs": replace_other_drugs}


def _given_lists(report: Report, given: Mapping[str, Sequence[Mapping[str, Any]] | None]) -> dict[str, list[Any]]:
    """Return the cleaned lists the caller sent; device reports have none."""
    if report.kind != "medicine":
        return {}
    return {key: _CLEAN_LIST[key](entries) for key, entries in given.items() if entries is not None}


def update_report(
    db_session: Session,
    actor: User,
    report: Report,
    values: Mapping[str, Any],
    reactions: Sequence[Mapping[str, Any]] | None = None,
    *,
    other_drugs: Sequence[Mapping[str, Any]] | None = None,
    expected_version: int | None = None,
    today: date | None = None,
    clock_rules: clocks.ClockRules = clocks.DEFAULT_RULES,
) -> Report:
    """Change a report; ``reactions`` / ``other_drugs`` (when given) replace their lists.

    ``expected_version`` is the version the editor started from; a
    mismatch raises ``VersionConflict`` so nobody overwrites a change they
    have not seen. The rules see the report as it would be after the change.
    """
    if expected_version is not None and expected_version != report.version:
        raise VersionConflict(report.version)
    cleaned = clean_values(report.kind, values)
    cleaned |= udi.udi_fills(report_values(report) | cleaned)
    cleaned |= near_miss_fills(report_values(report) | cleaned)
    new_lists = _given_lists(report, {"reactions": reactions, "other_drugs": other_drugs})
    after = {key: new_lists.get(key, current(report)) for key, current in _CURRENT_LIST.items()}
    errors = rules.report_errors(
        report.kind,
        report_values(report) | cleaned,
        after["reactions"],
        other_drugs=after["other_drugs"],
        today=today or date.today(),
        procedure_date=report.session.procedure_date if report.session is not None else None,
    )
    if errors:
        raise ValidationFailed(errors)
    changes = apply_values(report, cleaned)
    for key, entries in new_lists.items():
        change = _REPLACE_LIST[key](report, entries)
        if change:
            changes[key] = change
    if changes:
        # Touch the row so its version increases even when only the
        # listed rows changed.
        report.updated_at = utcnow()
        stamp_coding_versions(report)
        refresh_due_date(report, clock_rules)
        db_session.flush()
        record_changes(db_session, actor=actor, object_type="report", object_id=report.id, changes=changes)
    return report
