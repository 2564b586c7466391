"""The report state machine: which action moves which state, and who may act.

The transition table below is the single source of truth; pages and the
API both call ``apply_transition``. It checks, in this order, the role
(403), the current state (409), the rule that nobody approves their own
report (403), and what the action needs (422: a comment to return, a
reason to withdraw, an MHRA reference to record sending, a complete
record to submit). It writes one audit row in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from ect_reporting.audit import record_event
from ect_reporting.errors import ValidationFailed
from ect_reporting.models import Report, ReportComment, User

OPEN_STATES = frozenset({"draft", "submitted_for_review", "returned", "approved"})
FINISHED_STATES = frozenset({"sent_to_mhra", "acknowledged", "closed"})
APPROVED_STATES = frozenset({"approved"}) | FINISHED_STATES


class TransitionNotAllowed(Exception):
    """The action does not apply to the report's current state (HTTP 409)."""

    def __init__(self, message: str, state: str | None = None) -> None:
        super().__init__(message)
        self.state = state


class TransitionForbidden(Exception):
    """The user may not take this action on this report (HTTP 403)."""


@dataclass(frozen=True)
class Transition:
    """One action: from which states, to which state, by which roles."""

    action: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    author_only: bool = False
    author_or_role: bool = False  # the author may act even without the role
    not_author: bool = False
    needs_comment: bool = False


REVIEWERS = frozenset({"governance_lead"})

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "submit",
            "Submit for review",
            frozenset({"draft", "returned"}),
            "submitted_for_review",
            frozenset({"clinician", "governance_lead", "admin"}),
            author_only=True,
        ),
        Transition(
            "return",
            "Return to the reporter",
            frozenset({"submitted_for_review"}),
            "returned",
            REVIEWERS,
            not_author=True,
            needs_comment=True,
        ),
        Transition("approve", "Approve", frozenset({"submitted_for_review"}), "approved", REVIEWERS, not_author=True),
        Transition("send", "Record as sent to the MHRA", frozenset({"approved"}), "sent_to_mhra", REVIEWERS),
        Transition("acknowledge", "Record acknowledgement", frozenset({"sent_to_mhra"}), "acknowledged", REVIEWERS),
        Transition("close", "Close", frozenset({"acknowledged"}), "closed", REVIEWERS),
        Transition(
            "withdraw", "Withdraw", OPEN_STATES, "withdrawn", REVIEWERS, author_or_role=True, needs_comment=True
        ),
    )
}


def _role_allows(transition: Transition, actor: User, report: Report) -> bool:
    if transition.author_only:
        return report.created_by_id == actor.id and actor.role in transition.roles
    if transition.author_or_role and report.created_by_id == actor.id:
        return True
    return actor.role in transition.roles


def available_actions(actor: User, report: Report) -> list[Transition]:
    """Return the transitions ``actor`` could take on ``report`` now."""
    return [
        t
        for t in TRANSITIONS.values()
        if report.state in t.sources
        and _role_allows(t, actor, report)
        and not (t.not_author and report.created_by_id == actor.id)
    ]


def apply_transition(
    db_session: Session,
    actor: User,
    report: Report,
    action: str,
    *,
    comment: str | None = None,
    mhra_reference: str | None = None,
    sent_date: date | None = None,
    completeness_check: Callable[[Report], list[tuple[str, str]]] | None = None,
    today: date | None = None,
) -> Report:
    """Move ``report`` by ``action``; raise on a forbidden or illegal move."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationFailed({"action": [f"Action must be one of: {', '.join(TRANSITIONS)}"]})
    if not _role_allows(transition, actor, report):
        raise TransitionForbidden(f"Your role may not {transition.label.lower()} this report")
    if report.state not in transition.sources:
        raise TransitionNotAllowed(
            f"A report that is {report.state.replace('_', ' ')} cannot be moved by '{action}'", state=report.state
        )
    if transition.not_author and report.created_by_id == actor.id:
        raise TransitionForbidden("You cannot review or approve a report you wrote")
    comment = (comment or "").strip() or None
    errors: dict[str, list[str]] = {}
    if transition.needs_comment and not comment:
        what = "why you are returning the report" if action == "return" else "the reason for withdrawing"
        errors["comment"] = [f"Enter {what}"]
    today = today or date.today()
    if action == "send":
        reference = (mhra_reference or "").strip()
        if not reference:
            errors["mhra_reference"] = ["Enter the MHRA reference number"]
        if sent_date is not None and sent_date > today:
            errors["sent_date"] = ["Date sent must be today or in the past"]
    if action == "submit" and completeness_check is not None:
        for path, message in completeness_check(report):
            errors.setdefault(path, []).append(message)
    if errors:
        raise ValidationFailed(errors)

    previous = report.state
    report.state = transition.target
    now = datetime.now(UTC)
    if action == "submit":
        report.submitted_at = now
    elif action == "approve":
        report.approved_by = actor
        report.approved_at = now
    elif action == "send":
        report.mhra_reference = (mhra_reference or "").strip()
        report.mhra_sent_date = sent_date or today
    elif action == "withdraw":
        report.withdrawn_reason = comment
    if comment:
        report.comments.append(ReportComment(author=actor, body=comment))
    db_session.flush()
    details = {"action": action, "from": previous, "to": report.state}
    if comment:
        details["comment"] = comment
    if action == "send":
        details["mhra_reference"] = report.mhra_reference
    record_event(
        db_session, actor=actor, action="transition", object_type="report", object_id=report.id, details=details
    )
    return report
