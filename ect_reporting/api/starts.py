"""API v1: start a report without a session, or a reaction report from a defective medicine.

``POST /reports`` takes ``kind`` and the report's fields (as ``POST
/sessions/{id}/reports`` does) plus the site, which no session supplies;
a device UDI / GS1 string given as ``device.generator.udi`` or
``device.electrode.udi`` fills the identifiers it holds.
``POST /reports/{id}/reaction-report`` starts the suspected reaction
report of a defective medicine that was used on a patient and followed by
a reaction (409 otherwise).
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from ect_reporting import access
from ect_reporting.api import bp
from ect_reporting.api.auth import api_user, json_body
from ect_reporting.api.views import _etag, _parse_report_body, _report_body
from ect_reporting.exceptions import ValidationFailed
from ect_reporting.extensions import db
from ect_reporting.models import Report
from ect_reporting.reports import starts
from ect_reporting.vocab import REPORT_KINDS
from ect_reporting.web import clock_rules, organisation_code


def _created(report: Report) -> Any:
    db.session.commit()
    headers = {"Location": url_for("api.get_report", report_id=report.id), "ETag": _etag(report)}
    return _report_body(report), 201, headers


@bp.post("/reports")
def create_blank_report() -> Any:
    """Create a report with no session: 201, or 422 with every problem."""
    body = json_body()
    kind = body.get("kind")
    if not isinstance(kind, str) or kind not in REPORT_KINDS:
        raise ValidationFailed({"kind": [f"Kind must be one of: {', '.join(REPORT_KINDS)}"]})
    values, lists, errors = _parse_report_body(kind, body, extra=("kind",))
    if errors:
        raise ValidationFailed(errors)
    report = starts.start_blank_report(
        db.session,
        api_user(),
        kind,
        values,
        clock_rules=clock_rules(),
        organisation_code=organisation_code(),
        **lists,
    )
    return _created(report)


@bp.post("/reports/<int:report_id>/reaction-report")
def create_reaction_report(report_id: int) -> Any:
    """Start the suspected reaction report of a defective medicine: 201, or 409 when it does not apply."""
    report = access.visible_report(db.session, report_id, api_user())
    started = starts.start_reaction_report(
        db.session, api_user(), report, clock_rules=clock_rules(), organisation_code=organisation_code()
    )
    return _created(started)
