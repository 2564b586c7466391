"""Governance pages: the review queue and its CSV, and the dashboard.

Views stay thin: read the request, call a query or domain function,
commit, redirect or render. Queries live in ``review.queries``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from flask import Response, current_app, render_template, request

from ect_reporting import access, audit, vocab
from ect_reporting.extensions import db
from ect_reporting.models import Report
from ect_reporting.reports.records import destination_for
from ect_reporting.review import bp, queries
from ect_reporting.review.charts import bar_chart
from ect_reporting.review.forms import QueueFilterForm
from ect_reporting.vocab import REVIEWER_ROLES
from ect_reporting.web import clock_rules, role_required
from ect_reporting.web import current_actor as _user

# Spreadsheet programs run a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _due_soon_days() -> int:
    return clock_rules().due_soon_days


def visible_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run the view with every report query limited to the actor's site (``access.only_visible_reports``)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with access.only_visible_reports(_user()):
            return view(*args, **kwargs)

    return wrapped


def _filter_form() -> QueueFilterForm:
    form = QueueFilterForm(formdata=request.args)
    form.set_options(queries.clinician_choices(db.session), queries.device_model_choices(db.session))
    return form


@bp.get("/")
@role_required(*REVIEWER_ROLES)
@visible_only
def queue() -> Any:
    """List reports for review, filtered, sorted by due date and paginated."""
    form = _filter_form()
    today = date.today()
    due_soon_days = _due_soon_days()
    if not form.validate():
        return render_template("review/queue.html", form=form, page=None, due_soon_days=due_soon_days), 400
    statement = queries.queue_statement(form.filters(), today=today, due_soon_days=due_soon_days)
    page = db.paginate(statement, per_page=current_app.config["ECT_PAGE_SIZE"], error_out=False)
    return render_template(
        "review/queue.html",
        form=form,
        page=page,
        due_soon_days=due_soon_days,
        args=form.query_args(),
        clock=lambda report: queries.clock_for(report, today, due_soon_days),
        seriousness=queries.seriousness_of,
    )


def csv_safe(value: Any) -> str:
    """Return ``value`` as CSV text that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def queue_csv_rows(reports_: list[Report], today: date, due_soon_days: int) -> list[list[str]]:
    """Return the header and one row per report, every cell made formula-safe.

    Reports go to different regulators (MHRA, or IRIC / NIAIC for devices
    in Scotland / Northern Ireland), so one column names the regulator and
    the next holds its reference.
    """
    header = [
        "Reference",
        "Case ID",
        "Case version",
        "Kind",
        "Report type",
        "State",
        "Seriousness",
        "Due date",
        "Clock",
        "Patient initials",
        "Local reference",
        "Drug",
        "Generator model",
        "Electrode model",
        "Reported by",
        "Created (UTC)",
        "Regulator",
        "Regulator reference",
    ]
    rows = [header]
    for r in reports_:
        clock = queries.clock_for(r, today, due_soon_days)
        rows.append(
            [
                csv_safe(cell)
                for cell in (
                    r.reference,
                    r.case_id,
                    r.case_version,
                    vocab.label(vocab.REPORT_KINDS, r.kind),
                    vocab.label(vocab.REPORT_TYPES, r.report_type),
                    vocab.label(vocab.REPORT_STATES, r.state),
                    queries.SERIOUSNESS_CHOICES[queries.seriousness_of(r)],
                    r.due_date.isoformat() if r.due_date else "",
                    {"overdue": "Overdue", "due_soon": "Due soon", "on_time": "On time"}.get(clock or "", ""),
                    r.patient_initials,
                    r.local_reference,
                    vocab.label(vocab.DRUGS, r.drug),
                    r.generator_model,
                    r.electrode_model,
                    r.created_by.full_name,
                    r.created_at.strftime("%Y-%m-%d %H:%M"),
                    vocab.regulator(destination_for(r.kind, r.nation)["scheme"]),
                    r.mhra_reference,
                )
            ]
        )
    return rows


@bp.get("/queue.csv")
@role_required(*REVIEWER_ROLES)
@visible_only
def queue_csv() -> Any:
    """Download every report the queue's filters select, as CSV."""
    form = _filter_form()
    if not form.validate():
        problems = "; ".join(f"{form[name].label.text}: {' '.join(errs)}" for name, errs in form.errors.items())
        return Response(f"Invalid filters: {problems}\n", status=400, mimetype="text/plain")
    today = date.today()
    found = queries.queue_reports(db.session, form.filters(), today=today, due_soon_days=_due_soon_days())
    buffer = io.StringIO()
    csv.writer(buffer).writerows(queue_csv_rows(found, today, _due_soon_days()))
    # Patient identifiers are leaving the system: record who took them.
    audit.record_event(
        db.session,
        actor=_user(),
        action="export",
        object_type="queue",
        object_id=None,
        details={"format": "csv", "filters": form.query_args(), "rows": len(found)},
    )
    db.session.commit()
    return Response(
        # A byte-order mark lets spreadsheet programs read the UTF-8 names correctly.
        "\ufeff" + buffer.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="review-queue-{today.isoformat()}.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/dashboard")
@role_required(*REVIEWER_ROLES)
@visible_only
def dashboard() -> Any:
    """Show counts, clocks and trends, as charts with tables."""
    today = date.today()
    data = queries.dashboard(db.session, today=today, due_soon_days=_due_soon_days())
    charts = {
        "states": bar_chart("chart-states", "Reports by state", data.by_state),
        "months": bar_chart("chart-months", "New reports per month, last 12 months", data.per_month),
        "reactions": bar_chart("chart-reactions", "Most reported reactions", data.top_reactions),
        "problems": bar_chart("chart-problems", "Most reported device problems", data.top_device_problems),
        "drugs": bar_chart("chart-drugs", "Medicine reports by drug", data.by_drug),
        "models": bar_chart("chart-models", "Device reports by device model", data.by_device_model),
    }
    return render_template("review/dashboard.html", data=data, charts=charts, today=today)
