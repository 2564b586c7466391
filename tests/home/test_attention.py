"""The clinician's home: returned reports with the reviewer's reason, drafts due soon, other drafts (issue 11)."""

from __future__ import annotations

from datetime import date, timedelta

from ect_reporting.extensions import db
from ect_reporting.home import attention
from tests.review.helpers import sign_in

REASON = "Please add the reaction's onset date and the outcome."


def _return(client, lead, report, reason=REASON):
    sign_in(client, lead)
    response = client.post(f"/reports/{report.id}/transition", data={"action": "return", "comment": reason})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/sign-out")


def test_a_returned_report_tops_the_clinicians_home_with_the_reason(client, clinician, governance_lead, make_report):
    later = make_report(state="draft", due_date=date.today() + timedelta(days=40))
    returned = make_report(state="submitted_for_review", due_date=date.today() + timedelta(days=60))
    _return(client, governance_lead, returned)
    sign_in(client, clinician)
    home = client.get("/", follow_redirects=True)
    page = home.get_data(as_text=True)
    assert home.request.path == "/needs-attention"
    assert page.index("Returned to you (1)") < page.index(returned.reference) < page.index(later.reference)
    assert REASON.replace("'", "&#39;") in page and governance_lead.full_name in page
    assert "Needs your attention (2)" in page  # the header count


def test_the_reason_is_at_the_top_of_the_report_and_its_edit_form(client, clinician, governance_lead, make_report):
    report = make_report(state="submitted_for_review")
    _return(client, governance_lead, report)
    sign_in(client, clinician)
    reason = REASON.replace("'", "&#39;")
    for url in (f"/reports/{report.id}", f"/reports/{report.id}/edit"):
        page = client.get(url).get_data(as_text=True)
        assert 'id="return-reason"' in page, url
        assert page.index('id="return-reason"') < page.index(reason) < page.index("</main>"), url
        assert page.index('id="main-heading"') < page.index('id="return-reason"'), url
        # Above the report itself: nothing of the form or the report comes before it.
        assert page.index('id="return-reason"') < page.index("<form" if url.endswith("edit") else "nhsuk-summary-list")


def test_no_reason_callout_once_resubmitted(client, clinician, governance_lead, make_report):
    report = make_report(state="submitted_for_review")
    _return(client, governance_lead, report)
    report.state = "submitted_for_review"
    db.session.commit()
    sign_in(client, clinician)
    assert 'id="return-reason"' not in client.get(f"/reports/{report.id}").get_data(as_text=True)


def test_drafts_due_soon_come_before_other_drafts(app, clinician, make_report):
    today = date(2026, 3, 10)
    overdue = make_report(state="draft", due_date=today - timedelta(days=1))
    soon = make_report(state="draft", due_date=today + timedelta(days=2))
    later = make_report(state="draft", due_date=today + timedelta(days=30))
    undated = make_report(state="draft", due_date=None)
    make_report(state="submitted_for_review", due_date=today)  # not waiting for the clinician
    found = attention.attention_for(db.session, clinician, today=today, due_soon_days=3)
    assert [i.report.id for i in found.due_soon] == [overdue.id, soon.id]
    assert [i.clock for i in found.due_soon] == ["overdue", "due_soon"]
    assert [i.report.id for i in found.drafts] == [later.id, undated.id]
    assert found.total == attention.attention_count(db.session, clinician) == 4


def test_someone_elses_drafts_are_not_on_my_home(client, make_user, make_report):
    other = make_user("clinician")
    make_report(state="draft", user=other)
    me = make_user("clinician")
    sign_in(client, me)
    page = client.get("/needs-attention").get_data(as_text=True)
    assert "Nothing is waiting for you" in page
    assert "Needs your attention (" not in page
