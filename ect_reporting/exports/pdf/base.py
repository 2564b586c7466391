"""Page plumbing and building blocks shared by every PDF layout.

Structure follows pretix's invoice renderer: ``BaseLayout.render`` fixes
the build sequence (document template, story, numbered canvas) and small
hook methods supply the pieces - page decoration, title block and one
method per section - so a variant (another layout, a nation's form)
overrides one hook rather than copying the whole renderer. The concrete
layouts live in ``medicine.py`` and ``device.py``.

Safety rules that every hook keeps:

* Every string that reaches a ``Paragraph`` goes through ``para``, which
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
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from ect_reporting import vocab
from ect_reporting.record_types import CodedTerm, Record

Section = Callable[[Record], list[Flowable]]
#: One label/value pair of a field table: (label, value, needs a full row).
FieldItem = tuple[str, str, bool]

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
FONT_REGULAR = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"

NOT_RECORDED = "Not recorded"

NHS_BLUE = colors.HexColor("#005EB8")
NHS_DARK_BLUE = colors.HexColor("#003087")
NHS_DARK_GREY = colors.HexColor("#425563")
NHS_PALE_GREY = colors.HexColor("#E8EDEE")
ALERT_RED = colors.HexColor("#D5281B")  # NHS emergency red: a nullified case

_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u0085]")
_PARAGRAPH_BREAKS = re.compile("(?:\n[ \t]*){2,}|\u2029")

# Paragraph styles: name -> (parent, overrides). "Body" is the root; the
# table keeps the sheet declarative so a new style is one line.
_STYLES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("Title", {"fontName": FONT_BOLD, "fontSize": 17, "leading": 21, "textColor": NHS_DARK_BLUE, "spaceAfter": 2 * mm}),
    ("Subtitle", {"fontSize": 10, "textColor": NHS_DARK_GREY, "spaceAfter": 4 * mm}),
    ("SectionHeading", {"fontName": FONT_BOLD, "fontSize": 11.5, "leading": 15, "textColor": colors.white}),
    (
        "SubHeading",
        {
            "fontName": FONT_BOLD,
            "fontSize": 10,
            "leading": 13,
            "textColor": NHS_DARK_BLUE,
            "spaceBefore": 3 * mm,
            "spaceAfter": 1.5 * mm,
        },
    ),
    ("Label", {"fontSize": 8.5, "leading": 11.5, "textColor": NHS_DARK_GREY}),
    ("BlockLabel", {"textColor": NHS_DARK_GREY, "spaceBefore": 2 * mm, "spaceAfter": 1 * mm}),
    ("LongText", {"spaceAfter": 2 * mm}),
    ("Cell", {"fontSize": 8, "leading": 10}),
    ("HeaderCell", {"fontName": FONT_BOLD, "fontSize": 8, "leading": 10}),
    ("Checkbox", {"fontSize": 10, "leading": 12.5}),
    ("Note", {"fontSize": 8, "leading": 10, "textColor": NHS_DARK_GREY}),
    ("Alert", {"fontName": FONT_BOLD, "fontSize": 13, "leading": 17, "textColor": ALERT_RED, "spaceAfter": 3 * mm}),
)


@functools.cache
def register_fonts() -> None:
    """Register the bundled fonts with reportlab, once per process.

    reportlab keeps fonts in a process-wide registry, and parsing a TTF
    file costs milliseconds, so doing it per render would dominate small
    reports.
    """
    pdfmetrics.registerFont(TTFont(FONT_REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        FONT_REGULAR,
        normal=FONT_REGULAR,
        bold=FONT_BOLD,
        italic=FONT_REGULAR,
        boldItalic=FONT_BOLD,
    )


@functools.cache
def stylesheet() -> StyleSheet1:
    """Return the paragraph styles, built once per process.

    Styles are read-only during a build, so every layout and renderer can
    share one sheet instead of rebuilding a dozen objects per instance.
    """
    register_fonts()
    sheet = StyleSheet1()
    base = ParagraphStyle("Body", fontName=FONT_REGULAR, fontSize=9, leading=12, textColor=colors.black)
    sheet.add(base)
    for name, overrides in _STYLES:
        sheet.add(ParagraphStyle(name, parent=base, **overrides))
    return sheet


def sanitise(text: str) -> str:
    """Return ``text`` safe for the PDF: line breaks unified, controls replaced."""
    text = _LINE_BREAKS.sub("\n", text).replace("\t", "    ")
    return _UNSAFE_CHARS.sub("\ufffd", text)


def utc_now() -> datetime:
    """Default clock for the "Generated" footer (a function so tests can pin it)."""
    return datetime.now(UTC)


class WrapOnceParagraph(Paragraph):
    """A Paragraph that breaks its lines once per width.

    A reportlab ``Table`` wraps every cell twice: once to size its row and
    again, at the same width, to draw it (and once more when a table split
    over pages is re-measured). Line breaking is most of a Paragraph's
    cost and depends only on the width, so the second wrap at the same
    width returns the first result. The lines, and so the PDF, are the same.
    """

    _wrapped_width: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Break lines for ``availWidth`` unless this width was already done."""
        if availWidth == self._wrapped_width and "blPara" in self.__dict__:
            return self.width, self.height
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        self._wrapped_width = availWidth if size[0] else None
        return size

    def split(self, availWidth: float, availHeight: float) -> list[Paragraph]:
        """Split as a Paragraph does; the next wrap starts afresh (splitting may drop the lines)."""
        self._wrapped_width = None
        parts: list[Paragraph] = super().split(availWidth, availHeight)
        return parts


class NumberedCanvas(Canvas):
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


class PageLayout:
    """A4 page furniture: document template, header, footer and watermark.

    Knows nothing about sections; ``BaseLayout`` adds the story.
    """

    # Page geometry; the frame is derived from these and the page size.
    pagesize: ClassVar[tuple[float, float]] = A4
    margin_left: ClassVar[float] = 18 * mm
    margin_right: ClassVar[float] = 18 * mm
    margin_top: ClassVar[float] = 24 * mm
    margin_bottom: ClassVar[float] = 18 * mm
    header_baseline: ClassVar[float] = 13 * mm  # from the top edge
    footer_baseline: ClassVar[float] = 9 * mm  # from the bottom edge

    watermark_text: ClassVar[str] = "DRAFT"
    nullified_watermark_text: ClassVar[str] = "NULLIFIED"

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        """Register fonts and share the process-wide stylesheet.

        ``clock`` gives the "Generated" time; tests and reproducible
        builds can pin it. One layout may render many records.
        """
        register_fonts()
        self.clock = clock
        self.styles = stylesheet()
        self.frame_width = self.pagesize[0] - self.margin_left - self.margin_right
        self.frame_height = self.pagesize[1] - self.margin_top - self.margin_bottom

    def render(self, record: Record) -> bytes:
        """Lay out the story for ``record`` and return the PDF bytes."""
        buffer = BytesIO()
        generated = self.clock().astimezone(UTC)
        document = self.document_template(buffer, record)
        document.build(
            self.story(record),
            canvasmaker=functools.partial(
                NumberedCanvas,
                draw_footer=functools.partial(self.draw_footer, generated=generated),
            ),
        )
        return buffer.getvalue()

    def story(self, record: Record) -> list[Flowable]:
        """Return the flowables of the page body (hook for subclasses)."""
        raise NotImplementedError

    def document_template(self, buffer: BytesIO, record: Record) -> BaseDocTemplate:
        """Return a one-frame A4 template whose pages get header and watermark."""
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
        on_page = functools.partial(self.draw_page, record=record)
        document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
        return document

    def draw_page(self, canvas: Canvas, document: BaseDocTemplate, record: Record) -> None:
        """Draw what sits under the content of every page: watermark, header."""
        canvas.saveState()
        if record.get("state") == "nullified":
            self.draw_watermark(canvas, self.nullified_watermark_text)
        elif self.is_draft(record):
            self.draw_watermark(canvas)
        self.draw_header(canvas, record)
        canvas.restoreState()

    def is_draft(self, record: Record) -> bool:
        """Until a report is signed off (approved or later) every page says DRAFT."""
        return record.get("state") not in vocab.SIGNED_OFF_STATES

    def draw_watermark(self, canvas: Canvas, text: str | None = None) -> None:
        """Draw the pale diagonal watermark (DRAFT, or NULLIFIED on a void case) across the page."""
        width, height = self.pagesize
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.13))
        canvas.translate(width / 2, height / 2)
        canvas.rotate(45)
        canvas.setFont(FONT_BOLD, 130 if text is None else 100)
        canvas.drawCentredString(0, -45, text or self.watermark_text)
        canvas.restoreState()

    def draw_header(self, canvas: Canvas, record: Record) -> None:
        """Reference on the left, status on the right, report kind centred between.

        The reference is shortened to a quarter of the frame, the status to
        two fifths (every state label fits whole: "Status: Submitted for
        review" was cut at a quarter), and the kind to what is left, so a
        long reference can never overprint.
        """
        width, height = self.pagesize
        y = height - self.header_baseline
        right = width - self.margin_right
        reference = fit_line(record.get("reference"), FONT_BOLD, 10, self.frame_width / 4)
        state_label = vocab.label(vocab.REPORT_STATES, record.get("state"))
        state = fit_line(f"Status: {state_label}", FONT_BOLD, 9, self.frame_width * 2 / 5)
        sides = max(
            pdfmetrics.stringWidth(reference, FONT_BOLD, 10),
            pdfmetrics.stringWidth(state, FONT_BOLD, 9),
        )
        kind_label = vocab.label(vocab.REPORT_KINDS, record.get("kind"))
        kind = fit_line(kind_label, FONT_REGULAR, 8.5, self.frame_width - 2 * sides - 8 * mm)
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

    def draw_footer(self, canvas: Canvas, page: int, total: int, generated: datetime) -> None:
        """Draw "Generated ... UTC" and "Page X of Y" (called by ``NumberedCanvas``)."""
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


def fit_line(value: object, font: str, size: float, max_width: float) -> str:
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


class BaseLayout(PageLayout):
    """Page plumbing plus the story: title, numbered sections, building blocks.

    Subclasses list their sections in ``sections`` as (title, method name)
    pairs; each method takes the record and returns flowables.
    """

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
    #: More space for sections that start with a block kept together, so
    #: the heading moves with the block (method name -> height).
    section_min_space: ClassVar[Mapping[str, float]] = {}

    #: Section titles and the methods that draw them, in form order.
    sections: ClassVar[tuple[tuple[str, str], ...]] = ()

    # Tables draw plain-string cells (the blanks that pad a row) in their
    # own default font, Helvetica; naming ours keeps the PDF to one family.
    base_table_style: ClassVar[tuple[tuple[Any, ...], ...]] = (("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),)

    def story(self, record: Record) -> list[Flowable]:
        """Return the title block and every section under a numbered heading."""
        story = self.title_block(record)
        for number, (title, method_name) in enumerate(self.sections, start=1):
            section: Section = getattr(self, method_name)
            min_space = self.section_min_space.get(method_name, self.keep_with_next_height)
            story += self.heading(f"{number}. {title}", min_space)
            story.extend(section(record))
        return story

    def title_block(self, record: Record) -> list[Flowable]:
        """Return the title, destination and report details (hook)."""
        return []

    # --- paragraphs and headings ------------------------------------------------

    def para(self, text: str, style: str = "Body") -> Paragraph:
        """Return a Paragraph of plain ``text``: sanitised, escaped, line breaks kept.

        The only way user text reaches a Paragraph: see the module docstring.
        """
        return WrapOnceParagraph(escape_markup(text), self.styles[style])

    def long_text(self, text: str) -> list[Flowable]:
        """Return splittable paragraphs for free text of any length."""
        chunks = [chunk for chunk in _PARAGRAPH_BREAKS.split(sanitise(text)) if chunk.strip()]
        return [self.para(chunk.strip("\n"), "LongText") for chunk in chunks] or [self.para(NOT_RECORDED, "LongText")]

    def heading(self, title: str, min_space: float | None = None) -> list[Flowable]:
        """Return a full-width section heading bar that stays with what follows.

        A conditional page break keeps a heading off the foot of a page.
        It is used instead of ``keepWithNext``, which would glue the heading
        to the whole next table and push it to a new page when the table
        could have split, leaving half a page empty.
        """
        heading = Table([[self.para(title, "SectionHeading")]], colWidths=[self.frame_width])
        heading.setStyle(
            TableStyle(
                [
                    *self.base_table_style,
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

    def subheading(self, title: str) -> list[Flowable]:
        """Return a sub-heading that needs some room below it on the page."""
        return [CondPageBreak(self.keep_with_next_height * 0.7), self.para(title, "SubHeading")]

    def block_label(self, label: str) -> list[Flowable]:
        """Return the label above a free-text block (kept off a page foot)."""
        return [CondPageBreak(self.keep_with_next_height * 0.5), self.para(label, "BlockLabel")]

    # --- field tables -----------------------------------------------------------

    def fits_in_cell(self, text: str, max_chars: int | None = None) -> bool:
        """Whether ``text`` is short enough for a (non-splittable) table cell."""
        limit = self.cell_max_chars if max_chars is None else max_chars
        return len(text) <= limit and text.count("\n") < self.cell_max_lines

    def fields(self, rows: Sequence[tuple[str, str]], columns: int = 1) -> list[Flowable]:
        """Lay out label/value pairs as a table; long values become paragraphs.

        With ``columns=2`` two pairs share a table row; a value that would
        not sit neatly in the half-width cell (a word wider than the cell,
        such as an email address or UDI, or more than two lines) gets a
        full-width row, and one too long for any cell leaves the table and
        runs on as splittable paragraphs.
        """
        flowables: list[Flowable] = []
        pending: list[FieldItem] = []
        for label, value in rows:
            if columns > 1 and self.fits_half_cell(value):
                pending.append((label, value, False))
            elif self.fits_in_cell(value):
                pending.append((label, value, True))
            else:
                flowables += self.field_table(pending, columns)
                pending = []
                flowables += self.block_label(label)
                flowables += self.long_text(value)
        flowables += self.field_table(pending, columns)
        return flowables

    def fits_half_cell(self, text: str) -> bool:
        """Whether ``text`` fits a half-width value cell in at most two lines."""
        if not self.fits_in_cell(text, self.narrow_cell_max_chars):
            return False
        width = self.frame_width / 2 - self.label_width - self.cell_padding
        style = self.styles["Body"]
        words = sanitise(text).split() or [""]
        widest = max(pdfmetrics.stringWidth(word, style.fontName, style.fontSize) for word in words)
        total = pdfmetrics.stringWidth(" ".join(words), style.fontName, style.fontSize)
        return widest <= width and total <= 1.8 * width

    def field_table(self, items: Sequence[FieldItem], columns: int) -> list[Flowable]:
        """Return one table of label/value cells (empty list for no items)."""
        if not items:
            return []
        spans: list[tuple[Any, ...]] = []
        if columns == 1:
            data: list[list[Any]] = [[self.para(label, "Label"), self.para(value)] for label, value, _ in items]
            widths = [self.label_width, self.frame_width - self.label_width]
        else:
            data, spans = self.two_column_rows(items)
            value_width = self.frame_width / 2 - self.label_width
            widths = [self.label_width, value_width, self.label_width, value_width]
        table = Table(data, colWidths=widths, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    *self.base_table_style,
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

    def two_column_rows(self, items: Sequence[FieldItem]) -> tuple[list[list[Any]], list[tuple[Any, ...]]]:
        """Return table rows holding two pairs each, and the spans of wide values.

        A wide value closes the half-filled row before it (padded with
        blanks) and spans the value columns of a row of its own.
        """
        data: list[list[Any]] = []
        spans: list[tuple[Any, ...]] = []
        row: list[Any] = []
        for label, value, wide in items:
            cells = [self.para(label, "Label"), self.para(value)]
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
        return data, spans

    def grid(
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
            return [self.para(NOT_RECORDED)]
        if not all(self.fits_in_cell(cell, self.narrow_cell_max_chars) for row in rows for cell in row):
            flowables: list[Flowable] = []
            for index, row in enumerate(rows, start=1):
                flowables += self.subheading(f"{row_title} {index}")
                flowables += self.fields(list(zip(header, row, strict=True)))
            return flowables
        data = [[self.para(title, "HeaderCell") for title in header]]
        data += [[self.para(cell, "Cell") for cell in row] for row in rows]
        table = Table(
            data,
            colWidths=[weight * self.frame_width / sum(widths) for weight in widths],
            repeatRows=1,
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    *self.base_table_style,
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

    def text(self, value: object) -> str:
        """Return a display string; ``None`` and blank text print "Not recorded"."""
        if value is None:
            return NOT_RECORDED
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, int | float):
            return self.number(value)
        text = str(value)
        return text if text.strip() else NOT_RECORDED

    def number(self, value: float, unit: str | None = None) -> str:
        """Return ``value`` with thousands separators and no trailing ".0"."""
        text = f"{value:,}".removesuffix(".0")
        return f"{text} {unit}" if unit else text

    def quantity(self, value: object, unit: str | None) -> str:
        """Return "25,800 IU"; a missing or non-numeric value prints as text."""
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            return self.text(value)
        return self.number(value, unit if unit else None)

    def label(self, vocabulary: vocab.Vocabulary, value: object) -> str:
        """Return the vocabulary label of a stored value (unknown values as stored)."""
        return self.text(vocab.label(vocabulary, value) if isinstance(value, str) else value)

    def date_text(self, value: object) -> str:
        """Return "14 March 2025"; an unparseable value prints as recorded."""
        if not isinstance(value, str):
            return self.text(value)
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            return self.text(value)
        return f"{parsed.day} {parsed:%B %Y}"

    def datetime_text(self, value: object) -> str:
        """Return "14 March 2025 15:20 UTC"; an unparseable value prints as recorded."""
        if not isinstance(value, str):
            return self.text(value)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return self.text(value)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC)
        return f"{parsed.day} {parsed:%B %Y %H:%M} UTC"

    def coded(self, term: CodedTerm | None) -> str:
        """Return "display (SYSTEM code)" for a coded term."""
        if not isinstance(term, Mapping):
            return NOT_RECORDED
        display = str(term.get("display") or "").strip()
        code = " ".join(str(term.get(key) or "") for key in ("system", "code")).strip()
        if display and code:
            return f"{display} ({code})"
        return display or code or NOT_RECORDED

    def code_line(self, term: CodedTerm) -> str:
        """Return "code display" for one line of a code list."""
        code = str(term.get("code") or "").strip()
        display = str(term.get("display") or "").strip()
        return f"{code} {display}".strip() or NOT_RECORDED


def escape_markup(text: str) -> str:
    """Return ``text`` sanitised and XML-escaped, with ``<br/>`` for line breaks."""
    return escape(sanitise(text)).replace("\n", "<br/>")
