"""Domain exceptions: what went wrong, in words a person can act on.

Domain functions raise these and never know about HTTP. Each blueprint's
error handler (``errors.py``) maps them to a status code once: 422 for
``ValidationFailed``, 403 for ``Forbidden``, 404 for ``NotFound``, 409
for ``NotAllowedNow`` and ``VersionConflict``. Keeping them apart from the
Flask handlers lets the domain run in the CLI and in tests without an app.
"""

from __future__ import annotations

Errors = dict[str, list[str]]


class ValidationFailed(Exception):
    """Input broke one or more rules; ``errors`` maps field path -> messages."""

    def __init__(self, errors: Errors) -> None:
        super().__init__("validation failed")
        self.errors = errors


class VersionConflict(Exception):
    """The caller edited an older version of a record than the current one."""

    def __init__(self, current_version: int) -> None:
        super().__init__("version conflict")
        self.current_version = current_version


class Forbidden(Exception):
    """The user may not do this to this object (HTTP 403)."""


class NotFound(Exception):
    """There is no such object (HTTP 404)."""


class NotAllowedNow(Exception):
    """The action does not apply to the object's current state (HTTP 409)."""

    def __init__(self, message: str, state: str | None = None) -> None:
        super().__init__(message)
        self.state = state
