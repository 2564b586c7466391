"""The report as one actor sees it in one request: the read model.

``report_view`` gathers, once, everything the report page, the API body
and the exports need: the canonical record, what blocks submission, the
actions this actor may take and what they may do besides. Templates ask
it ("may this user edit?") instead of re-deriving rules, and nothing
builds the record a second time in the same request. The parts only the
page shows (versions, duplicates, history) are computed on first use,
so the API does not pay for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from sqlalchemy.orm import Session

from ect_reporting import access, audit, vocab
from ect_reporting.config import OpcsSettings
from ect_reporting.exports import availability
from ect_reporting.models import Report, ReportComment, User
from ect_reporting.record_types import Record
from ect_reporting.reports import duplicates, follow_ups, history, readiness, records, returns, starts, workflow


@dataclass(frozen=True)
class ReportView:
    """A report with what ``actor`` may see and do, computed once."""

    db_session: Session
    actor: User
    report: Report
    record: Record
    problems: tuple[tuple[str, str], ...]
    actions: tuple[workflow.Transition, ...]
    can_edit: bool
    can_comment: bool
    today: date

    @property
    def clock_running(self) -> bool:
        """A deadline matters until the report is sent, withdrawn or closed."""
        return self.report.due_date is not None and self.report.state in vocab.OPEN_STATES

    @property
    def days_left(self) -> int | None:
        """Days until the reporting deadline (negative once overdue), while the clock runs."""
        return (self.report.due_date - self.today).days if self.clock_running and self.report.due_date else None

    @property
    def ready_to_submit(self) -> bool:
        """True when nothing blocks submission."""
        return not self.problems

    @property
    def shows_problems(self) -> bool:
        """Problems matter to the page while the report can still be edited."""
        return bool(self.problems) and self.report.state in vocab.EDITABLE_STATES

    @cached_property
    def versions(self) -> list[Report]:
        """Every version of this report's case, initial first."""
        return follow_ups.follow_up_chain(self.db_session, self.report)

    @cached_property
    def latest(self) -> Report:
        """The case's newest live version."""
        return follow_ups.latest_version(self.versions)

    @cached_property
    def can_follow_up(self) -> bool:
        """True when this actor may start a follow-up of the case now."""
        return self.latest.state in vocab.FOLLOW_UP_SOURCE_STATES and follow_ups.may_follow_up(
            self.actor, self.versions
        )

    @property
    def reference_label(self) -> str:
        """What this report's regulator calls its reference: "MHRA reference", "IRIC reference"..."""
        return vocab.reference_label(self.record["destination"]["scheme"])

    @property
    def regulator(self) -> str:
        """The regulator this report goes to, as it reads in a sentence ("the MHRA", "IRIC")."""
        return vocab.regulator_with_article(self.record["destination"]["scheme"])

    def action_label(self, transition: workflow.Transition) -> str:
        """The button text of ``transition`` for this report (names its regulator)."""
        return transition.label_for(self.record["destination"]["scheme"])

    @cached_property
    def can_amend(self) -> bool:
        """True when this actor may start an amendment (a corrected version) of the case now."""
        return self.can_follow_up and self.actor.has_role(*follow_ups.AMENDMENT_ROLES)

    @property
    def can_upload_acknowledgement(self) -> bool:
        """A governance lead records the regulator's ACK file on a report waiting for it."""
        return self.report.state == "sent_to_mhra" and self.actor.has_role(*vocab.WORKFLOW_REVIEWER_ROLES)

    @property
    def shows_rejection(self) -> bool:
        """The regulator's rejection stays in view until the corrected report is sent again."""
        return self.report.ack_code == "CR" and self.report.state not in vocab.SENT_STATES

    @property
    def return_comment(self) -> ReportComment | None:
        """The reviewer's reason while the report is returned (shown above everything else)."""
        return returns.return_comment(self.report)

    @cached_property
    def duplicates(self) -> list[tuple[Report, bool]]:
        """Possible duplicates of a live report, each with whether this actor may open it."""
        if self.report.state == "withdrawn":
            return []
        found = duplicates.possible_duplicates(self.db_session, self.report)
        return [(other, access.can_view_report(self.actor, other)) for other in found]

    def has_export(self, fmt: str) -> bool:
        """Whether this report's kind exports as ``fmt`` (``exports.availability``)."""
        return availability.has_format(self.report.kind, fmt)

    @property
    def may_start_reaction_report(self) -> bool:
        """A defective medicine used on a patient, a reaction followed, and no reaction report yet."""
        return starts.may_start_reaction_report(self.report)

    @cached_property
    def history(self) -> list[history.HistoryEntry]:
        """The report's audit trail, oldest first, with field labels and old -> new values."""
        events = audit.history_for(self.db_session, "report", self.report.id)
        return [history.describe(self.report.kind, event) for event in events]

    def problem_dicts(self) -> list[dict[str, str]]:
        """Problems in the API's shape."""
        return [{"path": path, "message": message} for path, message in self.problems]


def report_view(
    db_session: Session, actor: User, report: Report, *, opcs: OpcsSettings, today: date | None = None
) -> ReportView:
    """Build the read model of ``report`` for ``actor`` (builds the record once).

    ``opcs`` are the site's OPCS-4 coding choices for the record's procedure.
    """
    return ReportView(
        db_session=db_session,
        actor=actor,
        report=report,
        record=records.build_record(report, opcs),
        problems=tuple(readiness.submission_problems(report, today)),
        actions=tuple(workflow.available_actions(actor, report)),
        can_edit=access.can_edit_report(actor, report),
        can_comment=access.can_comment(actor, report),
        today=today or date.today(),
    )
