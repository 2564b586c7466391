"""Bulk downloads of the filtered queue: CSV, JSON Lines and a ZIP of PDFs, streamed.

Why streamed: a national deployment's queue holds 100,000 reports; the
old download held every ORM row, every CSV row and the whole text at
once (880 MB). Here rows come from a server-side cursor in batches
(``yield_per``: PostgreSQL streams, SQLite steps its cursor), only the
columns the file needs are selected (no ORM objects, no identity map),
and each batch is written out before the next is read, so memory stays
flat however many reports there are.

Plain functions over a SQLAlchemy session and the queue's SELECT; the
views only wrap the generators in a streamed response.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ect_reporting import vocab
from ect_reporting.clocks import sent_on_time
from ect_reporting.models import EctSession, Report, User
from ect_reporting.reports.records import destination_for
from ect_reporting.review.queries import SERIOUSNESS_CHOICES, clock_for, seriousness_of

BATCH = 1000  # rows per server-side cursor fetch (and per chunk written)
PDF_BATCH = 20  # reports loaded (with their lists) per step of the ZIP
# Spreadsheet programs run a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CLOCK_LABELS = {
    "overdue": "Overdue",
    "due_soon": "Due soon",
    "on_time": "On time",
    "sent_on_time": "Sent on time",
    "sent_late": "Sent late",
}

_COLUMNS = (
    Report.id,
    Report.case_id,
    Report.case_version,
    Report.kind,
    Report.report_type,
    Report.state,
    Report.serious,
    Report.incident_classification,
    Report.awareness_date,
    Report.due_date,
    Report.submitted_at,
    Report.approved_at,
    Report.mhra_sent_date,
    Report.acknowledged_on,
    Report.patient_initials,
    Report.local_reference,
    Report.drug,
    Report.generator_model,
    Report.electrode_model,
    Report.created_at,
    Report.mhra_reference,
    User.full_name.label("reported_by"),
    EctSession.nation,
)

# (CSV heading, JSON key, value from a row): one table for both formats.
Cell = Callable[[Row[Any], date, int], Any]


def _day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def clock_status_of(row: Any, today: date, due_soon_days: int) -> str | None:
    """Return the clock status for an export row: live for open reports, sent on time or late once sent."""
    if row.mhra_sent_date is not None and row.due_date is not None:
        return "sent_on_time" if sent_on_time(row.mhra_sent_date, row.due_date) else "sent_late"
    return clock_for(row, today, due_soon_days)


FIELDS: tuple[tuple[str, str, Cell], ...] = (
    ("Reference", "reference", lambda r, _t, _d: Report.reference.fget(r)),  # type: ignore[attr-defined]
    ("Case ID", "case_id", lambda r, _t, _d: r.case_id),
    ("Case version", "case_version", lambda r, _t, _d: r.case_version),
    ("Kind", "kind", lambda r, _t, _d: vocab.label(vocab.REPORT_KINDS, r.kind)),
    ("Report type", "report_type", lambda r, _t, _d: vocab.label(vocab.REPORT_TYPES, r.report_type)),
    ("State", "state", lambda r, _t, _d: vocab.label(vocab.REPORT_STATES, r.state)),
    ("Seriousness", "seriousness", lambda r, _t, _d: SERIOUSNESS_CHOICES[seriousness_of(r)]),
    ("Awareness date", "awareness_date", lambda r, _t, _d: _day(r.awareness_date)),
    ("Due date", "due_date", lambda r, _t, _d: _day(r.due_date)),
    ("Clock", "clock", lambda r, t, d: CLOCK_LABELS.get(clock_status_of(r, t, d) or "")),
    ("Submitted", "submitted_date", lambda r, _t, _d: _day(r.submitted_at)),
    ("Approved", "approved_date", lambda r, _t, _d: _day(r.approved_at)),
    ("Sent", "sent_date", lambda r, _t, _d: _day(r.mhra_sent_date)),
    ("Acknowledged", "acknowledged_date", lambda r, _t, _d: _day(r.acknowledged_on)),
    ("Patient initials", "patient_initials", lambda r, _t, _d: r.patient_initials),
    ("Local reference", "local_reference", lambda r, _t, _d: r.local_reference),
    ("Drug", "drug", lambda r, _t, _d: vocab.label(vocab.DRUGS, r.drug) if r.drug else None),
    ("Generator model", "generator_model", lambda r, _t, _d: r.generator_model),
    ("Electrode model", "electrode_model", lambda r, _t, _d: r.electrode_model),
    ("Reported by", "reported_by", lambda r, _t, _d: r.reported_by),
    ("Created (UTC)", "created_utc", lambda r, _t, _d: r.created_at.strftime("%Y-%m-%d %H:%M")),
    ("Regulator", "regulator", lambda r, _t, _d: vocab.regulator(destination_for(r.kind, r.nation)["scheme"])),
    ("Regulator reference", "regulator_reference", lambda r, _t, _d: r.mhra_reference),
)
CSV_HEADER = [heading for heading, _key, _cell in FIELDS]


def export_count(db_session: Session, statement: Select[tuple[Report]]) -> int:
    """Return how many reports ``statement`` selects (shown before a download starts, and audited)."""
    return db_session.scalar(statement.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)) or 0


def export_rows(db_session: Session, statement: Select[tuple[Report]]) -> Iterator[Sequence[Row[Any]]]:
    """Yield the export's rows in batches from a server-side cursor, in queue order."""
    rows = statement.with_only_columns(*_COLUMNS).join_from(Report, User, Report.created_by_id == User.id)
    rows = rows.join_from(Report, EctSession, Report.session_id == EctSession.id)
    result = db_session.execute(rows.execution_options(yield_per=BATCH, stream_results=True))
    try:
        yield from result.partitions()
    finally:
        result.close()


def csv_safe(value: Any) -> str:
    """Return ``value`` as CSV text that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_chunks(batches: Iterable[Sequence[Row[Any]]], today: date, due_soon_days: int) -> Iterator[bytes]:
    """Yield the CSV as UTF-8 bytes, one chunk per batch; a byte-order mark first for spreadsheet programs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(CSV_HEADER)
    for batch in batches:
        writer.writerows([csv_safe(cell(row, today, due_soon_days)) for _h, _k, cell in FIELDS] for row in batch)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def jsonl_chunks(batches: Iterable[Sequence[Row[Any]]], today: date, due_soon_days: int) -> Iterator[bytes]:
    """Yield JSON Lines (one object per report, the CSV's fields with snake_case keys), one chunk per batch."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for batch in batches:
        lines = (dumps({key: cell(row, today, due_soon_days) for _h, key, cell in FIELDS}) for row in batch)
        yield ("\n".join(lines) + "\n").encode("utf-8")


class _Drain(io.RawIOBase):
    """An unseekable sink for ``zipfile``: collects what it writes until ``take`` empties it."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        """``zipfile`` writes here."""
        return True

    def write(self, data: Any) -> int:
        """Keep ``data`` until the next ``take``."""
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        """Return and forget what was written since the last call."""
        data, self._parts = b"".join(self._parts), []
        return data


def _pdf_reports(db_session: Session, statement: Select[tuple[Report]]) -> Iterator[Report]:
    """Yield the full reports in queue order, a few at a time, forgetting each batch after use."""
    ids = db_session.execute(
        statement.with_only_columns(Report.id).execution_options(yield_per=BATCH, stream_results=True)
    )
    for batch in ids.partitions(PDF_BATCH):
        wanted = [row.id for row in batch]
        loaded = db_session.scalars(
            select(Report)
            .where(Report.id.in_(wanted))
            .options(
                joinedload(Report.session),
                joinedload(Report.created_by),
                selectinload(Report.reactions),
                selectinload(Report.other_drugs),
            )
        ).unique()
        by_id = {report.id: report for report in loaded}
        for report_id in wanted:
            yield by_id[report_id]
        for report in by_id.values():
            for done in (report, report.session):
                if done in db_session:
                    db_session.expunge(done)


def pdf_zip_chunks(
    db_session: Session, statement: Select[tuple[Report]], render: Callable[[Report], tuple[str, bytes]]
) -> Iterator[bytes]:
    """Yield a ZIP holding one PDF per report (``render`` returns its file name and bytes), streamed.

    ``zipfile`` writes to an unseekable sink (sizes go in data descriptors),
    and what it wrote is yielded after each file, so only one PDF is in
    memory at a time.
    """
    sink = _Drain()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for report in _pdf_reports(db_session, statement):
            name, content = render(report)
            archive.writestr(name, content)
            yield sink.take()
    yield sink.take()
