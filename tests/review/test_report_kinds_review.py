"""Issue 10 in the review pages: queue, dashboard and CSV treat all three kinds as first-class."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from ect_reporting import vocab
from ect_reporting.extensions import db
from ect_reporting.reports import duplicates, starts
from ect_reporting.review import figures
from tests.review.helpers import TODAY, sign_in


def _all_three(make_report, clinician):
    make_report("medicine")
    make_report("device", no_patient_involved=True, incident_classification="other_reportable")
    make_report("defective_medicine", drug_batch="BX4471A", defect_category="suspected_counterfeit",
                due_date=TODAY)
    blank = starts.start_blank_report(
        db.session, clinician, "defective_medicine",
        {"site_name": "Pharmacy", "nation": "england", "drug_batch": "BX9", "defect_category": "other"},
    )
    blank.state = "submitted_for_review"
    db.session.commit()


def test_dashboard_counts_every_kind(make_report, clinician, client, governance_lead):
    _all_three(make_report, clinician)
    data = figures.dashboard(db.session, today=TODAY, cache=False)
    assert {c.key: c.count for c in data.by_kind} == {"medicine": 1, "device": 1, "defective_medicine": 2}
    sign_in(client, governance_lead)
    page = client.get("/review/dashboard").get_data(as_text=True)
    assert "Defective medicine" in page


def test_queue_filters_by_the_new_kind_and_shows_urgent_and_near_miss(make_report, clinician, client,
                                                                       governance_lead):
    _all_three(make_report, clinician)
    sign_in(client, governance_lead)
    page = client.get("/review/?kind=defective_medicine").get_data(as_text=True)
    assert page.count("Defective medicine") >= 2 and "batch BX4471A" in page and "Urgent" in page
    assert "(near miss)" not in page
    everything = client.get("/review/").get_data(as_text=True)
    assert "(near miss)" in everything
    serious = client.get("/review/?seriousness=serious&kind=defective_medicine").get_data(as_text=True)
    assert "batch BX4471A" in serious and "BX9" not in serious


def test_csv_has_rows_of_all_three_kinds(make_report, clinician, client, governance_lead):
    _all_three(make_report, clinician)
    sign_in(client, governance_lead)
    response = client.get("/review/queue.csv?state=all")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    kind_column = rows[0].index("Kind")
    kinds = sorted(row[kind_column] for row in rows[1:])
    assert kinds == sorted([vocab.REPORT_KINDS["medicine"], vocab.REPORT_KINDS["device"]]
                           + [vocab.REPORT_KINDS["defective_medicine"]] * 2)
    regulator = rows[0].index("Regulator")
    assert {row[regulator] for row in rows[1:]} == {"MHRA"}  # the blank-form report too


def test_same_batch_and_defect_within_30_days_are_possible_duplicates(make_report):
    first = make_report("defective_medicine", drug_batch="BX4471A", defect_category="container_closure",
                        incident_date=TODAY - timedelta(days=20))
    second = make_report("defective_medicine", drug_batch="BX4471A", defect_category="container_closure",
                         incident_date=TODAY)
    other_defect = make_report("defective_medicine", drug_batch="BX4471A", defect_category="other",
                               incident_date=TODAY)
    too_late = make_report("defective_medicine", drug_batch="BX4471A", defect_category="container_closure",
                           incident_date=TODAY + timedelta(days=31))
    found = duplicates.possible_duplicates(db.session, second)
    assert [r.id for r in found] == [first.id]
    assert other_defect not in found and too_late not in found
    warning = duplicates.duplicate_warnings(db.session, second)[0]["message"]
    assert "same batch and defect" in warning and "30 days" in warning
