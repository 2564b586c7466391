"""Constants and helpers shared by the review tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.conftest import PASSWORD

# A fixed "today" for query-level tests, so clock results never depend on the run date.
TODAY = date(2026, 3, 10)
# MedDRA codes in the shipped CTCAE subset.
URTICARIA = "10046735"


def sign_in(client: Any, user: Any) -> None:
    """Sign ``user`` in through the form (the fixture password)."""
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def seed_reports(engine: Any, n: int, start: int = 0) -> None:
    """Add ``n`` reports in bulk with the benchmark's seeder (SQLAlchemy Core, no audit rows).

    Loaded by path: ``tests/bench`` is also a package named ``bench`` when the whole suite runs.
    """
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "bench_queue.py"
    spec = importlib.util.spec_from_file_location("bench_queue_for_tests", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.seed(engine, n, start=start)
