"""People who use the app, and the API tokens issued to them."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ect_reporting.extensions import db
from ect_reporting.models._common import utcnow
from ect_reporting.models.site import Site, Team

FULL_NAME_LENGTH = 120


class User(UserMixin, db.Model):
    """A clinician, governance lead or administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(FULL_NAME_LENGTH))
    role: Mapped[str] = mapped_column(String(32))
    profession: Mapped[str | None] = mapped_column(String(80))
    organisation: Mapped[str | None] = mapped_column(String(160))
    qualification: Mapped[str | None] = mapped_column(String(32))  # vocab.QUALIFICATIONS (E2B C.2.r.4)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active_user: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Stored in the signed session cookie at sign-in and compared on every
    # request: raising it (sign-out, new password, deactivation, role change)
    # ends every browser session of this user at once, with no session table.
    session_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    # Set when an administrator chose the password (new account, reset): the
    # person must choose their own before anything else (users.change_own_password).
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

    site: Mapped[Site] = relationship()
    team: Mapped[Team | None] = relationship()

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.is_active_user

    def has_role(self, *roles: str) -> bool:
        """Return True when the user holds any of ``roles``."""
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # Written at most once a minute (see users.user_for_token), not per request.
    last_used_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    @staticmethod
    def digest(token: str) -> str:
        """Hash a presented token; tokens are random so no salt is needed."""
        return hashlib.sha256(token.encode("utf-8")).hexdigest()
