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

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_, union_all
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


def _after_due(cursor: Cursor) -> ColumnElement[bool]:
    """Rows after ``cursor`` in "due date ascending, no date last, then id" order."""
    if cursor.value is None:
        return and_(Report.due_date.is_(None), Report.id > cursor.id)
    return or_(tuple_(Report.due_date, Report.id) > tuple_(cursor.value, cursor.id), Report.due_date.is_(None))


def _before_due(cursor: Cursor) -> ColumnElement[bool]:
    """Rows before ``cursor`` in the due-date order."""
    if cursor.value is None:
        return or_(Report.due_date.is_not(None), Report.id < cursor.id)
    return tuple_(Report.due_date, Report.id) < tuple_(cursor.value, cursor.id)


def _keyset(sort: str, cursor: Cursor, forward: bool) -> ColumnElement[bool]:
    """Return the condition "after" (forward) or "before" ``cursor`` in the queue's order."""
    if sort == "newest":  # created_at is never null; the order is descending
        key = tuple_(Report.created_at, Report.id)
        bound = tuple_(cursor.value, cursor.id)
        return key < bound if forward else key > bound
    return _after_due(cursor) if forward else _before_due(cursor)


def _merged(ids: Select[tuple[int]], sort: str, states: Sequence[str], offset: int, limit: int, backwards: bool) -> Any:
    """Return the page's ids as a merge of one ordered, limited index range per state.

    Why: with ``state IN (4 open states)`` neither database can walk
    ``ix_reports_state_due_date_id`` in queue order, so SQLite walks the
    whole due-date index instead, past every old sent report. Each
    per-state range reads at most ``offset + limit`` index entries in
    order; the outer query merges those few rows.
    """
    key = sort_key(sort).label("sort_key")
    parts = [
        ids.add_columns(key)
        .where(Report.state == state)
        .order_by(None)
        .order_by(*sort_columns(sort, backwards=backwards))
        .limit(offset + limit)
        .subquery()
        for state in states
    ]
    merged = union_all(*(select(part.c.id, part.c.sort_key) for part in parts)).subquery()
    order = sort_columns(sort, backwards=backwards, key=merged.c.sort_key, ident=merged.c.id)
    return select(merged.c.id).order_by(*order).offset(offset).limit(limit)


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
    backwards, offset = before is not None and after is None, 0
    if after is not None:
        ids = ids.where(_keyset(sort, after, True))
    elif before is not None:
        ids = ids.where(_keyset(sort, before, False))
    else:
        offset = (page - 1) * per_page
    if states and len(states) > 1:
        return _merged(ids, sort, sorted(states), offset, per_page, backwards), backwards
    ordered = ids.order_by(None).order_by(*sort_columns(sort, backwards=backwards))
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
