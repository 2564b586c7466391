"""Where people work: a site (a hospital or trust service) and its teams.

Every user and every ECT session belongs to one site; a team is optional.
A site is the boundary of what people may see: a governance lead sees
their site's reports, a clinician their team's sessions, and nobody sees
across sites except an administrator (``vocab.ALL_SITES_ROLES``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ect_reporting.extensions import db
from ect_reporting.models._common import utcnow

SITE_NAME_LENGTH = 160
# The site the migration puts existing users and sessions on, and the one
# users get when nobody names a site (the command line, the demo, tests).
DEFAULT_SITE_CODE = "DEFAULT"


class Site(db.Model):
    """A hospital or service that performs ECT and reviews its own reports."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(SITE_NAME_LENGTH))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    teams: Mapped[list[Team]] = relationship(back_populates="site", order_by="Team.name")

    def __repr__(self) -> str:
        return f"<Site {self.code}>"


class Team(db.Model):
    """The people who deliver ECT together (operator, anaesthetist, nurse): they share sessions."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("site_id", "name", name="uq_teams_site_id_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site] = relationship(back_populates="teams")

    def __repr__(self) -> str:
        return f"<Team {self.name}>"
