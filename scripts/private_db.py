"""A throw-away PostgreSQL database beside a given one, for tests and the load benchmark.

Concurrent runs (two developers, CI beside a developer, a load run) each
work in their own database, so nobody drops anybody else's tables. The
database is dropped afterwards, even after an error.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text


@contextmanager
def private_postgres_database(url: str, prefix: str = "ect_test") -> Iterator[str]:
    """Create ``<prefix>_<random>`` next to the database ``url`` names; yield its URL; drop it after."""
    base = make_url(url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
