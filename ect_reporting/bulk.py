"""Bulk rows with SQLAlchemy Core: ids allocated up front, many rows per statement.

The ORM inserts one object at a time and re-reads each generated id; the
demo generator writes 100,000 reports with their sessions, reactions and
audit rows, and children need their parent's id before they are built.
Allocating the ids first (from the table's sequence on PostgreSQL, after
the current maximum on SQLite, whose single writer the caller already
holds) lets every table go in as one ``executemany`` of plain dicts.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import JSON, Column, Connection, Dialect, Table, func, select, text

CHUNK_ROWS = 5_000  # rows converted and sent per batch: bounds memory, not round trips


def allocate_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """Return ``count`` new, increasing ids for ``table`` that no other writer will be given."""
    if count <= 0:
        return []
    if conn.dialect.name == "postgresql":
        sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
        rows = conn.execute(text("SELECT nextval(:s) FROM generate_series(1, :n)"), {"s": sequence, "n": count})
        return sorted(row[0] for row in rows)
    start = (conn.scalar(select(func.max(table.c.id))) or 0) + 1
    return list(range(start, start + count))


def insert_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (dicts with the same keys) in chunks of ``CHUNK_ROWS``; return how many.

    The statement is compiled once and each value goes through its column
    type's bind processor (dates, JSON), as ``conn.execute(insert(table), rows)``
    would do, but as tuples straight to the driver's ``executemany``: with
    100,000-row tables SQLAlchemy's per-row parameter dictionaries were the
    largest part of the generator's profile (about 40 % of the run).
    """
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    defaults = _python_defaults(table, first.keys())
    keys = [*first, *defaults]
    statement, processors = _statement(conn, table, keys)
    convert = [(index, proc) for index, proc in enumerate(processors) if proc is not None]
    values_of = operator.itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    total = 0
    chunk: list[tuple[Any, ...]] = []
    for given in itertools.chain((first,), iterator):
        row = {**given, **{name: make() for name, make in defaults.items()}} if defaults else given
        values = list(values_of(row))
        for index, proc in convert:
            values[index] = proc(values[index])
        chunk.append(tuple(values))
        if len(chunk) >= CHUNK_ROWS:
            total += _flush(conn, statement, chunk)
            chunk = []
    return total + _flush(conn, statement, chunk)


def _python_defaults(table: Table, given: Iterable[str]) -> dict[str, Callable[[], Any]]:
    """Makers of the Python-side defaults (``default=``) of columns the rows leave out, as Core would apply."""
    makers: dict[str, Callable[[], Any]] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or not (default.is_scalar or default.is_callable):
            continue
        if default.is_callable:
            makers[column.name] = functools.partial(default.arg, None)  # type: ignore[attr-defined]
        else:
            makers[column.name] = functools.partial(lambda value: value, default.arg)  # type: ignore[attr-defined]
    return makers


@dataclass(frozen=True)
class _Statement:
    """The INSERT's head (``INSERT INTO t (cols) VALUES``), one row's placeholders, and the COPY."""

    head: str
    row: str
    copy: str


def _statement(conn: Connection, table: Table, keys: Sequence[str]) -> tuple[_Statement, list[Any]]:
    """The driver-level INSERT for ``keys`` and each column's bind processor (None: pass as is)."""
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    columns = [table.c[key] for key in keys]
    target = f"{dialect.identifier_preparer.format_table(table)} ({', '.join(quote(c.name) for c in columns)})"
    statement = _Statement(
        f"INSERT INTO {target} VALUES ", f"({', '.join(marker for _ in columns)})", f"COPY {target} FROM STDIN"
    )
    return statement, [
        _processor(column, dialect) for column in columns
    ]


def _processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column type's bind processor; JSON through orjson (compact text, which both databases parse)."""
    if isinstance(column.type, JSON):
        return _json_text
    return column.type.dialect_impl(dialect).bind_processor(dialect)  # type: ignore[no-any-return]


def _json_text(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _flush(conn: Connection, statement: _Statement, chunk: list[tuple[Any, ...]]) -> int:
    """Send ``chunk``: ``COPY`` on PostgreSQL, ``executemany`` on SQLite.

    PostgreSQL parses, binds and executes each statement of an
    ``executemany`` separately (and a multi-row ``VALUES`` costs more on
    the client than it saves); ``COPY ... FROM STDIN`` on the same
    connection and transaction streams the rows with none of that per-row
    work. SQLite's in-process ``executemany`` has no such cost.
    """
    if not chunk:
        return 0
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(statement.copy) as copy:  # type: ignore[union-attr]
            for row in chunk:
                copy.write_row(row)
    else:
        conn.exec_driver_sql(statement.head + statement.row, chunk)
    return len(chunk)
