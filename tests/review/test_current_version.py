"""``reports.is_current``: stored, kept right in the same flush, and what the case figures count."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from ect_reporting.extensions import db
from ect_reporting.models import Report
from ect_reporting.models.case_heads import refresh
from ect_reporting.reports import follow_ups, workflow


def flags(*reports: Report) -> list[bool]:
    for report in reports:
        db.session.refresh(report)
    return [report.is_current for report in reports]


def test_a_new_report_is_current(make_report):
    assert flags(make_report(state="draft")) == [True]


def test_a_follow_up_takes_over_and_gives_back_when_withdrawn(make_report, governance_lead):
    first = make_report(state="closed")
    second = follow_ups.create_follow_up(db.session, governance_lead, first)
    db.session.commit()
    assert flags(first, second) == [False, True]
    workflow.apply_transition(db.session, governance_lead, second, "withdraw", workflow.TransitionInput(comment="Dup"))
    db.session.commit()
    assert flags(first, second) == [True, False]


def test_the_flag_changes_in_the_same_flush_without_a_commit(make_report, governance_lead):
    first = make_report(state="closed")
    second = follow_ups.create_follow_up(db.session, governance_lead, first)
    assert first.is_current is False  # read back after the flush, before any commit
    db.session.rollback()
    assert flags(first) == [True]
    assert second not in db.session


def test_a_withdrawn_report_set_directly_is_not_current(make_report):
    assert flags(make_report(state="withdrawn")) == [False]


def test_refresh_recomputes_every_flag_as_the_migration_backfill_does(make_report, governance_lead):
    first = make_report(state="closed")
    second = follow_ups.create_follow_up(db.session, governance_lead, first)
    lone = make_report(state="withdrawn")
    db.session.commit()
    db.session.execute(update(Report).values(is_current=True))  # as rows written around the ORM might be
    refresh(db.session)
    db.session.commit()
    assert flags(first, second, lone) == [False, True, False]


def test_acknowledging_records_the_day_it_arrived(make_report, governance_lead):
    report = make_report(state="sent_to_mhra", mhra_reference="GB-1")
    given = workflow.TransitionInput(today=date(2026, 3, 12))
    workflow.apply_transition(db.session, governance_lead, report, "acknowledge", given)
    db.session.commit()
    assert report.acknowledged_on == date(2026, 3, 12)
