"""Sites and teams: who sees which sessions and reports, through pages and the API (issue 11)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ect_reporting import access, sites
from ect_reporting.extensions import db
from ect_reporting.models import Report
from ect_reporting.review import figures as review_figures
from ect_reporting.review import queries
from tests.review.helpers import sign_in


def _report_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Report))


def test_a_team_mate_opens_the_session_and_reports_from_it(client, hospitals, person, make_session):
    author = person(team=hospitals.team)
    colleague = person(team=hospitals.team)
    session = make_session(user=author)
    assert (session.site_id, session.team_id) == (hospitals.a.id, hospitals.team.id)
    sign_in(client, colleague)
    assert client.get(f"/sessions/{session.id}").status_code == 200
    assert f"/sessions/{session.id}" in client.get("/sessions").get_data(as_text=True)
    created = client.post(f"/sessions/{session.id}/reports", data={"kind": "medicine"})
    assert created.status_code == 302
    report = db.session.scalar(select(Report))
    assert report.created_by_id == colleague.id and report.session_id == session.id
    # The session stays its author's to change; the colleague's report is the colleague's.
    assert client.get(f"/sessions/{session.id}/edit").status_code == 403
    assert client.get(f"/reports/{report.id}/edit").status_code == 200


def test_a_team_mate_reports_through_the_api(client, hospitals, person, make_session, token_for):
    author, colleague = person(team=hospitals.team), person(team=hospitals.team)
    session = make_session(user=author)
    headers = token_for(colleague)
    assert client.get(f"/api/v1/sessions/{session.id}", headers=headers).status_code == 200
    created = client.post(f"/api/v1/sessions/{session.id}/reports", json={"kind": "device"}, headers=headers)
    assert created.status_code == 201, created.get_json()


def test_a_clinician_of_the_same_site_but_not_the_team_is_refused_403(client, hospitals, person, make_session):
    session = make_session(user=person(team=hospitals.team))
    sign_in(client, person())
    assert client.get(f"/sessions/{session.id}").status_code == 403
    assert f"/sessions/{session.id}" not in client.get("/sessions").get_data(as_text=True)


def test_a_clinician_of_another_site_gets_404_on_sessions_and_reports(
    client, hospitals, person, make_session, make_report, token_for
):
    author = person(team=hospitals.team)
    session = make_session(user=author)
    report = make_report(user=author, session=session, state="draft")
    stranger = person(site=hospitals.b)
    sign_in(client, stranger)
    for url in (
        f"/sessions/{session.id}",
        f"/sessions/{session.id}/edit",
        f"/reports/{report.id}",
        f"/reports/{report.id}/edit",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/sessions/{session.id}/reports", data={"kind": "medicine"}).status_code == 404
    headers = token_for(stranger)
    for url in (
        f"/api/v1/sessions/{session.id}",
        f"/api/v1/reports/{report.id}",
        f"/api/v1/reports/{report.id}/export.json",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, url
        assert "errors" in response.get_json() or "error" in response.get_json()
    refused = client.post(f"/api/v1/sessions/{session.id}/reports", json={"kind": "medicine"}, headers=headers)
    assert refused.status_code == 404
    assert _report_count() == 1


def test_governance_leads_see_only_their_sites_reports(client, hospitals, person, make_session, make_report):
    here = make_report(user=person(), state="approved")
    there_author = person(site=hospitals.b)
    there = make_report(user=there_author, session=make_session(user=there_author), state="approved")
    lead_a, lead_b = person("governance_lead"), person("governance_lead", site=hospitals.b)
    sign_in(client, lead_a)
    queue = client.get("/review/").get_data(as_text=True)
    assert here.reference in queue and there.reference not in queue
    assert client.get(f"/reports/{there.id}").status_code == 404
    csv_text = client.get("/review/queue.csv?state=all").get_data(as_text=True)
    assert here.reference in csv_text and there.reference not in csv_text
    with access.only_visible_reports(lead_b):
        figures = review_figures.dashboard(db.session, today=date.today(), site_id=access.site_limit(lead_b))
        assert figures.total == 1
        found = queries.queue_reports(db.session, queries.QueueFilters(state="all"), today=date.today())
        assert [r.id for r in found] == [there.id]
    # Outside the block nothing is limited.
    assert review_figures.dashboard(db.session, today=date.today()).total == 2


def test_an_administrator_sees_every_site(client, hospitals, person, make_session, make_report):
    there_author = person(site=hospitals.b)
    there = make_report(user=there_author, session=make_session(user=there_author))
    sign_in(client, person("admin"))
    assert client.get(f"/reports/{there.id}").status_code == 200
    assert there.reference in client.get("/review/").get_data(as_text=True)


def test_placing_a_user_checks_the_team_belongs_to_the_site(app, hospitals, person):
    user = person()
    version = user.session_version
    try:
        sites.place_user(db.session, None, user, site=hospitals.b, team=hospitals.team)
    except sites.SiteError as error:
        assert error.field == "team_id"
    else:
        raise AssertionError("a team of another site was accepted")
    sites.place_user(db.session, None, user, site=hospitals.a, team=hospitals.team)
    db.session.commit()
    assert user.team_id == hospitals.team.id and user.session_version == version + 1


def test_sessions_keep_the_team_they_were_recorded_in(app, hospitals, person, make_session):
    author = person(team=hospitals.team)
    session = make_session(user=author)
    sites.place_user(db.session, None, author, site=hospitals.a, team=None)
    db.session.commit()
    assert session.team_id == hospitals.team.id
    assert access.can_view_session(person(team=hospitals.team), session)


def test_needs_action_and_its_count_are_limited_to_the_leads_site(client, hospitals, person, make_session, make_report):
    here = make_report(user=person(), state="approved")
    there_author = person(site=hospitals.b)
    there = make_report(user=there_author, session=make_session(user=there_author), state="approved")
    sign_in(client, person("governance_lead", site=hospitals.b))
    page = client.get("/review/needs-action").get_data(as_text=True)
    assert there.reference in page and here.reference not in page
    assert "Needs action (1)" in page


def test_filter_choices_and_device_figures_are_limited_too(app, hospitals, person, make_session, make_report):
    make_report(
        "device", user=person(), generator_model="Site A generator", electrode_model="A-30",
        device_problem_codes=["A0401"],
    )
    there_author = person(site=hospitals.b)
    make_report(
        "device",
        user=there_author,
        session=make_session(user=there_author),
        generator_model="Site B generator",
        electrode_model="B-30",
        device_problem_codes=["A040101"],
    )
    lead = person("governance_lead", site=hospitals.b)
    with access.only_visible_reports(lead):
        assert queries.device_model_choices(db.session, access.site_limit(lead)) == ["B-30", "Site B generator"]
        assert [name for _, name in queries.clinician_choices(db.session)] == [there_author.full_name]
        figures = review_figures.dashboard(db.session, today=date.today(), site_id=access.site_limit(lead))
        assert [count.key for count in figures.top_device_problems] == ["A040101"]
        assert {count.label for count in figures.by_device_model} == {
            "Site B generator (generator)",
            "B-30 (electrode)",
        }
