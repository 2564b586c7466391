"""What every benchmark in ``bench/`` shares: figures, options, servers, wrk, private databases.

Why one harness: a figure means something only next to a baseline
measured in the same run on the same loaded machine (this box has two
cores shared with other work), so every script reports the same way:
``Figure(value, baseline, ratio, goal, met)``, with the load average while
it was measured. ``bench/run_all.py`` (``make bench``) imports every
``bench/bench_*.py`` that defines ``figures(options) -> list[Figure]`` and
prints one line per figure; see ``bench/README.md`` for the convention.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
for _path in (str(ROOT), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from load_workflow import app_environment, flask, free_port, gunicorn  # noqa: E402

from scripts.private_db import private_postgres_database  # noqa: E402

DEFAULT_PG_URL = os.environ.get("ECT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass
class Options:
    """How hard and how long to measure; ``quick`` is the smoke test's tiny run (numbers meaningless)."""

    rounds: int = 5
    seconds: float = 10.0
    connections: int = 16
    workers: int = 2
    reports: int = 2_000  # data set size for HTTP figures that do not depend on it (API)
    pg_url: str = DEFAULT_PG_URL
    quick: bool = False

    @classmethod
    def tiny(cls, pg_url: str = DEFAULT_PG_URL) -> Options:
        """The smoke test's settings: every code path once, in seconds."""
        return cls(rounds=1, seconds=1.0, connections=2, workers=1, reports=20, pg_url=pg_url, quick=True)


@dataclass(frozen=True)
class Figure:
    """One measured figure beside its same-run baseline.

    ``ratio`` is value/baseline; ``goal`` says which way is good, e.g.
    ``(">=", 0.40)`` for throughput relative to a bare endpoint or
    ``("<=", 1.2)`` for time relative to a plain document. ``met`` is None
    when the figure has no goal (informational).
    """

    name: str
    value: float
    unit: str
    baseline_name: str
    baseline: float | None
    goal: tuple[str, float] | None = None
    detail: str = ""
    load: tuple[float, float, float] = field(default_factory=os.getloadavg)

    @property
    def ratio(self) -> float | None:
        return None if not self.baseline else self.value / self.baseline

    @property
    def met(self) -> bool | None:
        if self.goal is None or self.ratio is None:
            return None
        op, limit = self.goal
        return self.ratio >= limit if op == ">=" else self.ratio <= limit

    def line(self) -> str:
        """The one line ``make bench`` prints for this figure."""
        baseline = "-" if self.baseline is None else f"{_number(self.baseline)} {self.unit}"
        ratio = "-" if self.ratio is None else f"{self.ratio:.2f}"
        goal = "-" if self.goal is None else f"ratio {self.goal[0]} {self.goal[1]}"
        met = {True: "MET", False: "NOT MET", None: "-"}[self.met]
        load = "/".join(f"{x:.2f}" for x in self.load)
        return (f"{self.name:44} {_number(self.value):>10} {self.unit:6} | baseline {self.baseline_name}: {baseline}"
                f" | ratio {ratio} | goal {goal} | {met} | load {load}{'  ' + self.detail if self.detail else ''}")


def _number(value: float) -> str:
    """Three significant figures at least: 0.512 ms and 6,606 req/s alike."""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


# --- wrk -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx/3xx answers plus socket errors


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> WrkResult:
    """Read requests/s, p50, p99 and failures from ``wrk --latency`` output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    bad = int(non2xx.group(1)) if non2xx else 0
    bad += sum(int(n) for n in errors.groups()) if errors else 0
    return WrkResult(rps, p50, p99, requests, bad)


def wrk(url: str, options: Options, *, method: str = "GET", body: str | None = None,
        headers: dict[str, str] | None = None) -> WrkResult:
    """Load ``url`` with wrk (``options.connections``, ``options.seconds``); a Lua script sets method and body."""
    lua = [f'wrk.method = "{method}"']
    if body is not None:
        lua.append(f"wrk.body = [==[{body}]==]")
    for name, value in (headers or {}).items():
        lua.append(f'wrk.headers["{name}"] = "{value}"')
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lua) + "\n")
    try:
        threads = max(1, min(2, options.connections))
        command = ["wrk", f"-t{threads}", f"-c{options.connections}", f"-d{max(1, round(options.seconds))}s",
                   "--latency", "-s", script.name, url]
        done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=options.seconds + 60)
    finally:
        os.unlink(script.name)
    return parse_wrk(done.stdout)


def interleaved(
    runs: dict[str, Callable[[], WrkResult]], rounds: int, warmup: bool = True
) -> dict[str, list[WrkResult]]:
    """Run each load in turn, ``rounds`` times, so background load hits baseline and app alike.

    One untimed run of each first: workers import lazily and fill caches on their first requests.
    """
    if warmup:
        for run in runs.values():
            run()
    results: dict[str, list[WrkResult]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            results[name].append(run())
    return results


def median_rps(results: list[WrkResult]) -> float:
    return statistics.median(r.rps for r in results)


def median_p50(results: list[WrkResult]) -> float:
    return statistics.median(r.p50_ms for r in results)


# --- servers and data ------------------------------------------------------------------------------

@contextmanager
def app_database(
    options: Options, *, reports: int | None = None, prefix: str = "ect_bench"
) -> Iterator[dict[str, str]]:
    """A private PostgreSQL database, migrated and seeded with ``seed-demo --reports N``; yield the app's env.

    Dropped afterwards. The env carries one ``SECRET_KEY`` and ``ECT_AUDIT_KEY``
    for every process (CLI, gunicorn workers, the bench script itself).
    """
    count = options.reports if reports is None else reports
    with tempfile.TemporaryDirectory() as scratch, private_postgres_database(options.pg_url, prefix) as url:
        env = app_environment(url, Path(scratch))
        for args in (("db", "upgrade"), ("seed-demo", "--reports", str(count))):
            done = flask(env, *args)
            if done.returncode != 0:
                raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        yield env


def issue_token(env: dict[str, str], email: str = "clinician@example.nhs.uk") -> str:
    """A bearer token for a demo account, through the CLI as an operator would."""
    done = flask(env, "issue-token", "--email", email)
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    return done.stdout.strip().splitlines()[-1]


@contextmanager
def serve(env: dict[str, str], workers: int, app_spec: str = "app:app") -> Iterator[str]:
    """Start gunicorn (sync workers) on ``app_spec``, as the app is deployed; yield its base URL."""
    with gunicorn(env, workers, free_port(), app_spec) as base:
        yield base


def elapsed(call: Callable[[], object]) -> float:
    """Seconds ``call`` took (wall clock)."""
    started = time.perf_counter()
    call()
    return time.perf_counter() - started
