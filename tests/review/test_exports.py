"""Bulk downloads of the filtered queue: streamed CSV, JSON Lines and a ZIP of PDFs, audited."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
import zipfile
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent
from tests.review.helpers import seed_reports, sign_in


def _seed(n: int, start: int) -> None:
    seed_reports(db.engine, n, start=start)


def _streamed_peak(client, url: str) -> tuple[int, int]:
    """Consume a streamed download chunk by chunk; return (bytes, tracemalloc peak while streaming).

    Tracing starts before the request: the test client produces the first chunk while answering it.
    """
    tracemalloc.start()
    try:
        response = client.get(url, buffered=False)
        assert response.is_streamed
        size = sum(len(chunk) for chunk in response.response)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        response.close()
    return size, peak


def test_csv_streams_and_memory_stays_flat_from_1000_to_5000_rows(client, governance_lead):
    sign_in(client, governance_lead)
    _seed(1000, start=0)
    client.get("/review/queue.csv?state=all")  # warm imports and caches outside the measurement
    small_size, small_peak = _streamed_peak(client, "/review/queue.csv?state=all")
    _seed(4000, start=1000)
    large_size, large_peak = _streamed_peak(client, "/review/queue.csv?state=all")
    assert large_size > 4 * small_size  # five times the rows really went out
    # Holding every row would make the peak grow about fivefold; streaming keeps it near one batch.
    assert large_peak < 1.5 * small_peak + 200_000, (small_peak, large_peak)


def test_jsonl_has_one_object_per_report_with_the_csv_fields(client, governance_lead, make_report):
    first = make_report("device", due_date=date.today() + timedelta(days=10), generator_model="Gen-1")
    make_report("medicine")
    sign_in(client, governance_lead)
    response = client.get("/review/queue.jsonl?kind=device")
    assert response.is_streamed
    assert response.mimetype == "application/jsonl"
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["reference"] == first.reference
    assert record["generator_model"] == "Gen-1"
    assert record["clock"] == "On time"
    assert record["regulator"] == "MHRA"


def test_each_download_is_audited_with_its_filters_and_size(client, governance_lead, make_report):
    make_report("device")
    make_report("device")
    sign_in(client, governance_lead)
    for path in ("queue.csv", "queue.jsonl", "queue-pdfs.zip"):
        url = f"/review/{path}?kind=device"
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["X-Report-Count"] == "2"
        assert response.headers["Cache-Control"] == "no-store"
        response.get_data()
        response.close()  # ends the streamed generator (and its request context) before the next request
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id))
    assert [(e.details["format"], e.details["filters"], e.details["rows"]) for e in events] == [
        (fmt, {"kind": "device"}, 2) for fmt in ("csv", "jsonl", "pdf")
    ]


def test_zip_holds_one_pdf_per_report_named_by_case(client, governance_lead, make_report):
    made = [make_report("device"), make_report("medicine")]
    sign_in(client, governance_lead)
    response = client.get("/review/queue-pdfs.zip?state=all", buffered=False)
    assert response.is_streamed
    assert response.headers["Content-Disposition"].endswith('.zip"')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.response)))
    names = archive.namelist()
    assert len(names) == 2
    assert sorted(name.rsplit("-", 4)[-1] for name in names) == ["v1.pdf", "v1.pdf"]
    assert {name[-len("GB-ECT-000000-v1.pdf") :] for name in names} == {f"{r.case_id}-v1.pdf" for r in made}
    for name in names:
        assert archive.read(name).startswith(b"%PDF")


def test_csv_has_the_governance_dates_and_a_clock_for_sent_reports(client, governance_lead, make_report):
    due = date(2026, 3, 20)
    make_report(
        state="acknowledged",
        awareness_date=date(2026, 3, 5),
        due_date=due,
        submitted_at=datetime(2026, 3, 6, 9, 0),
        approved_at=datetime(2026, 3, 7, 9, 0),
        mhra_sent_date=date(2026, 3, 21),
        acknowledged_on=date(2026, 3, 23),
        mhra_reference="GB-1",
    )
    make_report(state="sent_to_mhra", due_date=due, mhra_sent_date=date(2026, 3, 20), mhra_reference="GB-2")
    sign_in(client, governance_lead)
    rows = list(csv.reader(io.StringIO(client.get("/review/queue.csv?state=all").get_data(as_text=True))))
    header = [cell.lstrip("\ufeff") for cell in rows[0]]
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    late, on_time = records
    assert late["Awareness date"] == "2026-03-05"
    assert late["Due date"] == "2026-03-20"
    assert (late["Submitted"], late["Approved"], late["Sent"], late["Acknowledged"]) == (
        "2026-03-06",
        "2026-03-07",
        "2026-03-21",
        "2026-03-23",
    )
    assert late["Clock"] == "Sent late"
    assert on_time["Clock"] == "Sent on time"
