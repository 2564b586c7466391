"""Admin blueprint: user accounts, for administrators only."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__)

from ect_reporting.admin import views  # noqa: E402,F401  (registers the routes)
