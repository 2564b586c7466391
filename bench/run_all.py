"""``make bench``: run every ``bench/bench_*.py`` that defines ``figures(options)``; one line per figure.

Convention (bench/README.md): a benchmark module is ``bench/bench_<name>.py``
and exposes ``figures(options: harness.Options) -> list[harness.Figure]``.
Adding a file is enough for ``make bench`` to run it, and for the smoke
test (tests/bench) to run it once with ``Options.tiny()``.

    .venv/bin/python bench/run_all.py                     # every figure, 5 rounds of 10 s
    .venv/bin/python bench/run_all.py --only api --only pdf --rounds 3 --seconds 5
    .venv/bin/python bench/run_all.py --quick              # the smoke test's tiny run
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from harness import DEFAULT_PG_URL, Figure, Options  # noqa: E402


def modules(only: Sequence[str] = ()) -> list[tuple[str, ModuleType]]:
    """The benchmark modules (``bench_<name>.py`` with ``figures``), by name, optionally only some."""
    found = []
    for path in sorted(BENCH.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if only and name not in only:
            continue
        module = importlib.import_module(path.stem)
        if callable(getattr(module, "figures", None)):
            found.append((name, module))
    return found


def options_from(args: argparse.Namespace) -> Options:
    if args.quick:
        return Options.tiny(args.pg_url)
    return Options(rounds=args.rounds, seconds=args.seconds, connections=args.connections, workers=args.workers,
                   reports=args.reports, pg_url=args.pg_url)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="run only bench_<name>.py (repeatable)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per figure (median)")
    parser.add_argument("--seconds", type=float, default=10.0, help="wrk duration of each round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers, app and baselines alike")
    parser.add_argument("--reports", type=int, default=2_000, help="seeded reports for the HTTP figures")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--quick", action="store_true", help="tiny smoke run: every path once, numbers meaningless")
    args = parser.parse_args(argv)
    options = options_from(args)
    print(f"bench: {os.cpu_count()} CPUs, load average {'/'.join(f'{x:.2f}' for x in os.getloadavg())} at start; "
          f"{options.rounds} rounds x {options.seconds:g} s, {options.connections} connections, "
          f"{options.workers} workers", flush=True)
    failed = False
    for name, module in modules(args.only):
        started = time.perf_counter()
        try:
            rows: list[Figure] = module.figures(options)
        except SystemExit as exc:  # a benchmark that cannot run says why; the others still run
            print(f"[{name}] FAILED: {exc}", flush=True)
            failed = True
            continue
        for row in rows:
            print(f"[{name}] {row.line()}", flush=True)
        print(f"[{name}] ({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"bench: load average {'/'.join(f'{x:.2f}' for x in os.getloadavg())} at end (shared machine: "
          "read the ratios, not the absolute numbers)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
