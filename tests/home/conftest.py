"""Shared fixtures for the home pages."""

import pytest

from ect_reporting import sites, users
from ect_reporting.extensions import db
from tests.conftest import PASSWORD
from tests.review.conftest import make_report  # noqa: F401  (shared fixture)


@pytest.fixture
def hospitals_free_team(app):
    """Two clinicians on one team of the default site."""
    team = sites.create_team(db.session, None, site=sites.default_site(db.session), name="ECT team")
    people = [
        users.create_user(
            db.session,
            email=f"team{n}@example.nhs.uk",
            full_name=f"Team {n}",
            role="clinician",
            password=PASSWORD,
            team=team,
        )
        for n in (1, 2)
    ]
    db.session.commit()
    return people
