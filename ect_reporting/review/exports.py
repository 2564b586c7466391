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
import functools
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any

import orjson
from sqlalchemy import Row, Select, String, cast, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ect_reporting import vocab
from ect_reporting.clocks import sent_on_time
from ect_reporting.models import Report, User
from ect_reporting.models.report import reference_for
from ect_reporting.reports.records import destination_for
from ect_reporting.review.queries import SERIOUSNESS_CHOICES, clock_from, seriousness_from

_KINDS, _TYPES, _STATES = vocab.REPORT_KINDS, vocab.REPORT_TYPES, vocab.REPORT_STATES
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


def _text(column: Any) -> Any:
    """Read a date or timestamp column as its ISO text (``YYYY-MM-DD[ HH:MM:SS...]``) on both databases.

    Why: turning SQLite's stored text into ``date`` objects and back into
    text was most of the export's time; the file only needs the text.
    """
    return cast(column, String).label(column.key)


_COLUMNS = (
    Report.id,
    Report.case_id,
    Report.case_version,
    Report.kind,
    Report.report_type,
    Report.state,
    Report.serious,
    Report.incident_classification,
    _text(Report.awareness_date),
    _text(Report.due_date),
    _text(Report.submitted_at),
    _text(Report.approved_at),
    _text(Report.mhra_sent_date),
    _text(Report.acknowledged_on),
    Report.patient_initials,
    Report.local_reference,
    Report.drug,
    Report.generator_model,
    Report.electrode_model,
    _text(Report.created_at),
    Report.mhra_reference,
    User.full_name.label("reported_by"),
    Report.nation,
    Report.defect_category,
)


def _day(text: str | None) -> str | None:
    """The date part of an ISO date or timestamp text."""
    return text[:10] if text else None


def export_clock(state: str, due: str | None, sent: str | None, today: date, due_soon_days: int) -> str | None:
    """Return the clock status for an export row: live for open reports, sent on time or late once sent."""
    if due is None:
        return None
    due_day = date.fromisoformat(due[:10])
    if sent is not None:
        return "sent_on_time" if sent_on_time(date.fromisoformat(sent[:10]), due_day) else "sent_late"
    return clock_from(state, due_day, today, due_soon_days)


@functools.cache
def _regulator(kind: str, nation: str | None) -> str:
    return vocab.regulator(destination_for(kind, nation)["scheme"])


# (CSV heading, JSON Lines key) in file order; ``export_values`` gives the values in the same order.
FIELDS: tuple[tuple[str, str], ...] = (
    ("Reference", "reference"),
    ("Case ID", "case_id"),
    ("Case version", "case_version"),
    ("Kind", "kind"),
    ("Report type", "report_type"),
    ("State", "state"),
    ("Seriousness", "seriousness"),
    ("Awareness date", "awareness_date"),
    ("Due date", "due_date"),
    ("Clock", "clock"),
    ("Submitted", "submitted_date"),
    ("Approved", "approved_date"),
    ("Sent", "sent_date"),
    ("Acknowledged", "acknowledged_date"),
    ("Patient initials", "patient_initials"),
    ("Local reference", "local_reference"),
    ("Drug", "drug"),
    ("Generator model", "generator_model"),
    ("Electrode model", "electrode_model"),
    ("Reported by", "reported_by"),
    ("Created (UTC)", "created_utc"),
    ("Regulator", "regulator"),
    ("Regulator reference", "regulator_reference"),
)
CSV_HEADER = [heading for heading, _key in FIELDS]
JSON_KEYS = [key for _heading, key in FIELDS]
# Cells people type (or that come from other systems): the only ones a
# spreadsheet formula could hide in. The rest are our own labels, numbers and ISO dates.
_TYPED = frozenset(
    JSON_KEYS.index(key)
    for key in (
        "case_id",
        "patient_initials",
        "local_reference",
        "generator_model",
        "electrode_model",
        "reported_by",
        "regulator_reference",
    )
)


def export_values(row: Sequence[Any], today: date, due_soon_days: int) -> tuple[Any, ...]:
    """Return one report's values in ``FIELDS`` order (one function, so CSV and JSON Lines agree).

    ``row`` holds ``_COLUMNS`` in order; unpacked by position because it is
    called once per exported report and attribute lookups by name cost more.
    """
    (
        report_id, case_id, case_version, kind, report_type, state, serious, classification, awareness, due,
        submitted, approved, sent, acknowledged, initials, local_reference, drug, generator, electrode, created,
        reference, reported_by, nation, defect_category,
    ) = row  # fmt: skip
    return (
        reference_for(report_id),
        case_id,
        case_version,
        _KINDS.get(kind, kind),
        _TYPES.get(report_type, report_type),
        _STATES.get(state, state),
        SERIOUSNESS_CHOICES[seriousness_from(kind, serious, classification, defect_category)],
        _day(awareness),
        _day(due),
        CLOCK_LABELS.get(export_clock(state, due, sent, today, due_soon_days) or ""),
        _day(submitted),
        _day(approved),
        _day(sent),
        _day(acknowledged),
        initials,
        local_reference,
        vocab.DRUGS.get(drug, drug) if drug else None,
        generator,
        electrode,
        reported_by,
        created[:16].replace("T", " "),
        _regulator(kind, nation),
        reference,
    )


def export_count(db_session: Session, statement: Select[tuple[Report]]) -> int:
    """Return how many reports ``statement`` selects (shown before a download starts, and audited)."""
    return db_session.scalar(statement.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)) or 0


def export_rows(db_session: Session, statement: Select[tuple[Report]]) -> Iterator[Sequence[Row[Any]]]:
    """Yield the export's rows in batches from a server-side cursor, in queue order."""
    # A report's site and nation are its own columns (a report need not have a session).
    rows = statement.with_only_columns(*_COLUMNS).join_from(Report, User, Report.created_by_id == User.id)
    # On the Core connection: rows need no ORM processing, only the columns.
    result = db_session.connection().execute(rows.execution_options(yield_per=BATCH))
    try:
        yield from result.partitions()
    finally:
        result.close()


def csv_safe(value: Any) -> str:
    """Return ``value`` as CSV text that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _csv_row(values: tuple[Any, ...]) -> list[Any]:
    return [csv_safe(value) if index in _TYPED else value for index, value in enumerate(values)]


def csv_chunks(batches: Iterable[Sequence[Row[Any]]], today: date, due_soon_days: int) -> Iterator[bytes]:
    """Yield the CSV as UTF-8 bytes, one chunk per batch; a byte-order mark first for spreadsheet programs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(CSV_HEADER)
    for batch in batches:
        writer.writerows(_csv_row(export_values(row, today, due_soon_days)) for row in batch)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def jsonl_chunks(batches: Iterable[Sequence[Row[Any]]], today: date, due_soon_days: int) -> Iterator[bytes]:
    """Yield JSON Lines (one object per report, the CSV's fields with snake_case keys), one chunk per batch.

    ``orjson`` because encoding is most of the time left once rows are read (UTF-8 out, no escapes needed).
    """
    for batch in batches:
        values = (export_values(row, today, due_soon_days) for row in batch)
        lines = [orjson.dumps(dict(zip(JSON_KEYS, value, strict=True))) for value in values]
        lines.append(b"")
        yield b"\n".join(lines)


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
