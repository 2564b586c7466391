"""PDF export: a printable Yellow Card (medicine) or device incident report.

Built the way pretix builds invoice renderers: ``base.py`` holds the page
plumbing (document template, fonts and stylesheet made once per process,
"Page X of Y" canvas, header, footer, DRAFT watermark, escaping and the
shared table/field helpers), ``shared.py`` the sections both kinds print,
and ``medicine.py`` / ``device.py`` / ``defective_medicine.py`` one layout class per report kind whose
sections are small methods. ``PdfRenderer`` is the export contract
(``generate(record) -> ExportFile``) and only picks the layout.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import ClassVar

from ect_reporting.exports.base import Renderer
from ect_reporting.exports.pdf.base import FONT_DIR, BaseLayout, sanitise, utc_now
from ect_reporting.exports.pdf.defective_medicine import DefectiveMedicineLayout
from ect_reporting.exports.pdf.device import DeviceLayout
from ect_reporting.exports.pdf.medicine import MedicineLayout
from ect_reporting.record_types import Record

__all__ = [
    "FONT_DIR",
    "BaseLayout",
    "DefectiveMedicineLayout",
    "DeviceLayout",
    "MedicineLayout",
    "PdfRenderer",
    "sanitise",
]


class PdfRenderer(Renderer):
    """Render a canonical record as an A4 PDF with the layout for its kind."""

    extension = "pdf"
    mimetype = "application/pdf"

    #: Report kind -> layout class; a nation's variant replaces one entry.
    layout_classes: ClassVar[Mapping[str, type[BaseLayout]]] = {
        "medicine": MedicineLayout,
        "device": DeviceLayout,
        "defective_medicine": DefectiveMedicineLayout,
    }

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        """Make one layout per kind up front; each renders many records.

        ``clock`` gives the "Generated" time; tests and reproducible
        builds can pin it.
        """
        self.layouts = {kind: layout(clock) for kind, layout in self.layout_classes.items()}

    def layout_for(self, record: Record) -> BaseLayout:
        """Return the layout for ``record["kind"]``; an unknown kind is refused."""
        kind = record.get("kind")
        layout = self.layouts.get(kind) if isinstance(kind, str) else None
        if layout is None:
            raise ValueError(f"unknown report kind: {kind!r}")
        return layout

    def render(self, record: Record) -> bytes:
        """Return the PDF bytes of ``record``."""
        return self.layout_for(record).render(record)
