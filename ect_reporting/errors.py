"""Domain exceptions and the HTTP error handlers that present them."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ect_reporting.extensions import db


class ValidationFailed(Exception):
    """Input broke one or more rules; ``errors`` maps field path -> messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("validation failed")
        self.errors = errors


class VersionConflict(Exception):
    """The caller edited an older version of a record than the current one."""

    def __init__(self, current_version: int) -> None:
        super().__init__("version conflict")
        self.current_version = current_version


def wants_json() -> bool:
    """Return True for API requests, which always get JSON errors."""
    return request.path.startswith("/api/")


def error_response(status: int, message: str, **extra: Any) -> tuple[Response, int]:
    """Build the one JSON error shape the API uses."""
    body: dict[str, Any] = {"error": message, "status": status}
    body.update(extra)
    return jsonify(body), status


def init_errorhandlers(app: Flask) -> None:
    """Register handlers that pick JSON or HTML and roll back on 500."""

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException) -> Any:
        status = exc.code or 500
        if wants_json():
            return error_response(status, exc.description or exc.name)
        return render_template("errors/error.html", status=status, title=exc.name, message=exc.description), status

    @app.errorhandler(StaleDataError)
    def handle_stale(exc: StaleDataError) -> Any:
        # Two saves raced: the row's version moved between read and write.
        db.session.rollback()
        message = "The record was changed by someone else while you were saving. Nothing was overwritten."
        if wants_json():
            return error_response(412, message)
        return render_template("errors/error.html", status=409, title="Someone else changed this", message=message), 409

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Any:
        db.session.rollback()
        app.logger.exception("Unhandled error: %s", exc)
        if wants_json():
            return error_response(500, "Internal server error")
        message = "Sorry, there is a problem with the service. Nothing you sent has been saved."
        return render_template("errors/error.html", status=500, title="Sorry, there is a problem", message=message), 500
