"""What still blocks a report from being submitted for review.

The completeness check works on the canonical record and names problems
by record paths (``suspect_drugs.0.batch``). People and API clients see
the fields by their input paths (``suspect_drug.batch``), so this module
translates, letting forms, the API and the workflow share one list.
"""

from __future__ import annotations

from datetime import date

from ect_reporting.completeness import check_completeness
from ect_reporting.identifiers import identifier_problems
from ect_reporting.models import Report
from ect_reporting.records import build_record

# (record path or prefix ending in ".", API path or prefix), first match wins.
_RECORD_TO_API = (
    ("suspect_drugs.0.product_name", "suspect_drug.product"),
    ("suspect_drugs.0.drug", "suspect_drug.name"),
    ("suspect_drugs.0.", "suspect_drug."),
    ("suspect_drugs", "suspect_drug"),
    ("patient.age_years", "patient.age"),
    ("generator.", "device.generator."),
    ("electrode.", "device.electrode."),
    ("generator", "device.generator"),
    ("electrode", "device.electrode"),
    ("suspect_component", "device.suspect_component"),
    ("incident.incident_date", "incident.date"),
)


def api_path(record_path: str) -> str:
    """Translate a completeness path (record names) to the input field path."""
    for prefix, replacement in _RECORD_TO_API:
        if prefix.endswith("."):
            if record_path.startswith(prefix):
                return replacement + record_path[len(prefix) :]
        elif record_path == prefix:
            return replacement
    return record_path


def submission_problems(report: Report, today: date | None = None) -> list[tuple[str, str]]:
    """Return (field path, message) for everything that blocks submission."""
    record = build_record(report)
    problems = [(api_path(p.path), p.message) for p in check_completeness(record, today=today or date.today())]
    return problems + identifier_problems(record)
