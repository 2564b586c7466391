"""The report state machine as data: each action's guard, inputs and effect.

``TRANSITIONS`` is the single source of truth; pages and the API both call
``apply_transition``, a short interpreter of that table. It checks, in
this order, the role (403), the current state (409), the rule that nobody
reviews their own report (403), then what the action needs (422: a
comment to return, a reason to withdraw or nullify, the regulator's
words to record its rejection, the regulator's reference to record
sending, no submission problems to submit). The
effect stamps the report and one audit row is written in the caller's
transaction. Labels and messages name the report's own regulator (MHRA,
IRIC or NIAIC: ``vocab.reference_label``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from ect_reporting import vocab
from ect_reporting.audit import record_event
from ect_reporting.e2b_ack import ReceivedAck
from ect_reporting.exceptions import Errors, Forbidden, NotAllowedNow, ValidationFailed
from ect_reporting.fields import MAX_COMMENT_LENGTH, MAX_REFERENCE_LENGTH
from ect_reporting.models import Report, ReportComment, User
from ect_reporting.reports.records import destination_for
from ect_reporting.rules import text_problems


@dataclass(frozen=True)
class TransitionInput:
    """What the person gave with the action (all optional; the table says what is needed)."""

    comment: str | None = None
    mhra_reference: str | None = None
    sent_date: date | None = None
    problems: Sequence[tuple[str, str]] = ()  # submission problems, for "submit"
    today: date = field(default_factory=date.today)
    reference_label: str = "MHRA reference"  # set from the report's destination by apply_transition
    acknowledgement: ReceivedAck | None = None  # the regulator's ACK file, for "acknowledge" and "reject"

    def __post_init__(self) -> None:
        """Blank text counts as not given; surrounding spaces are never stored."""
        for name in ("comment", "mhra_reference"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value or "").strip() or None)


Check = Callable[[TransitionInput], Errors]
Effect = Callable[[Report, User, TransitionInput], None]


def _needs_comment(message: str) -> Check:
    def check(given: TransitionInput) -> Errors:
        return {} if given.comment else {"comment": [message]}

    return check


def _text_limits(given: TransitionInput) -> Errors:
    """Whatever the action, given text obeys the free-text rules (length, control characters, UTF-8).

    Every action keeps its comment on the report, so an over-long or
    unstorable comment is refused for all of them, not only those that ask.
    """
    errors: Errors = {}
    for name, label, most in (
        ("comment", "Comment", MAX_COMMENT_LENGTH),
        ("mhra_reference", given.reference_label, MAX_REFERENCE_LENGTH),
    ):
        value = getattr(given, name)
        problems = text_problems(label, value, most) if value else []
        if problems:
            errors[name] = problems
    return errors


def _needs_reference(given: TransitionInput) -> Errors:
    errors: Errors = {}
    if not given.mhra_reference:
        errors["mhra_reference"] = [f"Enter the {given.reference_label} number"]
    if given.sent_date is not None and given.sent_date > given.today:
        errors["sent_date"] = ["Date sent must be today or in the past"]
    return errors


def _no_problems(given: TransitionInput) -> Errors:
    errors: Errors = {}
    for path, message in given.problems:
        errors.setdefault(path, []).append(message)
    return errors


def _stamp_submitted(report: Report, actor: User, given: TransitionInput) -> None:
    report.submitted_at = datetime.now(UTC)


def _stamp_approved(report: Report, actor: User, given: TransitionInput) -> None:
    report.approved_by = actor
    report.approved_at = datetime.now(UTC)


def _stamp_sent(report: Report, actor: User, given: TransitionInput) -> None:
    """Record this version's reference; the first one sent becomes the case's reference."""
    report.mhra_reference = given.mhra_reference
    report.mhra_sent_date = given.sent_date or given.today
    report.regulator_case_reference = report.regulator_case_reference or given.mhra_reference


def _stamp_withdrawn(report: Report, actor: User, given: TransitionInput) -> None:
    report.withdrawn_reason = given.comment


def _stamp_nullified(report: Report, actor: User, given: TransitionInput) -> None:
    """E2B nullification: the case stays on file, marked void, with why and when."""
    report.nullification_reason = given.comment
    report.nullified_at = datetime.now(UTC)


def _record_acknowledgement(report: Report, actor: User, given: TransitionInput) -> None:
    """Store the regulator's answer to this version, from its E2B(R3) acknowledgement file.

    An acknowledgement recorded by hand (no file) clears what an earlier
    file said, so the columns always describe the latest answer; earlier
    answers stay in the audit trail and, for rejections, in the comments.
    """
    for name, value in _ack_columns(given.acknowledgement).items():
        setattr(report, name, value)
    if report.state == "acknowledged":  # kept through later answers: the day it arrived, for governance figures
        report.acknowledged_on = given.today


def _ack_columns(received: ReceivedAck | None) -> dict[str, Any]:
    """Return the report's ``ack_*`` column values for an acknowledgement (all None without one)."""
    if received is None:
        return dict.fromkeys(_ACK_COLUMNS)
    message, batch = received.message, received.batch
    return {
        "ack_code": message.code,
        "ack_batch_code": batch.code,
        "ack_date": batch.created,
        "ack_batch_number": batch.batch_number,
        "ack_local_report_number": message.local_report_number,
        "ack_sender": message.sender or batch.batch_sender,
        "ack_receiver": message.receiver or batch.batch_receiver,
        "ack_messages": list(message.texts),
        "ack_recorded_at": datetime.now(UTC),
    }


_ACK_COLUMNS = (
    "ack_code",
    "ack_batch_code",
    "ack_date",
    "ack_batch_number",
    "ack_local_report_number",
    "ack_sender",
    "ack_receiver",
    "ack_messages",
    "ack_recorded_at",
)
_ACK_AUDITED = ("ack_code", "ack_batch_code", "ack_date", "ack_batch_number", "ack_sender", "ack_messages")


def _no_effect(report: Report, actor: User, given: TransitionInput) -> None:
    """Most actions only change the state."""


@dataclass(frozen=True)
class Transition:
    """One action: from which states, to which state, who may act, what it needs and does."""

    action: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    author_only: bool = False
    author_or_role: bool = False  # the author may act even without the role
    not_author: bool = False
    inputs: tuple[str, ...] = ()  # what the action form asks for, besides the button
    comment_label: str = ""  # the question the comment box asks, when "comment" is an input
    confirm: str = ""  # destructive: asked on a confirm page that says this (what happens), not on the report page
    checks: tuple[Check, ...] = ()
    effect: Effect = _no_effect
    audited: tuple[str, ...] = ()  # report attributes the audit row records after the effect

    def label_for(self, scheme: str | None) -> str:
        """Return the button label, naming the report's regulator where it has ``{regulator}``."""
        return self.label.format(regulator=vocab.regulator_with_article(scheme))


_ALL_ROLES = frozenset(vocab.ROLES)
_REVIEWERS = vocab.WORKFLOW_REVIEWER_ROLES

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "submit",
            "Submit for review",
            vocab.EDITABLE_STATES,
            "submitted_for_review",
            _ALL_ROLES,
            author_only=True,
            checks=(_no_problems,),
            effect=_stamp_submitted,
        ),
        Transition(
            "return",
            "Return to the reporter",
            frozenset({"submitted_for_review"}),
            "returned",
            _REVIEWERS,
            not_author=True,
            inputs=("comment",),
            comment_label="Why are you returning it?",
            checks=(_needs_comment("Enter why you are returning the report"),),
        ),
        Transition(
            "approve",
            "Approve",
            frozenset({"submitted_for_review"}),
            "approved",
            _REVIEWERS,
            not_author=True,
            effect=_stamp_approved,
        ),
        Transition(
            "send",
            "Record as sent to {regulator}",
            frozenset({"approved"}),
            "sent_to_mhra",
            _REVIEWERS,
            inputs=("mhra_reference", "sent_date"),
            checks=(_needs_reference,),
            effect=_stamp_sent,
            audited=("mhra_reference",),
        ),
        Transition(
            "acknowledge",
            "Record acknowledgement",
            frozenset({"sent_to_mhra"}),
            "acknowledged",
            _REVIEWERS,
            effect=_record_acknowledgement,
            audited=_ACK_AUDITED,
        ),
        # The regulator refused the report (E2B ACK.B.r.6 = CR). It goes back
        # to "returned", not "approved": what was sent was wrong, so the author
        # must correct it and it must pass review again before it is resent.
        # The regulator's messages become the return comment the author sees.
        Transition(
            "reject",
            "Record rejection by {regulator}",
            frozenset({"sent_to_mhra"}),
            "returned",
            _REVIEWERS,
            inputs=("comment",),
            comment_label="What did the regulator say is wrong? The report goes back to its author to correct.",
            checks=(_needs_comment("Enter what the regulator said is wrong with the report"),),
            effect=_record_acknowledgement,
            audited=_ACK_AUDITED,
        ),
        Transition("close", "Close the case: nothing more to send", frozenset({"acknowledged"}), "closed", _REVIEWERS),
        Transition(
            "withdraw",
            "Withdraw",
            vocab.OPEN_STATES,
            "withdrawn",
            _REVIEWERS,
            author_or_role=True,
            inputs=("comment",),
            comment_label="Reason for withdrawing",
            confirm="The report stops here: it is not reviewed or sent, and it cannot be edited again. "
            "It stays on file with your reason.",
            checks=(_needs_comment("Enter the reason for withdrawing"),),
            effect=_stamp_withdrawn,
        ),
        Transition(
            "nullify",
            "Nullify",
            vocab.NULLIFIABLE_STATES,
            "nullified",
            _REVIEWERS,
            inputs=("comment",),
            comment_label="Why are you nullifying this report? The regulator is told it is void.",
            confirm="The regulator is told this case is void. The case stays on file, marked nullified, "
            "and no new version can be started.",
            checks=(_needs_comment("Enter the reason for nullifying the report"),),
            effect=_stamp_nullified,
            audited=("nullification_reason",),
        ),
    )
}


def destination_scheme(report: Report) -> str:
    """Return where ``report`` goes (yellow_card, iric or niaic), as its record says."""
    return destination_for(report.kind, report.nation)["scheme"]


def _role_allows(transition: Transition, actor: User, report: Report) -> bool:
    is_author = report.created_by_id == actor.id
    if transition.author_only:
        return is_author and actor.role in transition.roles
    if transition.author_or_role and is_author:
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


def _transition_for(actor: User, report: Report, action: str) -> Transition:
    """Return the transition or raise what stops ``actor`` taking it now."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationFailed({"action": [f"Action must be one of: {', '.join(TRANSITIONS)}"]})
    if not _role_allows(transition, actor, report):
        raise Forbidden(f"Your role may not {transition.label_for(destination_scheme(report)).lower()} this report")
    if report.state not in transition.sources:
        raise NotAllowedNow(
            f"A report that is {vocab.label(vocab.REPORT_STATES, report.state).lower()} "
            f"cannot be moved by '{action}'",
            state=report.state,
        )
    if transition.not_author and report.created_by_id == actor.id:
        raise Forbidden("You cannot review or approve a report you wrote")
    return transition


def apply_transition(db_session: Session, actor: User, report: Report, action: str, given: TransitionInput) -> Report:
    """Move ``report`` by ``action``; raise on a forbidden or illegal move. Flushes, never commits."""
    transition = _transition_for(actor, report, action)
    given = replace(given, reference_label=vocab.reference_label(destination_scheme(report)))
    errors: Errors = {}
    for check in (_text_limits, *transition.checks):
        for path, messages in check(given).items():
            errors.setdefault(path, []).extend(messages)
    if errors:
        raise ValidationFailed(errors)
    previous = report.state
    report.state = transition.target
    transition.effect(report, actor, given)
    if given.comment:
        report.comments.append(ReportComment(author=actor, body=given.comment))
    db_session.flush()
    details = {"action": action, "from": previous, "to": report.state}
    if given.comment:
        details["comment"] = given.comment
    details.update({name: getattr(report, name) for name in transition.audited})
    record_event(
        db_session, actor=actor, action="transition", object_type="report", object_id=report.id, details=details
    )
    return report
