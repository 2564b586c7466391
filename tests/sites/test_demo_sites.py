"""The demo has a site with a two-clinician team and a second site (issue 11)."""

from __future__ import annotations

from sqlalchemy import select

from ect_reporting import access, demo, users
from ect_reporting.extensions import db
from ect_reporting.models import EctSession


def test_demo_team_shares_its_session_and_the_other_site_sees_nothing(app):
    lines = demo.seed_demo(db.session)
    demo.seed_demo(db.session)  # twice: nothing is duplicated
    db.session.commit()
    assert any("nurse@example.nhs.uk" in line for line in lines)
    alex = users.find_user_by_email(db.session, "clinician@example.nhs.uk")
    chris = users.find_user_by_email(db.session, "nurse@example.nhs.uk")
    other = users.find_user_by_email(db.session, "other.site@example.nhs.uk")
    lead = users.find_user_by_email(db.session, "governance@example.nhs.uk")
    [session] = db.session.scalars(select(EctSession)).all()
    assert alex.team_id == chris.team_id is not None
    assert access.can_view_session(chris, session) and access.can_view_session(lead, session)
    assert not access.can_view_session(other, session) and other.site_id != alex.site_id
