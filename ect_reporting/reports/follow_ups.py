"""Follow-up, final and amendment reports: later versions of one case.

A follow-up (E2B/MIR "follow-up" or "final" report, or an "amendment"
that corrects what was sent, E2B C.1.11.1 = 2) is a new report linked
to the latest version of its case and copied from it; the versions of
one case form a chain, initial first. Every version keeps the case id
and the regulator's case reference; ``case_version`` counts up from 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ect_reporting import clocks, vocab
from ect_reporting.audit import record_event
from ect_reporting.exceptions import Forbidden, NotAllowedNow, ValidationFailed
from ect_reporting.models import OtherDrug, Reaction, Report, User
from ect_reporting.reports.services import refresh_due_date

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
        "case_version",
        "regulator_case_reference",
        "nullified_at",
        "nullification_reason",
    }
)
_REACTION_COPIED = tuple(c.key for c in Reaction.__table__.columns if c.key not in ("id", "report_id"))
_OTHER_DRUG_COPIED = tuple(c.key for c in OtherDrug.__table__.columns if c.key not in ("id", "report_id"))
FOLLOW_UP_TYPES = ("follow_up", "final", "amendment")
# Correcting what the regulator already holds is a governance decision.
AMENDMENT_ROLES = vocab.WORKFLOW_REVIEWER_ROLES


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


def case_regulator_reference(chain: Sequence[Report]) -> str | None:
    """Return the regulator's reference for the case: the one recorded when it was first sent.

    Versions sent since the feature existed carry it in
    ``regulator_case_reference``; older ones only have their own
    ``mhra_reference``, so the earliest of those stands in.
    """
    for version in chain:
        if version.regulator_case_reference:
            return version.regulator_case_reference
    return next((version.mhra_reference for version in chain if version.mhra_reference), None)


def may_follow_up(actor: User, chain: Sequence[Report]) -> bool:
    """Governance leads, and the author of the initial report or of the latest version."""
    if actor.has_role(*vocab.WORKFLOW_REVIEWER_ROLES):
        return True
    return actor.id in {chain[0].created_by_id, latest_version(chain).created_by_id}


def create_follow_up(
    db_session: Session,
    actor: User,
    report: Report,
    *,
    report_type: str = "follow_up",
    today: date | None = None,
    clock_rules: clocks.ClockRules = clocks.DEFAULT_RULES,
) -> Report:
    """Start a follow-up draft: a copy of the case's latest version, linked to it.

    The copy keeps the case id and the regulator's case reference, and is
    the next ``case_version``. Only a governance lead may start an
    ``amendment`` (``Forbidden``).

    The case must have been sent (sent to MHRA, acknowledged or closed);
    a withdrawn version is skipped, and a version still being worked on
    blocks a second follow-up (``NotAllowedNow``, HTTP 409). Only a
    governance lead or the case's author may do it (``Forbidden``).
    Writes one audit row; flushes, never commits.
    """
    chain = follow_up_chain(db_session, report)
    if not may_follow_up(actor, chain):
        raise Forbidden("Only the reporter or a governance lead can add a follow-up")
    if report_type not in FOLLOW_UP_TYPES:
        raise ValidationFailed({"report_type": [f"Report type must be one of: {', '.join(FOLLOW_UP_TYPES)}"]})
    if report_type == "amendment" and not actor.has_role(*AMENDMENT_ROLES):
        raise Forbidden("Only a governance lead can amend a report that has been sent")
    latest = _lock_latest(db_session, report, latest_version(chain))
    follow_up = _copy_of(latest, actor, report_type, today or date.today())
    # Unique within the case even past a withdrawn version, so (case id,
    # version) names one report and one export file.
    follow_up.case_version = max(version.case_version or 1 for version in chain) + 1
    follow_up.regulator_case_reference = case_regulator_reference(chain)
    refresh_due_date(follow_up, clock_rules)
    db_session.add(follow_up)
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="follow_up",
        object_type="report",
        object_id=follow_up.id,
        details={
            "follow_up_of": latest.id,
            "initial": chain[0].id,
            "report_type": report_type,
            "case_id": follow_up.case_id,
            "case_version": follow_up.case_version,
        },
    )
    return follow_up


def _lock_latest(db_session: Session, report: Report, latest: Report) -> Report:
    """Lock the case's latest version and check a follow-up may start from it.

    Serialises concurrent follow-ups of one case (PostgreSQL row lock; a
    no-op on SQLite, whose writers are serialised anyway), then looks again.
    """
    db_session.execute(select(Report.id).where(Report.id == latest.id).with_for_update())
    if latest_version(follow_up_chain(db_session, report)).id != latest.id:
        raise NotAllowedNow("Another follow-up to this report was started at the same time")
    if latest.state in vocab.FOLLOW_UP_SOURCE_STATES:
        return latest
    state = vocab.label(vocab.REPORT_STATES, latest.state).lower()
    if latest.id != report.id:
        raise NotAllowedNow(
            f"Version {latest.case_version} of case {latest.case_id} is the latest version and is "
            f"{state}: finish it before starting another follow-up",
            state=latest.state,
        )
    if latest.state == "nullified":
        raise NotAllowedNow("This case was nullified: it cannot have another version", state=latest.state)
    raise NotAllowedNow(
        f"A report that is {state} cannot have a follow-up: send it to the MHRA first", state=latest.state
    )


def _copy_of(latest: Report, actor: User, report_type: str, today: date) -> Report:
    """Return a new draft holding the latest version's values and reactions."""
    follow_up = Report(
        state="draft",
        report_type=report_type,
        follow_up_of_id=latest.id,
        created_by=actor,
        awareness_date=today,
    )
    for column in Report.__table__.columns:
        if column.key in _NOT_COPIED:
            continue
        value = getattr(latest, column.key)
        setattr(follow_up, column.key, list(value) if isinstance(value, list) else value)
    for reaction in latest.reactions:
        follow_up.reactions.append(Reaction(**{key: getattr(reaction, key) for key in _REACTION_COPIED}))
    for drug in latest.other_drugs:
        follow_up.other_drugs.append(OtherDrug(**{key: getattr(drug, key) for key in _OTHER_DRUG_COPIED}))
    return follow_up
