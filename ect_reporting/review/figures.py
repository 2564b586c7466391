"""The governance dashboard's figures, in a fixed number of statements however many reports there are.

Each statement reads one narrow index rather than the table (migration
0010 adds them), so the dashboard stays fast at 100,000 reports:

1. reports per (state, kind) with their overdue / due-soon counts
   (``ix_reports_state_kind_due_date``); "open" is applied in Python to
   those few rows, so the open-states list is written once, in ``vocab``;
2. new cases per month (``ix_reports_created_at_type_state``);
3. reports per reaction code, current versions only
   (``ix_reactions_report_id_meddra_code`` joined to ``reports.is_current``);
4. device problem codes of current device reports (a JSON list, counted here);
5. current reports per drug, generator and electrode model
   (``ix_reports_current_products``);
6. sent reports per month and kind, on time or late, and days to send
   (``ix_reports_sent_date_figures``).

Statements 2-6 read every current case (a few hundred milliseconds of
CPU together on SQLite at 100,000 reports), so the figures are kept per
process and reused until a cheap fingerprint statement (count, newest
id, latest ``updated_at``) shows that the reports changed.

Workload figures (states, kinds, clocks) count every report; case
figures (3-5) count each case once, by its *current* version
(``reports.is_current``: the newest version that was not withdrawn).
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from ect_reporting import vocab
from ect_reporting.models import Reaction, Report
from ect_reporting.reference import imdrf_term, meddra_term
from ect_reporting.review.queries import due_condition, site_limited
from ect_reporting.vocab import OPEN_STATES

TOP_N = 10
MONTHS = 12


@dataclass(frozen=True)
class Count:
    """One labelled figure on the dashboard."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class OnTime:
    """Reports sent to the regulator in a month or of a kind: within the clock or late."""

    key: str
    label: str
    on_time: int
    late: int

    @property
    def sent(self) -> int:
        """Reports sent (with a due date to judge them by)."""
        return self.on_time + self.late

    @property
    def rate(self) -> int | None:
        """Whole percentage sent on time, or None when nothing was sent."""
        return round(100 * self.on_time / self.sent) if self.sent else None


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows; built with a fixed number of statements."""

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
    on_time_by_month: list[OnTime]
    on_time_by_kind: list[OnTime]
    median_days_to_send: float | None


class days_between(FunctionElement[int]):
    """Whole days from the first date to the second (SQLite and PostgreSQL spell it differently)."""

    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"({compiler.process(end, **kw)} - {compiler.process(start, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"CAST(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}) AS INTEGER)"


def _month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _last_months(today: date) -> list[date]:
    """First days of the last ``MONTHS`` calendar months, oldest first."""
    return [_month_start(today, back) for back in range(MONTHS - 1, -1, -1)]


def _top(counter: Counter[str], label: Any) -> list[Count]:
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:TOP_N]
    return [Count(key, label(key), count) for key, count in ranked]


def _meddra_label(code: str) -> str:
    term = meddra_term(code)
    return f"{term.term} ({code})" if term else f"MedDRA {code}"


def _imdrf_label(code: str) -> str:
    term = imdrf_term(code)
    return f"{term.display} ({code})" if term else code


@dataclass(frozen=True)
class _Workload:
    state_kind: dict[tuple[str, str], int]
    overdue: int
    due_soon: int


def _workload(db_session: Session, today: date, due_soon_days: int) -> _Workload:
    """Statement 1: reports per (state, kind), and how many of the open ones are overdue or due soon."""
    rows = db_session.execute(
        select(
            Report.state,
            Report.kind,
            func.count().label("n"),
            func.count().filter(due_condition("overdue", today, due_soon_days)).label("overdue"),
            func.count().filter(due_condition("due_soon", today, due_soon_days)).label("due_soon"),
        ).group_by(Report.state, Report.kind)
    ).all()
    open_rows = [row for row in rows if row.state in OPEN_STATES]
    return _Workload(
        state_kind={(row.state, row.kind): row.n for row in rows},
        overdue=sum(row.overdue for row in open_rows),
        due_soon=sum(row.due_soon for row in open_rows),
    )


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


def _per_month(db_session: Session, today: date) -> list[Count]:
    """Statement 2: new cases (initial reports) per calendar month (UTC), last twelve months."""
    start = _month_start(today, MONTHS - 1)
    year = extract("year", Report.created_at)
    month = extract("month", Report.created_at)
    monthly = {
        (int(row.y), int(row.m)): row.n
        for row in db_session.execute(
            select(year.label("y"), month.label("m"), func.count().label("n"))
            .where(
                Report.created_at >= datetime(start.year, start.month, 1),
                Report.report_type == "initial",
                Report.state != "withdrawn",
            )
            .group_by(year, month)
        )
    }
    return [
        Count(first.isoformat()[:7], first.strftime("%b %Y"), monthly.get((first.year, first.month), 0))
        for first in _last_months(today)
    ]


def _top_reactions(db_session: Session) -> list[Count]:
    """Current reports per MedDRA code (each report once per code).

    A semi-join on the current medicine reports' ids (read from
    ``ix_reports_current_products``) lets SQLite probe
    ``ix_reactions_report_id_meddra_code`` without touching either table.
    """
    current = select(Report.id).where(Report.is_current, Report.kind == "medicine")
    reactions = Counter(
        {
            row.code: row.n
            for row in db_session.execute(
                select(Reaction.meddra_code.label("code"), func.count(func.distinct(Reaction.report_id)).label("n"))
                .where(Reaction.meddra_code.is_not(None), Reaction.report_id.in_(current))
                .group_by(Reaction.meddra_code)
            )
        }
    )
    return _top(reactions, _meddra_label)


# The codes are a JSON list; each database unnests it with its own function.
# ``{site}`` is empty for every site, or a condition on one site's reports.
_PROBLEM_CODES = {
    "sqlite": (
        "SELECT j.value AS code, count(DISTINCT reports.id) AS n "
        "FROM reports, json_each(reports.device_problem_codes) AS j "
        "WHERE reports.is_current = 1 AND reports.kind = 'device'{site} GROUP BY j.value"
    ),
    # DISTINCT per report in the lateral subquery: counting distinct report ids afterwards sorts every pair.
    "postgresql": (
        "SELECT j.code, count(*) AS n FROM reports CROSS JOIN LATERAL "
        "(SELECT DISTINCT t.code FROM json_array_elements_text(reports.device_problem_codes) AS t(code)) AS j "
        "WHERE reports.is_current AND reports.kind = 'device'{site} GROUP BY j.code"
    ),
}


def _top_device_problems(db_session: Session, site_id: int | None) -> list[Count]:
    """Device problem codes of current reports (of ``site_id``, or any site), once per report, unnested in SQL."""
    sql = _PROBLEM_CODES[db_session.get_bind().dialect.name]
    rows = db_session.execute(*site_limited(sql, "reports", site_id))
    return _top(Counter({row.code: row.n for row in rows}), _imdrf_label)


def _products(db_session: Session) -> tuple[list[Count], list[Count]]:
    """Statement 5: current reports per drug (medicines) and per generator / electrode model (devices)."""
    drugs: Counter[str] = Counter()
    models: Counter[tuple[str, str]] = Counter()
    for row in db_session.execute(
        select(Report.kind, Report.drug, Report.generator_model, Report.electrode_model, func.count().label("n"))
        .where(Report.is_current)
        .group_by(Report.kind, Report.drug, Report.generator_model, Report.electrode_model)
    ):
        if row.kind == "medicine" and row.drug:
            drugs[row.drug] += row.n
        if row.kind == "device":
            for part, model in (("generator", row.generator_model), ("electrode", row.electrode_model)):
                if model:
                    models[(part, model)] += row.n
    by_drug = [
        Count(drug, vocab.label(vocab.DRUGS, drug), n) for drug, n in sorted(drugs.items(), key=lambda i: (-i[1], i[0]))
    ]
    by_model = sorted(
        (Count(f"{part}:{model}", f"{model} ({part})", n) for (part, model), n in models.items()),
        key=lambda c: (-c.count, c.label),
    )
    return by_drug, by_model


@dataclass(frozen=True)
class _Sending:
    by_month: list[OnTime]
    by_kind: list[OnTime]
    median_days: float | None


def _on_time(groups: dict[Any, Counter[bool]], keys: Iterable[tuple[Any, str, str]]) -> list[OnTime]:
    return [OnTime(key, label, groups[group][True], groups[group][False]) for group, key, label in keys]


def _sending(db_session: Session, today: date) -> _Sending:
    """Statement 6: reports sent in the last twelve months, on time or late, per month and kind; days to send.

    On time means sent on or before its due date (reports without a due
    date are not judged). Days to send run from the awareness date (when
    the clock starts) to the sent date; the median is over the same reports.
    """
    months = _last_months(today)
    sent = Report.mhra_sent_date
    on_time = Report.due_date >= sent
    days = days_between(Report.awareness_date, sent)
    by_month: dict[Any, Counter[bool]] = defaultdict(Counter)
    by_kind: dict[Any, Counter[bool]] = defaultdict(Counter)
    spans: Counter[int] = Counter()
    rows = db_session.execute(
        select(
            Report.kind,
            extract("year", sent).label("y"),
            extract("month", sent).label("m"),
            on_time.label("on_time"),
            days.label("days"),
            func.count().label("n"),
        )
        .where(sent >= months[0], Report.due_date.is_not(None))
        .group_by(Report.kind, "y", "m", "on_time", "days")
    )
    for row in rows:
        by_month[(int(row.y), int(row.m))][bool(row.on_time)] += row.n
        by_kind[row.kind][bool(row.on_time)] += row.n
        if row.days is not None:
            spans[int(row.days)] += row.n
    return _Sending(
        by_month=_on_time(by_month, (((m.year, m.month), m.isoformat()[:7], m.strftime("%b %Y")) for m in months)),
        by_kind=_on_time(by_kind, ((kind, kind, label) for kind, label in vocab.REPORT_KINDS.items())),
        median_days=weighted_median(spans),
    )


def weighted_median(counts: Counter[int]) -> float | None:
    """Return the median of values given as value -> how many times (None when empty)."""
    total = sum(counts.values())
    if not total:
        return None
    middle = ((total - 1) // 2, total // 2)  # 0-based positions of the one or two middle values
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        for position in middle:
            if seen <= position < seen + counts[value]:
                found.append(value)
        seen += counts[value]
    return sum(found) / len(found)


def _compute(db_session: Session, today: date, due_soon_days: int, site_id: int | None) -> Dashboard:
    """Run the six statements and assemble the figures."""
    work = _workload(db_session, today, due_soon_days)
    by_drug, by_model = _products(db_session)
    sending = _sending(db_session, today)
    return Dashboard(
        by_state=_by_state(work.state_kind),
        by_kind=_by_kind(work.state_kind),
        state_kind=work.state_kind,
        total=sum(work.state_kind.values()),
        overdue=work.overdue,
        due_soon=work.due_soon,
        per_month=_per_month(db_session, today),
        top_reactions=_top_reactions(db_session),
        top_device_problems=_top_device_problems(db_session, site_id),
        by_drug=by_drug,
        by_device_model=by_model,
        on_time_by_month=sending.by_month,
        on_time_by_kind=sending.by_kind,
        median_days_to_send=sending.median_days,
    )


# Per process: (database URL, site or None for every site) -> (fingerprint, figures).
_CACHE: dict[tuple[str, int | None], tuple[tuple[Any, ...], Dashboard]] = {}
_CACHE_LOCK = threading.Lock()


def fingerprint(db_session: Session) -> tuple[Any, ...]:
    """Return what changes whenever a figure could: one statement on two small indexes.

    Every ORM change to a report stamps ``updated_at`` (reactions and other
    lists are edited through their report, which is touched too); a new
    report or version adds an id; a deleted one lowers the count (the app
    never deletes reports, but a person with SQL might).
    """
    return tuple(db_session.execute(select(func.count(), func.max(Report.id), func.max(Report.updated_at))).one())


def dashboard(
    db_session: Session, *, today: date, due_soon_days: int = 3, cache: bool = True, site_id: int | None = None
) -> Dashboard:
    """Return the dashboard figures: six statements, or one when nothing changed since the last view.

    With ``cache`` the figures are kept per process and reused while the
    fingerprint, the day and the due-soon window are the same (the clocks
    move only with the day), so a busy dashboard costs one indexed
    statement per view; the first view after any change recomputes them.
    """
    if not cache:
        return _compute(db_session, today, due_soon_days, site_id)
    url = db_session.get_bind().engine.url.render_as_string(hide_password=True)
    key = (today, due_soon_days, *fingerprint(db_session))
    with _CACHE_LOCK:
        cached = _CACHE.get((url, site_id))
    if cached is not None and cached[0] == key:
        return cached[1]
    figures = _compute(db_session, today, due_soon_days, site_id)
    with _CACHE_LOCK:
        _CACHE[(url, site_id)] = (key, figures)
    return figures
