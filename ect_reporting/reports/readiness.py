"""What still blocks a report from being submitted for review.

The ``SUBMIT`` level of the one rule set (``rules.py``) applied to the
report's stored values, plus the patient-identifier check on the session
text the report carries (the lesion location). Forms, the API's
``completeness``, the submit action and the exports all ask here, so they
give the same answer with the same words and the same field paths.
"""

from __future__ import annotations

from datetime import date

from ect_reporting import rules
from ect_reporting.fields import SESSION_FIELDS
from ect_reporting.models import Report
from ect_reporting.reports.values import other_drug_values, reaction_values, report_values

_SESSION_NARRATIVES = tuple(f for f in SESSION_FIELDS if f.narrative)


def submission_problems(report: Report, today: date | None = None) -> list[tuple[str, str]]:
    """Return (field path, message) for everything that blocks submission, in form order."""
    errors = rules.report_errors(
        report.kind,
        report_values(report),
        reaction_values(report) if report.kind == "medicine" else None,
        other_drugs=other_drug_values(report) if report.kind == "medicine" else None,
        today=today or date.today(),
        level=rules.SUBMIT,
        procedure_date=report.session.procedure_date if report.session is not None else None,
    )
    if report.session is not None:
        session_values = {f.attr: getattr(report.session, f.attr) for f in _SESSION_NARRATIVES}
        rules.merge(errors, rules.identifier_errors(_SESSION_NARRATIVES, session_values))
    return [(path, message) for path, messages in errors.items() for message in messages]
