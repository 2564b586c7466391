"""Benchmark the PDF export against a plain platypus document of the same text.

Renders a realistic three-page medicine report (a 67-year-old with
anaphylaxis and skin ulceration after bleomycin ECT) N times with
``PdfRenderer`` and, in the same process and interleaved, the baseline:
the same text (extracted from the rendered report, line by line) laid out
as plain ``Paragraph`` s in a ``SimpleDocTemplate`` with the same embedded
DejaVu font. The ratio is what the report's layout (tables, styles,
header, footer, watermark) costs beyond typesetting its words; issue 13's
goal is <= 1.2x. A minimal one-page canvas is printed too, for scale.

Run: ``.venv/bin/python bench/bench_pdf.py [-n 200] [--save]``, or ``make bench`` (``figures()``).
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402

from ect_reporting.exports.pdf import PdfRenderer  # noqa: E402
from ect_reporting.exports.pdf.base import FONT_REGULAR, escape_markup, register_fonts  # noqa: E402
from ect_reporting.exports.samples import sample_record  # noqa: E402
from ect_reporting.record_types import Record  # noqa: E402

# The sample medicine report as a governance lead sees it: submitted, not yet approved.
RECORD: Record = {**sample_record("medicine"), "state": "submitted_for_review"}
# The sample grew a page since this benchmark was written (more E2B fields); a change here changes the figure.
EXPECTED_PAGES = 3


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


def report_lines(pdf: bytes) -> list[str]:
    """The report's text, line by line, as a reader (and the tests) extract it."""
    return [line for page in PdfReader(io.BytesIO(pdf)).pages for line in page.extract_text().splitlines() if line]


def plain_platypus(lines: list[str]) -> Callable[[], bytes]:
    """A render function for the same text as plain paragraphs, same font, style built once."""
    register_fonts()
    style = ParagraphStyle("Plain", fontName=FONT_REGULAR, fontSize=9, leading=12)

    def render() -> bytes:
        buffer = io.BytesIO()
        SimpleDocTemplate(buffer, pagesize=A4).build([Paragraph(escape_markup(line), style) for line in lines])
        return buffer.getvalue()

    return render


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


def _renderer() -> PdfRenderer:
    return PdfRenderer(clock=lambda: datetime(2025, 6, 1, 12, 0, tzinfo=UTC))


def _sample(renderer: PdfRenderer) -> bytes:
    sample = renderer.generate(RECORD).content
    pages = len(PdfReader(io.BytesIO(sample)).pages)
    if pages != EXPECTED_PAGES:
        raise SystemExit(f"expected a {EXPECTED_PAGES}-page report, got {pages} pages: update RECORD or EXPECTED_PAGES")
    return sample


def figures(options: Any) -> list[Any]:
    """``make bench``: renders/s of the report against the plain platypus document of its text."""
    from harness import Figure

    runs = 10 if options.quick else 300
    renderer = _renderer()
    plain = plain_platypus(report_lines(_sample(renderer)))
    warmup = 2 if options.quick else 20
    report, baseline = time_interleaved([lambda: renderer.generate(RECORD).content, plain], runs, warmup)
    report_ms, plain_ms = statistics.median(report) * 1000, statistics.median(baseline) * 1000
    return [Figure("full medicine report PDF (time per render)", report_ms, "ms", "plain platypus, same text",
                   plain_ms, ("<=", 1.2), f"{1000 / report_ms:.0f}/s vs {1000 / plain_ms:.0f}/s, median of {runs}, "
                   f"rl_accel {'on' if _accelerated() else 'OFF'}")]


def _accelerated() -> bool:
    try:
        import _rl_accel  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=200, help="timed renders of each kind")
    parser.add_argument("--warmup", type=int, default=10, help="untimed renders first")
    parser.add_argument("--save", action="store_true", help="write bench/out/report.pdf to look at")
    args = parser.parse_args()

    renderer = _renderer()
    sample = _sample(renderer)
    plain = plain_platypus(report_lines(sample))
    if args.save:
        out = ROOT / "bench" / "out"
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.pdf").write_bytes(sample)
        (out / "plain.pdf").write_bytes(plain())

    report, baseline, canvas = time_interleaved(
        [lambda: renderer.generate(RECORD).content, plain, baseline_pdf], args.runs, args.warmup
    )

    print(
        f"PDF export benchmark: {args.runs} renders each (after {args.warmup} warm-up), Python {sys.version.split()[0]}"
        f", rl_accel {'on' if _accelerated() else 'OFF'}"
    )
    print(f"{'':38}{'renders/s':>10}{'mean ms':>10}{'median ms':>10}{'p95 ms':>10}{'size KB':>10}")
    for name, timings, size in (
        (f"ECT report ({EXPECTED_PAGES} pages, PdfRenderer)", report, len(sample)),
        ("plain platypus, same text and font", baseline, len(plain())),
        ("1-page reportlab canvas (scale)", canvas, len(baseline_pdf())),
    ):
        mean = statistics.fmean(timings)
        print(
            f"{name:38}{1 / mean:>10.1f}{mean * 1000:>10.2f}{statistics.median(timings) * 1000:>10.2f}"
            f"{p95(timings) * 1000:>10.2f}{size / 1024:>10.1f}"
        )
    ratio_mean = statistics.fmean(report) / statistics.fmean(baseline)
    ratio_median = statistics.median(report) / statistics.median(baseline)
    ratio_p95 = p95(report) / p95(baseline)
    print(f"ratio report/plain platypus: mean {ratio_mean:.2f}x, median {ratio_median:.2f}x, p95 {ratio_p95:.2f}x")


if __name__ == "__main__":
    main()
