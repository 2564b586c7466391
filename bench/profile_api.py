"""Profile the API read and create in-process with pyinstrument, on a private PostgreSQL database.

    .venv/bin/python bench/profile_api.py                # 300 reads and 300 creates, text profile of each
    .venv/bin/python bench/profile_api.py -n 1000 --html bench/out

Why in-process: wrk measures throughput but not where the time goes;
pyinstrument over the Flask test client shows which of routing, token
lookup, queries, serialisation and the audit append dominates one request
(the wire and gunicorn are the same for the baseline and the app).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Options, app_database, issue_token
from load_workflow import report_body
from pyinstrument import Profiler
from sqlalchemy import text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--requests", type=int, default=300)
    parser.add_argument("--html", type=Path, help="also write read.html and create.html here")
    args = parser.parse_args()

    from ect_reporting import create_app
    from ect_reporting.config import settings_from_environment
    from ect_reporting.extensions import db

    with app_database(Options(reports=200), prefix="ect_profile") as env:
        headers = {"Authorization": f"Bearer {issue_token(env)}"}
        app = create_app(settings_from_environment(env))
        with app.app_context():
            user_id = db.session.scalar(text("SELECT id FROM users WHERE email = 'clinician@example.nhs.uk'"))
            report_id = db.session.scalar(text("SELECT min(id) FROM reports WHERE created_by_id = :u"), {"u": user_id})
            session_id = db.session.scalar(text("SELECT min(id) FROM ect_sessions WHERE created_by_id = :u"),
                                           {"u": user_id})
            db.session.remove()
        client = app.test_client()
        body = json.dumps(report_body())
        calls = {
            "read": lambda: client.get(f"/api/v1/reports/{report_id}", headers=headers),
            "create": lambda: client.post(f"/api/v1/sessions/{session_id}/reports", data=body,
                                          headers=headers | {"Content-Type": "application/json"}),
        }
        for name, call in calls.items():
            for _ in range(20):  # warm caches and imports outside the profile
                assert call().status_code in (200, 201)
            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(args.requests):
                    call()
            print(f"===== {name}: {args.requests} requests =====")
            print(profiler.output_text(unicode=False, color=False, show_all=False))
            if args.html:
                args.html.mkdir(parents=True, exist_ok=True)
                (args.html / f"{name}.html").write_text(profiler.output_html())
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
