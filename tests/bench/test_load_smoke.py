"""Smoke test of bench/load_workflow.py: a few seconds of load, and its own checks must pass.

Why gated: the script starts gunicorn and migrates a private database,
which takes about 20 seconds whatever the load. It runs in the
PostgreSQL run (``DATABASE_URL`` names a PostgreSQL server, as
``make test-postgres`` and CI set it) and is skipped in the quick SQLite
run, so a change that breaks the script is still caught in CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "load_workflow.py"
DATABASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql")),
    reason="load smoke test needs PostgreSQL: runs when DATABASE_URL names one (the PostgreSQL run)",
)


def test_short_load_run_loses_and_duplicates_nothing() -> None:
    command = [sys.executable, str(SCRIPT), "--seconds", "3", "--clients", "4", "--workers", "2",
               "--pg-url", DATABASE_URL]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RESULT: PASS" in done.stdout
    assert "5xx=0" in done.stdout
