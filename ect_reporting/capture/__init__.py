"""Capture blueprint: ECT sessions and report forms for clinicians."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("capture", __name__)

from ect_reporting.capture import views  # noqa: E402,F401  (registers the routes)
