"""The dashboard: figures, accessible charts, and a constant number of queries."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from ect_reporting.extensions import db
from ect_reporting.reports import follow_ups
from ect_reporting.review import figures
from ect_reporting.review.charts import bar_chart
from ect_reporting.review.figures import Count
from tests.review.helpers import TODAY, URTICARIA, sign_in

PAIN = "10033371"
SKIN_ULCERATION = "10040947"


def counts(items: list[Count]) -> dict[str, int]:
    return {c.key: c.count for c in items if c.count}


def test_counts_by_state_and_kind_and_overdue(make_report):
    make_report(state="draft", due_date=TODAY - timedelta(days=1))  # overdue
    make_report(state="submitted_for_review", due_date=TODAY)  # due soon
    make_report("device", state="submitted_for_review", due_date=TODAY - timedelta(days=5))  # overdue
    make_report("device", state="closed", due_date=TODAY - timedelta(days=5))  # finished: not overdue
    data = figures.dashboard(db.session, today=TODAY)
    assert counts(data.by_state) == {"draft": 1, "submitted_for_review": 2, "closed": 1}
    assert [c.key for c in data.by_state] == list(figures.vocab.REPORT_STATES)  # every state, zeros included
    assert counts(data.by_kind) == {"medicine": 2, "device": 2}
    assert data.state_kind[("submitted_for_review", "device")] == 1
    assert data.total == 4
    assert data.overdue == 2
    assert data.due_soon == 1


def test_new_reports_per_month_for_the_last_twelve_months(make_report, governance_lead):
    for created in (
        datetime(2026, 3, 2),
        datetime(2026, 3, 9),
        datetime(2026, 1, 31, 23, 59),
        datetime(2025, 4, 1),
        datetime(2025, 3, 31),
    ):  # the last one is thirteen months back
        make_report(created_at=created)
    make_report(created_at=datetime(2026, 2, 10), state="withdrawn")
    # A follow-up is a new version of a case, not a new case.
    sent = make_report(created_at=datetime(2026, 2, 11), state="closed")
    follow_ups.create_follow_up(db.session, governance_lead, sent).created_at = datetime(2026, 3, 3)
    db.session.commit()
    data = figures.dashboard(db.session, today=TODAY)
    assert next(c.key for c in data.per_month) == "2025-04"
    assert [c.key for c in data.per_month][-1] == "2026-03"
    assert len(data.per_month) == 12
    assert counts(data.per_month) == {"2025-04": 1, "2026-01": 1, "2026-02": 1, "2026-03": 2}
    assert data.per_month[-1].label == "Mar 2026"


def test_top_reactions_count_reports_with_meddra_terms(make_report):
    make_report(reactions=[{"meddra_code": URTICARIA}, {"meddra_code": URTICARIA}, {"meddra_code": PAIN}])
    make_report(reactions=[{"meddra_code": URTICARIA}, {"meddra_code": None, "verbatim": "odd"}])
    make_report(reactions=[{"meddra_code": SKIN_ULCERATION}], state="withdrawn")
    data = figures.dashboard(db.session, today=TODAY)
    assert [(c.key, c.count) for c in data.top_reactions] == [(URTICARIA, 2), (PAIN, 1)]
    assert data.top_reactions[0].label == f"Urticaria ({URTICARIA})"


def test_device_problems_drugs_and_models_count_each_case_once(make_report, make_session, governance_lead):
    first = make_report(
        "device", device_problem_codes=["A0201", "A24"], generator_model="Gen-1", electrode_model="E-1", state="closed"
    )
    make_report("device", device_problem_codes=["A0201"], generator_model="Gen-1", electrode_model="E-2")
    make_report("device", device_problem_codes=["A24"], generator_model="Gen-2", state="withdrawn")
    # The follow-up supersedes the first report: it is counted instead, not as well.
    follow_ups.create_follow_up(db.session, governance_lead, first).device_problem_codes = ["A020602"]
    make_report(drug="bleomycin")
    make_report(drug="bleomycin")
    make_report(session=make_session(drug="cisplatin", dose=20.0, dose_unit="mg"), drug="cisplatin")
    db.session.commit()
    data = figures.dashboard(db.session, today=TODAY)
    assert counts(data.top_device_problems) == {"A0201": 1, "A020602": 1}
    assert data.top_device_problems[0].label.endswith("(A0201)")
    assert [(c.key, c.count) for c in data.by_drug] == [("bleomycin", 2), ("cisplatin", 1)]
    assert counts(data.by_device_model) == {"generator:Gen-1": 2, "electrode:E-1": 1, "electrode:E-2": 1}
    assert data.by_device_model[0].label == "Gen-1 (generator)"


def test_bar_chart_geometry_and_description():
    chart = bar_chart("c", "Title", [Count("a", "Alpha", 4), Count("b", "A very long label that will not fit here", 2)])
    assert chart.bars[0].width == 2 * chart.bars[1].width
    assert chart.bars[1].short_label.endswith("…") and len(chart.bars[1].short_label) == 30
    assert chart.description == "Bar chart of reports. Alpha: 4; A very long label that will not fit here: 2."
    assert bar_chart("e", "Empty", [Count("a", "A", 0)]).empty


def test_dashboard_page_has_accessible_svg_charts_with_tables(client, governance_lead, make_report):
    make_report(reactions=[{"meddra_code": URTICARIA}], drug="bleomycin")
    make_report("device", device_problem_codes=["A0201"], generator_model="Gen-<1>")
    sign_in(client, governance_lead)
    response = client.get("/review/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    charts = html[html.index('id="main-heading"') :]
    svgs = re.findall(r"<svg.*?</svg>", charts, flags=re.S)
    assert len(svgs) == 6
    for svg in svgs:
        assert svg.startswith('<svg role="img"')
        ids = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
        assert re.search(rf'<title id="{ids[0]}">[^<]+</title>', svg)
        assert re.search(rf'<desc id="{ids[1]}">[^<]+</desc>', svg)
        assert "<text" in svg  # labels and values as text, not colour alone
    assert html.count('<table class="nhsuk-table') == 9  # state x kind, on time by kind and by month, one per chart
    assert "Urticaria" in html
    assert "Gen-&lt;1&gt; (generator)" in html and "Gen-<1>" not in html


def test_dashboard_with_no_reports(client, governance_lead):
    sign_in(client, governance_lead)
    html = client.get("/review/dashboard").get_data(as_text=True)
    assert "No report is overdue." in html
    assert "<svg" in html  # the twelve months are always drawn
    assert "No reports to show yet." in html


def _add_reports(make_report, n: int, start: int) -> None:
    today = date.today()
    for i in range(start, start + n):
        if i % 2:
            make_report(
                "device",
                device_problem_codes=["A0201", "A24"][: 1 + i % 2],
                generator_model=f"Gen-{i % 3}",
                electrode_model=f"E-{i % 4}",
                due_date=today - timedelta(days=i % 5),
                state=["draft", "submitted_for_review", "closed"][i % 3],
            )
        else:
            make_report(
                reactions=[{"meddra_code": URTICARIA, "onset_date": today}, {"meddra_code": PAIN}],
                due_date=today + timedelta(days=i % 7),
                state=["approved", "sent_to_mhra", "returned"][i % 3],
            )


def test_dashboard_query_count_is_constant_as_data_grows(client, governance_lead, make_report, count_queries):
    sign_in(client, governance_lead)
    _add_reports(make_report, 2, 0)
    with count_queries() as two:
        assert client.get("/review/dashboard").status_code == 200
    _add_reports(make_report, 18, 2)
    with count_queries() as twenty:
        assert client.get("/review/dashboard").status_code == 200
    assert len(two) == len(twenty), (len(two), len(twenty))
    # One for the signed-in user, seven for the figures, one for the header's "Needs action" count.
    assert len(twenty) <= 9, twenty


def test_dashboard_cards_link_to_the_filtered_queue(client, governance_lead, make_report):
    make_report(state="submitted_for_review", due_date=TODAY - timedelta(days=1))
    sign_in(client, governance_lead)
    html = client.get("/review/dashboard").get_data(as_text=True)
    assert 'href="/review/?state=open&amp;due=overdue">Show the overdue report</a>' in html
    assert "Nothing is due in the next few days." in html
    assert 'href="/review/?state=all">Show all reports</a>' in html


def test_case_figures_are_reused_until_a_report_changes(client, governance_lead, make_report, count_queries):
    make_report(drug="bleomycin")
    sign_in(client, governance_lead)
    client.get("/review/dashboard")
    with count_queries() as warm:
        assert client.get("/review/dashboard").status_code == 200
    make_report(drug="cisplatin")
    with count_queries() as changed:
        html = client.get("/review/dashboard").get_data(as_text=True)
    warm, changed = ([s for s in run if "FROM users" not in s] for run in (warm, changed))
    # Warm: only the fingerprint (and the header's "Needs action" count); a change recomputes the six figures.
    assert [s.split()[1] for s in warm] == ["count(*)", "count(*)"], warm
    assert sum("max(reports.id)" in s for s in warm) == 1, warm
    assert len(changed) == len(warm) + 6, changed
    assert "Cisplatin" in html


def test_on_time_rate_per_month_and_kind_and_median_days_to_send(make_report):
    aware = date(2026, 2, 1)
    for sent, due, kind in (
        (date(2026, 2, 10), date(2026, 2, 16), "medicine"),  # 9 days, on time
        (date(2026, 2, 16), date(2026, 2, 16), "medicine"),  # 15 days, on time (due today is not late)
        (date(2026, 3, 5), date(2026, 3, 3), "device"),  # 32 days, late
    ):
        make_report(kind, state="sent_to_mhra", awareness_date=aware, due_date=due, mhra_sent_date=sent)
    make_report(state="submitted_for_review", due_date=date(2026, 1, 1))  # not sent: not judged
    data = figures.dashboard(db.session, today=TODAY, cache=False)
    by_month = {row.key: (row.on_time, row.late, row.rate) for row in data.on_time_by_month if row.sent}
    assert by_month == {"2026-02": (2, 0, 100), "2026-03": (0, 1, 0)}
    assert [(row.key, row.on_time, row.late) for row in data.on_time_by_kind] == [
        ("medicine", 2, 0), ("device", 0, 1), ("defective_medicine", 0, 0)
    ]
    assert data.median_days_to_send == 15.0


def test_dashboard_page_shows_sending_figures(client, governance_lead, make_report):
    make_report(state="sent_to_mhra", awareness_date=date.today(), due_date=date.today(), mhra_sent_date=date.today())
    sign_in(client, governance_lead)
    html = client.get("/review/dashboard").get_data(as_text=True)
    assert "Sending to the regulator" in html
    assert "Median time from awareness to sending: <strong>0 days</strong>" in html
    assert "100%" in html
