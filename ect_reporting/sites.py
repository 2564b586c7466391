"""Sites and teams: create them, and put people on them.

Domain functions in the house style: they take the acting administrator
and plain values, check, write one audit row and flush; the caller commits.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ect_reporting.audit import record_event
from ect_reporting.models import Site, Team, User
from ect_reporting.models.site import DEFAULT_SITE_CODE, SITE_NAME_LENGTH


class SiteError(ValueError):
    """Raised when a site or team cannot be created or assigned as asked; ``field`` names the input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def default_site(db_session: Session) -> Site:
    """Return the default site, creating it when an empty database has none.

    Migration 0008 creates it; an emptied database (tests) or a brand-new
    one built without migrations may not have it yet.
    """
    site = db_session.scalar(select(Site).where(Site.code == DEFAULT_SITE_CODE))
    if site is None:
        site = Site(code=DEFAULT_SITE_CODE, name="Default site")
        db_session.add(site)
        db_session.flush()
    return site


def all_sites(db_session: Session) -> list[Site]:
    """Return every site by name (administrators choose among them)."""
    return list(db_session.scalars(select(Site).order_by(Site.name)))


def all_teams(db_session: Session) -> list[Team]:
    """Return every team, grouped by site name then team name."""
    return list(db_session.scalars(select(Team).join(Team.site).order_by(Site.name, Team.name)))


def create_site(db_session: Session, actor: User | None, *, code: str, name: str) -> Site:
    """Create a site with a unique short code (2-20 capital letters, digits or hyphens)."""
    code = code.strip().upper()
    name = name.strip()
    if not (2 <= len(code) <= 20) or not all(c.isalnum() or c == "-" for c in code):
        raise SiteError("Enter a code of 2 to 20 letters, digits or hyphens, like RXH-DERM", field="code")
    if not name or len(name) > SITE_NAME_LENGTH:
        raise SiteError(f"Enter the site's name (at most {SITE_NAME_LENGTH} characters)", field="name")
    if db_session.scalar(select(func.count()).select_from(Site).where(Site.code == code)):
        raise SiteError(f"A site with code {code} already exists", field="code")
    site = Site(code=code, name=name)
    db_session.add(site)
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="create",
        object_type="site",
        object_id=site.id,
        details={"code": code, "name": name},
    )
    return site


def create_team(db_session: Session, actor: User | None, *, site: Site, name: str) -> Team:
    """Create a team at ``site``; team names are unique within a site."""
    name = name.strip()
    if not name or len(name) > 120:
        raise SiteError("Enter the team's name (at most 120 characters)", field="name")
    taken = select(func.count()).select_from(Team).where(Team.site_id == site.id, Team.name == name)
    if db_session.scalar(taken):
        raise SiteError(f"{site.name} already has a team called {name}", field="name")
    team = Team(site=site, name=name)
    db_session.add(team)
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="create",
        object_type="team",
        object_id=team.id,
        details={"site_id": site.id, "name": name},
    )
    return team


def place_user(db_session: Session, actor: User | None, user: User, *, site: Site, team: Team | None) -> User:
    """Put ``user`` on ``site`` and (optionally) ``team``, which must belong to that site.

    Moving someone ends their browser sessions: what they may see changes
    at once, not at their next sign-in. Their sessions stay where they were recorded.
    """
    if team is not None and team.site_id != site.id:
        raise SiteError(f"{team.name} is a team of another site; choose one of {site.name}'s teams", field="team_id")
    old = (user.site_id, user.team_id)
    new = (site.id, team.id if team else None)
    if old == new:
        return user
    user.site = site
    user.team = team
    user.session_version = (user.session_version or 0) + 1
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="place",
        object_type="user",
        object_id=user.id,
        details={"site_id": [old[0], new[0]], "team_id": [old[1], new[1]]},
    )
    return user
