"""User accounts: creation, password checks and API tokens.

Passwords are hashed with argon2id (argon2-cffi). API tokens are random
and only their SHA-256 digest is stored, so a database leak does not
leak usable tokens.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ect_reporting.models import ApiToken, User
from ect_reporting.vocab import ROLES

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 12


class UserError(ValueError):
    """Raised when a user cannot be created as asked."""


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return _hasher.hash(password)


def create_user(
    db_session: Session,
    *,
    email: str,
    full_name: str,
    role: str,
    password: str,
    profession: str | None = None,
    organisation: str | None = None,
) -> User:
    """Create a user after checking role, e-mail uniqueness and password length."""
    email = email.strip().lower()
    if role not in ROLES:
        raise UserError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters")
    if "@" not in email:
        raise UserError("Enter an e-mail address in the correct format, like name@nhs.net")
    if find_user_by_email(db_session, email) is not None:
        raise UserError(f"A user with e-mail {email} already exists")
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        password_hash=hash_password(password),
        profession=profession,
        organisation=organisation,
    )
    db_session.add(user)
    db_session.flush()
    return user


def find_user_by_email(db_session: Session, email: str) -> User | None:
    """Return the user with this e-mail (case-insensitive), if any."""
    return db_session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(db_session: Session, email: str, password: str) -> User | None:
    """Return the active user whose password matches, else None."""
    user = find_user_by_email(db_session, email)
    if user is None or not user.is_active_user:
        # Spend the same effort as a real check so timing does not reveal
        # which e-mail addresses exist.
        _hasher.hash(password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def issue_token(db_session: Session, user: User, label: str | None = None) -> str:
    """Create an API token for ``user`` and return it (shown once only)."""
    token = secrets.token_urlsafe(32)
    db_session.add(ApiToken(user=user, token_sha256=ApiToken.digest(token), label=label))
    db_session.flush()
    return token


def user_for_token(db_session: Session, token: str) -> User | None:
    """Return the active user owning an unrevoked ``token``."""
    row = db_session.scalar(
        select(ApiToken).where(ApiToken.token_sha256 == ApiToken.digest(token), ApiToken.revoked.is_(False))
    )
    if row is None or not row.user.is_active_user:
        return None
    return row.user
