"""Apply the regulator's E2B(R3) acknowledgement file to the reports it answers.

Each message in the file names an ICSR message number (ACK.B.r.1); our
numbers are derived from the case id and version (``exports.e2b_ids``),
so each one leads to exactly one report. The file is applied whole or
not at all: a number that matches no report, or a report that is not
waiting for the regulator's answer, refuses the file before anything
changes, because a half-applied file would leave the governance lead
unsure which reports still need attention.

Accepted (CA) reports become acknowledged; rejected (CR) ones go back
to their author through the workflow's "reject" transition, with the
regulator's messages as the comment. Each report changed gets its one
transition audit row, and the upload itself one more.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ect_reporting import vocab
from ect_reporting.audit import record_event
from ect_reporting.e2b_ack import AckError, Acknowledgement, MessageAck, ReceivedAck, parse_acknowledgement
from ect_reporting.exceptions import Forbidden, NotAllowedNow, ValidationFailed
from ect_reporting.exports.e2b_ids import message_number, parse_message_number
from ect_reporting.models import Report, User
from ect_reporting.reports import workflow

FIELD = "acknowledgement"  # the error path for the file, in the API and beside the upload field
ACK_ROLES = vocab.WORKFLOW_REVIEWER_ROLES


@dataclass(frozen=True)
class AppliedAck:
    """What one message of the file did to its report."""

    report: Report
    message: MessageAck
    action: str  # "acknowledge" or "reject"

    @property
    def summary(self) -> str:
        """One sentence for the flash message and the API answer."""
        name = f"{self.report.reference} ({self.message.message_number})"
        if self.action == "acknowledge":
            return f"{name}: accepted by the regulator; now acknowledged."
        return f"{name}: rejected by the regulator; returned to its author to correct and resubmit."


def read_file(content: bytes) -> Acknowledgement:
    """Parse an uploaded file, as a field error (422) when it is not a readable acknowledgement."""
    try:
        return parse_acknowledgement(content)
    except AckError as exc:
        raise ValidationFailed({FIELD: [str(exc)]}) from None


def rejection_comment(batch: Acknowledgement, message: MessageAck) -> str:
    """The comment a rejection leaves for the author: the regulator's own words (ACK.B.r.7)."""
    source = f"E2B acknowledgement {batch.batch_number}" if batch.batch_number else "E2B acknowledgement"
    lines = [f"The regulator rejected message {message.message_number} ({source})."]
    if message.texts:
        lines.append("It said:")
        lines.extend(f"- {text}" for text in message.texts)
    else:
        lines.append("It gave no reason; ask the regulator before resending.")
    return "\n".join(lines)


def _find_report(db_session: Session, number: str) -> Report | None:
    parsed = parse_message_number(number)
    if parsed is None:
        return None
    case_id, case_version = parsed
    return db_session.scalar(
        select(Report).where(Report.case_id == case_id, Report.case_version == case_version).limit(1)
    )


def _match(db_session: Session, batch: Acknowledgement) -> list[tuple[MessageAck, Report]]:
    """Pair each message with its report; refuse the file naming every number that does not fit."""
    if not batch.messages:
        message = f"The acknowledgement (batch code {batch.code}) answers no ICSR messages, so no report can be updated"
        raise ValidationFailed({FIELD: [message]})
    numbers = [m.message_number for m in batch.messages]
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        raise ValidationFailed({FIELD: [f"The acknowledgement answers {', '.join(repeated)} more than once"]})
    pairs = [(m, _find_report(db_session, m.message_number)) for m in batch.messages]
    unknown = [m.message_number for m, report in pairs if report is None]
    if unknown:
        what = "a message that matches" if len(unknown) == 1 else "messages that match"
        raise ValidationFailed(
            {
                FIELD: [
                    f"The acknowledgement names {what} no report here: {', '.join(unknown)}. "
                    "Nothing was changed; check the file is for this organisation."
                ]
            }
        )
    return [(m, report) for m, report in pairs if report is not None]


def _check_waiting(pairs: list[tuple[MessageAck, Report]]) -> None:
    """Refuse (409) when any matched report is not waiting for the regulator's answer."""
    not_sent = [
        f"{report.reference} ({message_number(report.case_id or '', report.case_version)}) is "
        f"{vocab.label(vocab.REPORT_STATES, report.state).lower()}"
        for _, report in pairs
        if report.state != "sent_to_mhra"
    ]
    if not_sent:
        raise NotAllowedNow(
            "Only reports sent to the regulator can take its acknowledgement, but "
            + "; ".join(not_sent)
            + ". Nothing was changed."
        )


def apply_acknowledgement(db_session: Session, actor: User, batch: Acknowledgement) -> list[AppliedAck]:
    """Apply every message of ``batch`` to its report, or raise and change nothing. Flushes, never commits.

    Raises ``Forbidden`` for anyone but a governance lead, ``ValidationFailed``
    for messages that name no report here, ``NotAllowedNow`` for a report
    that is not sent to the regulator.
    """
    if not actor.has_role(*ACK_ROLES):
        raise Forbidden("Only a governance lead can record the regulator's acknowledgement")
    pairs = _match(db_session, batch)
    _check_waiting(pairs)
    applied = []
    for message, report in pairs:
        action = "acknowledge" if message.accepted else "reject"
        given = workflow.TransitionInput(
            comment=None if message.accepted else rejection_comment(batch, message),
            acknowledgement=ReceivedAck(batch, message),
        )
        workflow.apply_transition(db_session, actor, report, action, given)
        applied.append(AppliedAck(report, message, action))
    record_event(
        db_session,
        actor=actor,
        action="acknowledgement_upload",
        object_type="acknowledgement",
        object_id=None,
        details={
            "batch_number": batch.batch_number,
            "batch_code": batch.code,
            "icsr_batch_number": batch.icsr_batch_number,
            "sender": batch.batch_sender,
            "date": batch.created,
            "messages": [
                {"message_number": a.message.message_number, "code": a.message.code, "report_id": a.report.id}
                for a in applied
            ],
        },
    )
    return applied
