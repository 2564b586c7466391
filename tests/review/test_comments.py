"""Comments without a transition: who may add them, what is kept, what is audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ect_reporting.extensions import db
from ect_reporting.models import AuditEvent, ReportComment
from tests.review.helpers import sign_in


def comments_of(report):
    return db.session.scalars(select(ReportComment).where(ReportComment.report_id == report.id)).all()


@pytest.mark.parametrize("role", ["governance_lead", "admin"])
def test_reviewers_comment_without_changing_the_state(client, make_user, make_report, role):
    report = make_report(state="submitted_for_review")
    version = report.version
    reviewer = make_user(role)
    sign_in(client, reviewer)
    response = client.post(f"/reports/{report.id}/comments", data={"comment": "  Please check the batch.  "})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/reports/{report.id}#comments"
    db.session.refresh(report)
    assert report.state == "submitted_for_review"
    assert report.version == version
    [comment] = comments_of(report)
    assert (comment.author_id, comment.body) == (reviewer.id, "Please check the batch.")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "comment"))
    assert (event.object_id, event.actor_id, event.details["comment"]) == (report.id, reviewer.id, comment.body)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Please check the batch." in page and "Comment added." in page


def test_the_author_may_comment(client, clinician, make_report):
    report = make_report(state="returned")
    sign_in(client, clinician)
    assert client.post(f"/reports/{report.id}/comments", data={"comment": "Batch added."}).status_code == 302
    assert [c.body for c in comments_of(report)] == ["Batch added."]


def test_another_clinician_may_not_comment(client, make_user, make_report):
    report = make_report()
    sign_in(client, make_user("clinician"))
    assert client.post(f"/reports/{report.id}/comments", data={"comment": "Hello"}).status_code == 403
    assert comments_of(report) == []


def test_session_owner_who_is_not_the_author_sees_no_form_and_gets_403(
    client, clinician, make_user, make_session, make_report
):
    session = make_session(user=clinician)
    report = make_report(user=make_user("governance_lead"), session=session)
    sign_in(client, clinician)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Add a comment" not in page
    assert client.post(f"/reports/{report.id}/comments", data={"comment": "Hi"}).status_code == 403


def test_missing_report_is_404(client, governance_lead):
    sign_in(client, governance_lead)
    assert client.post("/reports/999/comments", data={"comment": "Hi"}).status_code == 404


@pytest.mark.parametrize(("text", "message"), [("   ", "Enter a comment"), ("x" * 5001, "5,000 characters or fewer")])
def test_bad_comment_comes_back_with_the_error_beside_the_field(client, governance_lead, make_report, text, message):
    report = make_report()
    sign_in(client, governance_lead)
    response = client.post(f"/reports/{report.id}/comments", data={"comment": text})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<title>Error: " in html
    assert re.search(rf"<a href=\"#comment\"\s*>[^<]*{message}", html)
    assert html.count('data-module="nhsuk-error-summary"') == 1  # the NHS.UK component: its script focuses it
    assert 'id="comment-error"' in html and 'aria-describedby="comment-hint comment-error"' in html
    if text.strip():
        assert text in html  # what was typed is kept
    assert comments_of(report) == []


def test_comment_needs_a_csrf_token(app, governance_lead, make_report):
    from tests.conftest import PASSWORD

    report = make_report()
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    credentials = {"email": governance_lead.email, "password": PASSWORD, "csrf_token": token}
    signed_in = client.post("/sign-in", data=credentials)
    assert signed_in.status_code == 302
    assert client.post(f"/reports/{report.id}/comments", data={"comment": "Hi"}).status_code == 400
    report_page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    form = report_page[report_page.index('action="/reports/') :]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post(f"/reports/{report.id}/comments", data={"comment": "Hi", "csrf_token": token})
    assert response.status_code == 302
    assert [c.body for c in comments_of(report)] == ["Hi"]
