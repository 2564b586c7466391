"""Flask glue every blueprint shares: the acting user, role checks, settings.

Domain functions never read ``current_app`` or ``current_user``; the
blueprints call these helpers and pass plain values in. Sibling
blueprints import this module instead of each other.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, request
from flask_login import current_user, login_required

from ect_reporting import clinical, clocks
from ect_reporting.config import E2bSettings, OpcsSettings
from ect_reporting.exceptions import Forbidden
from ect_reporting.models import User

F = TypeVar("F", bound=Callable[..., Any])


def current_actor() -> User:
    """Return the signed-in user as a model instance (not Flask-Login's proxy)."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow the view only to signed-in users holding one of ``roles`` (else 403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                raise Forbidden("Your role does not give access to this page")
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def clock_rules() -> clocks.ClockRules:
    """Return the reporting clock rules from this app's ECT_CLOCK_* settings."""
    return clocks.ClockRules.from_mapping(current_app.config)


def clinical_settings() -> clinical.ClinicalSettings:
    """Return the clinical warning thresholds from this app's settings."""
    return clinical.ClinicalSettings.from_mapping(current_app.config)


def organisation_code() -> str:
    """Return this app's ECT_ORGANISATION_CODE, the ORG part of E2B case ids."""
    return str(current_app.config.get("ECT_ORGANISATION_CODE") or "ECT")


def opcs_settings() -> OpcsSettings:
    """Return this site's OPCS-4 coding choices from its ECT_OPCS_* settings."""
    return OpcsSettings.from_mapping(current_app.config)


def e2b_settings() -> E2bSettings:
    """Return this site's E2B(R3) sender, receiver and schema folder from its ECT_E2B_* settings."""
    return E2bSettings.from_mapping(current_app.config)


def form_action() -> str:
    """Return the URL a page's form posts back to: this path and query, never a fragment.

    A form without ``action`` posts to the address bar, fragment included:
    after the skip link that is ``...#maincontent``, and the page that
    comes back scrolls there instead of focusing its error summary.
    """
    query = request.query_string.decode()
    return request.path + (f"?{query}" if query else "")
