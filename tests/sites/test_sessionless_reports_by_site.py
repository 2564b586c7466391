"""A report started from a blank form has no session, so it carries its author's site (issues 10 and 11)."""

from __future__ import annotations

from ect_reporting.extensions import db
from ect_reporting.models import Report
from tests.integration.test_report_kinds import CRACKED_VIAL


def test_blank_form_report_is_seen_by_its_sites_reviewers_only(client, hospitals, person, token_for):
    author = person(site=hospitals.b)
    created = client.post("/api/v1/reports", json=CRACKED_VIAL, headers=token_for(author))
    assert created.status_code == 201, created.get_json()
    report = db.session.get(Report, created.get_json()["id"])
    assert report.session_id is None and report.site_id == hospitals.b.id
    url = f"/api/v1/reports/{report.id}"

    assert client.get(url, headers=token_for(person("governance_lead", site=hospitals.b))).status_code == 200
    assert client.get(url, headers=token_for(person("governance_lead", site=hospitals.a))).status_code == 404
    # Another clinician of the same site did not write it and it has no session to share: seen, not theirs.
    assert client.get(url, headers=token_for(person(site=hospitals.b))).status_code == 403
    assert client.get(url, headers=token_for(person("admin", site=hospitals.a))).status_code == 200


def test_moving_the_author_does_not_move_the_report(client, hospitals, person, token_for):
    author = person(site=hospitals.b)
    created = client.post("/api/v1/reports", json=CRACKED_VIAL, headers=token_for(author))
    report_id = created.get_json()["id"]
    author.site_id = hospitals.a.id
    db.session.commit()
    assert db.session.get(Report, report_id).site_id == hospitals.b.id
    lead_b = person("governance_lead", site=hospitals.b)
    assert client.get(f"/api/v1/reports/{report_id}", headers=token_for(lead_b)).status_code == 200
