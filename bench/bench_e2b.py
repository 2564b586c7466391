"""Benchmark the E2B(R3) XML export against the JSON export of the same record.

Renders the realistic sample medicine report (bleomycin anaphylaxis and
skin ulceration) N times with ``E2bRenderer`` and, in the same process and
interleaved, N times with ``JsonRenderer``. Prints renders per second and
p95 latency for both and their ratio, so a change that makes the XML
export slower shows up as a larger ratio whatever machine runs it.
Schema validation is a separate, optional cost (``--schema-dir``), timed
on its own so it never hides inside the render figure.

Run: ``.venv/bin/python bench/bench_e2b.py [-n 500] [--schema-dir ../shared/reference/e2b-r3-schemas]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_pdf import p95, time_interleaved  # noqa: E402

from ect_reporting.config import E2bSettings  # noqa: E402
from ect_reporting.exports.e2b import E2bRenderer  # noqa: E402
from ect_reporting.exports.json_export import JsonRenderer  # noqa: E402
from ect_reporting.exports.samples import sample_record  # noqa: E402
from ect_reporting.record_types import Record  # noqa: E402

RECORD: Record = {**sample_record("medicine"), "state": "approved"}


def figures(options: Any) -> list[Any]:
    """``make bench``: the E2B render time against the JSON export of the same record (no goal; informational)."""
    from harness import Figure

    runs = 10 if options.quick else 500
    e2b = E2bRenderer(E2bSettings(), clock=lambda: datetime(2025, 6, 1, 12, 0, tzinfo=UTC))
    json_renderer = JsonRenderer()
    xml, json = time_interleaved([lambda: e2b.generate(RECORD).content, lambda: json_renderer.generate(RECORD).content],
                                 runs, 2 if options.quick else 20)
    return [Figure("E2B(R3) XML export (time per render)", statistics.median(xml) * 1000, "ms",
                   "JSON export, same record", statistics.median(json) * 1000, None, f"median of {runs}")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=500, help="timed renders of each kind")
    parser.add_argument("--warmup", type=int, default=20, help="untimed renders first")
    parser.add_argument("--schema-dir", type=Path, help="also time validation against this ICH schema set")
    args = parser.parse_args()

    e2b = E2bRenderer(E2bSettings(), clock=lambda: datetime(2025, 6, 1, 12, 0, tzinfo=UTC))
    json_renderer = JsonRenderer()
    renders = [lambda: e2b.generate(RECORD).content, lambda: json_renderer.generate(RECORD).content]
    names = ["E2B(R3) XML (E2bRenderer)", "JSON (JsonRenderer)"]
    if args.schema_dir:
        validating = E2bRenderer(E2bSettings(schema_dir=args.schema_dir))
        validating.generate(RECORD)  # loads and caches the schema set outside the timing
        renders.append(lambda: validating.generate(RECORD).content)
        names.append("E2B(R3) XML, schema-validated")
    timings = time_interleaved(renders, args.runs, args.warmup)

    print(f"E2B export benchmark: {args.runs} renders each (after {args.warmup} warm-up), "
          f"Python {sys.version.split()[0]}")
    print(f"{'':34}{'renders/s':>10}{'mean ms':>10}{'median ms':>10}{'p95 ms':>10}{'size KB':>10}")
    for name, bucket, render in zip(names, timings, renders, strict=True):
        mean = statistics.fmean(bucket)
        print(f"{name:34}{1 / mean:>10.1f}{mean * 1000:>10.3f}{statistics.median(bucket) * 1000:>10.3f}"
              f"{p95(bucket) * 1000:>10.3f}{len(render()) / 1024:>10.1f}")
    xml, json = timings[0], timings[1]
    print(f"ratio E2B/JSON: mean {statistics.fmean(xml) / statistics.fmean(json):.1f}x, "
          f"median {statistics.median(xml) / statistics.median(json):.1f}x, p95 {p95(xml) / p95(json):.1f}x")


if __name__ == "__main__":
    main()
