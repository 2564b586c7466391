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
    Forbidden: (403, "Forbidden"),
    NotFound: (404, "Page not found"),
    NotAllowedNow: (409, "This cannot be done now"),
    VersionConflict: (409, "Someone else changed this"),
    ValidationFailed: (422, "There is a problem"),
}


def wants_json() -> bool:
    """Return True for API requests, which always get JSON errors."""
    return request.path.startswith("/api/")


def error_response(status: int, message: str, **extra: Any) -> tuple[Response, int]:
    """Build the one JSON error shape the API uses."""
    body: dict[str, Any] = {"error": message, "status": status}
    body.update(extra)
    return jsonify(body), status


def error_page(status: int, title: str, message: str) -> tuple[str, int]:
    """Render the NHS-styled error page."""
    return render_template("errors/error.html", status=status, title=title, message=message), status


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
    return error_page(status, title, str(exc))


def init_errorhandlers(app: Flask) -> None:
    """Register handlers that pick JSON or HTML and roll back on 500."""
    for exception in _STATUS:
        app.register_error_handler(exception, _domain_error)

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException) -> Any:
        status = exc.code or 500
        if wants_json():
            return error_response(status, exc.description or exc.name)
        return error_page(status, exc.name, exc.description or "")

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
        message = "Sorry, there is a problem with the service. Nothing you sent has been saved."
        return error_page(500, "Sorry, there is a problem", message)
