"""Smoke test of bench/bench_queue.py on a tiny data set: it seeds, times and prints every figure.

Not a timing test: it only checks the script still runs end to end and
prints one line per figure (the numbers are for people, on real sizes).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_queue.py"


def test_bench_queue_runs_on_a_tiny_sqlite_database() -> None:
    command = [sys.executable, str(SCRIPT), "--reports", "60", "--db", "sqlite", "--rounds", "1"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if " met=" in line]
    names = {line[:34].strip() for line in lines}
    expected = {"queue overdue", "queue deep page by keyset, all", "dashboard", "CSV all rate", "JSON Lines all rate"}
    assert expected | {"ZIP of PDFs peak RSS"} <= names
