"""Domain functions for reports: pre-fill from a session, edit, follow up.

A follow-up (E2B/MIR "follow-up" or "final" report) is a new report
linked to the latest version of its case and copied from it; the
versions of one case form a chain, initial first.

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

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from ect_reporting import clocks, rules
from ect_reporting.audit import record_changes, record_event
from ect_reporting.errors import ValidationFailed, VersionConflict
from ect_reporting.fields import (
    REACTION_FIELDS,
    SESSION_TO_DEVICE_REPORT,
    SESSION_TO_MEDICINE_REPORT,
    SESSION_TO_REPORT,
    report_fields,
)
from ect_reporting.models import EctSession, Reaction, Report, User
from ect_reporting.models._common import utcnow
from ect_reporting.models.report import SERIOUSNESS_COLUMNS
from ect_reporting.vocab import REPORT_KINDS
from ect_reporting.workflow import TransitionForbidden, TransitionNotAllowed

_REACTION_ATTRS = tuple(f.attr for f in REACTION_FIELDS)


def _clean_text(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _clean(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    attrs = {f.attr for f in report_fields(kind)}
    cleaned = {attr: _clean_text(values[attr]) for attr in attrs if attr in values}
    if cleaned.get("patient_initials"):
        cleaned["patient_initials"] = cleaned["patient_initials"].upper()
    for attr in ("device_problem_codes", "health_effect_codes", "seriousness_criteria"):
        if attr in cleaned and cleaned[attr] is None:
            cleaned[attr] = []
    if "black_triangle" in cleaned and cleaned["black_triangle"] is None:
        cleaned["black_triangle"] = False  # not flagged unless someone says so
    return cleaned


def _clean_reactions(reactions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{attr: _clean_text(r.get(attr)) for attr in _REACTION_ATTRS} for r in reactions]


def prefill_values(session: EctSession, kind: str, reporter: User) -> dict[str, Any]:
    """Return the values a new ``kind`` report takes from ``session`` and ``reporter``."""
    mapping = dict(SESSION_TO_REPORT)
    mapping.update(SESSION_TO_MEDICINE_REPORT if kind == "medicine" else SESSION_TO_DEVICE_REPORT)
    values = {report_attr: getattr(session, session_attr) for session_attr, report_attr in mapping.items()}
    values.update(
        reporter_name=reporter.full_name,
        reporter_profession=reporter.profession,
        reporter_email=reporter.email,
        reporter_organisation=reporter.organisation,
        awareness_date=date.today(),
    )
    if kind == "medicine":
        values["drug_indication"] = "Electrochemotherapy for cutaneous metastases" + (
            f" ({session.histology.replace('_', ' ')})" if session.histology and session.histology != "other" else ""
        )
        values["action_taken"] = "not_applicable"
    else:
        values["suspect_component"] = "unknown"
    return values


def _apply(report: Report, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
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


def _replace_reactions(report: Report, reactions: list[dict[str, Any]]) -> dict[str, Any] | None:
    old = [{a: getattr(r, a) for a in _REACTION_ATTRS} for r in report.reactions]
    if old == reactions:
        return None
    report.reactions.clear()
    for position, values in enumerate(reactions):
        report.reactions.append(Reaction(position=position, **values))
    return {"old": old, "new": reactions}


def configured_clock_rules() -> clocks.ClockRules:
    """Return the clock rules from the app's ECT_CLOCK_* settings, or the defaults outside an app."""
    if has_app_context():
        return clocks.ClockRules.from_mapping(current_app.config)
    return clocks.DEFAULT_RULES


def refresh_due_date(report: Report, rules_: clocks.ClockRules | None = None) -> None:
    """Recompute the reporting deadline from awareness date and seriousness."""
    if report.awareness_date is None:
        report.due_date = None
        return
    report.due_date = clocks.due_date(
        report.kind,
        report.awareness_date,
        report.serious,
        report.incident_classification,
        rules_ or configured_clock_rules(),
    )


def create_report(
    db_session: Session,
    actor: User,
    session: EctSession,
    kind: str,
    overrides: Mapping[str, Any] | None = None,
    reactions: Sequence[Mapping[str, Any]] | None = None,
    *,
    today: date | None = None,
    clock_rules: clocks.ClockRules | None = None,
) -> Report:
    """Create a ``kind`` report pre-filled from ``session``; overrides win."""
    if kind not in REPORT_KINDS:
        raise ValidationFailed({"kind": [f"Kind must be one of: {', '.join(REPORT_KINDS)}"]})
    values = prefill_values(session, kind, actor) | _clean(kind, overrides or {})
    cleaned_reactions = _clean_reactions(reactions or [])
    errors = rules.report_errors(
        kind, values, cleaned_reactions if kind == "medicine" else None, today=today or date.today()
    )
    if errors:
        raise ValidationFailed(errors)
    report = Report(
        session=session,
        kind=kind,
        state="draft",
        report_type="initial",
        created_by=actor,
        device_problem_codes=[],
        health_effect_codes=[],
    )
    _apply(report, values)
    if kind == "medicine":
        _replace_reactions(report, cleaned_reactions)
    refresh_due_date(report, clock_rules)
    db_session.add(report)
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="create",
        object_type="report",
        object_id=report.id,
        details={"kind": kind, "session_id": session.id},
    )
    return report


def update_report(
    db_session: Session,
    actor: User,
    report: Report,
    values: Mapping[str, Any],
    reactions: Sequence[Mapping[str, Any]] | None = None,
    *,
    expected_version: int | None = None,
    today: date | None = None,
    clock_rules: clocks.ClockRules | None = None,
) -> Report:
    """Change a report; ``reactions`` (when given) replaces the list.

    ``expected_version`` is the version the editor started from; a
    mismatch raises ``VersionConflict`` so nobody overwrites a change they
    have not seen.
    """
    if expected_version is not None and expected_version != report.version:
        raise VersionConflict(report.version)
    cleaned = _clean(report.kind, values)
    current = {f.attr: getattr(report, f.attr) for f in report_fields(report.kind) if f.attr != "seriousness_criteria"}
    current["seriousness_criteria"] = [k for k, v in report.seriousness_criteria.items() if v]
    merged = current | cleaned
    cleaned_reactions = None if reactions is None else _clean_reactions(reactions)
    if report.kind == "medicine":
        check_reactions = (
            cleaned_reactions
            if cleaned_reactions is not None
            else [{a: getattr(r, a) for a in _REACTION_ATTRS} for r in report.reactions]
        )
    else:
        check_reactions = None
    errors = rules.report_errors(report.kind, merged, check_reactions, today=today or date.today())
    if errors:
        raise ValidationFailed(errors)
    changes = _apply(report, cleaned)
    if cleaned_reactions is not None and report.kind == "medicine":
        reaction_change = _replace_reactions(report, cleaned_reactions)
        if reaction_change:
            changes["reactions"] = reaction_change
    if changes:
        # Touch the row so its version increases even when only the
        # reaction rows changed.
        report.updated_at = utcnow()
        refresh_due_date(report, clock_rules)
        db_session.flush()
        record_changes(db_session, actor=actor, object_type="report", object_id=report.id, changes=changes)
    return report


# Columns a follow-up does not copy: identity, workflow and per-submission
# facts belong to each version. The awareness date is the date the *new*
# information became known, so the follow-up's clock starts again.
_NOT_COPIED = frozenset(
    {
        "id",
        "state",
        "report_type",
        "follow_up_of_id",
        "version",
        "created_by_id",
        "created_at",
        "updated_at",
        "awareness_date",
        "due_date",
        "submitted_at",
        "approved_by_id",
        "approved_at",
        "mhra_reference",
        "mhra_sent_date",
        "withdrawn_reason",
    }
)
_REACTION_COPIED = tuple(c.key for c in Reaction.__table__.columns if c.key not in ("id", "report_id"))
FOLLOW_UP_SOURCE_STATES = frozenset({"sent_to_mhra", "acknowledged", "closed"})
FOLLOW_UP_TYPES = ("follow_up", "final")


def follow_up_chain(db_session: Session, report: Report) -> list[Report]:
    """Return every version of ``report``'s case, initial first (two queries).

    Walks up ``follow_up_of_id`` to the initial report, then down to all
    its follow-ups, with recursive CTEs (SQLite and PostgreSQL both have
    them), so the cost does not grow with the length of the chain.
    """
    up = select(Report.id, Report.follow_up_of_id).where(Report.id == report.id).cte("up", recursive=True)
    up = up.union_all(select(Report.id, Report.follow_up_of_id).join(up, Report.id == up.c.follow_up_of_id))
    root_id = db_session.scalar(select(up.c.id).where(up.c.follow_up_of_id.is_(None)))
    down = select(Report.id).where(Report.id == (root_id or report.id)).cte("down", recursive=True)
    down = down.union_all(select(Report.id).join(down, Report.follow_up_of_id == down.c.id))
    return list(db_session.scalars(select(Report).where(Report.id.in_(select(down.c.id))).order_by(Report.id)))


def latest_version(chain: Sequence[Report]) -> Report:
    """Return the newest version that was not withdrawn (else the newest)."""
    live = [r for r in chain if r.state != "withdrawn"]
    return (live or list(chain))[-1]


def may_follow_up(actor: User, chain: Sequence[Report]) -> bool:
    """Governance leads, and the author of the initial report or of the latest version."""
    if actor.has_role("governance_lead"):
        return True
    return actor.id in {chain[0].created_by_id, latest_version(chain).created_by_id}


def create_follow_up(
    db_session: Session,
    actor: User,
    report: Report,
    *,
    report_type: str = "follow_up",
    today: date | None = None,
    clock_rules: clocks.ClockRules | None = None,
) -> Report:
    """Start a follow-up draft: a copy of the case's latest version, linked to it.

    The case must have been sent (sent to MHRA, acknowledged or closed);
    a withdrawn version is skipped, and a version still being worked on
    blocks a second follow-up (``TransitionNotAllowed``, HTTP 409). Only a
    governance lead or the case's author may do it (``TransitionForbidden``).
    Writes one audit row; flushes, never commits.
    """
    chain = follow_up_chain(db_session, report)
    if not may_follow_up(actor, chain):
        raise TransitionForbidden("Only the reporter or a governance lead can add a follow-up")
    if report_type not in FOLLOW_UP_TYPES:
        raise ValidationFailed({"report_type": [f"Report type must be one of: {', '.join(FOLLOW_UP_TYPES)}"]})
    latest = latest_version(chain)
    # Serialise concurrent follow-ups of one case (PostgreSQL row lock; a
    # no-op on SQLite, whose writers are serialised anyway), then look again.
    db_session.execute(select(Report.id).where(Report.id == latest.id).with_for_update())
    chain = follow_up_chain(db_session, report)
    if latest_version(chain).id != latest.id:
        raise TransitionNotAllowed("Another follow-up to this report was started at the same time")
    if latest.state not in FOLLOW_UP_SOURCE_STATES:
        if latest.id != report.id:
            raise TransitionNotAllowed(
                f"{latest.reference} is the latest version of this report and is "
                f"{latest.state.replace('_', ' ')}: finish it before starting another follow-up",
                state=latest.state,
            )
        raise TransitionNotAllowed(
            f"A report that is {latest.state.replace('_', ' ')} cannot have a follow-up: send it to the MHRA first",
            state=latest.state,
        )

    follow_up = Report(
        state="draft",
        report_type=report_type,
        follow_up_of_id=latest.id,
        created_by=actor,
        awareness_date=today or date.today(),
    )
    for column in Report.__table__.columns:
        if column.key in _NOT_COPIED:
            continue
        value = getattr(latest, column.key)
        setattr(follow_up, column.key, list(value) if isinstance(value, list) else value)
    for reaction in latest.reactions:
        follow_up.reactions.append(Reaction(**{key: getattr(reaction, key) for key in _REACTION_COPIED}))
    refresh_due_date(follow_up, clock_rules)
    db_session.add(follow_up)
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="follow_up",
        object_type="report",
        object_id=follow_up.id,
        details={"follow_up_of": latest.id, "initial": chain[0].id, "report_type": report_type},
    )
    return follow_up
