"""Domain functions for ECT sessions: create and update.

They take the acting user and typed values (keyed by model attribute),
check the rules, write an audit row and flush. The caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ect_reporting import rules, udi
from ect_reporting.audit import record_changes, record_event
from ect_reporting.exceptions import ValidationFailed
from ect_reporting.fields import SESSION_FIELDS
from ect_reporting.models import EctSession, User

_SESSION_ATTRS = tuple(f.attr for f in SESSION_FIELDS)


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Keep known attributes; strip text and store empty text as None."""
    cleaned: dict[str, Any] = {}
    for attr in _SESSION_ATTRS:
        if attr in values:
            value = values[attr]
            if isinstance(value, str):
                value = value.strip() or None
            cleaned[attr] = value
    if cleaned.get("patient_initials"):
        cleaned["patient_initials"] = cleaned["patient_initials"].upper()
    return cleaned


def create_session(
    db_session: Session, actor: User, values: Mapping[str, Any], *, today: date | None = None
) -> EctSession:
    """Record a new ECT session, or raise ``ValidationFailed``."""
    cleaned = udi.fill_from_udi(_clean(values))
    errors = rules.session_errors(cleaned, today=today or date.today(), creating=True)
    if errors:
        raise ValidationFailed(errors)
    session = EctSession(created_by=actor, site_id=actor.site_id, team_id=actor.team_id, **cleaned)
    db_session.add(session)
    db_session.flush()
    record_event(db_session, actor=actor, action="create", object_type="session", object_id=session.id)
    return session


def update_session(
    db_session: Session, actor: User, session: EctSession, values: Mapping[str, Any], *, today: date | None = None
) -> EctSession:
    """Change a session's values, recording old and new values in the audit row."""
    cleaned = _clean(values)
    merged = {attr: getattr(session, attr) for attr in _SESSION_ATTRS} | cleaned
    cleaned |= udi.udi_fills(merged)  # fields the UDI supplies, left empty before and after this edit
    merged |= cleaned
    errors = rules.session_errors(merged, today=today or date.today(), creating=True)
    if errors:
        raise ValidationFailed(errors)
    changes = {}
    for attr, value in cleaned.items():
        old = getattr(session, attr)
        if old != value:
            changes[attr] = {"old": old, "new": value}
            setattr(session, attr, value)
    if changes:
        db_session.flush()
        record_changes(db_session, actor=actor, object_type="session", object_id=session.id, changes=changes)
    return session
