"""One page of the review queue, in three statements whatever the page or its size.

Why not ``db.paginate``: it reads whole rows at ``OFFSET (page - 1) * size``,
so deep pages get slower and the row fetch drags every column through
the sort. Here a page is:

1. ``COUNT(*)`` of the filtered statement (for "Showing 41 to 60 of 3,120");
2. the page's ids only, which the composite indexes
   (``ix_reports_state_due_date_id``...) answer without reading rows; deep
   pages reached by "Next" / "Previous" use a *keyset* (the sort key and
   id of the row before or after) instead of an offset;
3. those rows, with their author and session, in one joined SELECT.

The keyset travels in ordinary links (``?page=7&after=2026-03-01_1234``),
so paging works without JavaScript; a bare ``?page=50`` still works by
offset, and a malformed cursor falls back to the offset.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, tuple_, union_all
from sqlalchemy.orm import Session, joinedload

from ect_reporting.models import Report
from ect_reporting.review.queries import sort_columns, sort_key


@dataclass(frozen=True)
class Cursor:
    """A row's position in the sort: its sort value (None for "no due date") and id."""

    value: date | datetime | None
    id: int

    def encode(self) -> str:
        """Return the URL form: ``<iso value>_<id>`` (empty value for None)."""
        return f"{self.value.isoformat() if self.value is not None else ''}_{self.id}"


def parse_cursor(raw: str | None, sort: str) -> Cursor | None:
    """Return the cursor in ``raw``, or None when missing or malformed (the caller then uses the offset)."""
    if not raw or "_" not in raw:
        return None
    value, _, ident = raw.rpartition("_")
    try:
        parsed = (datetime.fromisoformat(value) if sort == "newest" else date.fromisoformat(value)) if value else None
        return Cursor(parsed, int(ident))
    except ValueError:
        return None


@dataclass(frozen=True)
class QueuePage:
    """The rows of one page and what the page links need."""

    items: list[Report]
    total: int
    page: int
    per_page: int
    sort: str

    @property
    def pages(self) -> int:
        """Number of pages (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        """1-based position of the first row shown (0 when none)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        """1-based position of the last row shown."""
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def has_prev(self) -> bool:
        """True when there is an earlier page."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """True when there is a later page."""
        return self.page < self.pages and bool(self.items)

    @property
    def prev_num(self) -> int:
        """The previous page's number."""
        return self.page - 1

    @property
    def next_num(self) -> int:
        """The next page's number."""
        return self.page + 1

    def _cursor(self, report: Report) -> str:
        value = report.created_at if self.sort == "newest" else report.due_date
        return Cursor(value, report.id).encode()

    def prev_args(self, filters: dict[str, Any]) -> dict[str, Any]:
        """Query arguments for the "Previous" link: ``filters`` plus the keyset (page 1 needs none)."""
        if self.page <= 2 or not self.items:
            return {"page": self.prev_num, **filters}
        return {"page": self.prev_num, "before": self._cursor(self.items[0]), **filters}

    def next_args(self, filters: dict[str, Any]) -> dict[str, Any]:
        """Query arguments for the "Next" link: ``filters`` plus the keyset after this page's last row."""
        return {"page": self.next_num, "after": self._cursor(self.items[-1]), **filters}


def _ranges(sort: str, cursor: Cursor | None, forward: bool) -> list[ColumnElement[bool] | None]:
    """Return the rows after (``forward``) or before ``cursor`` as index ranges, each one seekable.

    Why a list: "after 3 March" in the due-date order also includes every
    report with no due date (they sort last); one ``OR`` would stop the
    index seek, two ranges read in order and merged keep it.
    """
    if cursor is None:
        return [None]
    bound = tuple_(cursor.value, cursor.id)
    if sort == "newest":  # created_at is never null; the order is descending
        key = tuple_(Report.created_at, Report.id)
        return [key < bound if forward else key > bound]
    due, no_due = tuple_(Report.due_date, Report.id), Report.due_date.is_(None)
    if forward:
        return [and_(no_due, Report.id > cursor.id)] if cursor.value is None else [due > bound, no_due]
    if cursor.value is None:
        return [Report.due_date.is_not(None), and_(no_due, Report.id < cursor.id)]
    return [due < bound]


def _merged(ids: Select[tuple[int]], sort: str, parts: list[ColumnElement[bool]], limit: int, backwards: bool) -> Any:
    """Return the page's ids as a merge of several ordered, limited index ranges (``parts``).

    Why: with ``state IN (4 open states)`` (or a keyset that spans the rows
    with and without a due date) neither database can walk one index in
    queue order, so SQLite walks the whole due-date index instead, past
    every old sent report. Each range reads at most ``limit`` index entries
    in order; the caller pages through the merge of those few rows.
    """
    key = sort_key(sort).label("sort_key")
    order = sort_columns(sort, backwards=backwards)
    subqueries = [
        ids.add_columns(key).where(part).order_by(None).order_by(*order).limit(limit).subquery() for part in parts
    ]
    merged = union_all(*(select(sub.c.id, sub.c.sort_key) for sub in subqueries)).subquery()
    outer = sort_columns(sort, backwards=backwards, key=merged.c.sort_key, ident=merged.c.id)
    return select(merged.c.id).order_by(*outer)


def _page_ids(
    statement: Select[tuple[Report]],
    sort: str,
    page: int,
    per_page: int,
    cursors: tuple[Cursor | None, Cursor | None],
    states: Sequence[str] | None,
) -> tuple[Select[tuple[int]], bool]:
    """Return the page's id query (keyset when a cursor is given, else offset) and whether it runs backwards."""
    ids = statement.with_only_columns(Report.id, maintain_column_froms=True)
    after, before = cursors
    backwards = before is not None and after is None
    offset = 0 if after is not None or before is not None else (page - 1) * per_page
    ranges = _ranges(sort, after if after is not None else before, not backwards)
    by_state: list[ColumnElement[bool] | None] = (
        [Report.state == state for state in sorted(states)] if states and len(states) > 1 else [None]
    )
    parts = [[c for c in (state, span) if c is not None] for state in by_state for span in ranges]
    if len(parts) > 1:
        merged = _merged(ids, sort, [and_(*part) for part in parts], offset + per_page, backwards)
        return merged.offset(offset).limit(per_page), backwards
    ordered = ids.where(*parts[0]).order_by(None).order_by(*sort_columns(sort, backwards=backwards))
    return ordered.offset(offset).limit(per_page), backwards


def queue_page(
    db_session: Session,
    statement: Select[tuple[Report]],
    *,
    sort: str,
    page: int = 1,
    per_page: int = 20,
    after: str | None = None,
    before: str | None = None,
    states: Sequence[str] | None = None,
) -> QueuePage:
    """Return one page of ``statement`` (from ``queries.queue_statement``) in three statements.

    ``states``: the states the filters allow (``queries.queue_states``); when
    several, the page's ids are merged from one index range per state.
    """
    page = max(page, 1)
    total = db_session.scalar(statement.with_only_columns(func.count(), maintain_column_froms=True).order_by(None))
    cursors = (parse_cursor(after, sort), parse_cursor(before, sort))
    id_query, backwards = _page_ids(statement, sort, page, per_page, cursors, states)
    ids = list(db_session.scalars(id_query))
    if backwards:
        ids.reverse()
    rows = db_session.scalars(
        select(Report).options(joinedload(Report.created_by), joinedload(Report.session)).where(Report.id.in_(ids))
    ).unique()
    by_id = {report.id: report for report in rows}
    return QueuePage([by_id[i] for i in ids if i in by_id], total or 0, page, per_page, sort)
