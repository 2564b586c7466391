"""Smoke test of ``make bench``: every ``bench/bench_*.py`` runs once on a tiny data set.

Benchmarks are not run in CI (their numbers mean nothing on a shared
box), but a benchmark that no longer runs is caught here: each module's
``figures(Options.tiny())`` must return well-formed figures. The in-process
ones (PDF, E2B) run on every run; the HTTP ones need PostgreSQL (a private
database beside ``DATABASE_URL``) and wrk, so they run in the PostgreSQL
run when wrk is installed, and are skipped, saying so, otherwise.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import harness  # noqa: E402
import run_all  # noqa: E402

DATABASE_URL = os.environ.get("DATABASE_URL", "")
HTTP_BENCHES = {"api"}  # modules that start gunicorn and wrk on a private PostgreSQL database
needs_server = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql")) or shutil.which("wrk") is None,
    reason="HTTP benchmarks need PostgreSQL (DATABASE_URL, the PostgreSQL run) and wrk (make bench installs it)",
)

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:8000/json
  2 threads and 16 connections
  Latency Distribution
     50%  812.00us
     75%    1.20ms
     90%    2.00ms
     99%   12.50ms
  6606 requests in 1.00s, 1.10MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   6606.12
"""


def _names() -> list[str]:
    return [name for name, _ in run_all.modules()]


def test_every_benchmark_module_is_found() -> None:
    assert {"pdf", "e2b", "api"} <= set(_names())


def test_wrk_output_is_read() -> None:
    result = harness.parse_wrk(WRK_OUTPUT)

    assert result.rps == pytest.approx(6606.12)
    assert result.p50_ms == pytest.approx(0.812)
    assert result.p99_ms == pytest.approx(12.5)
    assert (result.requests, result.bad) == (6606, 3)


def test_figure_line_says_ratio_goal_and_whether_it_is_met() -> None:
    line = harness.Figure("read", 300.0, "req/s", "bare", 1000.0, (">=", 0.40)).line()

    assert "ratio 0.30" in line and "NOT MET" in line and "load " in line


@pytest.mark.parametrize("name", sorted(set(_names()) - HTTP_BENCHES))
def test_in_process_benchmark_runs_on_a_tiny_set(name: str) -> None:
    _check(name)


@needs_server
@pytest.mark.parametrize("name", sorted(HTTP_BENCHES))
def test_http_benchmark_runs_on_a_tiny_set(name: str) -> None:
    _check(name)


def _check(name: str) -> None:
    module = dict(run_all.modules([name]))[name]
    rows = module.figures(harness.Options.tiny(DATABASE_URL or harness.DEFAULT_PG_URL))

    assert rows
    for row in rows:
        assert row.value > 0 and row.line()
