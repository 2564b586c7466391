"""Review blueprint: governance queue, comments, follow-ups and dashboard."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("review", __name__)

from ect_reporting.review import home_views, views  # noqa: E402,F401  (registers the routes)
