"""JSON API v1 blueprint: URLs only; views live in ``views.py``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__)

from ect_reporting.api import starts, views  # noqa: E402,F401  (registers the routes)
