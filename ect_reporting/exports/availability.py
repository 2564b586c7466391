"""Which export formats each report kind has, and why not when it has none.

E2B(R3) is the ICH format for individual case safety reports: adverse
reactions only. FHIR ``AdverseEvent`` covers reactions and device
incidents (a near miss as ``actuality = potential``). A defective medicine
is a product quality report: the Yellow Card takes it as a form, so it
exports as PDF and JSON only. One table, so the API refusal, the report
page's buttons and the tests agree.
"""

from __future__ import annotations

from typing import Final

# Export format (as in ``/export.<fmt>``) -> the report kinds it exists for.
FORMAT_KINDS: Final[dict[str, frozenset[str]]] = {
    "json": frozenset({"medicine", "device", "defective_medicine"}),
    "pdf": frozenset({"medicine", "device", "defective_medicine"}),
    "fhir.json": frozenset({"medicine", "device"}),
    "xml": frozenset({"medicine"}),
}

_WHY_NOT: Final[dict[tuple[str, str], str]] = {
    ("xml", "device"): "E2B(R3) is for adverse drug reactions; device reports export as FHIR or PDF",
    ("xml", "defective_medicine"): (
        "E2B(R3) is for adverse drug reactions; a defective-medicine report has no E2B file. "
        "It exports as PDF or JSON; if a reaction followed, start a suspected reaction report from it"
    ),
    ("fhir.json", "defective_medicine"): (
        "FHIR AdverseEvent is for reactions and device incidents; a defective-medicine report exports as PDF or JSON"
    ),
}


def has_format(kind: str, fmt: str) -> bool:
    """Whether a report of ``kind`` exports as ``fmt``."""
    return kind in FORMAT_KINDS.get(fmt, frozenset())


def unavailable_reason(kind: str, fmt: str) -> str | None:
    """Why a ``kind`` report has no ``fmt`` export (None when it has one, or the format is unknown)."""
    if fmt not in FORMAT_KINDS or has_format(kind, fmt):
        return None
    return _WHY_NOT.get((fmt, kind), f"A report of this kind has no {fmt} export")


def available_formats(kind: str) -> list[str]:
    """The formats a ``kind`` report exports as, in table order."""
    return [fmt for fmt in FORMAT_KINDS if has_format(kind, fmt)]
