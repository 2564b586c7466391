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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from ect_reporting.exports.pdf_export import PdfRenderer  # noqa: E402

RECORD: dict[str, Any] = {
    "record_version": "1.0",
    "kind": "medicine",
    "report_id": 42,
    "reference": "ECT-000042",
    "state": "submitted_for_review",
    "report_type": "initial",
    "follow_up_of": None,
    "version": 1,
    "awareness_date": "2025-03-14",
    "due_date": "2025-03-29",
    "created_at": "2025-03-14T15:20:00Z",
    "updated_at": "2025-03-15T09:05:12Z",
    "destination": {"scheme": "yellow_card", "name": "MHRA Yellow Card scheme", "nation": "england"},
    "patient": {
        "initials": "MR",
        "sex": "female",
        "age_years": 67,
        "weight_kg": 64.5,
        "height_cm": 162.0,
        "local_reference": "RXH-0042317",
    },
    "procedure": {
        "session_id": 17,
        "procedure_date": "2025-03-14",
        "site_name": "Example Hospitals NHS Foundation Trust - Skin Cancer Unit",
        "nation": "england",
        "care_setting": "day_case",
        "operator": "Mr Daniel Okafor",
        "histology": "melanoma",
        "lesion_count": 6,
        "largest_lesion_mm": 14,
        "lesion_location": "Left lower leg (shin)",
        "laterality": "left",
        "previous_irradiation": False,
        "anaesthesia": "general",
        "drug": "bleomycin",
        "route": "intravenous",
        "dose": 25800.0,
        "dose_unit": "IU",
        "body_surface_area_m2": 1.72,
        "dose_per_m2": 15000.0,
        "drug_administered_at": "10:02",
        "first_pulse_at": "10:10",
        "minutes_drug_to_pulse": 8,
        "pulses_delivered": 48,
        "opcs_codes": [
            {"system": "OPCS-4", "code": "Y12.3", "display": "Electrochemotherapy to lesion of organ NOC"},
            {"system": "OPCS-4", "code": "Z94.3", "display": "Left sided operation"},
        ],
    },
    "medicine": {
        "suspect_drugs": [
            {
                "drug": "bleomycin",
                "product_name": "Bleomycin 15,000 IU powder for solution for injection",
                "batch": "B2417X",
                "route": "intravenous",
                "dose": 25800.0,
                "dose_unit": "IU",
                "date_started": "2025-03-14",
                "date_stopped": "2025-03-14",
                "indication": "Electrochemotherapy for cutaneous metastatic melanoma",
                "black_triangle": False,
                "action_taken": "not_applicable",
            }
        ],
        "reactions": [
            {
                "verbatim": "Within 5 minutes of the bleomycin bolus she became flushed, wheezy and "
                "hypotensive (BP 78/40).",
                "term": {"system": "MedDRA", "code": "10002218", "display": "Anaphylaxis"},
                "ctcae_grade": 3,
                "onset_date": "2025-03-14",
                "end_date": "2025-03-15",
                "treatment": "IM adrenaline 500 micrograms, IV chlorphenamine, IV hydrocortisone",
                "outcome": "recovered",
            },
            {
                "verbatim": "15 mm ulcer at the treated site on the left shin two weeks later.",
                "term": {"system": "MedDRA", "code": "10040947", "display": "Skin ulceration"},
                "ctcae_grade": 2,
                "onset_date": "2025-03-28",
                "end_date": None,
                "treatment": "Non-adherent dressings; district nurse review twice weekly",
                "outcome": "recovering",
            },
        ],
        "seriousness": {
            "serious": True,
            "criteria": {
                "death": False,
                "hospitalisation": True,
                "life_threatening": False,
                "disability": False,
                "congenital_anomaly": False,
                "medically_significant": False,
            },
            "medically_significant_details": None,
        },
        "other_medicines": "Amlodipine 5 mg once daily; paracetamol 1 g when required",
        "additional_information": "No known drug allergies. Bleomycin ECT in 2024 without reaction. "
        "Mast cell tryptase 28 micrograms/L at 1 hour.",
        "causality": "probable",
    },
    "device": None,
    "reporter": {
        "name": "Dr Amelia Hart",
        "profession": "Consultant dermatologist",
        "email": "amelia.hart@example.nhs.uk",
        "organisation": "Example Hospitals NHS Foundation Trust",
    },
    "mhra_reference": None,
}


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
