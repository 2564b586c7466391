"""The review queue: access, filters, clocks, sorting, pagination."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from ect_reporting.extensions import db
from ect_reporting.review import queries
from ect_reporting.review.queries import QueueFilters
from tests.review.helpers import TODAY, seed_reports, sign_in

REVIEW_PAGES = ["/review/", "/review/queue.csv", "/review/dashboard"]


def refs(reports):
    return {r.reference for r in reports}


def found(filters: QueueFilters, today: date = TODAY):
    return queries.queue_reports(db.session, filters, today=today, due_soon_days=3)


def page_refs(response) -> set[str]:
    return set(re.findall(r">(ECT-\d{6})</a>", response.get_data(as_text=True)))


# --- Access -----------------------------------------------------------------


@pytest.mark.parametrize("path", REVIEW_PAGES)
@pytest.mark.parametrize(("role", "status"), [("clinician", 403), ("governance_lead", 200), ("admin", 200)])
def test_review_pages_are_for_reviewers_only(client, make_user, path, role, status):
    sign_in(client, make_user(role))
    assert client.get(path).status_code == status


@pytest.mark.parametrize("path", REVIEW_PAGES)
def test_review_pages_send_anonymous_users_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_reviewers_see_the_queue_links_in_the_navigation(client, governance_lead):
    sign_in(client, governance_lead)
    html = client.get("/review/").get_data(as_text=True)
    assert 'href="/review/dashboard"' in html


def test_clinicians_do_not_see_the_queue_links(client, clinician):
    # One user per test: the test app context is shared by requests, so
    # Flask-Login's cached user (in ``g``) would leak between clients.
    sign_in(client, clinician)
    html = client.get("/sessions").get_data(as_text=True)
    assert 'href="/review/"' not in html and 'href="/review/dashboard"' not in html


# --- Clocks: the overdue filter returns exactly the overdue reports ---------


@pytest.fixture
def clock_reports(make_report):
    """One report for every case that matters to the overdue rule, with fixed dates."""
    past, long_ago = TODAY - timedelta(days=1), TODAY - timedelta(days=30)
    make = make_report
    return {
        # Open and past due: overdue.
        "submitted_late": make(state="submitted_for_review", awareness_date=long_ago, due_date=past),
        "draft_late": make(state="draft", awareness_date=long_ago, due_date=long_ago),
        "returned_late": make(state="returned", awareness_date=long_ago, due_date=past),
        "approved_late": make("device", state="approved", awareness_date=long_ago, due_date=past),
        # Due today is not yet late (it is due soon).
        "due_today": make(state="submitted_for_review", awareness_date=long_ago, due_date=TODAY),
        "due_in_3": make(state="draft", awareness_date=TODAY, due_date=TODAY + timedelta(days=3)),
        "due_in_4": make(state="draft", awareness_date=TODAY, due_date=TODAY + timedelta(days=4)),
        # Past due but already sent or finished: never overdue.
        "sent": make(state="sent_to_mhra", awareness_date=long_ago, due_date=long_ago),
        "acknowledged": make(state="acknowledged", awareness_date=long_ago, due_date=long_ago),
        "closed": make("device", state="closed", awareness_date=long_ago, due_date=long_ago),
        "withdrawn": make(state="withdrawn", awareness_date=long_ago, due_date=long_ago),
        # No deadline.
        "no_due_date": make(state="submitted_for_review", awareness_date=None, due_date=None),
    }


OVERDUE = {"submitted_late", "draft_late", "returned_late", "approved_late"}
DUE_SOON = {"due_today", "due_in_3"}


def test_overdue_filter_returns_exactly_the_overdue_reports(clock_reports):
    expected = refs(clock_reports[name] for name in OVERDUE)
    assert refs(found(QueueFilters(state="all", due="overdue"))) == expected
    assert refs(found(QueueFilters(state="open", due="overdue"))) == expected


def test_overdue_filter_combines_with_the_state_filter(clock_reports):
    assert refs(found(QueueFilters(state="submitted_for_review", due="overdue"))) == {
        clock_reports["submitted_late"].reference
    }
    assert found(QueueFilters(state="closed", due="overdue")) == []


def test_due_soon_filter(clock_reports):
    assert refs(found(QueueFilters(state="all", due="due_soon"))) == refs(clock_reports[n] for n in DUE_SOON)


def test_overdue_is_filtered_in_sql_so_page_counts_are_right(app, client, governance_lead, clock_reports):
    app.config["ECT_PAGE_SIZE"] = 2
    statement = queries.queue_statement(QueueFilters(state="all", due="overdue"), today=TODAY)
    assert "due_date <" in str(statement)
    page = db.paginate(statement, page=1, per_page=2, error_out=False)
    assert page.total == len(OVERDUE)
    assert page.pages == 2


def test_row_clock_matches_the_filter(clock_reports):
    for name, report in clock_reports.items():
        status = queries.clock_for(report, TODAY, 3)
        assert (status == "overdue") == (name in OVERDUE), name
        assert (status == "due_soon") == (name in DUE_SOON), name


def test_queue_page_overdue_filter_and_tags(client, governance_lead, make_report):
    today = date.today()
    late = make_report(awareness_date=today - timedelta(days=20), due_date=today - timedelta(days=2))
    soon = make_report(awareness_date=today, due_date=today + timedelta(days=1))
    later = make_report(awareness_date=today, due_date=today + timedelta(days=60))
    sent = make_report(state="sent_to_mhra", awareness_date=today - timedelta(days=20), due_date=today - timedelta(9))
    sign_in(client, governance_lead)

    response = client.get("/review/?state=all&due=overdue")
    assert response.status_code == 200
    assert page_refs(response) == {late.reference}

    html = client.get("/review/?state=all").get_data(as_text=True)
    assert page_refs_in_order(html) == [sent.reference, late.reference, soon.reference, later.reference]
    row = lambda ref: html[html.index(ref) : html.index("</tr>", html.index(ref))]  # noqa: E731
    assert "Overdue</strong>" in row(late.reference)
    assert "Due soon</strong>" in row(soon.reference)
    assert "Overdue" not in row(sent.reference) and "Due soon" not in row(sent.reference)
    assert "Overdue" not in row(later.reference) and "Due soon" not in row(later.reference)


def page_refs_in_order(html: str) -> list[str]:
    return re.findall(r">(ECT-\d{6})</a>", html)


# --- Filters ------------------------------------------------------------------


def test_default_queue_shows_every_open_report_including_approved_not_sent(client, governance_lead, make_report):
    """Issue 11: opening on "Submitted for review" hid approved reports waiting to be sent."""
    waiting = make_report(state="submitted_for_review")
    draft = make_report(state="draft")
    approved = make_report(state="approved")
    make_report(state="sent_to_mhra")
    sign_in(client, governance_lead)
    assert page_refs(client.get("/review/")) == {waiting.reference, draft.reference, approved.reference}
    only_waiting = client.get("/review/?state=submitted_for_review")
    assert page_refs(only_waiting) == {waiting.reference}


def test_filters_by_kind_state_clinician_drug_and_device_model(make_user, make_report, make_session):
    alice, bob = make_user("clinician", full_name="Alice"), make_user("clinician", full_name="Bob")
    bleo = make_report(user=alice, drug="bleomycin")
    cis = make_report(user=bob, session=make_session(user=bob, drug="cisplatin", dose_unit="mg", dose=20.0))
    gen = make_report("device", user=alice, generator_model="Cliniporator VITAE", electrode_model="N-30-4B")
    ele = make_report("device", user=bob, generator_model="Other gen", electrode_model="P-30")
    returned = make_report(user=alice, state="returned")

    any_state = QueueFilters(state="all")
    assert refs(found(QueueFilters(state="all", kind="device"))) == refs([gen, ele])
    assert refs(found(QueueFilters(state="returned"))) == refs([returned])
    assert refs(found(QueueFilters(state="open"))) == refs([bleo, cis, gen, ele, returned])
    assert refs(found(QueueFilters(state="all", clinician_id=bob.id))) == refs([cis, ele])
    assert refs(found(QueueFilters(state="all", drug="cisplatin"))) == refs([cis])
    assert cis.drug == "cisplatin"
    # A device model matches the generator or the electrode.
    assert refs(found(QueueFilters(state="all", device_model="Cliniporator VITAE"))) == refs([gen])
    assert refs(found(QueueFilters(state="all", device_model="P-30"))) == refs([ele])
    assert len(found(any_state)) == 5


def test_seriousness_filter_uses_the_flag_for_medicines_and_the_classification_for_devices(make_report):
    serious_med = make_report(serious=True, criterion_hospitalisation=True)
    mild_med = make_report(serious=False)
    unknown_med = make_report(serious=None)
    serious_dev = make_report("device", incident_classification="unanticipated_serious_deterioration")
    mild_dev = make_report("device", incident_classification="other_reportable")
    unknown_dev = make_report("device", incident_classification=None)
    assert refs(found(QueueFilters(state="all", seriousness="serious"))) == refs([serious_med, serious_dev])
    assert refs(found(QueueFilters(state="all", seriousness="not_serious"))) == refs([mild_med, mild_dev])
    assert refs(found(QueueFilters(state="all", seriousness="unknown"))) == refs([unknown_med, unknown_dev])


def test_sorted_by_due_date_with_undated_reports_last(make_report):
    undated = make_report(awareness_date=None, due_date=None)
    later = make_report(due_date=TODAY + timedelta(days=9))
    sooner = make_report(due_date=TODAY - timedelta(days=9))
    assert [r.reference for r in found(QueueFilters(state="all"))] == [
        sooner.reference,
        later.reference,
        undated.reference,
    ]


def test_newest_first_sort(make_report):
    from datetime import datetime

    old = make_report(created_at=datetime(2026, 1, 1), due_date=TODAY)
    new = make_report(created_at=datetime(2026, 3, 1), due_date=TODAY + timedelta(days=30))
    assert [r.id for r in found(QueueFilters(state="all", sort="newest"))] == [new.id, old.id]
    assert [r.id for r in found(QueueFilters(state="all"))] == [old.id, new.id]


def test_filter_form_offers_clinicians_and_device_models_from_reports(client, governance_lead, make_report, make_user):
    author = make_user("clinician", full_name="Dr Zed Author")
    make_user("clinician", full_name="Dr Never Wrote")
    make_report("device", user=author, generator_model="Gen-X", electrode_model="Elec-Y")
    sign_in(client, governance_lead)
    html = client.get("/review/").get_data(as_text=True)
    assert "Dr Zed Author" in html and "Dr Never Wrote" not in html
    assert '<option value="Gen-X"' in html and '<option value="Elec-Y"' in html
    assert 'type="submit"' in html and "Apply filters" in html
    assert 'method="get"' in html


def test_web_filters_are_applied_from_the_query_string(client, governance_lead, make_report, make_user):
    author = make_user("clinician")
    mine = make_report("device", user=author, state="draft")
    make_report("device", state="draft")
    make_report(user=author, state="draft")
    sign_in(client, governance_lead)
    response = client.get(f"/review/?state=draft&kind=device&clinician={author.id}")
    assert page_refs(response) == {mine.reference}


def test_invalid_filter_value_is_a_400_with_the_error_beside_the_field(client, governance_lead):
    sign_in(client, governance_lead)
    response = client.get("/review/?state=nonsense&due=whenever")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "nhsuk-error-summary" in html
    assert "Not a valid choice" in html
    assert "<title>Error: " in html


def _link(html: str, rel: str) -> str:
    """Return the href of the pagination's "previous" or "next" link."""
    match = re.search(rf'href="([^"]+)" rel="{rel}"', html)
    assert match, f"no {rel} link"
    return match.group(1).replace("&amp;", "&")


def test_queue_is_paginated_and_page_links_keep_the_filters(app, client, governance_lead, make_report):
    app.config["ECT_PAGE_SIZE"] = 2
    made = [make_report("device", due_date=TODAY + timedelta(days=i)) for i in range(5)]
    make_report("medicine")
    sign_in(client, governance_lead)
    first = client.get("/review/?kind=device")
    html = first.get_data(as_text=True)
    assert page_refs_in_order(html) == [r.reference for r in made[:2]]
    assert "Showing 1 to 2 of 5 reports" in html
    assert f"/review/?page=2&amp;after={made[1].due_date.isoformat()}_{made[1].id}&amp;kind=device" in html
    third = client.get("/review/?kind=device&page=3")  # a bare page number works by offset
    assert page_refs_in_order(third.get_data(as_text=True)) == [made[4].reference]
    assert client.get("/review/?kind=device&page=99").status_code == 200
    assert client.get("/review/?kind=device&page=2&after=nonsense").status_code == 200


@pytest.mark.parametrize("sort", ["due", "newest"])
def test_next_and_previous_links_walk_every_row_once_by_keyset(app, client, governance_lead, make_report, sort):
    app.config["ECT_PAGE_SIZE"] = 2
    made = [make_report(due_date=TODAY + timedelta(days=i // 2)) for i in range(5)]
    made += [make_report(due_date=None) for _ in range(2)]  # no due date: last in the due order
    for i, report in enumerate(made):
        report.created_at = datetime(2026, 1, 1 + i // 2)
    db.session.commit()
    sign_in(client, governance_lead)
    url, seen, pages = f"/review/?sort={sort}", [], []
    while True:
        html = client.get(url).get_data(as_text=True)
        pages.append(page_refs_in_order(html))
        seen += pages[-1]
        if 'rel="next"' not in html:
            break
        url = _link(html, "next")
        assert "after=" in url
    order = made if sort == "due" else sorted(made, key=lambda r: (r.created_at, r.id), reverse=True)
    assert seen == [r.reference for r in order]
    back = client.get(_link(client.get(url).get_data(as_text=True), "prev")).get_data(as_text=True)
    assert page_refs_in_order(back) == pages[-2]
    assert "Showing 5 to 6 of 7 reports" in back


def _seed_reports(n: int) -> None:
    """Add ``n`` submitted reports in bulk (SQLAlchemy Core), as the benchmark does."""
    seed_reports(db.engine, n, start=1000)


def _statements(client, count_queries, url: str) -> list[str]:
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return statements


def test_queue_statements_do_not_depend_on_page_size_or_depth(app, client, governance_lead, count_queries):
    _seed_reports(1200)
    sign_in(client, governance_lead)
    client.get("/review/")  # the first page after signing in may touch the sign-in record
    app.config["ECT_PAGE_SIZE"] = 20
    small = _statements(client, count_queries, "/review/?state=all")
    deep = _statements(client, count_queries, "/review/?state=all&page=50")
    app.config["ECT_PAGE_SIZE"] = 200
    large = _statements(client, count_queries, "/review/?state=all")
    html = client.get("/review/?state=all").get_data(as_text=True)
    keyset = _statements(client, count_queries, _link(html, "next"))
    assert len(small) == len(deep) == len(large) == len(keyset), (small, deep, large, keyset)


def test_queue_query_count_does_not_grow_with_the_page(app, client, governance_lead, make_report, count_queries):
    sign_in(client, governance_lead)
    for _ in range(2):
        make_report("device")
    with count_queries() as few:
        assert client.get("/review/").status_code == 200
    for _ in range(10):
        make_report("device")
    with count_queries() as many:
        assert client.get("/review/").status_code == 200
    assert len(few) == len(many)


@pytest.mark.parametrize("sort", ["due", "newest"])
def test_open_states_page_through_the_merged_per_state_ranges(app, client, governance_lead, make_report, sort):
    app.config["ECT_PAGE_SIZE"] = 3
    states = ["draft", "submitted_for_review", "returned", "approved", "closed"]
    made = [make_report(state=states[i % 5], due_date=TODAY + timedelta(days=(7 * i) % 5)) for i in range(10)]
    made.append(make_report(state="returned", due_date=None))
    for i, report in enumerate(made):
        report.created_at = datetime(2026, 1, 1 + (i * 3) % 7)
    db.session.commit()
    live = [r for r in made if r.state != "closed"]
    if sort == "due":
        expected = sorted(live, key=lambda r: (r.due_date is None, r.due_date or TODAY, r.id))
    else:
        expected = sorted(live, key=lambda r: (r.created_at, r.id), reverse=True)
    sign_in(client, governance_lead)
    by_offset = [
        ref
        for page in (1, 2, 3)
        for ref in page_refs_in_order(client.get(f"/review/?state=open&sort={sort}&page={page}").get_data(as_text=True))
    ]
    assert by_offset == [r.reference for r in expected]
    html = client.get(f"/review/?state=open&sort={sort}").get_data(as_text=True)
    second = client.get(_link(html, "next")).get_data(as_text=True)
    third = client.get(_link(second, "next")).get_data(as_text=True)
    assert page_refs_in_order(third) == [r.reference for r in expected[6:]]
    back = client.get(_link(third, "prev")).get_data(as_text=True)
    assert page_refs_in_order(back) == [r.reference for r in expected[3:6]]
