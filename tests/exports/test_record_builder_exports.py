"""The real record builder's output goes through every export.

The other tests use hand-written records; this one builds records from
database rows with ``records.build_record``, so a drift between the
builder and the published schema (or the PDF's expectations) fails here.
"""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from ect_reporting.config import OpcsSettings
from ect_reporting.exports.json_export import JsonRenderer, verify_checksum
from ect_reporting.exports.pdf import PdfRenderer
from ect_reporting.extensions import db
from ect_reporting.reports import services
from ect_reporting.reports.readiness import submission_problems
from ect_reporting.reports.records import build_record
from ect_reporting.schemas import export_errors


@pytest.mark.parametrize(
    ("kind", "nation", "scheme"), [("medicine", "england", "yellow_card"), ("device", "scotland", "iric")]
)
def test_built_record_exports_valid_json_and_pdf(make_session, clinician, kind, nation, scheme):
    session = make_session(nation=nation)
    report = services.create_report(db.session, clinician, session, kind)
    db.session.commit()
    record = build_record(report, OpcsSettings())
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
    paths = [path for path, _ in submission_problems(report)]
    assert "reactions" in paths
    assert "seriousness.serious" in paths


def test_record_paths_are_the_input_field_paths(make_session, clinician):
    """Every report field sits in the record at its dotted path from fields.py: no translation table."""
    from ect_reporting.fields import REACTION_FIELDS, report_fields

    for kind in ("medicine", "device"):
        report = services.create_report(
            db.session, clinician, make_session(), kind, reactions=[{"verbatim": "Rash", "outcome": "recovered"}]
        )
        record = build_record(report, OpcsSettings())
        for field in report_fields(kind):
            node = record
            for key in field.path.split("."):
                assert isinstance(node, dict) and key in node, f"{kind}: {field.path}"
                node = node[key]
    reaction = build_record(report if kind == "medicine" else services.create_report(
        db.session, clinician, make_session(), "medicine", reactions=[{"verbatim": "Rash", "outcome": "recovered"}]
    ), OpcsSettings())["reactions"][0]
    assert {f.path for f in REACTION_FIELDS} <= set(reaction)


def test_procedure_carries_opcs_codes_release_and_site_settings(make_session, clinician):
    """The record's procedure follows the coding sequence and the site's settings it is given."""
    session = make_session(lesion_site="leg", laterality="left", care_setting="day_case")
    report = services.create_report(db.session, clinician, session, "medicine")
    db.session.commit()
    procedure = build_record(report, OpcsSettings())["procedure"]
    assert [term["code"] for term in procedure["opcs_codes"]] == ["X72.3", "Y12.3", "Z50.4", "Z94.3"]
    assert {term["system"] for term in procedure["opcs_codes"]} == {"OPCS-4"}
    assert procedure["lesion_site"] == "leg"
    assert procedure["opcs_release"] == "OPCS-4.10"
    assert "X72 fourth character and inpatient rule: to be confirmed by a clinical coder" in procedure["opcs_notes"]

    chosen = OpcsSettings(x72_fourth_character="9", x72_fourth_character_confirmed=True,
                          inpatient_rule_confirmed=True)
    procedure = build_record(report, chosen)["procedure"]
    assert procedure["opcs_codes"][0]["code"] == "X72.9"
    assert not any("clinical coder" in note and "X72" in note for note in procedure["opcs_notes"])
