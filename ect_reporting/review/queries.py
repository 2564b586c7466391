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

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, extract, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased, joinedload

from ect_reporting import vocab
from ect_reporting.clocks import ClockStatus, clock_status
from ect_reporting.models import Reaction, Report, User
from ect_reporting.reference import imdrf_term, meddra_term
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


def overdue_condition(today: date) -> ColumnElement[bool]:
    """Return the SQL condition for an overdue report."""
    return and_(open_condition(), Report.due_date.is_not(None), Report.due_date < today)


def due_soon_condition(today: date, due_soon_days: int) -> ColumnElement[bool]:
    """Return the SQL condition for an open report due between today and ``due_soon_days`` from now."""
    return and_(
        open_condition(),
        Report.due_date >= today,
        Report.due_date <= today + timedelta(days=due_soon_days),
    )


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
    if report.kind == "medicine":
        flag = report.serious
    elif report.kind == "defective_medicine":
        flag = None if report.defect_category is None else report.defect_category in vocab.URGENT_DEFECT_CATEGORIES
    else:
        classification = report.incident_classification
        flag = None if classification is None else classification in SERIOUS_DEVICE_CLASSIFICATIONS
    if flag is None:
        return "unknown"
    return "serious" if flag else "not_serious"


def clock_for(report: Report, today: date, due_soon_days: int) -> ClockStatus | None:
    """Return the clock status to show, or None when the report has no clock running."""
    if report.state not in OPEN_STATES or report.due_date is None:
        return None
    return clock_status(report.due_date, today, due_soon_days)


def queue_statement(filters: QueueFilters, *, today: date, due_soon_days: int = 3) -> Select[tuple[Report]]:
    """Return the SELECT for the queue: filtered and sorted, not yet paginated."""
    # The session gives the nation, hence the regulator each row names.
    query = select(Report).options(joinedload(Report.created_by), joinedload(Report.session))
    if filters.state == "open":
        query = query.where(open_condition())
    elif filters.state != "all":
        query = query.where(Report.state == filters.state)
    if filters.kind:
        query = query.where(Report.kind == filters.kind)
    if filters.seriousness:
        query = query.where(seriousness_condition(filters.seriousness))
    if filters.due == "overdue":
        query = query.where(overdue_condition(today))
    elif filters.due == "due_soon":
        query = query.where(due_soon_condition(today, due_soon_days))
    if filters.clinician_id is not None:
        query = query.where(Report.created_by_id == filters.clinician_id)
    if filters.drug:
        query = query.where(Report.drug == filters.drug)
    if filters.device_model:
        query = query.where(
            or_(Report.generator_model == filters.device_model, Report.electrode_model == filters.device_model)
        )
    if filters.sort == "newest":
        return query.order_by(Report.created_at.desc(), Report.id.desc())
    return query.order_by(Report.due_date.asc().nulls_last(), Report.id)


def queue_reports(db_session: Session, filters: QueueFilters, *, today: date, due_soon_days: int = 3) -> list[Report]:
    """Return every report the filters select (for the CSV download), in queue order."""
    return list(db_session.scalars(queue_statement(filters, today=today, due_soon_days=due_soon_days)))


def clinician_choices(db_session: Session) -> list[tuple[int, str]]:
    """Return (user id, name) for everyone who has written a report, by name."""
    authors = select(Report.created_by_id).distinct()
    rows = db_session.execute(select(User.id, User.full_name).where(User.id.in_(authors)).order_by(User.full_name))
    return [(row.id, row.full_name) for row in rows]


def device_model_choices(db_session: Session) -> list[str]:
    """Return every generator and electrode model named on a report, sorted."""
    models = union_all(
        select(Report.generator_model.label("model")).where(Report.generator_model.is_not(None)),
        select(Report.electrode_model.label("model")).where(Report.electrode_model.is_not(None)),
    ).subquery()
    return list(db_session.scalars(select(models.c.model).distinct().order_by(models.c.model)))


# --- Dashboard --------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """One labelled figure on the dashboard."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows; built with a fixed number of queries."""

    by_state: list[Count]
    by_kind: list[Count]
    state_kind: dict[tuple[str, str], int]
    total: int
    overdue: int
    due_soon: int
    per_month: list[Count]
    top_reactions: list[Count]
    top_device_problems: list[Count]
    by_drug: list[Count]
    by_device_model: list[Count]


def current_version() -> ColumnElement[bool]:
    """Return the SQL condition "the newest live version of its case"."""
    newer = aliased(Report)
    superseded = exists().where(newer.follow_up_of_id == Report.id, newer.state != "withdrawn")
    return and_(Report.state != "withdrawn", ~superseded)


def _month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _top(counter: Counter[str], label: Any) -> list[Count]:
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:TOP_N]
    return [Count(key, label(key), count) for key, count in ranked]


def _meddra_label(code: str) -> str:
    term = meddra_term(code)
    return f"{term.term} ({code})" if term else f"MedDRA {code}"


def _imdrf_label(code: str) -> str:
    term = imdrf_term(code)
    return f"{term.display} ({code})" if term else code


def _state_kind_counts(db_session: Session) -> dict[tuple[str, str], int]:
    """Query 1: reports per (state, kind)."""
    return {
        (row.state, row.kind): row.n
        for row in db_session.execute(
            select(Report.state, Report.kind, func.count().label("n")).group_by(Report.state, Report.kind)
        )
    }


def _by_state(state_kind: dict[tuple[str, str], int]) -> list[Count]:
    return [
        Count(state, label, sum(n for (s, _k), n in state_kind.items() if s == state))
        for state, label in vocab.REPORT_STATES.items()
    ]


def _by_kind(state_kind: dict[tuple[str, str], int]) -> list[Count]:
    return [
        Count(kind, label, sum(n for (_s, k), n in state_kind.items() if k == kind))
        for kind, label in vocab.REPORT_KINDS.items()
    ]


def _clock_counts(db_session: Session, today: date, due_soon_days: int) -> tuple[int, int]:
    """Query 2: overdue and due soon in one statement."""
    overdue, due_soon = db_session.execute(
        select(
            func.count().filter(overdue_condition(today)),
            func.count().filter(due_soon_condition(today, due_soon_days)),
        ).select_from(Report)
    ).one()
    return overdue, due_soon


def _per_month(db_session: Session, today: date) -> list[Count]:
    """Query 3: new cases (initial reports) per calendar month (UTC), last twelve months."""
    start = _month_start(today, MONTHS - 1)
    year = extract("year", Report.created_at)
    month = extract("month", Report.created_at)
    monthly = {
        (int(row.y), int(row.m)): row.n
        for row in db_session.execute(
            select(year.label("y"), month.label("m"), func.count().label("n"))
            .where(
                Report.report_type == "initial",
                Report.state != "withdrawn",
                Report.created_at >= datetime(start.year, start.month, 1),
            )
            .group_by(year, month)
        )
    }
    months = (_month_start(today, back) for back in range(MONTHS - 1, -1, -1))
    return [
        Count(first.isoformat()[:7], first.strftime("%b %Y"), monthly.get((first.year, first.month), 0))
        for first in months
    ]


def _top_reactions(db_session: Session) -> list[Count]:
    """Query 4: reports (current versions) per MedDRA code."""
    reactions = Counter(
        {
            row.code: row.n
            for row in db_session.execute(
                select(Reaction.meddra_code.label("code"), func.count(func.distinct(Reaction.report_id)).label("n"))
                .join(Report, Reaction.report_id == Report.id)
                .where(Reaction.meddra_code.is_not(None), current_version())
                .group_by(Reaction.meddra_code)
            )
        }
    )
    return _top(reactions, _meddra_label)


def _top_device_problems(db_session: Session) -> list[Count]:
    """Query 5: device problem codes (current versions), each counted once per report.

    The codes are a JSON list, whose SQL functions differ between SQLite and
    PostgreSQL, so they are counted here from one query.
    """
    problems: Counter[str] = Counter()
    for codes in db_session.scalars(
        select(Report.device_problem_codes).where(Report.kind == "device", current_version())
    ):
        problems.update(set(codes or []))
    return _top(problems, _imdrf_label)


def _by_drug(db_session: Session) -> list[Count]:
    """Query 6: medicine reports (current versions) by drug."""
    return [
        Count(row.drug, vocab.label(vocab.DRUGS, row.drug), row.n)
        for row in db_session.execute(
            select(Report.drug, func.count().label("n"))
            .where(Report.kind == "medicine", Report.drug.is_not(None), current_version())
            .group_by(Report.drug)
            .order_by(func.count().desc(), Report.drug)
        )
    ]


def _by_device_model(db_session: Session) -> list[Count]:
    """Query 7: device reports by generator model and by electrode model, in one statement."""
    generator = select(
        literal("generator").label("part"), Report.generator_model.label("model"), func.count().label("n")
    ).where(Report.kind == "device", Report.generator_model.is_not(None), current_version())
    electrode = select(
        literal("electrode").label("part"), Report.electrode_model.label("model"), func.count().label("n")
    ).where(Report.kind == "device", Report.electrode_model.is_not(None), current_version())
    models = union_all(generator.group_by(Report.generator_model), electrode.group_by(Report.electrode_model))
    return sorted(
        (Count(f"{row.part}:{row.model}", f"{row.model} ({row.part})", row.n) for row in db_session.execute(models)),
        key=lambda c: (-c.count, c.label),
    )


def dashboard(db_session: Session, *, today: date, due_soon_days: int = 3) -> Dashboard:
    """Return the dashboard figures in seven queries, however many reports there are."""
    state_kind = _state_kind_counts(db_session)
    overdue, due_soon = _clock_counts(db_session, today, due_soon_days)
    return Dashboard(
        by_state=_by_state(state_kind),
        by_kind=_by_kind(state_kind),
        state_kind=state_kind,
        total=sum(state_kind.values()),
        overdue=overdue,
        due_soon=due_soon,
        per_month=_per_month(db_session, today),
        top_reactions=_top_reactions(db_session),
        top_device_problems=_top_device_problems(db_session),
        by_drug=_by_drug(db_session),
        by_device_model=_by_device_model(db_session),
    )
