"""Report pages blueprint: the report page and everything done on it.

The report's domain (services, workflow, read model, record) lives in
``ect_reporting.reports``; this package only maps URLs to views, so other
blueprints can share that domain without importing a blueprint.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__)

from ect_reporting.report_pages import starts, views  # noqa: E402,F401  (registers the routes)
