"""Dicts the API returns for sessions and reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import url_for

from ect_reporting import clocks
from ect_reporting.api.payload import serialise_fields
from ect_reporting.fields import OTHER_DRUG_FIELDS, REACTION_FIELDS, SESSION_FIELDS, report_fields
from ect_reporting.models import EctSession, Report
from ect_reporting.reports import starts
from ect_reporting.reports.records import regulator_reference
from ect_reporting.reports.values import other_drug_values, reaction_values, report_values
from ect_reporting.session_summary import summarise
from ect_reporting.web import clinical_settings, opcs_settings


def session_json(session: EctSession) -> dict[str, Any]:
    """Return the API representation of a session."""
    values = {f.attr: getattr(session, f.attr) for f in SESSION_FIELDS}
    body = {"id": session.id}
    body.update(serialise_fields(values, SESSION_FIELDS))
    body["derived"] = summarise(session, clinical_settings(), opcs_settings()).as_json()
    body["reports"] = [
        {"id": r.id, "kind": r.kind, "state": r.state, "url": url_for("api.get_report", report_id=r.id)}
        for r in session.reports
    ]
    body["links"] = {
        "self": url_for("api.get_session", session_id=session.id),
        "reports": url_for("api.create_report", session_id=session.id),
    }
    return body


def report_json(report: Report, problems: Sequence[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Return the API representation of a report; with its submission problems, also ``completeness``."""
    body: dict[str, Any] = {
        "id": report.id,
        "reference": report.reference,
        "kind": report.kind,
        "state": report.state,
        "version": report.version,
        "report_type": report.report_type,
        "follow_up_of": report.follow_up_of_id,
        "case_id": report.case_id,
        "case_version": report.case_version,
        "regulator_reference": regulator_reference(report),
        "session_id": report.session_id,
        "due_date": report.due_date.isoformat() if report.due_date else None,
        "urgent": clocks.is_urgent(report.kind, report.defect_category),
        "source_report_id": report.source_report_id,
        "mhra_reference": report.mhra_reference,
    }
    body.update(serialise_fields(report_values(report), report_fields(report.kind)))
    if report.kind == "medicine":
        body["reactions"] = [serialise_fields(values, REACTION_FIELDS) for values in reaction_values(report)]
        body["other_drugs"] = [serialise_fields(values, OTHER_DRUG_FIELDS) for values in other_drug_values(report)]
    if problems is not None:
        body["completeness"] = {
            "complete": not problems,
            "problems": [{"path": path, "message": message} for path, message in problems],
        }
    body["links"] = {"self": url_for("api.get_report", report_id=report.id)}
    if report.session_id is not None:
        body["links"]["session"] = url_for("api.get_session", session_id=report.session_id)
    if starts.may_start_reaction_report(report):
        body["links"]["reaction_report"] = url_for("api.create_reaction_report", report_id=report.id)
    return body
