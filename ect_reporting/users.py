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
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from ect_reporting import passwords, session_policy, sites
from ect_reporting.audit import record_event
from ect_reporting.models import ApiToken, Site, Team, User
from ect_reporting.session_policy import DEFAULT_TOKEN_DAYS, naive_utc
from ect_reporting.vocab import QUALIFICATIONS, ROLES

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH


class UserError(ValueError):
    """Raised when a user cannot be created or changed as asked.

    ``field`` names the input the message is about (``email``, ``role``,
    ``password``...), or is None when it is about the request as a whole.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _check_password(password: str, email: str | None = None, field: str = "password") -> None:
    """Apply the NCSC-style rules in ``passwords`` (length and deny-list; no composition rules)."""
    problem = passwords.password_problem(password, email=email)
    if problem:
        raise UserError(problem, field=field)


def _check_new_user(db_session: Session, *, email: str, full_name: str, role: str, qualification: str | None) -> None:
    """Raise ``UserError`` naming the first field a new account cannot have."""
    if role not in ROLES:
        raise UserError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}", field="role")
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
    site: Site | None = None,
    team: Team | None = None,
    must_change_password: bool = False,
) -> User:
    """Create a user after checking role, e-mail uniqueness and password length.

    Always audited: ``actor`` is the administrator on the web page, or
    None for the command line and demo seeding (recorded as the system).
    Without a ``site`` the user joins the default site. An administrator
    who types a password for someone else sets ``must_change_password``.
    """
    email = email.strip().lower()
    _check_new_user(db_session, email=email, full_name=full_name, role=role, qualification=qualification)
    _check_password(password, email)
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        password_hash=hash_password(password),
        profession=(profession or "").strip() or None,
        organisation=(organisation or "").strip() or None,
        qualification=qualification or None,
        must_change_password=must_change_password,
    )
    user.site = site or (team.site if team else sites.default_site(db_session))
    if team is not None and team.site_id != user.site.id:
        raise UserError(f"{team.name} is a team of another site", field="team_id")
    user.team = team
    db_session.add(user)
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="create",
        object_type="user",
        object_id=user.id,
        details={"email": user.email, "role": user.role, "site_id": user.site.id, "team_id": team.id if team else None},
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
    if not active:
        end_sessions(user)
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="reactivate" if active else "deactivate",
        object_type="user",
        object_id=user.id,
    )
    return user


def end_sessions(user: User) -> None:
    """End every browser session ``user`` has open (their cookies carry the old version).

    The caller audits the event that caused it; this only moves the counter.
    """
    user.session_version = (user.session_version or 0) + 1


def reset_password(
    db_session: Session,
    actor: User,
    user: User,
    password: str,
    *,
    keep_tokens: bool = False,
    moment: datetime | None = None,
) -> User:
    """Give ``user`` a new password chosen by an administrator (audited, never logged).

    A new password usually means the old one leaked, so every browser
    session of the user ends and, unless the administrator explicitly
    keeps them, so do their API tokens (a leaked password may have been
    used to obtain one).
    """
    _check_password(password, user.email)
    user.password_hash = hash_password(password)
    # The administrator knows it: the person chooses their own at their next sign-in.
    user.must_change_password = True
    end_sessions(user)
    revoked = [] if keep_tokens else _revoke_all(user, moment or session_policy.now())
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="reset_password",
        object_type="user",
        object_id=user.id,
        details={"sessions_ended": True, "tokens_kept": keep_tokens, "tokens_revoked": revoked},
    )
    return user


def change_own_password(db_session: Session, user: User, current_password: str, new_password: str) -> User:
    """Let ``user`` replace their password (required after an administrator set it).

    Checks the current password (a borrowed, still signed-in browser must
    not be enough) and the rules in ``passwords``; the new one must differ.
    Every other browser session ends; the caller keeps this one signed in.
    API tokens are kept: the person did this, not an attacker with the old password.
    """
    if not _verifies(user, current_password):
        raise UserError("Your current password is not correct", field="current_password")
    _check_password(new_password, user.email, field="password")
    if new_password == current_password:
        raise UserError("Choose a new password, not the one you have now", field="password")
    was_forced = user.must_change_password
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    end_sessions(user)
    db_session.flush()
    record_event(
        db_session, actor=user, action="change_password", object_type="user", object_id=user.id,
        details={"required_by_administrator": was_forced},
    )
    return user


def _verifies(user: User, password: str) -> bool:
    """Whether ``password`` is the user's (argon2 check; False for a damaged hash)."""
    try:
        return bool(_hasher.verify(user.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def change_role(db_session: Session, actor: User, user: User, role: str) -> User:
    """Give ``user`` another role; their sessions end so no page keeps the old rights.

    An administrator cannot change their own role (it could leave no
    administrator). API tokens act with the user's current role, so they
    are kept.
    """
    if role not in ROLES:
        raise UserError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}", field="role")
    if user.id == actor.id:
        raise UserError("You cannot change your own role. Ask another administrator.", field="role")
    if user.role == role:
        return user
    old_role, user.role = user.role, role
    end_sessions(user)
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="change_role",
        object_type="user",
        object_id=user.id,
        details={"from": old_role, "to": role},
    )
    return user


def sign_out(db_session: Session, user: User) -> None:
    """Record a sign-out and end every browser session of ``user``.

    Ending all of them (not just this browser's) is deliberate: the
    session is a signed cookie, so a copy taken before sign-out would
    otherwise keep working until it expired.
    """
    end_sessions(user)
    db_session.flush()
    record_event(db_session, actor=user, action="sign_out", object_type="user", object_id=user.id)


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


def issue_token(
    db_session: Session,
    user: User,
    label: str | None = None,
    *,
    actor: User | None = None,
    days: int = DEFAULT_TOKEN_DAYS,
    moment: datetime | None = None,
) -> str:
    """Create an API token for ``user`` and return it (shown once only).

    It expires ``days`` days from now (the ``ECT_TOKEN_DAYS`` setting): a
    token copied into a forgotten script stops working on its own. With
    an ``actor`` (an administrator on the web page) the account must be
    active. Always audited (``actor`` None is the command line): the row
    names the token by id and label - never the token itself.
    """
    if actor is not None and not user.is_active_user:
        raise UserError("Reactivate this account before issuing it an API token")
    if days < 1:
        raise UserError("A token must last at least one day")
    issued = naive_utc(moment or session_policy.now())
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        token_sha256=ApiToken.digest(token),
        label=(label or "").strip() or None,
        created_at=issued,
        expires_at=issued + timedelta(days=days),
    )
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


# Write "last used" at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def user_for_token(db_session: Session, token: str, *, moment: datetime | None = None) -> User | None:
    """Return the active user owning an unrevoked, unexpired ``token``.

    Moves the token's "last used" forward when it is a minute or more old;
    the change is left pending (not flushed) for the caller to commit, so a
    busy integration costs one write a minute rather than one per request.
    """
    row = db_session.scalar(  # the user in the same statement: every API request needs both
        select(ApiToken)
        .where(ApiToken.token_sha256 == ApiToken.digest(token), ApiToken.revoked.is_(False))
        .options(joinedload(ApiToken.user))
    )
    when = naive_utc(moment or session_policy.now())
    if row is None or naive_utc(row.expires_at) <= when or not row.user.is_active_user:
        return None
    if row.last_used_at is None or when - naive_utc(row.last_used_at) >= LAST_USED_RESOLUTION:
        row.last_used_at = when
    return row.user


def token_status(row: ApiToken, moment: datetime | None = None) -> str:
    """Return ``revoked``, ``expired``, ``refused`` (account deactivated) or ``works``."""
    if row.revoked:
        return "revoked"
    if naive_utc(row.expires_at) <= naive_utc(moment or session_policy.now()):
        return "expired"
    return "works" if row.user.is_active_user else "refused"


def tokens_of(db_session: Session, user: User) -> list[ApiToken]:
    """Return ``user``'s tokens, newest first."""
    return list(
        db_session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def _revoke_all(user: User, moment: datetime) -> list[int]:
    """Revoke every live token of ``user``; return their ids for the audit row."""
    ids = []
    for row in user.tokens:
        if not row.revoked:
            row.revoked, row.revoked_at = True, naive_utc(moment)
            ids.append(row.id)
    return sorted(ids)


def revoke_token(
    db_session: Session, row: ApiToken, *, actor: User | None = None, moment: datetime | None = None
) -> bool:
    """Revoke one token (audited; ``actor`` None is the command line).

    Returns False, writing nothing, when it was already revoked, so a
    double click or a repeated command does not add a second audit row.
    """
    if row.revoked:
        return False
    row.revoked, row.revoked_at = True, naive_utc(moment or session_policy.now())
    db_session.flush()
    record_event(
        db_session,
        actor=actor,
        action="revoke_token",
        object_type="user",
        object_id=row.user_id,
        details={"token_id": row.id, "label": row.label},
    )
    return True
