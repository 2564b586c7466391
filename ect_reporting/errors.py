"""HTTP presentation of errors: one place maps domain exceptions to status codes.

API requests (``/api/...``) always get the one JSON error shape; pages get
an NHS-styled error page. Domain exceptions live in ``exceptions.py``;
views let them propagate instead of repeating try/except blocks.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ect_reporting.exceptions import Forbidden, NotAllowedNow, NotFound, ValidationFailed, VersionConflict
from ect_reporting.extensions import db

# Domain exception -> (status, page title).
_STATUS: dict[type[Exception], tuple[int, str]] = {
    Forbidden: (403, "You cannot do this"),
    NotFound: (404, "Page not found"),
    NotAllowedNow: (409, "This cannot be done now"),
    VersionConflict: (409, "Someone else changed this"),
    ValidationFailed: (422, "There is a problem"),
}


# HTTP status -> (page title, plain-English message) for errors the framework
# raises (an unknown address, a wrong method, a body too large). Werkzeug's own
# texts ("The requested URL was not found on the server...") are not NHS style.
_FRIENDLY_PAGES: dict[int, tuple[str, str]] = {
    400: ("Sorry, there is a problem", "The page could not understand what was sent. Go back and try again."),
    403: (
        "You do not have permission to see this page",
        "Your account does not allow this. If you think it should, contact your administrator.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it was correct. "
        "If you pasted the web address, check you copied the entire address.",
    ),
    405: ("Sorry, this action is not available", "This page cannot be used in that way. Go back and try again."),
    413: (
        "What you sent is too large",
        "The information you sent is larger than the service accepts. "
        "Make long text shorter and try again. Nothing you sent has been saved.",
    ),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you sent has been saved.",
    ),
}

# Statuses whose API message is ours, not the framework's default text.
_API_MESSAGES: dict[int, str] = {
    404: "Not found",
    405: "This method is not allowed here",
    413: "The request body is too large",
}


def wants_json() -> bool:
    """Return True for API requests, which always get JSON errors."""
    return request.path.startswith("/api/")


def error_response(status: int, message: str, **extra: Any) -> tuple[Response, int]:
    """Build the one JSON error shape the API uses."""
    body: dict[str, Any] = {"error": message, "status": status}
    body.update(extra)
    return jsonify(body), status


# What a person can do next after a refusal of ours, by status (the page always offers the start page too).
_NEXT_STEPS: dict[int, str] = {
    403: "If you think you should be able to do this, contact your governance lead or administrator.",
    404: "The report or session may have been typed wrongly, or it may belong to another team.",
}


def error_page(status: int, title: str, message: str, next_step: str | None = None) -> tuple[str, int]:
    """Render the NHS-styled error page."""
    page = render_template(
        "errors/error.html", status=status, title=title, message=message, next_step=next_step
    )
    return page, status


def _domain_error(exc: Exception) -> Any:
    db.session.rollback()
    status, title = _STATUS[type(exc)]
    if isinstance(exc, ValidationFailed):
        message = "The request has invalid or missing fields"
        if wants_json():
            return error_response(status, message, errors=exc.errors)
        details = "; ".join(m for messages in exc.errors.values() for m in messages)
        return error_page(status, title, details or message)
    extra = {"state": exc.state} if isinstance(exc, NotAllowedNow) and exc.state else {}
    if wants_json():
        return error_response(status, str(exc), **extra)
    return error_page(status, title, str(exc), _NEXT_STEPS.get(status))


def _http_error(exc: HTTPException) -> Any:
    """Answer a framework error: our message under /api (errors we raise keep theirs), a friendly page elsewhere.

    An ``ApiError`` (or ``abort`` with a description of our own) carries a
    message written for the caller; Werkzeug's default descriptions are
    replaced. Pages always use the plain-English text for the status.
    """
    status = exc.code or 500
    own_message = exc.description if exc.description != type(exc).description else None
    if wants_json():
        return error_response(status, own_message or _API_MESSAGES.get(status) or exc.name)
    if status in _FRIENDLY_PAGES:
        title, message = _FRIENDLY_PAGES[status]
        return error_page(status, title, message)
    return error_page(status, exc.name, own_message or "Go back and try again.")


def init_errorhandlers(app: Flask) -> None:
    """Register handlers that pick JSON or HTML and roll back on 500."""
    for exception in _STATUS:
        app.register_error_handler(exception, _domain_error)

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException) -> Any:
        return _http_error(exc)

    @app.errorhandler(StaleDataError)
    def handle_stale(exc: StaleDataError) -> Any:
        # Two saves raced: the row's version moved between read and write.
        db.session.rollback()
        message = "The record was changed by someone else while you were saving. Nothing was overwritten."
        if wants_json():
            return error_response(412, message)
        return error_page(409, "Someone else changed this", message)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Any:
        db.session.rollback()
        app.logger.exception("Unhandled error: %s", exc)
        if wants_json():
            return error_response(500, "Internal server error")
        return error_page(500, *_FRIENDLY_PAGES[500])
