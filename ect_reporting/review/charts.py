"""Server-side bar charts: geometry here, markup in ``templates/review/_chart.html``.

Horizontal bars because their labels stay readable at any length
without rotated text. Every bar carries its label and its number as
text, so nothing depends on colour; the SVG is ``role="img"`` with a
``<title>`` and a ``<desc>`` that reads the figures out, and the page
shows the same figures as a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ect_reporting.review.figures import Count

WIDTH = 640
LABEL_WIDTH = 230
VALUE_WIDTH = 50
ROW_HEIGHT = 28
BAR_HEIGHT = 18
PADDING = 8
MAX_LABEL_CHARS = 30


@dataclass(frozen=True)
class Bar:
    """One bar, positioned in the chart's coordinate system."""

    label: str
    short_label: str
    count: int
    y: int
    width: float

    @property
    def text_y(self) -> int:
        """Baseline for the label and value text, centred on the bar."""
        return self.y + BAR_HEIGHT - 4


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart with its accessible title and description."""

    id: str
    title: str
    description: str
    bars: list[Bar]
    width: int = WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def height(self) -> int:
        """Total height: one row per bar plus padding."""
        return len(self.bars) * ROW_HEIGHT + 2 * PADDING

    @property
    def empty(self) -> bool:
        """True when there is nothing to draw."""
        return not any(bar.count for bar in self.bars)

    @property
    def bar_x(self) -> int:
        """Where bars start (after the label column)."""
        return self.label_width + PADDING


def _shorten(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(chart_id: str, title: str, counts: Sequence[Count], unit: str = "reports") -> BarChart:
    """Lay out ``counts`` as bars scaled to the largest; describe them in words."""
    largest = max((c.count for c in counts), default=0)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 2 * PADDING
    bars = [
        Bar(
            label=c.label,
            short_label=_shorten(c.label),
            count=c.count,
            y=PADDING + index * ROW_HEIGHT,
            width=round(span * c.count / largest, 1) if largest else 0.0,
        )
        for index, c in enumerate(counts)
    ]
    figures = "; ".join(f"{c.label}: {c.count}" for c in counts)
    description = f"Bar chart of {unit}. {figures}." if counts else f"No {unit} to show."
    return BarChart(id=chart_id, title=title, description=description, bars=bars)
