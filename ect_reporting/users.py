"""User accounts: creation, password checks, activation and API tokens.

Passwords are hashed with argon2id (argon2-cffi). API tokens are random
and only their SHA-256 digest is stored, so a database leak does not
leak usable tokens.

Changes made by an administrator (``actor``) write an audit row in the
same transaction; like every domain function here they flush but never
commit. Neither passwords nor tokens ever reach the audit row or a log.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ect_reporting.audit import record_event
from ect_reporting.models import ApiToken, User
from ect_reporting.vocab import QUALIFICATIONS, ROLES

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 12


class UserError(ValueError):
    """Raised when a user cannot be created or changed as asked.

    ``field`` names the input the message is about (``email``, ``role``,
    ``password``...), or is None when it is about the request as a whole.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters", field="password")


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
    qualification: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a user after checking role, e-mail uniqueness and password length.

    Always audited: ``actor`` is the administrator on the web page, or
    None for the command line and demo seeding (recorded as the system).
    """
    email = email.strip().lower()
    if role not in ROLES:
        raise UserError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}", field="role")
    _check_password(password)
    if "@" not in email:
        raise UserError("Enter an e-mail address in the correct format, like name@nhs.net", field="email")
    if not full_name.strip():
        raise UserError("Enter the person's full name", field="full_name")
    if qualification and qualification not in QUALIFICATIONS:
        raise UserError(
            f"Unknown qualification {qualification!r}; choose one of {', '.join(QUALIFICATIONS)}",
            field="qualification",
        )
    if find_user_by_email(db_session, email) is not None:
        raise UserError(f"A user with e-mail {email} already exists", field="email")
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        password_hash=hash_password(password),
        profession=(profession or "").strip() or None,
        organisation=(organisation or "").strip() or None,
        qualification=qualification or None,
    )
    db_session.add(user)
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="create",
        object_type="user",
        object_id=user.id,
        details={"email": user.email, "role": user.role},
    )
    return user


def set_active(db_session: Session, actor: User, user: User, active: bool) -> User:
    """Deactivate or reactivate ``user``; an administrator cannot deactivate themselves.

    A deactivated user cannot sign in, their browser session ends on its
    next request and their API tokens are refused (see ``user_for_token``);
    the tokens work again if the account is reactivated.
    """
    if not active and user.id == actor.id:
        raise UserError("You cannot deactivate your own account. Ask another administrator.")
    if user.is_active_user == active:
        return user
    user.is_active_user = active
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="reactivate" if active else "deactivate",
        object_type="user",
        object_id=user.id,
    )
    return user


def reset_password(db_session: Session, actor: User, user: User, password: str) -> User:
    """Give ``user`` a new password chosen by an administrator (audited, never logged)."""
    _check_password(password)
    user.password_hash = hash_password(password)
    db_session.flush()
    record_event(db_session, actor=actor, action="reset_password", object_type="user", object_id=user.id)
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


def issue_token(db_session: Session, user: User, label: str | None = None, *, actor: User | None = None) -> str:
    """Create an API token for ``user`` and return it (shown once only).

    With an ``actor`` (an administrator on the web page) the account must
    be active. Always audited (``actor`` None is the command line): the
    row names the token by id and label - never the token itself.
    """
    if actor is not None and not user.is_active_user:
        raise UserError("Reactivate this account before issuing it an API token")
    token = secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_sha256=ApiToken.digest(token), label=(label or "").strip() or None)
    db_session.add(row)
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="issue_token",
        object_type="user",
        object_id=user.id,
        details={"token_id": row.id, "label": row.label},
    )
    return token


def user_for_token(db_session: Session, token: str) -> User | None:
    """Return the active user owning an unrevoked ``token``."""
    row = db_session.scalar(
        select(ApiToken).where(ApiToken.token_sha256 == ApiToken.digest(token), ApiToken.revoked.is_(False))
    )
    if row is None or not row.user.is_active_user:
        return None
    return row.user
