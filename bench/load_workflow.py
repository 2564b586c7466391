"""Load test: gunicorn workers on PostgreSQL, concurrent clients driving the whole reporting workflow.

Why: unit and integration tests run one request at a time in one
process. Lost or duplicated rows, a broken audit chain or a 500 under
contention only show with several workers and many clients at once, on
the database production uses. This script builds that situation, runs
it for a while, then checks the database against what every client
believes it created.

    .venv/bin/python bench/load_workflow.py                      # 16 clients, 60 s, 4 workers
    .venv/bin/python bench/load_workflow.py --seconds 20 --clients 32
    make load

It creates a private PostgreSQL database next to ``--pg-url`` (dropped
afterwards), migrates it with ``flask db upgrade``, makes the accounts
and tokens with the app factory, starts gunicorn, and lets each client
(a thread with its own ``requests.Session``) loop: create a session,
create a complete medicine report, submit it as the clinician, then
approve, send and acknowledge it as a governance lead. Exit status 0
only with 0 lost, 0 duplicated, 0 5xx and a verified audit chain.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.private_db import private_postgres_database  # noqa: E402  (after the path is set)

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "load-test-password-2026"
WORKFLOW = (("lead", "approve", {}), ("lead", "send", {"mhra_reference": "GB-LOAD"}), ("lead", "acknowledge", {}))
WORKFLOW_STATES = {"submit": "submitted_for_review", "approve": "approved", "send": "sent_to_mhra",
                   "acknowledge": "acknowledged"}


def session_body(n: int) -> dict[str, Any]:
    """A realistic bleomycin session; ``n`` varies the patient so duplicate warnings stay rare."""
    return {
        "procedure_date": (date.today() - timedelta(days=2)).isoformat(),
        "site_name": "Load Test Hospital, Dermatology",
        "nation": "england",
        "care_setting": "day_case",
        "operator_name": "Dr L Oad",
        "patient": {"initials": "LT", "sex": "female", "age": 70, "weight_kg": 68.0, "height_cm": 165.0,
                    "local_reference": f"LT{n:08d}"},
        "tumour": {"histology": "breast", "lesion_count": 3, "largest_lesion_mm": 20, "location": "Chest wall",
                   "laterality": "right", "previous_irradiation": False},
        "anaesthesia": "general",
        "drug": {"name": "bleomycin", "product": "Bleomycin 15,000 IU", "batch": "BX1", "route": "intravenous",
                 "dose": 25500, "dose_unit": "IU", "administered_at": "09:40", "first_pulse_at": "09:52"},
        "generator": {"manufacturer": "IGEA", "model": "Cliniporator VITAE", "serial_number": "CV-1",
                      "software_version": "2.4.1"},
        "electrode": {"type": "hexagonal_needle_array", "model": "N-HEX-30", "lot_number": "LOT1",
                      "udi": "(01)08033891610020(10)LOT1"},
        "pulses_delivered": 96,
    }


def report_body() -> dict[str, Any]:
    """A medicine report complete enough to submit."""
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    return {
        "kind": "medicine",
        "awareness_date": yesterday,
        "reactions": [{"verbatim": "Generalised urticaria within minutes of the bolus", "meddra_code": "10046735",
                       "ctcae_grade": 2, "onset_date": yesterday, "outcome": "recovered"}],
        "seriousness": {"serious": False, "criteria": []},
    }


@dataclass
class Tally:
    """What the clients saw and what they believe they created (merged under a lock)."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    sessions: list[int] = field(default_factory=list)
    reports: dict[int, str] = field(default_factory=dict)  # id -> state the client last saw
    audited_writes: int = 0  # one audit row per session, report and transition that answered 2xx
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


def app_environment(database_url: str, scratch: Path) -> dict[str, str]:
    """Settings every process shares: database, one secret key, one audit key, checkpoints in a scratch folder."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "ECT_AUDIT_KEY": secrets.token_hex(32),
        "ECT_AUDIT_CHECKPOINT_FILE": str(scratch / "audit-checkpoints.jsonl"),
        "FLASK_APP": "app",
    }


def flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``flask --app app ...`` in the checkout with ``env``."""
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def make_accounts(env: dict[str, str], clients: int) -> dict[str, list[str]]:
    """Create one clinician per client and a few governance leads with the app factory; return their tokens."""
    from ect_reporting import create_app, users
    from ect_reporting.config import settings_from_environment
    from ect_reporting.extensions import db

    app = create_app(settings_from_environment(env))
    tokens: dict[str, list[str]] = {"clinician": [], "lead": []}
    with app.app_context():
        accounts = (("clinician", "clinician", clients), ("governance_lead", "lead", max(2, clients // 4)))
        for role, key, count in accounts:
            for n in range(count):
                user = users.create_user(db.session, email=f"{key}{n}@load.example.nhs.uk", full_name=f"Load {key} {n}",
                                         role=role, password=PASSWORD, profession="Consultant",
                                         organisation="Load Test NHS Trust")
                tokens[key].append(users.issue_token(db.session, user, "load test"))
        db.session.commit()
        db.engine.dispose()
    return tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], workers: int, port: int, app_spec: str = "app:app") -> Iterator[str]:
    """Start gunicorn with ``workers`` workers; yield its base URL once it answers; stop it (only it) after."""
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", app_spec]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/sign-in", timeout=10)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Client(threading.Thread):
    """One clinician (with a governance lead to review), looping through the workflow until the deadline."""

    def __init__(self, n: int, base: str, clinician: str, lead: str, deadline: float, tally: Tally) -> None:
        super().__init__(name=f"client-{n}", daemon=True)
        self.n, self.base, self.deadline, self.tally = n, base, deadline, tally
        self.auth = {"clinician": {"Authorization": f"Bearer {clinician}"},
                     "lead": {"Authorization": f"Bearer {lead}"}}
        self.http = requests.Session()
        self.cycle = 0

    def call(self, who: str, method: str, path: str, body: dict[str, Any]) -> requests.Response | None:
        """Send one request; count its status (or the transport error) in the tally."""
        try:
            response = self.http.request(method, self.base + path, json=body, headers=self.auth[who], timeout=60)
        except requests.RequestException as exc:
            with self.tally.lock:
                self.tally.errors[type(exc).__name__] += 1
            return None
        with self.tally.lock:
            self.tally.statuses[response.status_code] += 1
        return response

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            self.cycle += 1
            self.one_case()

    def one_case(self) -> None:
        """Create a session and a report, then move the report from draft to acknowledged."""
        made = self.call("clinician", "POST", "/api/v1/sessions", session_body(self.n * 1_000_000 + self.cycle))
        if made is None or made.status_code != 201:
            return
        session_id = made.json()["id"]
        self.believe(session=session_id)
        made = self.call("clinician", "POST", f"/api/v1/sessions/{session_id}/reports", report_body())
        if made is None or made.status_code != 201:
            return
        report_id = made.json()["id"]
        self.believe(report=(report_id, "draft"))
        steps = (("clinician", "submit", {}), *WORKFLOW)
        for who, action, extra in steps:
            if time.monotonic() >= self.deadline:
                return
            body = {"action": action, **extra}
            if action == "send":
                body["mhra_reference"] = f"GB-LOAD-{self.n}-{self.cycle}"
            moved = self.call(who, "POST", f"/api/v1/reports/{report_id}/transitions", body)
            if moved is None or moved.status_code != 200:
                return
            self.believe(report=(report_id, WORKFLOW_STATES[action]))

    def believe(self, session: int | None = None, report: tuple[int, str] | None = None) -> None:
        """Record a 2xx write: the row it made and the audit row that must go with it."""
        with self.tally.lock:
            self.tally.audited_writes += 1
            if session is not None:
                self.tally.sessions.append(session)
            if report is not None:
                self.tally.reports[report[0]] = report[1]


def database_counts(database_url: str) -> dict[str, Any]:
    """Rows as the database has them: session ids, report ids with state, audit row count."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        found = {
            "sessions": [row[0] for row in conn.execute(text("SELECT id FROM ect_sessions"))],
            "reports": dict(conn.execute(text("SELECT id, state FROM reports")).all()),
            "audit": conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one(),
        }
    engine.dispose()
    return found


def compare(tally: Tally, before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    """Lost = a 2xx the database does not have; duplicated = rows (or repeated ids) nobody was told of."""
    believed_sessions = Counter(tally.sessions)
    found_sessions = Counter(after["sessions"]) - Counter(before["sessions"])
    found_reports = {k: v for k, v in after["reports"].items() if k not in before["reports"]}
    audit_rows = after["audit"] - before["audit"]
    return {
        "sessions_believed": sum(believed_sessions.values()),
        "sessions_found": sum(found_sessions.values()),
        "sessions_lost": sum((believed_sessions - found_sessions).values()),
        "sessions_duplicated": sum((found_sessions - believed_sessions).values())
        + sum(c - 1 for c in believed_sessions.values() if c > 1),
        "reports_believed": len(tally.reports),
        "reports_found": len(found_reports),
        "reports_lost": len(tally.reports.keys() - found_reports.keys()),
        "reports_duplicated": len(found_reports.keys() - tally.reports.keys()),
        "reports_state_mismatch": sum(1 for k, v in tally.reports.items() if found_reports.get(k, v) != v),
        "audit_rows_believed": tally.audited_writes,
        "audit_rows_found": audit_rows,
        "audit_rows_lost": max(0, tally.audited_writes - audit_rows),
        "audit_rows_duplicated": max(0, audit_rows - tally.audited_writes),
    }


def report(tally: Tally, figures: dict[str, int], seconds: float, verify: subprocess.CompletedProcess[str]) -> bool:
    """Print the figures; return whether the run met the target."""
    by_class = Counter(f"{status // 100}xx" for status in tally.statuses.elements())
    print(f"requests: {tally.requests} in {seconds:.1f} s ({tally.requests / seconds:.0f}/s)")
    print("status classes: " + ", ".join(f"{k}={by_class.get(k, 0)}" for k in ("2xx", "3xx", "4xx", "5xx")))
    print("statuses: " + ", ".join(f"{k}={v}" for k, v in sorted(tally.statuses.items())))
    print(f"transport errors: {dict(tally.errors) or 0}")
    for key, value in figures.items():
        print(f"{key}: {value}")
    states = Counter(tally.reports.values())
    print("reports by state (as the clients saw them): " + ", ".join(f"{k}={v}" for k, v in sorted(states.items())))
    print(f"flask audit verify: exit {verify.returncode}: {(verify.stdout + verify.stderr).strip()}")
    bad = sum(v for k, v in figures.items() if k.endswith(("_lost", "_duplicated", "_mismatch")))
    ok = bad == 0 and by_class.get("5xx", 0) == 0 and not tally.errors and verify.returncode == 0
    print("RESULT: " + ("PASS (0 lost, 0 duplicated, 0 5xx, audit verified)" if ok else "FAIL"))
    return ok


def run(args: argparse.Namespace) -> bool:
    """Set up, load, check, tear down; return whether the target was met."""
    with (
        private_postgres_database(args.pg_url, "ect_load") as database_url,
        tempfile.TemporaryDirectory(prefix="ect-load-") as scratch,
    ):
        env = app_environment(database_url, Path(scratch))
        migrated = flask(env, "db", "upgrade")
        if migrated.returncode != 0:
            raise SystemExit(f"flask db upgrade failed:\n{migrated.stderr}")
        tokens = make_accounts(env, args.clients)
        before = database_counts(database_url)
        tally = Tally()
        with gunicorn(env, args.workers, args.port or free_port()) as base:
            started = time.monotonic()
            deadline = started + args.seconds
            leads = tokens["lead"]
            threads = [Client(n, base, tokens["clinician"][n], leads[n % len(leads)], deadline, tally)
                       for n in range(args.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        figures = compare(tally, before, database_counts(database_url))
        print(f"gunicorn workers: {args.workers}, clients: {args.clients}, database: PostgreSQL (private, dropped)")
        return report(tally, figures, elapsed, flask(env, "audit", "verify"))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the clients run (default 60)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--port", type=int, default=0, help="port for gunicorn (default: a free one)")
    parser.add_argument("--pg-url", default=os.environ.get("ECT_LOAD_PG_URL", DEFAULT_PG_URL),
                        help="PostgreSQL server to create the private database on")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(0 if run(parse_args()) else 1)
