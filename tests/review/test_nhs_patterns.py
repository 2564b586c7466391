"""NHS design patterns and wording on the report pages (issue 11, part B).

Confirm pages for destructive actions, labelled history, state wording,
navigation, error pages, the no-JavaScript "Add another" landing and the
responsive sessions list - each checked in the HTML a browser receives.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ect_reporting.extensions import db
from ect_reporting.models import Report
from ect_reporting.reports import services
from tests.forms import posted
from tests.integration.test_forms import medicine_form, sign_in


def _nav_current(html: str) -> list[str]:
    """The header navigation items marked as where the user is."""
    items = re.findall(r'<li class="nhsuk-header__navigation-item[^"]*--current[^"]*".*?</li>', html, flags=re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", item).strip() for item in items]


def test_a_fresh_draft_has_no_reason_box_and_withdrawing_is_confirmed(client, clinician, make_report):
    report = make_report(state="draft")
    sign_in(client, clinician)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Reason for withdrawing" not in page
    assert f'href="/reports/{report.id}/confirm/withdraw"' in page
    confirm = client.get(f"/reports/{report.id}/confirm/withdraw").get_data(as_text=True)
    assert "Withdraw this report?" in confirm and "Reason for withdrawing" in confirm
    assert "It stays on file with your reason." in confirm
    missing = client.post(f"/reports/{report.id}/transition", data={"action": "withdraw", "comment": " "})
    assert missing.status_code == 422
    assert "Withdraw this report?" in missing.get_data(as_text=True)
    done = client.post(
        f"/reports/{report.id}/transition", data={"action": "withdraw", "comment": "Entered twice"},
        follow_redirects=True,
    )
    assert db.session.get(Report, report.id).state == "withdrawn"
    assert "Report by" not in done.get_data(as_text=True)  # no deadline on a withdrawn report


def test_confirm_page_for_an_action_not_open_to_this_user_goes_back_to_the_report(client, clinician, make_report):
    report = make_report(state="draft")
    sign_in(client, clinician)
    response = client.get(f"/reports/{report.id}/confirm/nullify")
    assert response.status_code == 302 and response.headers["Location"] == f"/reports/{report.id}"


def test_state_flash_keeps_mhra_in_capitals(client, governance_lead, make_report):
    report = make_report(state="approved")
    sign_in(client, governance_lead)
    done = client.post(
        f"/reports/{report.id}/transition", data={"action": "send", "mhra_reference": "GB-MHRA-ADR-1"},
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert f"Report {report.reference} is now sent to MHRA." in html and "mhra." not in html


def test_actions_come_after_the_report_they_act_on(client, governance_lead, make_report):
    report = make_report(state="submitted_for_review")
    sign_in(client, governance_lead)
    html = client.get(f"/reports/{report.id}").get_data(as_text=True)
    approve = re.search(r">\s*Approve\s*</button>", html)
    assert approve is not None
    assert html.index("<h2>Reporter</h2>") < html.index('id="actions"') < approve.start()


def test_history_names_fields_by_label_with_old_and_new_values(client, clinician, make_session):
    session = make_session(user=clinician)
    sign_in(client, clinician)
    client.post(f"/sessions/{session.id}/reports", data={"kind": "medicine"})
    report = db.session.scalar(db.select(Report))
    data = medicine_form(version=str(report.version), causality="probable", serious="no", seriousness_criteria=[])
    assert client.post(f"/reports/{report.id}/edit", data=data).status_code == 302
    html = client.get(f"/reports/{report.id}").get_data(as_text=True)
    history = html.split("<h2>History</h2>")[1]
    assert "Causality (WHO-UMC)</strong>: not recorded" in history and "Probable" in history
    assert "Date you became aware</strong>" in history and f"{date.today():%B %Y}" in history
    assert "awareness_date" not in history and "Changed causality" not in history


def test_history_shows_device_codes_with_their_terms(client, clinician, make_session):
    report = services.create_report(db.session, clinician, make_session(user=clinician), "device")
    db.session.commit()
    services.update_report(db.session, clinician, report, {"device_problem_codes": ["A0201"]})
    db.session.commit()
    sign_in(client, clinician)
    history = client.get(f"/reports/{report.id}").get_data(as_text=True).split("<h2>History</h2>")[1]
    assert re.search(r"Device problem \(IMDRF annex A\)</strong>: not recorded .*A0201 - \w", history, flags=re.S)


def test_reviewer_on_a_report_is_in_the_review_queue_section(client, governance_lead, clinician, make_report):
    report = make_report()
    sign_in(client, governance_lead)
    current = _nav_current(client.get(f"/reports/{report.id}").get_data(as_text=True))
    assert current == ["Review queue"]
    client.post("/sign-out")
    sign_in(client, clinician)
    assert _nav_current(client.get(f"/reports/{report.id}").get_data(as_text=True)) == ["ECT sessions"]


def test_refusals_are_plain_english_pages(client, clinician, make_user, make_report):
    sign_in(client, clinician)
    missing = client.get("/reports/999999")
    assert missing.status_code == 404
    assert "Page not found" in missing.get_data(as_text=True)
    other = make_report(user=make_user("clinician"), state="draft")
    refused = client.get(f"/reports/{other.id}/edit")
    html = refused.get_data(as_text=True)
    if refused.status_code == 403:
        assert "You cannot do this" in html and "Forbidden" not in html
        assert "contact your governance lead or administrator" in html


def test_back_link_is_inside_the_main_landmark(client, clinician, make_session):
    session = make_session(user=clinician)
    sign_in(client, clinician)
    html = client.get(f"/sessions/{session.id}/edit").get_data(as_text=True)
    main = html.split('<main class="nhsuk-main-wrapper')[1].split("</main>")[0]
    assert "nhsuk-back-link" in main


def test_add_and_remove_reaction_land_on_the_reaction(client, clinician, make_session):
    session = make_session(user=clinician)
    sign_in(client, clinician)
    client.post(f"/sessions/{session.id}/reports", data={"kind": "medicine"})
    report = db.session.scalar(db.select(Report))
    edit = client.get(f"/reports/{report.id}/edit").get_data(as_text=True)
    assert f'formaction="/reports/{report.id}/edit#reaction-2"' in edit  # "Add another reaction" lands on reaction 2
    added = client.post(f"/reports/{report.id}/edit", data=medicine_form(add_reaction="1")).get_data(as_text=True)
    assert 'id="reaction-2"' in added
    assert f'formaction="/reports/{report.id}/edit#reaction-1"' in added  # removing 2 lands on 1
    assert f'formaction="/reports/{report.id}/edit#reaction-3"' in added


def test_times_are_24_hour_text(client, clinician):
    from tests.integration.test_forms import SESSION_FORM

    sign_in(client, clinician)
    bad = client.post("/sessions/new", data=dict(SESSION_FORM, drug_time="2:30pm"))
    assert bad.status_code == 422
    assert "Time drug given must be a real time on the 24-hour clock, for example 14:30" in bad.get_data(as_text=True)
    good = client.post("/sessions/new", data=dict(SESSION_FORM, drug_time="0940", first_pulse_time="9.52"))
    assert good.status_code == 302


def test_sessions_list_is_a_responsive_table(client, clinician, make_session):
    make_session(user=clinician)
    sign_in(client, clinician)
    html = client.get("/sessions").get_data(as_text=True)
    assert 'class="nhsuk-table nhsuk-table--responsive"' in html
    assert '<span class="nhsuk-table__heading" aria-hidden="true">Drug </span>' in html


def test_a_date_typed_in_boxes_is_saved(client, clinician):
    from tests.integration.test_forms import SESSION_FORM

    sign_in(client, clinician)
    day = date.today() - timedelta(days=4)
    response = client.post("/sessions/new", data=dict(SESSION_FORM, **posted({"procedure_date": day})))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{day.day} {day:%B %Y}" in page


def test_queue_shows_no_due_date_for_a_withdrawn_report(client, governance_lead, make_report):
    due = date.today() + timedelta(days=11)
    make_report(state="withdrawn", awareness_date=date.today(), due_date=due)
    sign_in(client, governance_lead)
    html = client.get("/review/?state=all").get_data(as_text=True)
    assert "Not due" in html and due.strftime("%-d %b %Y") not in html
