"""The framework floor: bare Flask endpoints the app's figures are divided by.

Served by gunicorn exactly like the app (``bench.harness.serve(env,
workers, "baseline_app:app")``, same worker count, same database), so a
ratio says how much the app adds on top of Flask, SQLAlchemy Core and
PostgreSQL themselves, not how fast this machine is today.

- ``GET /json``: a small JSON body, no database (divides the report read).
- ``POST /insert``: one INSERT and a commit with SQLAlchemy Core (divides the report create).
- ``GET /read/<id>``: one primary-key read with Core (the trivial indexed read; divides queue and dashboard).
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, jsonify, request
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select

metadata = MetaData()
rows = Table(
    "bench_baseline",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("body", String(400), nullable=False),
)



def prepare(database_url: str) -> int:
    """Create the baseline table and one row before gunicorn starts (workers racing a CREATE fail); its id."""
    setup = create_engine(database_url)
    metadata.create_all(setup, checkfirst=True)
    with setup.begin() as conn:
        row_id = conn.scalar(select(rows.c.id).order_by(rows.c.id).limit(1))
        if row_id is None:
            row_id = conn.execute(insert(rows).values(kind="medicine", body="x" * 64).returning(rows.c.id)).scalar_one()
    setup.dispose()
    return int(row_id)


app = Flask(__name__)
engine = create_engine(os.environ.get("DATABASE_URL", "sqlite://"), pool_pre_ping=True)


@app.get("/json")
def bare_json() -> Any:
    """The smallest JSON answer Flask gives."""
    return jsonify({"id": 1, "kind": "medicine", "state": "draft"})


@app.post("/insert")
def bare_insert() -> Any:
    """One row in, committed: what any create costs at least."""
    payload = request.get_json(silent=True) or {}
    with engine.begin() as conn:
        new_id = conn.execute(
            insert(rows).values(kind=str(payload.get("kind", "medicine"))[:16], body="x" * 64).returning(rows.c.id)
        ).scalar_one()
    return jsonify({"id": new_id}), 201


@app.get("/read/<int:row_id>")
def bare_read(row_id: int) -> Any:
    """One row by primary key: the trivial indexed read."""
    with engine.connect() as conn:
        row = conn.execute(select(rows.c.id, rows.c.kind).where(rows.c.id == row_id)).first()
    return jsonify({"id": row.id if row else None, "kind": row.kind if row else None})
