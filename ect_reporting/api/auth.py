"""Bearer-token authentication and JSON body handling for the API."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from ect_reporting import users
from ect_reporting.errors import error_response
from ect_reporting.extensions import db
from ect_reporting.models import User

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# The deepest body API v1 has is a list of objects inside an object
# (reactions.0.outcome); 32 leaves room and keeps every walk over a body cheap.
MAX_JSON_DEPTH = 32


class ApiError(HTTPException):
    """An API error carrying its own JSON response."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message, response=error_response(status, message, **extra)[0])
        self.code = status
        self.response.status_code = status  # type: ignore[union-attr]


def authenticate_request() -> User:
    """Return the caller: a bearer token, or (for reads) the browser session.

    Writes need a bearer token: cookies ride along with cross-site
    requests, tokens do not, so this closes the CSRF hole for the
    CSRF-exempt API.
    """
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = users.user_for_token(db.session, header[len("Bearer ") :].strip())
        if user is None:
            # One message for unknown, revoked and expired: the caller needs a
            # new token in each case, and an attacker learns nothing more.
            raise ApiError(401, "The bearer token is not valid, has expired or was revoked")
        if db.session.dirty:  # "last used" moved (at most once a minute): save it now
            db.session.commit()
        return user
    if request.method in SAFE_METHODS and current_user.is_authenticated:
        return current_user._get_current_object()  # type: ignore[no-any-return]
    raise ApiError(401, "Authentication required: send 'Authorization: Bearer <token>'")


def api_user() -> User:
    """Return the authenticated caller of this request."""
    user: User = g.api_user
    return user


def _too_deep(data: Any, limit: int) -> bool:
    """True when ``data`` nests objects or lists more than ``limit`` levels (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def json_body() -> dict[str, Any]:
    """Return the request's JSON object; 415 for other types, 400 if malformed or nested too deeply.

    The parser itself recurses, so a body nested a thousand levels deep
    raises RecursionError rather than ValueError: both are a bad request.
    A request over ``MAX_CONTENT_LENGTH`` is refused (413) while reading.
    """
    if not request.is_json:
        raise ApiError(415, "Content-Type must be application/json")
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        raise ApiError(400, f"The request body is nested more than {MAX_JSON_DEPTH} levels deep") from None
    if data is None:
        raise ApiError(400, "The request body is not valid JSON")
    if not isinstance(data, dict):
        raise ApiError(400, "The request body must be a JSON object")
    if _too_deep(data, MAX_JSON_DEPTH):
        raise ApiError(400, f"The request body is nested more than {MAX_JSON_DEPTH} levels deep")
    return data
