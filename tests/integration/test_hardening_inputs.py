"""Issue 12 reproductions: each input that gave a 5xx (or slipped through) is now a 4xx in the documented shape.

API errors are ``{"error", "status", "errors"?}``; pages answer with an
NHS-styled page or the message beside the field. One test per reproduction.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ect_reporting.extensions import db
from ect_reporting.fields import MAX_COMMENT_LENGTH
from ect_reporting.models import Report, ReportComment
from ect_reporting.reports import services
from tests.conftest import PASSWORD, session_payload


@pytest.fixture
def auth(clinician, token_for):
    return token_for(clinician)


@pytest.fixture
def lead_auth(governance_lead, token_for):
    return token_for(governance_lead)


def sign_in(client: Any, user: Any) -> None:
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def assert_api_error(response: Any, status: int, *paths: str) -> dict[str, Any]:
    """The one JSON error shape, with ``errors`` naming ``paths`` when given."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert isinstance(body["error"], str) and body["error"]
    assert body["status"] == status
    for path in paths:
        assert path in body["errors"], body
    return body


def post_raw(client: Any, url: str, auth: dict[str, str], body: str | bytes) -> Any:
    return client.post(url, data=body, headers={**auth, "Content-Type": "application/json"})


def make_report(make_session: Any, author: Any, state: str = "submitted_for_review") -> Report:
    report = services.create_report(db.session, author, make_session(user=author), "medicine")
    report.state = state
    db.session.commit()
    return report


def comment_count(report: Report) -> int:
    return db.session.query(ReportComment).filter_by(report_id=report.id).count()


# --- transitions ---------------------------------------------------------------------


def test_long_regulator_reference_is_422(client, lead_auth, clinician, make_session):
    report = make_report(make_session, clinician, state="approved")
    body = {"action": "send", "mhra_reference": "R" * 61}
    response = client.post(f"/api/v1/reports/{report.id}/transitions", json=body, headers=lead_auth)
    body = assert_api_error(response, 422, "mhra_reference")
    assert "60 characters or fewer" in body["errors"]["mhra_reference"][0]


@pytest.mark.parametrize("comment", ["Wrong\x00dose", "Bell\x07", "Esc\x1b[31m"])
def test_control_characters_in_api_transition_comment_are_422(client, lead_auth, clinician, make_session, comment):
    report = make_report(make_session, clinician)
    response = client.post(
        f"/api/v1/reports/{report.id}/transitions", json={"action": "return", "comment": comment}, headers=lead_auth
    )
    body = assert_api_error(response, 422, "comment")
    assert "control characters" in body["errors"]["comment"][0]
    assert comment_count(report) == 0


def test_control_characters_in_page_transition_comment_show_beside_the_field(
    client, governance_lead, clinician, make_session
):
    report = make_report(make_session, clinician)
    sign_in(client, governance_lead)
    response = client.post(f"/reports/{report.id}/transition", data={"action": "return", "comment": "Why\x00"})
    assert response.status_code == 422
    assert "Comment contains control characters that are not allowed" in response.get_data(as_text=True)
    assert db.session.get(Report, report.id).state == "submitted_for_review"


def test_control_characters_in_page_comment_are_422(client, clinician, make_session):
    report = make_report(make_session, clinician, state="draft")
    sign_in(client, clinician)
    response = client.post(f"/reports/{report.id}/comments", data={"comment": "Note\x00here"})
    assert response.status_code == 422
    assert "Comment contains control characters that are not allowed" in response.get_data(as_text=True)
    assert comment_count(report) == 0


def test_transition_comment_has_the_comment_length_limit(client, lead_auth, clinician, make_session):
    report = make_report(make_session, clinician)
    response = client.post(
        f"/api/v1/reports/{report.id}/transitions",
        json={"action": "return", "comment": "x" * (MAX_COMMENT_LENGTH + 1)},
        headers=lead_auth,
    )
    body = assert_api_error(response, 422, "comment")
    assert "5,000 characters or fewer" in body["errors"]["comment"][0]


def test_a_20_mb_comment_is_refused_before_it_is_read(client, lead_auth, clinician, make_session):
    report = make_report(make_session, clinician)
    body = json.dumps({"action": "return", "comment": "x" * 20_000_000})
    response = post_raw(client, f"/api/v1/reports/{report.id}/transitions", lead_auth, body)
    assert_api_error(response, 413)
    assert db.session.get(Report, report.id).state == "submitted_for_review"


def test_a_20_mb_page_comment_gets_the_friendly_413_page(client, clinician, make_session):
    report = make_report(make_session, clinician, state="draft")
    sign_in(client, clinician)
    response = client.post(f"/reports/{report.id}/comments", data={"comment": "x" * 20_000_000})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "What you sent is too large" in html and "nhsuk-header" in html
    assert comment_count(report) == 0


def test_request_size_is_a_setting(extra_app, clinician):
    app = extra_app(ECT_MAX_REQUEST_BYTES="1000", WTF_CSRF_ENABLED=False)
    assert app.config["MAX_CONTENT_LENGTH"] == 1000


# --- any text field ------------------------------------------------------------------


def test_lone_surrogate_in_a_text_field_is_422_naming_the_field(client, auth):
    payload = session_payload()
    payload["patient"]["initials"] = "PLACEHOLDER"
    body = json.dumps(payload).replace("PLACEHOLDER", "x\\udfffy")
    assert '"x\\udfffy"' in body
    response = post_raw(client, "/api/v1/sessions", auth, body)
    body = assert_api_error(response, 422, "patient.initials")
    assert "characters that are not allowed" in body["errors"]["patient.initials"][0]


def test_lone_surrogate_in_a_report_field_is_422(client, auth, make_session, clinician):
    session = make_session()
    body = '{"kind": "medicine", "reporter": {"name": "Dr \\ud800 Who"}}'
    response = post_raw(client, f"/api/v1/sessions/{session.id}/reports", auth, body)
    assert_api_error(response, 422, "reporter.name")


# --- numbers, types, nesting ---------------------------------------------------------


@pytest.mark.parametrize("path", ["patient.weight_kg", "patient.height_cm", "drug.dose"])
def test_a_400_digit_number_is_422(client, auth, path):
    group, name = path.split(".")
    body = json.dumps(session_payload())
    data = json.loads(body)
    data[group][name] = 0  # placeholder replaced by the raw digits below
    raw = json.dumps(data).replace(f'"{name}": 0', f'"{name}": {"9" * 400}', 1)
    response = post_raw(client, "/api/v1/sessions", auth, raw)
    assert_api_error(response, 422, path)


@pytest.mark.parametrize("kind", [[], {}, 1, None, True])
def test_kind_of_the_wrong_type_is_422(client, auth, make_session, kind):
    session = make_session()
    response = client.post(f"/api/v1/sessions/{session.id}/reports", json={"kind": kind}, headers=auth)
    assert_api_error(response, 422, "kind")


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
def test_deeply_nested_json_is_400(client, auth, depth):
    body = '{"patient": ' + "[" * depth + "]" * depth + "}"
    response = post_raw(client, "/api/v1/sessions", auth, body)
    assert response.status_code in (400, 422)
    assert_api_error(response, response.status_code)


# --- ids in URLs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports/2147483648",
        "/api/v1/sessions/2147483648",
        "/api/v1/reports/99999999999999999999999/export.json",
        "/api/v1/reports/0",
    ],
)
def test_api_ids_out_of_range_are_404(client, auth, url):
    assert_api_error(client.get(url, headers=auth), 404)


@pytest.mark.parametrize(
    "url", ["/reports/2147483648", "/sessions/2147483648", "/admin/users/2147483648", "/reports/2147483648/edit"]
)
def test_page_ids_out_of_range_are_404(client, make_user, url):
    sign_in(client, make_user("admin"))
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_largest_id_still_reaches_the_database(client, auth):
    assert_api_error(client.get("/api/v1/reports/2147483647", headers=auth), 404)


# --- dates and e-mail ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026-W47-1", "20260101", "2026-1-05", "2026-01-05T00:00", "2026-02-30"])
def test_only_yyyy_mm_dd_dates_are_accepted_by_the_api(client, auth, text):
    response = client.post("/api/v1/sessions", json=session_payload(procedure_date=text), headers=auth)
    assert_api_error(response, 422, "procedure_date")


@pytest.mark.parametrize(
    ("boxes", "message", "box"),
    [
        (("31", "2", "2026"), "Procedure date must be a real date", "day"),
        (("1", "W47", "2026"), "Procedure date must be a real date", "month"),
        (("1", "", "2026"), "Procedure date must include a month", "month"),
        (("", "", "2026"), "Procedure date must include a day and month", "day"),
        (("1", "2", "26"), "Procedure date: the year must have 4 numbers", "year"),
    ],
)
def test_form_dates_must_be_real_and_link_to_the_box_with_the_problem(client, clinician, boxes, message, box):
    from tests.integration.test_forms import SESSION_FORM

    sign_in(client, clinician)
    day, month, year = boxes
    data = dict(SESSION_FORM, **{"procedure_date-day": day, "procedure_date-month": month, "procedure_date-year": year})
    response = client.post("/sessions/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html.split("nhsuk-error-summary__list")[1].split("</ul>")[0]
    assert f'href="#procedure_date-{box}"' in summary and message in summary
    assert 'id="procedure_date-error"' in html  # the message at the field too


def test_page_sent_date_must_be_yyyy_mm_dd(client, governance_lead, clinician, make_session):
    report = make_report(make_session, clinician, state="approved")
    sign_in(client, governance_lead)
    response = client.post(
        f"/reports/{report.id}/transition",
        data={"action": "send", "mhra_reference": "MHRA-1", "sent_date-day": "1", "sent_date-month": "W01",
              "sent_date-year": "2026"},
    )
    assert response.status_code == 422
    assert db.session.get(Report, report.id).state == "approved"


@pytest.mark.parametrize("email", ["not an email", "name@", "@nhs.net", "a@b@nhs.net"])
def test_reporter_email_is_validated(client, auth, make_session, email):
    session = make_session()
    response = client.post(
        f"/api/v1/sessions/{session.id}/reports", json={"kind": "device", "reporter": {"email": email}}, headers=auth
    )
    body = assert_api_error(response, 422, "reporter.email")
    assert body["errors"]["reporter.email"] == ["Enter an email address in the correct format, like name@nhs.net"]


def test_a_real_reporter_email_is_kept(client, auth, make_session):
    session = make_session()
    response = client.post(
        f"/api/v1/sessions/{session.id}/reports",
        json={"kind": "device", "reporter": {"email": "a.clinician@nhs.net"}},
        headers=auth,
    )
    assert response.status_code == 201
    assert response.get_json()["reporter"]["email"] == "a.clinician@nhs.net"


# --- forbidden web actions and error pages -------------------------------------------


def test_forbidden_web_transition_is_403(client, clinician, make_user, make_session):
    other = make_user("clinician")
    report = make_report(make_session, other)
    sign_in(client, clinician)
    response = client.post(f"/reports/{report.id}/transition", data={"action": "approve"})
    assert response.status_code in (403, 404)  # 404 when the report is not even visible
    assert db.session.get(Report, report.id).state == "submitted_for_review"


def test_own_report_approval_on_the_page_is_403(client, governance_lead, make_session):
    report = make_report(make_session, governance_lead)
    sign_in(client, governance_lead)
    response = client.post(f"/reports/{report.id}/transition", data={"action": "approve"})
    assert response.status_code == 403
    assert "nhsuk-header" in response.get_data(as_text=True)


def test_clinician_approval_on_the_page_is_403(client, clinician, make_session):
    report = make_report(make_session, clinician)
    sign_in(client, clinician)
    response = client.post(f"/reports/{report.id}/transition", data={"action": "approve"})
    assert response.status_code == 403


@pytest.mark.parametrize("method", ["get", "post"])
def test_editing_someone_elses_report_on_the_page_is_403(client, governance_lead, clinician, make_session, method):
    report = make_report(make_session, clinician, state="draft")
    sign_in(client, governance_lead)
    response = getattr(client, method)(f"/reports/{report.id}/edit", data={"reporter_name": "Changed"})
    assert response.status_code == 403
    assert "Only the clinician who wrote this report can change it" in response.get_data(as_text=True)


def test_clinician_amendment_follow_up_on_the_page_is_403(client, clinician, make_session):
    report = make_report(make_session, clinician, state="sent_to_mhra")
    sign_in(client, clinician)
    response = client.post(f"/reports/{report.id}/follow-up", data={"report_type": "amendment"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "url", "status", "text"),
    [
        ("get", "/no-such-page", 404, "If you typed the web address, check it was correct"),
        ("delete", "/sign-in", 405, "This page cannot be used in that way"),
    ],
)
def test_framework_errors_are_nhs_styled_plain_english(client, method, url, status, text):
    response = getattr(client, method)(url)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert text in html and "nhsuk-header" in html
    assert "requested URL" not in html and "not allowed for the requested" not in html


def test_api_framework_errors_use_the_json_shape(client, auth):
    assert_api_error(client.get("/api/v1/no-such-thing", headers=auth), 404)
    assert_api_error(client.delete("/api/v1/sessions", headers=auth), 405)


def test_dates_are_nhs_date_inputs_and_times_are_text(client, clinician):
    sign_in(client, clinician)
    html = client.get("/sessions/new").get_data(as_text=True)
    assert 'type="date"' not in html and 'type="time"' not in html  # no browser pickers (US order in Chromium)
    group = re.search(r'<fieldset[^>]*aria-describedby="procedure_date-hint"[^>]*>', html)
    assert group is not None and 'role="group"' in group.group(0)
    for part in ("day", "month", "year"):
        box = re.search(rf'<input[^>]*name="procedure_date-{part}"[^>]*>', html)
        assert box is not None and 'inputmode="numeric"' in box.group(0)
    time_box = re.search(r'<input[^>]*name="drug_time"[^>]*>', html)
    assert time_box is not None and 'type="text"' in time_box.group(0)
    assert "Use the 24-hour clock, for example 14:30" in html


@pytest.mark.parametrize("method", ["get", "patch", "post", "delete"])
def test_out_of_range_ids_are_404_for_every_method(client, method):
    """Not 405: the id cannot exist, whatever the method (found by the schemathesis run)."""
    assert getattr(client, method)("/api/v1/reports/23639379598701").status_code == 404
    assert getattr(client, method)("/api/v1/reports/2147483648").status_code == 404


def test_id_pattern_matches_exactly_the_database_range():
    import random
    import re

    from ect_reporting.converters import MAX_ID, IdConverter

    pattern = re.compile(IdConverter.regex + r"\Z")
    for number in [1, 9, 10, MAX_ID - 1, MAX_ID, *random.Random(7).sample(range(1, 10**11), 2000)]:
        assert bool(pattern.match(str(number))) == (1 <= number <= MAX_ID), number
    for text in ["0", "007", str(MAX_ID + 1), "-1"]:
        assert not pattern.match(text)
