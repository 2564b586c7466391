"""Governance pages: the review queue, its streamed downloads, and the dashboard.

Views stay thin: read the request, call a query or domain function,
commit, redirect or render. Queue queries live in ``review.queries``,
paging in ``review.paging``, downloads in ``review.exports`` and the
dashboard's figures in ``review.figures``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from functools import wraps
from typing import Any

from flask import Response, current_app, render_template, request, stream_with_context
from sqlalchemy import Row, Select

from ect_reporting import access, audit
from ect_reporting.extensions import db
from ect_reporting.models import Report
from ect_reporting.review import bp, exports, figures, paging, queries
from ect_reporting.review.charts import bar_chart
from ect_reporting.review.forms import QueueFilterForm
from ect_reporting.vocab import REVIEWER_ROLES
from ect_reporting.web import clock_rules, opcs_settings, role_required
from ect_reporting.web import current_actor as _user


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
    site_id = access.site_limit(_user())
    form.set_options(queries.clinician_choices(db.session), queries.device_model_choices(db.session, site_id))
    return form


def _statement(form: QueueFilterForm, today: date) -> Select[tuple[Report]]:
    """The queue's SELECT for the form's filters (one place, so pages and downloads agree)."""
    statement = queries.queue_statement(form.filters(), today=today, due_soon_days=_due_soon_days())
    # Explicit as well as ``visible_only``: the exports read rows on the Core connection, where the
    # ORM's loader criteria do not apply.
    return statement.where(access.report_scope(_user()))


@bp.get("/")
@role_required(*REVIEWER_ROLES)
@visible_only
def queue() -> Any:
    """List reports for review, filtered, sorted by due date and paginated (keyset links for later pages)."""
    form = _filter_form()
    today = date.today()
    due_soon_days = _due_soon_days()
    if not form.validate():
        return render_template("review/queue.html", form=form, page=None, due_soon_days=due_soon_days), 400
    page = paging.queue_page(
        db.session,
        _statement(form, today),
        sort=form.filters().sort,
        page=request.args.get("page", 1, type=int) or 1,
        per_page=current_app.config["ECT_PAGE_SIZE"],
        after=request.args.get("after"),
        before=request.args.get("before"),
        states=queries.queue_states(form.filters()),
    )
    return render_template(
        "review/queue.html",
        form=form,
        page=page,
        due_soon_days=due_soon_days,
        args=form.query_args(),
        clock=lambda report: queries.clock_for(report, today, due_soon_days),
        seriousness=queries.seriousness_of,
    )


Chunks = Callable[[Select[tuple[Report]], date], Iterator[bytes]]


def _rows(render: Callable[[Iterable[Sequence[Row[Any]]], date, int], Iterator[bytes]]) -> Chunks:
    """Adapt a row formatter (CSV, JSON Lines) to the export's streamed batches."""
    return lambda statement, today: render(exports.export_rows(db.session, statement), today, _due_soon_days())


def _pdf_file(report: Report) -> tuple[str, bytes]:
    from ect_reporting.exports.pdf import PdfRenderer  # reportlab is heavy: only for this download
    from ect_reporting.reports.records import build_record

    exported = PdfRenderer().generate(build_record(report, opcs_settings()))
    return exported.filename, exported.content


def _pdfs(statement: Select[tuple[Report]], _today: date) -> Iterator[bytes]:
    return exports.pdf_zip_chunks(db.session, statement, _pdf_file)


# format -> (file extension, MIME type, chunk generator)
EXPORT_FORMATS: dict[str, tuple[str, str, Chunks]] = {
    "csv": ("csv", "text/csv", _rows(exports.csv_chunks)),
    "jsonl": ("jsonl", "application/jsonl", _rows(exports.jsonl_chunks)),
    "pdf": ("zip", "application/zip", _pdfs),
}


def _export(name: str) -> Any:
    """Stream every report the queue's filters select in format ``name``.

    The audit row (who, which filters, how many reports) is committed
    before the first byte, because patient identifiers are leaving the system.
    """
    form = _filter_form()
    if not form.validate():
        problems = "; ".join(f"{form[field].label.text}: {' '.join(errs)}" for field, errs in form.errors.items())
        return Response(f"Invalid filters: {problems}\n", status=400, mimetype="text/plain")
    today = date.today()
    statement = _statement(form, today)
    count = exports.export_count(db.session, statement)
    audit.record_event(
        db.session,
        actor=_user(),
        action="export",
        object_type="queue",
        object_id=None,
        details={"format": name, "filters": form.query_args(), "rows": count},
    )
    db.session.commit()
    extension, mimetype, chunks = EXPORT_FORMATS[name]
    return Response(
        stream_with_context(chunks(statement, today)),
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="review-queue-{today.isoformat()}.{extension}"',
            "Cache-Control": "no-store",
            "X-Report-Count": str(count),
        },
    )


@bp.get("/queue.csv")
@role_required(*REVIEWER_ROLES)
@visible_only
def queue_csv() -> Any:
    """Download the filtered queue as CSV (all pages), streamed."""
    return _export("csv")


@bp.get("/queue.jsonl")
@role_required(*REVIEWER_ROLES)
@visible_only
def queue_jsonl() -> Any:
    """Download the filtered queue as JSON Lines (one report per line), streamed."""
    return _export("jsonl")


@bp.get("/queue-pdfs.zip")
@role_required(*REVIEWER_ROLES)
@visible_only
def queue_pdfs() -> Any:
    """Download a ZIP holding one PDF per report of the filtered queue, streamed."""
    return _export("pdf")


@bp.get("/dashboard")
@role_required(*REVIEWER_ROLES)
@visible_only
def dashboard() -> Any:
    """Show counts, clocks, trends and sending performance, as charts with tables."""
    today = date.today()
    cache = current_app.config.get("ECT_DASHBOARD_CACHE", True)
    data = figures.dashboard(
        db.session, today=today, due_soon_days=_due_soon_days(), cache=cache, site_id=access.site_limit(_user())
    )
    charts = {
        "states": bar_chart("chart-states", "Reports by state", data.by_state),
        "months": bar_chart("chart-months", "New reports per month, last 12 months", data.per_month),
        "reactions": bar_chart("chart-reactions", "Most reported reactions", data.top_reactions),
        "problems": bar_chart("chart-problems", "Most reported device problems", data.top_device_problems),
        "drugs": bar_chart("chart-drugs", "Medicine reports by drug", data.by_drug),
        "models": bar_chart("chart-models", "Device reports by device model", data.by_device_model),
    }
    return render_template("review/dashboard.html", data=data, charts=charts, today=today)
