"""Home blueprint: the clinician's "Needs your attention" page and its count in the header."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("home", __name__)

from ect_reporting.home import views  # noqa: E402,F401  (registers the routes)
