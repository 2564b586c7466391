"""Failed sign-ins counted per account and client address (see ``ect_reporting.sign_in_guard``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ect_reporting.extensions import db

# Long enough for any IPv6 text form, with room for a zone id.
CLIENT_ADDRESS_LENGTH = 64


class LoginFailure(db.Model):
    """Failed sign-ins for one (account, client address) pair within the current window.

    In the database, not in a worker's memory, so every worker and every
    instance sees the same count. The account is the SHA-256 of the
    normalised e-mail address, so addresses that match no user are counted
    the same way (no hint which accounts exist) and no address is stored
    in clear here.
    """

    __tablename__ = "login_failures"
    __table_args__ = (UniqueConstraint("account_hash", "client_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_hash: Mapped[str] = mapped_column(String(64))
    client_address: Mapped[str] = mapped_column(String(CLIENT_ADDRESS_LENGTH))
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime]
    last_failed_at: Mapped[datetime]
