"""Benchmark the PDF export against a bare reportlab baseline.

Renders a realistic two-page medicine report (a 67-year-old with
anaphylaxis and skin ulceration after bleomycin ECT) N times with
``PdfRenderer`` and, in the same process, a minimal one-page reportlab
canvas N times. Prints renders per second and p95 latency for both and
their ratio, so a change that makes the export slower shows up as a
larger ratio whatever machine runs it.

Run: ``.venv/bin/python bench/bench_pdf.py [-n 200] [--save]``
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from ect_reporting.exports.pdf import PdfRenderer  # noqa: E402
from ect_reporting.exports.samples import sample_record  # noqa: E402
from ect_reporting.record_types import Record  # noqa: E402

# The sample medicine report as a governance lead sees it: submitted, not yet approved.
RECORD: Record = {**sample_record("medicine"), "state": "submitted_for_review"}


def baseline_pdf() -> bytes:
    """Render the smallest honest reportlab PDF: one page, a few lines of text."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setFont("Helvetica", 12)
    for line, text in enumerate(("ECT-000042", "Suspected adverse drug reaction", "Page 1 of 1")):
        canvas.drawString(72, 770 - 18 * line, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def time_interleaved(renders: list[Callable[[], bytes]], runs: int, warmup: int) -> list[list[float]]:
    """Return per-call wall times for each render function, calls interleaved.

    Alternating the renders means background load (a shared CI box, other
    test runs) hits both alike, so their ratio stays meaningful even when
    the absolute numbers are noisy.
    """
    for _ in range(warmup):
        for render in renders:
            render()
    timings: list[list[float]] = [[] for _ in renders]
    for _ in range(runs):
        for render, bucket in zip(renders, timings, strict=True):
            start = time.perf_counter()
            render()
            bucket.append(time.perf_counter() - start)
    return timings


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=200, help="timed renders of each kind")
    parser.add_argument("--warmup", type=int, default=10, help="untimed renders first")
    parser.add_argument("--save", action="store_true", help="write bench/out/report.pdf to look at")
    args = parser.parse_args()

    renderer = PdfRenderer(clock=lambda: datetime(2025, 6, 1, 12, 0, tzinfo=UTC))
    sample = renderer.generate(RECORD).content
    pages = len(PdfReader(io.BytesIO(sample)).pages)
    if pages != 2:
        raise SystemExit(f"expected a two-page report, got {pages} pages: update RECORD")
    if args.save:
        out = ROOT / "bench" / "out"
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.pdf").write_bytes(sample)

    report, baseline = time_interleaved(
        [lambda: renderer.generate(RECORD).content, baseline_pdf], args.runs, args.warmup
    )

    print(
        f"PDF export benchmark: {args.runs} renders each (after {args.warmup} warm-up), Python {sys.version.split()[0]}"
    )
    print(f"{'':34}{'renders/s':>10}{'mean ms':>10}{'median ms':>10}{'p95 ms':>10}{'size KB':>10}")
    for name, timings, size in (
        (f"ECT report ({pages} pages, PdfRenderer)", report, len(sample)),
        ("baseline (1-page reportlab canvas)", baseline, len(baseline_pdf())),
    ):
        mean = statistics.fmean(timings)
        print(
            f"{name:34}{1 / mean:>10.1f}{mean * 1000:>10.2f}{statistics.median(timings) * 1000:>10.2f}"
            f"{p95(timings) * 1000:>10.2f}{size / 1024:>10.1f}"
        )
    ratio_mean = statistics.fmean(report) / statistics.fmean(baseline)
    ratio_median = statistics.median(report) / statistics.median(baseline)
    ratio_p95 = p95(report) / p95(baseline)
    print(f"ratio report/baseline: mean {ratio_mean:.1f}x, median {ratio_median:.1f}x, p95 {ratio_p95:.1f}x")


if __name__ == "__main__":
    main()
