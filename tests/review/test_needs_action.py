"""The governance home, "Needs action": submitted, approved not sent, sent and not acknowledged (issue 11)."""

from __future__ import annotations

from datetime import date, timedelta

from ect_reporting.extensions import db
from ect_reporting.review import needs_action
from tests.review.helpers import TODAY, sign_in


def _ids(today: date = TODAY, chase_days: int = 7) -> list[int]:
    return [r.id for r in db.session.scalars(needs_action.needs_action_statement(today, chase_days))]


def test_lists_submitted_approved_and_unacknowledged_reports_by_due_date(app, make_report):
    submitted = make_report(state="submitted_for_review", due_date=TODAY + timedelta(days=9))
    approved = make_report(state="approved", due_date=TODAY + timedelta(days=2))
    week_ago = TODAY - timedelta(days=7)
    stale = make_report(state="sent_to_mhra", due_date=TODAY - timedelta(days=5), mhra_sent_date=week_ago)
    make_report(state="sent_to_mhra", due_date=TODAY, mhra_sent_date=TODAY - timedelta(days=6))  # not chased yet
    make_report(state="acknowledged", mhra_sent_date=TODAY - timedelta(days=30))
    make_report(state="draft")
    make_report(state="returned")
    undated = make_report(state="approved", due_date=None)
    assert _ids() == [stale.id, approved.id, submitted.id, undated.id]
    assert needs_action.needs_action_count(db.session, TODAY, 7) == 4


def test_governance_home_shows_approved_not_sent_without_any_filter(client, governance_lead, make_report):
    approved = make_report(state="approved", due_date=date.today() + timedelta(days=3))
    sign_in(client, governance_lead)
    home = client.get("/", follow_redirects=True)
    page = home.get_data(as_text=True)
    assert home.request.path == "/review/needs-action"
    assert approved.reference in page and "Send it to the regulator" in page
    assert "Needs action (1)" in page


def test_the_chase_window_is_a_setting(extra_app, make_report, governance_lead):
    make_report(state="sent_to_mhra", due_date=date.today(), mhra_sent_date=date.today() - timedelta(days=2))
    app = extra_app(ECT_ACK_CHASE_DAYS=2, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    with app.app_context():
        sign_in(client, governance_lead)
        assert "Chase the acknowledgement" in client.get("/review/needs-action").get_data(as_text=True)


def test_each_row_names_its_kind_and_flags_an_overdue_clock(client, governance_lead, make_report):
    make_report("defective_medicine", state="submitted_for_review", due_date=date.today() - timedelta(days=1))
    sign_in(client, governance_lead)
    page = client.get("/review/needs-action").get_data(as_text=True)
    assert "Defective medicine" in page and "Device" not in page
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>' in page
