"""Comments on a report that do not move it through the workflow.

Reviewers and the report's author can leave a comment at any time; it
is kept with the report and written to the audit trail (the comment's
text included, so an edited comment would break the hash chain).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ect_reporting.access import can_comment
from ect_reporting.audit import record_event
from ect_reporting.exceptions import Forbidden, ValidationFailed
from ect_reporting.fields import MAX_COMMENT_LENGTH
from ect_reporting.models import Report, ReportComment, User
from ect_reporting.rules import text_problems


def add_comment(db_session: Session, actor: User, report: Report, body: str | None) -> ReportComment:
    """Add ``body`` as a comment by ``actor``; write an audit row; flush, never commit.

    Raises ``Forbidden`` when ``actor`` may not comment and
    ``ValidationFailed`` for an empty or over-long comment.
    """
    if not can_comment(actor, report):
        raise Forbidden("Only the author or a governance lead can comment on this report")
    text = (body or "").strip()
    if not text:
        raise ValidationFailed({"comment": ["Enter a comment"]})
    problems = text_problems("Comment", text, MAX_COMMENT_LENGTH)
    if problems:
        raise ValidationFailed({"comment": problems})
    comment = ReportComment(author=actor, body=text)
    report.comments.append(comment)
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="comment",
        object_type="report",
        object_id=report.id,
        details={"comment_id": comment.id, "comment": text},
    )
    return comment
