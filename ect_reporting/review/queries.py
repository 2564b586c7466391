"""Queries behind the review queue, its CSV download and the dashboard.

Plain functions: they take filter values, ``today`` and a SQLAlchemy
session, and know nothing about requests. ``today`` is always passed in
so the clock logic is testable with fixed dates.

Two notions used throughout:
- a report is *overdue* when its due date is before today and it is
  still open (draft, submitted for review, returned or approved);
  reports already sent, acknowledged, closed or withdrawn are never
  overdue, whatever their due date. The SQL filter and the per-row tag
  (``clock_for``) use the same definition.
- the dashboard's case figures (reactions, device problems, drugs,
  device models) count each case once, by its *current* version: the
  newest version that was not withdrawn. Its workload figures (states,
  kinds, overdue) count every report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, TextClause, UnaryExpression, and_, exists, false, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from ect_reporting import vocab
from ect_reporting.clocks import ClockStatus, clock_status
from ect_reporting.models import Report, User
from ect_reporting.vocab import OPEN_STATES

# MIR classifications that make a device incident a *serious* incident.
SERIOUS_DEVICE_CLASSIFICATIONS = ("serious_public_health_threat", "death", "unanticipated_serious_deterioration")

STATE_CHOICES: dict[str, str] = {"open": "Any open state", "all": "Any state", **vocab.REPORT_STATES}
SERIOUSNESS_CHOICES: dict[str, str] = {"serious": "Serious", "not_serious": "Not serious", "unknown": "Not known yet"}
DUE_CHOICES: dict[str, str] = {"all": "Any due date", "overdue": "Overdue", "due_soon": "Due soon"}
SORT_CHOICES: dict[str, str] = {"due": "Due date, soonest first", "newest": "Newest first"}
TOP_N = 10
MONTHS = 12


@dataclass(frozen=True)
class QueueFilters:
    """What the governance lead asked to see; ``None`` means "any"."""

    # A report state, "open" or "all". Opens on every open state: approved
    # reports waiting to be sent must not hide behind "submitted for review".
    state: str = "open"
    kind: str | None = None
    seriousness: str | None = None  # a SERIOUSNESS_CHOICES key
    due: str = "all"  # a DUE_CHOICES key
    clinician_id: int | None = None
    drug: str | None = None
    device_model: str | None = None  # matches the generator or the electrode model
    sort: str = "due"


def open_condition() -> ColumnElement[bool]:
    """Return the SQL test for "still open" (the only states that can be late)."""
    return Report.state.in_(sorted(OPEN_STATES))


def due_condition(due: str, today: date, due_soon_days: int) -> ColumnElement[bool]:
    """Return the due-date half of "overdue" / "due soon"; the caller restricts to open states once."""
    if due == "overdue":
        return and_(Report.due_date.is_not(None), Report.due_date < today)
    if due == "due_soon":
        return and_(Report.due_date >= today, Report.due_date <= today + timedelta(days=due_soon_days))
    raise ValueError(f"unknown due filter {due!r}")


def overdue_condition(today: date) -> ColumnElement[bool]:
    """Return the SQL condition for an overdue report."""
    return and_(open_condition(), due_condition("overdue", today, 0))


def due_soon_condition(today: date, due_soon_days: int) -> ColumnElement[bool]:
    """Return the SQL condition for an open report due between today and ``due_soon_days`` from now."""
    return and_(open_condition(), due_condition("due_soon", today, due_soon_days))


def queue_states(filters: QueueFilters) -> frozenset[str] | None:
    """Return the states the state and due filters allow together (None: any state).

    A due filter means "open and ...", so it narrows the chosen states to
    the open ones here, and the open-states list appears once in the SQL.
    """
    states: frozenset[str] | None
    if filters.state == "all":
        states = None
    elif filters.state == "open":
        states = OPEN_STATES
    else:
        states = frozenset({filters.state})
    if filters.due != "all":
        states = OPEN_STATES if states is None else states & OPEN_STATES
    return states


def _state_condition(filters: QueueFilters) -> ColumnElement[bool] | None:
    """Return the one state test for the state and due filters (None: any state)."""
    states = queue_states(filters)
    if states is None:
        return None
    if len(states) == 1:
        return Report.state == next(iter(states))
    return Report.state.in_(sorted(states)) if states else false()


def seriousness_condition(value: str) -> ColumnElement[bool]:
    """Serious means the Yellow Card flag for medicines, the MIR classification for devices, urgent for defects."""
    medicine = Report.kind == "medicine"
    device = Report.kind == "device"
    defect = Report.kind == "defective_medicine"  # serious: urgent (suspected counterfeit)
    urgent = Report.defect_category.in_(vocab.URGENT_DEFECT_CATEGORIES)
    if value == "serious":
        return or_(
            and_(medicine, Report.serious.is_(True)),
            and_(device, Report.incident_classification.in_(SERIOUS_DEVICE_CLASSIFICATIONS)),
            and_(defect, urgent),
        )
    if value == "not_serious":
        return or_(
            and_(medicine, Report.serious.is_(False)),
            and_(device, Report.incident_classification == "other_reportable"),
            and_(defect, Report.defect_category.is_not(None), ~urgent),
        )
    if value == "unknown":
        return or_(
            and_(medicine, Report.serious.is_(None)),
            and_(device, Report.incident_classification.is_(None)),
            and_(defect, Report.defect_category.is_(None)),
        )
    raise ValueError(f"unknown seriousness filter {value!r}")


def seriousness_of(report: Report) -> str:
    """Return "serious", "not_serious" or "unknown", as ``seriousness_condition`` tests it."""
    return seriousness_from(report.kind, report.serious, report.incident_classification, report.defect_category)


def seriousness_from(
    kind: str, serious: bool | None, incident_classification: str | None, defect_category: str | None = None
) -> str:
    """``seriousness_of`` on plain values (bulk exports read columns, not report objects)."""
    if kind == "medicine":
        flag = serious
    elif kind == "defective_medicine":
        flag = None if defect_category is None else defect_category in vocab.URGENT_DEFECT_CATEGORIES
    else:
        flag = None if incident_classification is None else incident_classification in SERIOUS_DEVICE_CLASSIFICATIONS
    if flag is None:
        return "unknown"
    return "serious" if flag else "not_serious"


def clock_for(report: Report, today: date, due_soon_days: int) -> ClockStatus | None:
    """Return the clock status to show, or None when the report has no clock running."""
    return clock_from(report.state, report.due_date, today, due_soon_days)


def clock_from(state: str, due: date | None, today: date, due_soon_days: int) -> ClockStatus | None:
    """``clock_for`` on plain values (bulk exports read columns, not report objects)."""
    if state not in OPEN_STATES or due is None:
        return None
    return clock_status(due, today, due_soon_days)


def _filter_conditions(filters: QueueFilters, today: date, due_soon_days: int) -> list[ColumnElement[bool]]:
    """Return the WHERE conditions the filters ask for (all ANDed)."""
    conditions = [_state_condition(filters)]
    if filters.due != "all":
        conditions.append(due_condition(filters.due, today, due_soon_days))
    if filters.kind:
        conditions.append(Report.kind == filters.kind)
    if filters.seriousness:
        conditions.append(seriousness_condition(filters.seriousness))
    if filters.clinician_id is not None:
        conditions.append(Report.created_by_id == filters.clinician_id)
    if filters.drug:
        conditions.append(Report.drug == filters.drug)
    if filters.device_model:
        model = filters.device_model
        conditions.append(or_(Report.generator_model == model, Report.electrode_model == model))
    return [c for c in conditions if c is not None]


def sort_key(sort: str) -> InstrumentedAttribute[Any]:
    """Return the column a sort orders by before the id."""
    return Report.created_at if sort == "newest" else Report.due_date


def sort_columns(
    sort: str,
    *,
    backwards: bool = False,
    key: ColumnElement[Any] | None = None,
    ident: ColumnElement[Any] | None = None,
) -> tuple[UnaryExpression[Any], UnaryExpression[Any]]:
    """Return the ORDER BY for a sort; ``id`` last so the order is total (keyset paging needs that).

    "due": soonest first, no due date last; "newest": newest first.
    ``backwards`` reverses it (for a "Previous" page read by keyset);
    ``key`` and ``ident`` stand in for the columns when ordering a subquery.
    """
    key = sort_key(sort) if key is None else key
    ident = Report.id if ident is None else ident
    if sort == "newest":
        return (key.asc(), ident.asc()) if backwards else (key.desc(), ident.desc())
    return (key.desc().nulls_first(), ident.desc()) if backwards else (key.asc().nulls_last(), ident.asc())


def queue_statement(filters: QueueFilters, *, today: date, due_soon_days: int = 3) -> Select[tuple[Report]]:
    """Return the SELECT for the queue: filtered and sorted, not yet paginated.

    Composable: callers may add ``.where(...)`` (an access scope, say)
    before handing it to ``queue_page`` or an export.
    """
    return (
        select(Report).where(*_filter_conditions(filters, today, due_soon_days)).order_by(*sort_columns(filters.sort))
    )


def queue_reports(db_session: Session, filters: QueueFilters, *, today: date, due_soon_days: int = 3) -> list[Report]:
    """Return every report the filters select, in queue order (small sets and tests; exports stream)."""
    return list(db_session.scalars(queue_statement(filters, today=today, due_soon_days=due_soon_days)))


def clinician_choices(db_session: Session) -> list[tuple[int, str]]:
    """Return (user id, name) for everyone who has written a report, by name.

    One index probe per user (``ix_reports_created_by_id``), not a scan of
    every report: the users table is small, the reports table is not.
    """
    wrote = exists().where(Report.created_by_id == User.id)
    rows = db_session.execute(select(User.id, User.full_name).where(wrote).order_by(User.full_name, User.id))
    return [(row.id, row.full_name) for row in rows]


# A "skip scan": each step seeks the next larger model in the column's index,
# so the cost grows with the number of distinct models (tens), not of reports.
# ``{site}`` is empty for every site, or a condition on one site's reports.
_DISTINCT_MODELS = """
    WITH RECURSIVE
      gen(model) AS (
        SELECT MIN(generator_model) FROM reports r WHERE TRUE{site}
        UNION ALL
        SELECT (SELECT MIN(r.generator_model) FROM reports r WHERE r.generator_model > gen.model{site})
        FROM gen WHERE gen.model IS NOT NULL
      ),
      ele(model) AS (
        SELECT MIN(electrode_model) FROM reports r WHERE TRUE{site}
        UNION ALL
        SELECT (SELECT MIN(r.electrode_model) FROM reports r WHERE r.electrode_model > ele.model{site})
        FROM ele WHERE ele.model IS NOT NULL
      )
    SELECT model FROM gen WHERE model IS NOT NULL
    UNION
    SELECT model FROM ele WHERE model IS NOT NULL
    ORDER BY 1
    """


def site_limited(sql: str, table: str, site_id: int | None) -> tuple[TextClause, dict[str, int]]:
    """Return raw ``sql`` with its ``{site}`` slot filled: nothing for every site, else ``table``'s site test.

    Raw SQL is not reached by the ORM's site criteria (``access.only_visible_reports``),
    so the site is a parameter of every raw statement, never left out by accident.
    """
    if site_id is None:
        return text(sql.format(site="")), {}
    return text(sql.format(site=f" AND {table}.site_id = :site_id")), {"site_id": site_id}


def device_model_choices(db_session: Session, site_id: int | None = None) -> list[str]:
    """Return every generator and electrode model named on a report (of ``site_id``, or any site), sorted."""
    return list(db_session.scalars(*site_limited(_DISTINCT_MODELS, "r", site_id)))
