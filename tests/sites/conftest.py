"""Two sites, a team on the first, and people placed on them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from ect_reporting import sites, users
from ect_reporting.extensions import db
from ect_reporting.models import Site, Team, User
from tests.admin.conftest import admin, admin_client  # noqa: F401  (shared fixtures)
from tests.conftest import PASSWORD
from tests.review.conftest import make_report  # noqa: F401  (shared fixture)


@dataclass
class Hospitals:
    """Site A (the default site) with a skin team, and site B."""

    a: Site
    team: Team
    b: Site


@pytest.fixture
def hospitals(app) -> Hospitals:
    a = sites.default_site(db.session)
    team = sites.create_team(db.session, None, site=a, name="Skin oncology")
    b = sites.create_site(db.session, None, code="RXB", name="Other Hospital")
    db.session.commit()
    return Hospitals(a, team, b)


@pytest.fixture
def person(hospitals: Hospitals) -> Callable[..., User]:
    """Factory: person(role, site=None, team=None) -> committed User placed there."""
    counter = {"n": 0}

    def factory(role: str = "clinician", *, site: Site | None = None, team: Team | None = None) -> User:
        counter["n"] += 1
        user = users.create_user(
            db.session,
            email=f"person{counter['n']}@sites.example.nhs.uk",
            full_name=f"Person {counter['n']}",
            role=role,
            password=PASSWORD,
            site=site,
            team=team,
        )
        db.session.commit()
        return user

    return factory
