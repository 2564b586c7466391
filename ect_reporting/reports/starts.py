"""Ways to start a report other than "pre-filled from one ECT session".

- From a blank form (``start_blank_report``): a device problem found in the
  store room or at a service check, a defective batch in the pharmacy, or
  a reaction noticed weeks later with no session recorded here. The site
  is typed; a device can be identified by a pasted UDI / GS1 string, which
  ``services.create_report`` expands into the device identifiers.
- From a defective-medicine report whose product was used on a patient and
  an adverse reaction followed (``start_reaction_report``): a suspected
  reaction report, pre-filled with the product and batch and linked back.

Both end in ``services.create_report``, so the rules, the clock, the case
id and the audit row are the same as for any other report.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ect_reporting import rules, vocab
from ect_reporting.exceptions import Errors, NotAllowedNow, ValidationFailed
from ect_reporting.fields import DEFECTIVE_TO_MEDICINE_REPORT, PATIENT_FIELDS
from ect_reporting.models import EctSession, Report, User
from ect_reporting.reports import services
from ect_reporting.reports.values import clean_values

# The kinds a blank form may start: every kind (a medicine report with the patient's minimum data typed).
BLANK_FORM_KINDS = tuple(vocab.REPORT_KINDS)


def blank_form_errors(kind: str, values: dict[str, Any]) -> Errors:
    """What a report started without a session must say from the start.

    The site and its nation (the session would have given them: the nation
    chooses where a device report goes), and for a medicine report the
    patient's minimum data, since no session supplies it.
    """
    errors: Errors = {}
    if kind not in vocab.REPORT_KINDS:
        rules.add_error(errors, "kind", "Choose the kind of report")
        return errors
    if not values.get("site_name"):
        rules.add_error(errors, "site.name", "Enter the hospital or site")
    if not values.get("nation"):
        rules.add_error(errors, "site.nation", "Choose the nation the site is in")
    if kind == "medicine" and all(values.get(f.attr) in (None, "") for f in PATIENT_FIELDS):
        rules.add_error(
            errors,
            "patient",
            "Identify the patient: give at least one of initials, age, sex or local reference",
        )
    return errors


def start_blank_report(
    db_session: Session,
    actor: User,
    kind: str,
    values: dict[str, Any],
    session: EctSession | None = None,
    **options: Any,
) -> Report:
    """Create a ``kind`` report from the short blank form's ``values`` (typed values keyed by attribute).

    ``session`` links it to the ECT session the product was used in (a
    defective medicine used on a patient): the session then pre-fills it and
    only what was typed overrides that. ``options`` go to
    ``services.create_report`` (clock rules, organisation code, today).
    Raises ``ValidationFailed`` with every problem at once.
    """
    cleaned = clean_values(kind, values) if kind in vocab.REPORT_KINDS else {}
    if session is not None:
        typed = {attr: value for attr, value in cleaned.items() if value not in (None, [], False)}
        return services.create_report(db_session, actor, session, kind, typed, **options)
    errors = blank_form_errors(kind, cleaned)
    if errors:
        raise ValidationFailed(errors)
    return services.create_report(db_session, actor, None, kind, cleaned, **options)


def may_start_reaction_report(report: Report) -> bool:
    """A defective medicine used on a patient and followed by a reaction, with no reaction report yet."""
    return (
        report.kind == "defective_medicine"
        and bool(report.used_on_patient)
        and bool(report.reaction_followed)
        and report.state not in vocab.INACTIVE_STATES
        and not any(r.kind == "medicine" for r in report.started_reports)
    )


def start_reaction_report(db_session: Session, actor: User, report: Report, **options: Any) -> Report:
    """Start a suspected reaction (medicine) report from a defective-medicine report.

    It takes the product, batch, site and patient minimum data from the
    defect report (and its session, when it has one), and links back to
    it, so the two reports are read together. ``NotAllowedNow`` (409)
    unless ``may_start_reaction_report``.
    """
    if not may_start_reaction_report(report):
        raise NotAllowedNow(
            "A reaction report can be started only from a defective medicine used on a patient "
            "when an adverse reaction followed, and only once",
            report.state,
        )
    overrides = {attr: getattr(report, attr) for attr in DEFECTIVE_TO_MEDICINE_REPORT}
    overrides = {attr: value for attr, value in overrides.items() if value is not None}
    return services.create_report(
        db_session, actor, report.session, "medicine", overrides, source_report=report, **options
    )


def sessions_to_start_from(db_session: Session, actor: User, limit: int = 100) -> list[EctSession]:
    """The sessions ``actor`` may start a report from, newest first (reviewers: everyone's)."""
    query = select(EctSession).order_by(EctSession.procedure_date.desc(), EctSession.id.desc()).limit(limit)
    if not actor.has_role(*vocab.REVIEWER_ROLES):
        query = query.where(EctSession.created_by_id == actor.id)
    return list(db_session.scalars(query))
