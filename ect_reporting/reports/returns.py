"""Why a report came back to its author: the reviewer's reason, shown where the author works.

A governance lead returns a report with a comment (``workflow``: the
comment is required). The author must see that reason first - at the
top of their home, of the report and of its edit form - not only in the
comments at the bottom of the page.
"""

from __future__ import annotations

from ect_reporting.models import Report, ReportComment


def return_comment(report: Report) -> ReportComment | None:
    """Return the newest comment by someone other than the author while the report is returned, else None.

    The return action writes its reason as a comment; a reviewer may add
    another after it, which then says more about what to fix.
    """
    if report.state != "returned":
        return None
    by_others = [comment for comment in report.comments if comment.author_id != report.created_by_id]
    return by_others[-1] if by_others else None


def return_reason(report: Report) -> str | None:
    """Return the text of ``return_comment``, or None when the report is not returned."""
    comment = return_comment(report)
    return comment.body if comment else None
