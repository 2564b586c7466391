"""CSV download of the filtered queue: every row, same filters, formula-safe."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent
from ect_reporting.review.exports import csv_safe
from tests.review.helpers import sign_in


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2", "'-2"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Cliniporator = best", "Cliniporator = best"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_csv_has_every_filtered_row_not_just_one_page(app, client, governance_lead, make_report):
    app.config["ECT_PAGE_SIZE"] = 2
    devices = [make_report("device", due_date=date.today() + timedelta(days=i)) for i in range(5)]
    make_report("medicine")
    sign_in(client, governance_lead)
    rows = read_csv(client.get("/review/queue.csv?kind=device"))
    assert rows[0][:6] == ["Reference", "Case ID", "Case version", "Kind", "Report type", "State"]
    assert [row[0] for row in rows[1:]] == [r.reference for r in devices]
    assert [row[1] for row in rows[1:]] == [r.case_id for r in devices]
    assert {row[3] for row in rows[1:]} == {"Adverse incident with a medical device"}


def test_csv_columns(client, governance_lead, make_report, make_user):
    author = make_user("clinician", full_name="Dr Ada Lovelace")
    due = date.today() - timedelta(days=1)
    report = make_report(
        user=author,
        serious=True,
        criterion_death=True,
        due_date=due,
        patient_initials="MK",
        local_reference="SEH123456",
    )
    sign_in(client, governance_lead)
    header, row = read_csv(client.get("/review/queue.csv"))
    record = dict(zip(header, row, strict=True))
    assert record["Reference"] == report.reference
    assert record["Case ID"] == f"GB-ECT-{report.id:06d}"
    assert record["Case version"] == "1"
    assert record["Regulator"] == "MHRA"
    assert record["State"] == "Submitted for review"
    assert record["Seriousness"] == "Serious"
    assert record["Due date"] == due.isoformat()
    assert record["Clock"] == "Overdue"
    assert record["Patient initials"] == "MK"
    assert record["Local reference"] == "SEH123456"
    assert record["Drug"] == "Bleomycin"
    assert record["Reported by"] == "Dr Ada Lovelace"


def test_csv_escapes_formula_injection_in_every_text_column(client, governance_lead, make_report, make_user):
    author = make_user("clinician", full_name='=HYPERLINK("http://evil.example","x")')
    make_report(
        "device",
        user=author,
        patient_initials="-AB",
        local_reference="=cmd|' /C calc'!A0",
        generator_model="+SUM(1,2)",
        electrode_model="@SUM(A1)",
        mhra_reference="\tGB-1",
    )
    sign_in(client, governance_lead)
    response = client.get("/review/queue.csv?kind=device")
    header, row = read_csv(response)
    record = dict(zip(header, row, strict=True))
    assert record["Patient initials"] == "'-AB"
    assert record["Local reference"] == "'=cmd|' /C calc'!A0"
    assert record["Generator model"] == "'+SUM(1,2)"
    assert record["Electrode model"] == "'@SUM(A1)"
    assert record["Regulator reference"] == "'\tGB-1"
    assert record["Reported by"].startswith("'=HYPERLINK")
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_csv_download_is_an_attachment_and_audited(client, governance_lead, make_report):
    make_report()
    sign_in(client, governance_lead)
    response = client.get("/review/queue.csv?state=all&due=overdue")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="review-queue-')
    assert response.headers["Cache-Control"] == "no-store"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.object_type == "queue"
    assert event.actor_id == governance_lead.id
    assert event.details == {"format": "csv", "filters": {"state": "all", "due": "overdue"}, "rows": 0}


def test_csv_with_invalid_filters_is_400(client, governance_lead):
    sign_in(client, governance_lead)
    response = client.get("/review/queue.csv?due=yesterday")
    assert response.status_code == 400
    assert "Due date" in response.get_data(as_text=True)


def test_queue_page_links_to_the_downloads_with_the_same_filters_and_their_size(client, governance_lead, make_report):
    make_report("device", due_date=date.today() - timedelta(days=1))
    make_report("device", due_date=date.today() - timedelta(days=2))
    sign_in(client, governance_lead)
    html = client.get("/review/?kind=device&due=overdue").get_data(as_text=True)
    assert 'href="/review/queue.csv?kind=device&amp;due=overdue" download>Download these 2 reports as CSV' in html
    assert 'href="/review/queue.jsonl?kind=device&amp;due=overdue" download>Download these 2 reports as JSON' in html
    assert 'href="/review/queue-pdfs.zip?kind=device&amp;due=overdue" download>Download these 2 reports as PDFs' in html
    empty = client.get("/review/?kind=medicine").get_data(as_text=True)
    assert "No reports match these filters." in empty and "queue.csv" not in empty


def test_csv_names_the_regulator_of_a_scottish_device_report(client, governance_lead, make_report, make_session):
    make_report("device", session=make_session(nation="scotland"), mhra_reference="IRIC-2026-0042")
    sign_in(client, governance_lead)
    header, row = read_csv(client.get("/review/queue.csv?kind=device"))
    record = dict(zip(header, row, strict=True))
    assert (record["Regulator"], record["Regulator reference"]) == ("IRIC", "IRIC-2026-0042")
