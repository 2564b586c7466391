"""The real record builder's output goes through every export.

The other tests use hand-written records; this one builds records from
database rows with ``records.build_record``, so a drift between the
builder and the published schema (or the PDF's expectations) fails here.
"""

from __future__ import annotations

import io
import json

import pytest
from ect_reporting.completeness import check_completeness
from ect_reporting.records import build_record
from pypdf import PdfReader

from ect_reporting.exports.json_export import JsonRenderer, verify_checksum
from ect_reporting.exports.pdf_export import PdfRenderer
from ect_reporting.extensions import db
from ect_reporting.reports import services
from ect_reporting.schemas import export_errors


@pytest.mark.parametrize(
    ("kind", "nation", "scheme"), [("medicine", "england", "yellow_card"), ("device", "scotland", "iric")]
)
def test_built_record_exports_valid_json_and_pdf(make_session, clinician, kind, nation, scheme):
    session = make_session(nation=nation)
    report = services.create_report(db.session, clinician, session, kind)
    db.session.commit()
    record = build_record(report)
    assert record["destination"]["scheme"] == scheme

    document = json.loads(JsonRenderer().generate(record).content)
    assert [error.message for error in export_errors(document)] == []
    assert verify_checksum(document)

    pdf = PdfRenderer().generate(record)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert record["reference"] in text
    assert "DRAFT" in text


def test_new_medicine_report_lists_what_is_missing(make_session, clinician):
    report = services.create_report(db.session, clinician, make_session(), "medicine")
    db.session.commit()
    paths = [problem.path for problem in check_completeness(build_record(report))]
    assert "reactions" in paths
    assert "seriousness.serious" in paths
