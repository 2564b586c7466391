"""No accidental duplicate drafts (issue 11): a second click offers the draft already started."""

from __future__ import annotations

from sqlalchemy import func, select

from ect_reporting.extensions import db
from ect_reporting.models import Report
from tests.review.helpers import sign_in


def _drafts() -> int:
    return db.session.scalar(select(func.count()).select_from(Report))


def test_clicking_report_a_medicine_problem_twice_leaves_one_draft(client, clinician, make_session):
    session = make_session(user=clinician)
    sign_in(client, clinician)
    first = client.post(f"/sessions/{session.id}/reports", data={"kind": "medicine"})
    second = client.post(f"/sessions/{session.id}/reports", data={"kind": "medicine"})
    assert first.status_code == 302 and "/edit" in first.headers["Location"]
    assert second.status_code == 303
    assert second.headers["Location"] == f"/sessions/{session.id}/reports/medicine/drafts"
    assert _drafts() == 1
    offer = client.get(second.headers["Location"]).get_data(as_text=True)
    draft = db.session.scalar(select(Report))
    assert "You already have a draft" in offer
    assert f'href="/reports/{draft.id}/edit"' in offer


def test_a_device_report_is_not_a_duplicate_of_a_medicine_draft(client, clinician, make_session):
    session = make_session(user=clinician)
    sign_in(client, clinician)
    client.post(f"/sessions/{session.id}/reports", data={"kind": "medicine"})
    assert client.post(f"/sessions/{session.id}/reports", data={"kind": "device"}).status_code == 302
    assert _drafts() == 2


def test_starting_a_new_one_anyway_is_a_choice_a_double_click_cannot_repeat(client, clinician, make_session):
    session = make_session(user=clinician)
    sign_in(client, clinician)
    client.post(f"/sessions/{session.id}/reports", data={"kind": "medicine"})
    seen = db.session.scalar(select(Report.id))
    choice = {"kind": "medicine", "after": seen}
    assert client.post(f"/sessions/{session.id}/reports", data=choice).status_code == 302
    assert client.post(f"/sessions/{session.id}/reports", data=choice).status_code == 303  # the double click
    assert _drafts() == 2


def test_a_team_mates_draft_does_not_block_mine(app, client, make_session, hospitals_free_team):
    author, colleague = hospitals_free_team
    session = make_session(user=author)
    sign_in(client, author)
    client.post(f"/sessions/{session.id}/reports", data={"kind": "medicine"})
    client = app.test_client()
    sign_in(client, colleague)
    assert client.post(f"/sessions/{session.id}/reports", data={"kind": "medicine"}).status_code == 302
    assert _drafts() == 2


def test_the_api_answers_409_naming_the_open_draft(client, clinician, make_session, token_for):
    session = make_session(user=clinician)
    headers = token_for(clinician)
    url = f"/api/v1/sessions/{session.id}/reports"
    first = client.post(url, json={"kind": "device"}, headers=headers)
    again = client.post(url, json={"kind": "device"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 409)
    body = again.get_json()
    assert body["status"] == 409 and "You already have an open device report" in body["error"]
    assert body["existing_report"]["id"] == first.get_json()["id"]
    assert again.headers["Content-Location"] == f"/api/v1/reports/{first.get_json()['id']}"
    assert "another_draft" in body["errors"]["kind"][0]
    assert client.post(url, json={"kind": "device", "another_draft": True}, headers=headers).status_code == 201
    bad = client.post(url, json={"kind": "device", "another_draft": "yes"}, headers=headers)
    assert bad.status_code == 422
    assert _drafts() == 2
