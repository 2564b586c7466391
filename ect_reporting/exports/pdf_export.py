"""PDF export: a printable Yellow Card (medicine) or device incident report.

Structure follows pretix's invoice renderer: ``render`` fixes the build
sequence (document template, story, numbered canvas) and small hook
methods supply the pieces - stylesheet, fonts, page decoration and one
method per section - so a variant (another layout, a nation's form) can
override one hook rather than copy the whole renderer.

Safety rules that every hook keeps:

* Every string that reaches a ``Paragraph`` goes through ``_para``, which
  sanitises and XML-escapes it. ``Paragraph`` parses a markup language, so
  an unescaped "<b>" or "&" in a reporter's text would change the output
  or raise; there is deliberately no way to pass raw markup.
* Control characters (C0/C1 except tab, newline and carriage return,
  surrogates and the non-characters U+FFFE/U+FFFF) are replaced by U+FFFD
  before rendering: they are not allowed in XML, which the paragraph
  parser works on, and have no glyphs. Replacing rather than deleting
  shows the reader that something was there; the JSON export keeps the
  original text untouched.
* Long text never sits in a table cell (a table row cannot be split
  across pages, and a row taller than a page stops the build). Text longer
  than a cell allows is laid out as ordinary paragraphs, which split
  across pages, so a 5,000 character description simply runs on.
* The bundled DejaVu Sans font (``fonts/``, Bitstream Vera licence) covers
  Latin, Greek and Cyrillic, so names such as "Zoë Ōtsuka" or "Łukasz"
  print correctly on any server; characters it lacks print as a blank box
  rather than failing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, ClassVar
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ect_reporting import vocab
from ect_reporting.exports.base import Renderer

Record = Mapping[str, Any]
Section = Callable[[Record], list[Flowable]]

FONT_DIR = Path(__file__).with_name("fonts")
FONT_REGULAR = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"

NOT_RECORDED = "Not recorded"
#: States in which the report has been signed off: no DRAFT watermark.
FINAL_STATES = frozenset({"approved", "sent_to_mhra", "acknowledged", "closed"})

NHS_BLUE = colors.HexColor("#005EB8")
NHS_DARK_BLUE = colors.HexColor("#003087")
NHS_DARK_GREY = colors.HexColor("#425563")
NHS_PALE_GREY = colors.HexColor("#E8EDEE")

BOX_TICKED = "\u2612"  # BALLOT BOX WITH X, present in DejaVu Sans
BOX_EMPTY = "\u2610"  # BALLOT BOX
BLACK_TRIANGLE = "\u25bc"

_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u0085]")
_PARAGRAPH_BREAKS = re.compile("(?:\n[ \t]*){2,}|\u2029")


@functools.cache
def register_fonts() -> None:
    """Register the bundled fonts with reportlab, once per process."""
    pdfmetrics.registerFont(TTFont(FONT_REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        FONT_REGULAR,
        normal=FONT_REGULAR,
        bold=FONT_BOLD,
        italic=FONT_REGULAR,
        boldItalic=FONT_BOLD,
    )


def sanitise(text: str) -> str:
    """Return ``text`` safe for the PDF: line breaks unified, controls replaced."""
    text = _LINE_BREAKS.sub("\n", text).replace("\t", "    ")
    return _UNSAFE_CHARS.sub("\ufffd", text)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _NumberedCanvas(Canvas):
    """Canvas that holds pages back until the end to print "Page X of Y".

    The total is only known once the story is laid out, so each page's
    state is saved at ``showPage`` and the footer is drawn on all of them
    in ``save``.
    """

    def __init__(self, *args: Any, draw_footer: Callable[[Canvas, int, int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._draw_footer = draw_footer
        self._page_states: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._page_states)
        for number, state in enumerate(self._page_states, start=1):
            self.__dict__.update(state)
            self._draw_footer(self, number, total)
            super().showPage()
        super().save()


class PdfRenderer(Renderer):
    """Render a canonical record as an A4 PDF in Yellow Card section order."""

    extension = "pdf"
    mimetype = "application/pdf"

    # Page geometry; the frame is derived from these and the page size.
    pagesize: ClassVar[tuple[float, float]] = A4
    margin_left: ClassVar[float] = 18 * mm
    margin_right: ClassVar[float] = 18 * mm
    margin_top: ClassVar[float] = 24 * mm
    margin_bottom: ClassVar[float] = 18 * mm
    header_baseline: ClassVar[float] = 13 * mm  # from the top edge
    footer_baseline: ClassVar[float] = 9 * mm  # from the bottom edge
    label_width: ClassVar[float] = 36 * mm

    #: Longest text (characters / line breaks) kept inside a table cell;
    #: anything longer is laid out as splittable paragraphs instead.
    cell_max_chars: ClassVar[int] = 300
    cell_max_lines: ClassVar[int] = 6
    #: Stricter limit for the narrow columns of multi-column tables.
    narrow_cell_max_chars: ClassVar[int] = 90
    cell_padding: ClassVar[float] = 4

    #: Space a heading needs below it, or it moves to the next page.
    keep_with_next_height: ClassVar[float] = 30 * mm
    #: More space for sections that start with a block kept together (the
    #: seriousness tick boxes), so the heading moves with the block.
    section_min_space: ClassVar[dict[str, float]] = {"_seriousness_section": 75 * mm}

    watermark_text: ClassVar[str] = "DRAFT"

    # Tables draw plain-string cells (the blanks that pad a row) in their
    # own default font, Helvetica; naming ours keeps the PDF to one family.
    _base_table_style: ClassVar[tuple[tuple[Any, ...], ...]] = (("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),)

    #: Section titles and the methods that draw them, in Yellow Card order.
    medicine_sections: ClassVar[tuple[tuple[str, str], ...]] = (
        ("Patient", "_patient_section"),
        ("Suspect drug(s)", "_suspect_drugs_section"),
        ("Suspected reaction(s)", "_reactions_section"),
        ("Seriousness", "_seriousness_section"),
        ("Other medicines in the last 3 months", "_other_medicines_section"),
        ("Additional information", "_additional_information_section"),
        ("Causality", "_causality_section"),
        ("Reporter", "_reporter_section"),
        ("ECT procedure summary", "_procedure_section"),
    )
    device_sections: ClassVar[tuple[tuple[str, str], ...]] = (
        ("Device identification", "_device_identification_section"),
        ("What happened", "_what_happened_section"),
        ("IMDRF codes", "_imdrf_section"),
        ("Patient consequences", "_patient_consequences_section"),
        ("Device availability", "_device_availability_section"),
        ("Destination", "_destination_section"),
        ("Reporter", "_reporter_section"),
        ("ECT procedure summary", "_procedure_section"),
    )

    def __init__(self, clock: Callable[[], datetime] = _utc_now) -> None:
        """Register fonts and build the stylesheet once for this renderer.

        ``clock`` gives the "Generated" time; tests and reproducible
        builds can pin it. One renderer may render many records.
        """
        register_fonts()
        self.clock = clock
        self.styles = self._build_stylesheet()
        self.frame_width = self.pagesize[0] - self.margin_left - self.margin_right
        self.frame_height = self.pagesize[1] - self.margin_top - self.margin_bottom

    # --- build sequence ---------------------------------------------------------

    def render(self, record: Record) -> bytes:
        """Lay out the story for ``record`` and return the PDF bytes."""
        buffer = BytesIO()
        generated = self.clock().astimezone(UTC)
        document = self._document_template(buffer, record)
        document.build(
            self._story(record),
            canvasmaker=functools.partial(
                _NumberedCanvas,
                draw_footer=functools.partial(self._draw_footer, generated=generated),
            ),
        )
        return buffer.getvalue()

    def _document_template(self, buffer: BytesIO, record: Record) -> BaseDocTemplate:
        kind_label = vocab.label(vocab.REPORT_KINDS, record.get("kind"))
        document = BaseDocTemplate(
            buffer,
            pagesize=self.pagesize,
            leftMargin=self.margin_left,
            rightMargin=self.margin_right,
            topMargin=self.margin_top,
            bottomMargin=self.margin_bottom,
            title=sanitise(f"{record.get('reference') or ''} - {kind_label}"),
            subject=kind_label,
            author="ECT adverse event reporting",
            creator="ECT adverse event reporting",
            lang="en-GB",
            initialFontName=FONT_REGULAR,
        )
        frame = Frame(
            self.margin_left,
            self.margin_bottom,
            self.frame_width,
            self.frame_height,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="body",
        )
        document.addPageTemplates(
            [
                PageTemplate(
                    id="page",
                    frames=[frame],
                    onPage=functools.partial(self._draw_page, record=record),
                )
            ]
        )
        return document

    def _story(self, record: Record) -> list[Flowable]:
        story = self._title_block(record)
        for number, (title, method_name) in enumerate(self._sections(record), start=1):
            section: Section = getattr(self, method_name)
            min_space = self.section_min_space.get(method_name, self.keep_with_next_height)
            story += self._heading(f"{number}. {title}", min_space)
            story.extend(section(record))
        return story

    def _sections(self, record: Record) -> Sequence[tuple[str, str]]:
        return self.device_sections if record.get("kind") == "device" else self.medicine_sections

    # --- styles -----------------------------------------------------------------

    def _build_stylesheet(self) -> StyleSheet1:
        sheet = StyleSheet1()
        base = ParagraphStyle(
            "Body",
            fontName=FONT_REGULAR,
            fontSize=9,
            leading=12,
            textColor=colors.black,
        )
        sheet.add(base)
        sheet.add(
            ParagraphStyle(
                "Title",
                parent=base,
                fontName=FONT_BOLD,
                fontSize=17,
                leading=21,
                textColor=NHS_DARK_BLUE,
                spaceAfter=2 * mm,
            )
        )
        sheet.add(
            ParagraphStyle(
                "Subtitle",
                parent=base,
                fontSize=10,
                textColor=NHS_DARK_GREY,
                spaceAfter=4 * mm,
            )
        )
        sheet.add(
            ParagraphStyle(
                "SectionHeading",
                parent=base,
                fontName=FONT_BOLD,
                fontSize=11.5,
                leading=15,
                textColor=colors.white,
            )
        )
        sheet.add(
            ParagraphStyle(
                "SubHeading",
                parent=base,
                fontName=FONT_BOLD,
                fontSize=10,
                leading=13,
                textColor=NHS_DARK_BLUE,
                spaceBefore=3 * mm,
                spaceAfter=1.5 * mm,
            )
        )
        sheet.add(ParagraphStyle("Label", parent=base, fontSize=8.5, leading=11.5, textColor=NHS_DARK_GREY))
        sheet.add(
            ParagraphStyle(
                "BlockLabel",
                parent=base,
                textColor=NHS_DARK_GREY,
                spaceBefore=2 * mm,
                spaceAfter=1 * mm,
            )
        )
        sheet.add(ParagraphStyle("LongText", parent=base, spaceAfter=2 * mm))
        sheet.add(ParagraphStyle("Cell", parent=base, fontSize=8, leading=10))
        sheet.add(ParagraphStyle("HeaderCell", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10))
        sheet.add(ParagraphStyle("Checkbox", parent=base, fontSize=10, leading=12.5))
        sheet.add(
            ParagraphStyle(
                "Note",
                parent=base,
                fontSize=8,
                leading=10,
                textColor=NHS_DARK_GREY,
            )
        )
        return sheet

    # --- page decoration --------------------------------------------------------

    def _draw_page(self, canvas: Canvas, document: BaseDocTemplate, record: Record) -> None:
        """Draw what sits under the content of every page: watermark, header."""
        canvas.saveState()
        if self._is_draft(record):
            self._draw_watermark(canvas)
        self._draw_header(canvas, record)
        canvas.restoreState()

    def _is_draft(self, record: Record) -> bool:
        return record.get("state") not in FINAL_STATES

    def _draw_watermark(self, canvas: Canvas) -> None:
        width, height = self.pagesize
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.13))
        canvas.translate(width / 2, height / 2)
        canvas.rotate(45)
        canvas.setFont(FONT_BOLD, 130)
        canvas.drawCentredString(0, -45, self.watermark_text)
        canvas.restoreState()

    def _draw_header(self, canvas: Canvas, record: Record) -> None:
        """Reference on the left, status on the right, report kind centred between."""
        width, height = self.pagesize
        y = height - self.header_baseline
        right = width - self.margin_right
        side_width = self.frame_width / 4
        reference = self._fit_line(record.get("reference"), FONT_BOLD, 10, side_width)
        state_label = vocab.label(vocab.REPORT_STATES, record.get("state"))
        state = self._fit_line(f"Status: {state_label}", FONT_BOLD, 9, side_width)
        sides = max(
            pdfmetrics.stringWidth(reference, FONT_BOLD, 10),
            pdfmetrics.stringWidth(state, FONT_BOLD, 9),
        )
        kind = self._fit_line(
            vocab.label(vocab.REPORT_KINDS, record.get("kind")),
            FONT_REGULAR,
            8.5,
            self.frame_width - 2 * sides - 8 * mm,
        )
        canvas.setFillColor(NHS_DARK_BLUE)
        canvas.setFont(FONT_BOLD, 10)
        canvas.drawString(self.margin_left, y, reference)
        canvas.setFillColor(NHS_DARK_GREY)
        canvas.setFont(FONT_REGULAR, 8.5)
        canvas.drawCentredString(width / 2, y, kind)
        canvas.setFillColor(NHS_DARK_BLUE)
        canvas.setFont(FONT_BOLD, 9)
        canvas.drawRightString(right, y, state)
        canvas.setStrokeColor(NHS_BLUE)
        canvas.setLineWidth(1.2)
        canvas.line(self.margin_left, y - 2.5 * mm, right, y - 2.5 * mm)

    def _fit_line(self, value: Any, font: str, size: float, max_width: float) -> str:
        """Return one line of header text, shortened with an ellipsis to fit."""
        text = " ".join(sanitise(str(value or "")).split()) or NOT_RECORDED
        if pdfmetrics.stringWidth(text, font, size) <= max_width:
            return text
        # Binary search for the longest prefix that fits with the ellipsis:
        # trimming one character at a time is quadratic on a long value.
        low, high = 0, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if pdfmetrics.stringWidth(text[:middle] + "\u2026", font, size) <= max_width:
                low = middle
            else:
                high = middle - 1
        return text[:low] + "\u2026"

    def _draw_footer(self, canvas: Canvas, page: int, total: int, generated: datetime) -> None:
        width, _ = self.pagesize
        y = self.footer_baseline
        canvas.saveState()
        canvas.setStrokeColor(NHS_PALE_GREY)
        canvas.setLineWidth(0.8)
        canvas.line(self.margin_left, y + 4 * mm, width - self.margin_right, y + 4 * mm)
        canvas.setFillColor(NHS_DARK_GREY)
        canvas.setFont(FONT_REGULAR, 8)
        canvas.drawString(self.margin_left, y, f"Generated {generated:%Y-%m-%d %H:%M:%S} UTC")
        canvas.drawRightString(width - self.margin_right, y, f"Page {page} of {total}")
        canvas.restoreState()

    # --- building blocks --------------------------------------------------------

    def _para(self, text: str, style: str = "Body") -> Paragraph:
        """Return a Paragraph of plain ``text``: sanitised, escaped, line breaks kept.

        The only way user text reaches a Paragraph: see the module docstring.
        """
        markup = escape(sanitise(text)).replace("\n", "<br/>")
        return Paragraph(markup, self.styles[style])

    def _long_text(self, text: str) -> list[Flowable]:
        """Return splittable paragraphs for free text of any length."""
        chunks = [chunk for chunk in _PARAGRAPH_BREAKS.split(sanitise(text)) if chunk.strip()]
        return [self._para(chunk.strip("\n"), "LongText") for chunk in chunks] or [self._para(NOT_RECORDED, "LongText")]

    def _fits_in_cell(self, text: str, max_chars: int | None = None) -> bool:
        limit = self.cell_max_chars if max_chars is None else max_chars
        return len(text) <= limit and text.count("\n") < self.cell_max_lines

    def _heading(self, title: str, min_space: float | None = None) -> list[Flowable]:
        """Return a full-width section heading bar that stays with what follows.

        A conditional page break keeps a heading off the foot of a page.
        It is used instead of ``keepWithNext``, which would glue the heading
        to the whole next table and push it to a new page when the table
        could have split, leaving half a page empty.
        """
        heading = Table([[self._para(title, "SectionHeading")]], colWidths=[self.frame_width])
        heading.setStyle(
            TableStyle(
                [
                    *self._base_table_style,
                    ("BACKGROUND", (0, 0), (-1, -1), NHS_BLUE),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2.5 * mm),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.6 * mm),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
                ]
            )
        )
        heading.spaceBefore = 3.5 * mm
        heading.spaceAfter = 2 * mm
        return [CondPageBreak(min_space or self.keep_with_next_height), heading]

    def _subheading(self, title: str) -> list[Flowable]:
        return [CondPageBreak(self.keep_with_next_height * 0.7), self._para(title, "SubHeading")]

    def _block_label(self, label: str) -> list[Flowable]:
        return [CondPageBreak(self.keep_with_next_height * 0.5), self._para(label, "BlockLabel")]

    def _fields(self, rows: Sequence[tuple[str, str]], columns: int = 1) -> list[Flowable]:
        """Lay out label/value pairs as a table; long values become paragraphs.

        With ``columns=2`` two pairs share a table row; a value that would
        not sit neatly in the half-width cell (a word wider than the cell,
        such as an email address or UDI, or more than two lines) gets a
        full-width row, and one too long for any cell leaves the table and
        runs on as splittable paragraphs.
        """
        flowables: list[Flowable] = []
        pending: list[tuple[str, str, bool]] = []
        for label, value in rows:
            if columns > 1 and self._fits_half_cell(value):
                pending.append((label, value, False))
            elif self._fits_in_cell(value):
                pending.append((label, value, True))
            else:
                flowables += self._field_table(pending, columns)
                pending = []
                flowables += self._block_label(label)
                flowables += self._long_text(value)
        flowables += self._field_table(pending, columns)
        return flowables

    def _fits_half_cell(self, text: str) -> bool:
        if not self._fits_in_cell(text, self.narrow_cell_max_chars):
            return False
        width = self.frame_width / 2 - self.label_width - self.cell_padding
        style = self.styles["Body"]
        words = sanitise(text).split() or [""]
        widest = max(pdfmetrics.stringWidth(word, style.fontName, style.fontSize) for word in words)
        total = pdfmetrics.stringWidth(" ".join(words), style.fontName, style.fontSize)
        return widest <= width and total <= 1.8 * width

    def _field_table(self, items: Sequence[tuple[str, str, bool]], columns: int) -> list[Flowable]:
        if not items:
            return []
        label_width = self.label_width
        if columns == 1:
            data: list[list[Any]] = [[self._para(label, "Label"), self._para(value)] for label, value, _ in items]
            widths = [label_width, self.frame_width - label_width]
            spans: list[tuple[Any, ...]] = []
        else:
            value_width = self.frame_width / 2 - label_width
            widths = [label_width, value_width, label_width, value_width]
            data, spans, row = [], [], []
            for label, value, wide in items:
                cells = [self._para(label, "Label"), self._para(value)]
                if wide:
                    if row:
                        data.append([*row, "", ""])
                        row = []
                    spans.append(("SPAN", (1, len(data)), (3, len(data))))
                    data.append([*cells, "", ""])
                    continue
                row += cells
                if len(row) == 4:
                    data.append(row)
                    row = []
            if row:
                data.append([*row, "", ""])
        table = Table(data, colWidths=widths, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    *self._base_table_style,
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), self.cell_padding),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.8),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, NHS_PALE_GREY),
                    *spans,
                ]
            )
        )
        return [table]

    def _grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        row_title: str,
    ) -> list[Flowable]:
        """Return a multi-column table, or per-row field blocks if a cell is long.

        ``widths`` are relative column weights, scaled to the frame width.
        A narrow column cannot hold long text without making its row taller
        than a page, so any long cell switches the whole grid to one titled
        block per row.
        """
        if not rows:
            return [self._para(NOT_RECORDED)]
        if not all(self._fits_in_cell(cell, self.narrow_cell_max_chars) for row in rows for cell in row):
            flowables: list[Flowable] = []
            for index, row in enumerate(rows, start=1):
                flowables += self._subheading(f"{row_title} {index}")
                flowables += self._fields(list(zip(header, row, strict=True)))
            return flowables
        data = [[self._para(title, "HeaderCell") for title in header]]
        data += [[self._para(cell, "Cell") for cell in row] for row in rows]
        table = Table(
            data,
            colWidths=[weight * self.frame_width / sum(widths) for weight in widths],
            repeatRows=1,
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    *self._base_table_style,
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), NHS_PALE_GREY),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, NHS_BLUE),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.5, NHS_PALE_GREY),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return [table]

    # --- value formatting -------------------------------------------------------

    def _text(self, value: Any) -> str:
        """Return a display string; ``None`` and blank text print "Not recorded"."""
        if value is None:
            return NOT_RECORDED
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, int | float):
            return self._number(value)
        text = str(value)
        return text if text.strip() else NOT_RECORDED

    def _number(self, value: float, unit: str | None = None) -> str:
        text = f"{value:,}".removesuffix(".0")
        return f"{text} {unit}" if unit else text

    def _quantity(self, value: Any, unit: Any) -> str:
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            return self._text(value)
        return self._number(value, unit if unit else None)

    def _label(self, vocabulary: vocab.Vocabulary, value: Any) -> str:
        return self._text(vocab.label(vocabulary, value) if isinstance(value, str) else value)

    def _date(self, value: Any) -> str:
        """Return "14 March 2025"; an unparseable value prints as recorded."""
        if not isinstance(value, str):
            return self._text(value)
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            return self._text(value)
        return f"{parsed.day} {parsed:%B %Y}"

    def _datetime(self, value: Any) -> str:
        if not isinstance(value, str):
            return self._text(value)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return self._text(value)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC)
        return f"{parsed.day} {parsed:%B %Y %H:%M} UTC"

    def _coded(self, term: Any) -> str:
        """Return "display (SYSTEM code)" for a coded term."""
        if not isinstance(term, Mapping):
            return NOT_RECORDED
        display = str(term.get("display") or "").strip()
        code = " ".join(str(term.get(key) or "") for key in ("system", "code")).strip()
        if display and code:
            return f"{display} ({code})"
        return display or code or NOT_RECORDED

    # --- title ------------------------------------------------------------------

    def _title_block(self, record: Record) -> list[Flowable]:
        destination = self._section_of(record, "destination")
        destination_name = destination.get("name") or vocab.label(vocab.DESTINATIONS, destination.get("scheme"))
        flowables: list[Flowable] = [
            self._para(self._label(vocab.REPORT_KINDS, record.get("kind")), "Title"),
            self._para(f"For submission to: {self._text(destination_name)}", "Subtitle"),
            *self._subheading("Report details"),
        ]
        follow_up_of = record.get("follow_up_of")
        flowables += self._fields(
            [
                ("Reference", self._text(record.get("reference"))),
                (
                    "Report type",
                    self._label(vocab.REPORT_TYPES, record.get("report_type")),
                ),
                ("Version", self._text(record.get("version"))),
                (
                    "Follow-up of report",
                    "Not applicable" if follow_up_of is None else self._text(follow_up_of),
                ),
                ("Status", self._label(vocab.REPORT_STATES, record.get("state"))),
                ("MHRA reference", self._text(record.get("mhra_reference"))),
                ("Date aware", self._date(record.get("awareness_date"))),
                ("Report due by", self._date(record.get("due_date"))),
                ("Created", self._datetime(record.get("created_at"))),
                ("Last updated", self._datetime(record.get("updated_at"))),
            ],
            columns=2,
        )
        return flowables

    # --- medicine sections ------------------------------------------------------

    def _patient_section(self, record: Record) -> list[Flowable]:
        patient = self._section_of(record, "patient")
        return self._fields(
            [
                ("Initials", self._text(patient.get("initials"))),
                ("Sex", self._label(vocab.SEXES, patient.get("sex"))),
                ("Age", self._quantity(patient.get("age_years"), "years")),
                ("Weight", self._quantity(patient.get("weight_kg"), "kg")),
                ("Height", self._quantity(patient.get("height_cm"), "cm")),
                ("Local reference", self._text(patient.get("local_reference"))),
            ],
            columns=2,
        )

    def _suspect_drugs_section(self, record: Record) -> list[Flowable]:
        drugs = self._rows_of(self._section_of(record, "medicine").get("suspect_drugs"))
        header = (
            "Drug / product",
            "Batch",
            "Route",
            "Dose",
            "Started",
            "Stopped",
            "Prescribed for",
            "Action taken",
        )
        rows = [self._suspect_drug_row(drug) for drug in drugs]
        flowables = self._grid(header, rows, (34, 16, 19, 17, 17, 17, 33, 21), "Suspect drug")
        if any(drug.get("black_triangle") is True for drug in drugs):
            flowables.append(Spacer(0, 1.5 * mm))
            flowables.append(
                self._para(
                    f"{BLACK_TRIANGLE} Black triangle product: subject to additional monitoring.",
                    "Note",
                )
            )
        return flowables

    def _suspect_drug_row(self, drug: Mapping[str, Any]) -> list[str]:
        names = [
            str(value)
            for value in (
                drug.get("product_name"),
                vocab.label(vocab.DRUGS, drug.get("drug")),
            )
            if isinstance(value, str) and value.strip()
        ]
        product = "\n".join(names) if names else NOT_RECORDED
        if drug.get("black_triangle") is True:
            product = f"{BLACK_TRIANGLE} {product}"
        return [
            product,
            self._text(drug.get("batch")),
            self._label(vocab.ROUTES, drug.get("route")),
            self._quantity(drug.get("dose"), drug.get("dose_unit")),
            self._date(drug.get("date_started")),
            self._date(drug.get("date_stopped")),
            self._text(drug.get("indication")),
            self._label(vocab.ACTIONS_TAKEN, drug.get("action_taken")),
        ]

    def _reactions_section(self, record: Record) -> list[Flowable]:
        reactions = self._rows_of(self._section_of(record, "medicine").get("reactions"))
        if not reactions:
            return [self._para(NOT_RECORDED)]
        flowables: list[Flowable] = []
        for index, reaction in enumerate(reactions, start=1):
            flowables += self._reaction_block(reaction, index, len(reactions))
        return flowables

    def _reaction_block(self, reaction: Mapping[str, Any], index: int, total: int) -> list[Flowable]:
        term = reaction.get("term")
        grade = reaction.get("ctcae_grade")
        title = f"Reaction {index} of {total}"
        return [
            *self._subheading(title),
            *self._fields(
                [
                    ("Reporter's own words", self._text(reaction.get("verbatim"))),
                    ("Coded term (MedDRA)", self._coded(term)),
                ]
            ),
            *self._fields(
                [
                    (
                        "CTCAE v5 grade",
                        self._label(vocab.CTCAE_GRADES, None if grade is None else str(grade)),
                    ),
                    ("Outcome", self._label(vocab.OUTCOMES, reaction.get("outcome"))),
                    ("Date started", self._date(reaction.get("onset_date"))),
                    ("Date stopped", self._date(reaction.get("end_date"))),
                ],
                columns=2,
            ),
            *self._fields([("Treatment given", self._text(reaction.get("treatment")))]),
        ]

    def _seriousness_section(self, record: Record) -> list[Flowable]:
        seriousness = self._section_of(self._section_of(record, "medicine"), "seriousness")
        criteria = seriousness.get("criteria")
        criteria = criteria if isinstance(criteria, Mapping) else {}
        rows = [
            [
                self._para(BOX_TICKED if criteria.get(key) is True else BOX_EMPTY, "Checkbox"),
                self._para(label),
            ]
            for key, label in vocab.SERIOUSNESS_CRITERIA.items()
        ]
        table = Table(rows, colWidths=[7 * mm, self.frame_width - 7 * mm], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    *self._base_table_style,
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ]
            )
        )
        # Fixed labels and Yes/No only, so the block is short enough to keep together.
        flowables: list[Flowable] = [
            KeepTogether(
                [
                    *self._fields([("Serious", self._text(seriousness.get("serious")))]),
                    Spacer(0, 2 * mm),
                    self._para("Reasons the reaction was serious:", "Label"),
                    Spacer(0, 1 * mm),
                    table,
                ]
            ),
            Spacer(0, 2 * mm),
        ]
        flowables += self._fields(
            [
                (
                    "Why medically significant",
                    self._text(seriousness.get("medically_significant_details")),
                )
            ]
        )
        return flowables

    def _other_medicines_section(self, record: Record) -> list[Flowable]:
        medicine = self._section_of(record, "medicine")
        return self._long_text(self._text(medicine.get("other_medicines")))

    def _additional_information_section(self, record: Record) -> list[Flowable]:
        medicine = self._section_of(record, "medicine")
        return self._long_text(self._text(medicine.get("additional_information")))

    def _causality_section(self, record: Record) -> list[Flowable]:
        medicine = self._section_of(record, "medicine")
        return self._fields(
            [
                (
                    "Causality (WHO-UMC)",
                    self._label(vocab.CAUSALITY, medicine.get("causality")),
                )
            ]
        )

    # --- sections shared by both kinds ------------------------------------------

    def _reporter_section(self, record: Record) -> list[Flowable]:
        reporter = self._section_of(record, "reporter")
        return self._fields(
            [
                ("Name", self._text(reporter.get("name"))),
                ("Profession", self._text(reporter.get("profession"))),
                ("Email", self._text(reporter.get("email"))),
                ("Organisation", self._text(reporter.get("organisation"))),
            ],
            columns=2,
        )

    def _procedure_section(self, record: Record) -> list[Flowable]:
        procedure = self._section_of(record, "procedure")
        unit = procedure.get("dose_unit")
        per_m2_unit = f"{unit}/m\u00b2" if unit else "per m\u00b2"
        codes = self._rows_of(procedure.get("opcs_codes"))
        return self._fields(
            [
                ("ECT session", self._text(procedure.get("session_id"))),
                ("Procedure date", self._date(procedure.get("procedure_date"))),
                ("Site", self._text(procedure.get("site_name"))),
                ("Nation", self._label(vocab.NATIONS, procedure.get("nation"))),
                (
                    "Care setting",
                    self._label(vocab.CARE_SETTINGS, procedure.get("care_setting")),
                ),
                ("Operator", self._text(procedure.get("operator"))),
                (
                    "Tumour histology",
                    self._label(vocab.HISTOLOGIES, procedure.get("histology")),
                ),
                (
                    "Lesions treated",
                    self._text(procedure.get("lesion_count")),
                ),
                (
                    "Largest lesion",
                    self._quantity(procedure.get("largest_lesion_mm"), "mm"),
                ),
                ("Lesion location", self._text(procedure.get("lesion_location"))),
                (
                    "Laterality",
                    self._label(vocab.LATERALITIES, procedure.get("laterality")),
                ),
                (
                    "Previously irradiated",
                    self._text(procedure.get("previous_irradiation")),
                ),
                (
                    "Anaesthesia",
                    self._label(vocab.ANAESTHESIA, procedure.get("anaesthesia")),
                ),
                ("Drug", self._label(vocab.DRUGS, procedure.get("drug"))),
                ("Route", self._label(vocab.ROUTES, procedure.get("route"))),
                ("Total dose", self._quantity(procedure.get("dose"), unit)),
                (
                    "Body surface area",
                    self._quantity(procedure.get("body_surface_area_m2"), "m\u00b2"),
                ),
                (
                    "Dose per m\u00b2",
                    self._quantity(procedure.get("dose_per_m2"), per_m2_unit),
                ),
                ("Drug given at", self._text(procedure.get("drug_administered_at"))),
                ("First pulse at", self._text(procedure.get("first_pulse_at"))),
                (
                    "Drug to first pulse",
                    self._quantity(procedure.get("minutes_drug_to_pulse"), "minutes"),
                ),
                ("Pulses delivered", self._text(procedure.get("pulses_delivered"))),
            ],
            columns=2,
        ) + self._fields(
            [
                (
                    "OPCS-4 codes",
                    "\n".join(self._code_line(code) for code in codes) if codes else NOT_RECORDED,
                )
            ]
        )

    def _code_line(self, term: Mapping[str, Any]) -> str:
        code = str(term.get("code") or "").strip()
        display = str(term.get("display") or "").strip()
        return f"{code} {display}".strip() or NOT_RECORDED

    # --- device sections --------------------------------------------------------

    def _device_identification_section(self, record: Record) -> list[Flowable]:
        device = self._section_of(record, "device")
        generator = self._section_of(device, "generator")
        electrode = self._section_of(device, "electrode")
        return [
            *self._fields(
                [
                    (
                        "Suspect component",
                        self._label(vocab.SUSPECT_COMPONENTS, device.get("suspect_component")),
                    )
                ]
            ),
            *self._subheading("Pulse generator"),
            *self._fields(
                [
                    ("Manufacturer", self._text(generator.get("manufacturer"))),
                    ("Model", self._text(generator.get("model"))),
                    ("Serial number", self._text(generator.get("serial_number"))),
                    ("Software version", self._text(generator.get("software_version"))),
                ],
                columns=2,
            ),
            *self._subheading("Electrode"),
            *self._fields(
                [
                    ("Type", self._label(vocab.ELECTRODE_TYPES, electrode.get("type"))),
                    ("Model / catalogue number", self._text(electrode.get("model"))),
                    ("Lot / batch number", self._text(electrode.get("lot_number"))),
                    ("UDI", self._text(electrode.get("udi"))),
                ],
                columns=2,
            ),
        ]

    def _what_happened_section(self, record: Record) -> list[Flowable]:
        incident = self._section_of(self._section_of(record, "device"), "incident")
        return [
            *self._block_label("Description"),
            *self._long_text(self._text(incident.get("description"))),
            *self._fields(
                [
                    ("Incident date", self._date(incident.get("incident_date"))),
                    (
                        "Classification",
                        self._label(
                            vocab.INCIDENT_CLASSIFICATIONS,
                            incident.get("classification"),
                        ),
                    ),
                ]
            ),
        ]

    def _imdrf_section(self, record: Record) -> list[Flowable]:
        incident = self._section_of(self._section_of(record, "device"), "incident")
        flowables: list[Flowable] = []
        for title, key in (
            ("Device problem (annex A)", "device_problem_codes"),
            ("Health effects (annexes E and F)", "health_effect_codes"),
        ):
            rows = [
                [
                    self._text(term.get("code")),
                    self._text(term.get("display")),
                    self._text(term.get("system")),
                ]
                for term in self._rows_of(incident.get(key))
            ]
            flowables += self._subheading(title)
            flowables += self._grid(("Code", "Term", "Code system"), rows, (18, 60, 22), "Code")
        return flowables

    def _patient_consequences_section(self, record: Record) -> list[Flowable]:
        incident = self._section_of(self._section_of(record, "device"), "incident")
        return [
            *self._long_text(self._text(incident.get("patient_consequence"))),
            *self._subheading("Patient"),
            *self._patient_section(record),
        ]

    def _device_availability_section(self, record: Record) -> list[Flowable]:
        incident = self._section_of(self._section_of(record, "device"), "incident")
        return self._fields(
            [
                (
                    "Where the device is now",
                    self._label(vocab.DEVICE_LOCATIONS, incident.get("device_location")),
                ),
                (
                    "Available for investigation",
                    self._text(incident.get("available_for_investigation")),
                ),
            ]
        )

    def _destination_section(self, record: Record) -> list[Flowable]:
        destination = self._section_of(record, "destination")
        return self._fields(
            [
                (
                    "Report to",
                    self._text(destination.get("name") or vocab.label(vocab.DESTINATIONS, destination.get("scheme"))),
                ),
                ("Site nation", self._label(vocab.NATIONS, destination.get("nation"))),
            ]
        )

    # --- record access ----------------------------------------------------------

    @staticmethod
    def _section_of(container: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = container.get(key)
        return value if isinstance(value, Mapping) else {}

    @staticmethod
    def _rows_of(value: Any) -> list[Mapping[str, Any]]:
        if not isinstance(value, list):
            return []
        return [row for row in value if isinstance(row, Mapping)]
