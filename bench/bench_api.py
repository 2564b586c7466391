"""API throughput against the bare-Flask floor: report read and report create (issue 13 goals).

    .venv/bin/python bench/run_all.py --only api          # or: .venv/bin/python bench/bench_api.py
    make bench

On a private PostgreSQL database seeded with ``seed-demo --reports N``
(default 2,000: these figures do not depend on the table size), gunicorn
serves the app and ``baseline_app`` with the same worker count (2 sync
workers); wrk (16 connections) loads, in turn, round after round:

- bare ``GET /json``, then ``GET /api/v1/reports/<id>`` with a bearer token (goal: >= 0.40 of bare);
  bare ``GET /read/<id>`` (one Core primary-key read) as a diagnostic: the same read against a
  baseline that also pays PostgreSQL round trips;
- bare ``POST /insert`` (one Core INSERT + commit), then ``POST /api/v1/sessions/<id>/reports``
  with a complete medicine report (goal: >= 0.50 of bare).

Each figure is the median requests/s over the rounds; the ratio is app/baseline.
Any non-2xx answer fails the run: a fast error is not a fast API.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baseline_app
from harness import Figure, Options, WrkResult, app_database, interleaved, issue_token, median_p50, median_rps, serve
from harness import wrk as run_wrk
from load_workflow import report_body
from sqlalchemy import create_engine, text


def _targets(database_url: str) -> tuple[int, int]:
    """A medicine report and a session of the demo clinician (the token's owner)."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        user_id = conn.scalar(text("SELECT id FROM users WHERE email = 'clinician@example.nhs.uk'"))
        report_id = conn.scalar(text("SELECT min(id) FROM reports WHERE created_by_id = :u AND kind = 'medicine'"),
                                {"u": user_id})
        session_id = conn.scalar(text("SELECT min(id) FROM ect_sessions WHERE created_by_id = :u"), {"u": user_id})
    engine.dispose()
    return report_id, session_id


def _checked(result: WrkResult, what: str) -> WrkResult:
    if result.bad:
        raise SystemExit(f"{what}: {result.bad} of {result.requests} requests failed (non-2xx or socket errors)")
    return result


def figures(options: Options) -> list[Figure]:
    """Measure read and create against their bare baselines, interleaved."""
    with app_database(options, prefix="ect_bench_api") as env:
        token = issue_token(env)
        report_id, session_id = _targets(env["DATABASE_URL"])
        row_id = baseline_app.prepare(env["DATABASE_URL"])
        auth = {"Authorization": f"Bearer {token}"}
        # Every request creates a report from the same session: say so, or the API answers 409
        # (a second open draft of the same kind by the same person is refused as a likely double click).
        body = json.dumps({**report_body(), "another_draft": True})
        post = {"Content-Type": "application/json"}
        with serve(env, options.workers) as app_url, serve(env, options.workers, "bench.baseline_app:app") as base_url:
            runs: dict[str, Any] = {
                "bare GET": lambda: _checked(run_wrk(f"{base_url}/json", options), "bare GET"),
                "bare read": lambda: _checked(run_wrk(f"{base_url}/read/{row_id}", options), "bare read"),
                "read": lambda: _checked(run_wrk(f"{app_url}/api/v1/reports/{report_id}", options, headers=auth),
                                         "GET report"),
                "bare INSERT": lambda: _checked(run_wrk(f"{base_url}/insert", options, method="POST",
                                                        body='{"kind": "medicine"}', headers=post), "bare INSERT"),
                "create": lambda: _checked(run_wrk(f"{app_url}/api/v1/sessions/{session_id}/reports", options,
                                                   method="POST", body=body, headers=post | auth), "POST report"),
            }
            results = interleaved(runs, options.rounds)
    return [
        Figure("GET /api/v1/reports/<id> (bearer)", median_rps(results["read"]), "req/s", "bare Flask GET /json",
               median_rps(results["bare GET"]), (">=", 0.40),
               f"p50 {median_p50(results['read']):.1f} ms vs {median_p50(results['bare GET']):.1f} ms"),
        Figure("GET /api/v1/reports/<id> vs an indexed read", median_rps(results["read"]), "req/s",
               "bare Flask one Core PK read", median_rps(results["bare read"]), None,
               "diagnostic: both pay PostgreSQL round trips (the app 3: pool ping, token+user, report)"),
        Figure("POST /api/v1/sessions/<id>/reports", median_rps(results["create"]), "req/s",
               "bare Flask INSERT+commit (Core)", median_rps(results["bare INSERT"]), (">=", 0.50),
               f"p50 {median_p50(results['create']):.1f} ms vs {median_p50(results['bare INSERT']):.1f} ms"),
    ]


if __name__ == "__main__":
    from run_all import main

    raise SystemExit(main(["--only", "api", *sys.argv[1:]]))
