"""Small helpers for writing SVG by hand, shared by every figure of the report.

The palette, the font sizes and the plot frame live here, so that the scree plot, the loading
plots and the composite Q-sorts look alike and no figure carries its own unnamed numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
#: Average glyph width of :data:`FONT` as a fraction of the font size, for wrapping estimates.
GLYPH = 0.6

Shape = Literal["circle", "square", "triangle", "diamond"]


@dataclass(frozen=True)
class Palette:
    """Every colour the figures use; meaning is always carried by shape or line style too."""

    background: str = "#fff"
    ink: str = "#000"
    text: str = "#111"
    muted: str = "#444"
    faint: str = "#555"
    frame: str = "#444"
    grid: str = "#e2e2e2"
    axis: str = "#888"
    reference: str = "#666"
    marker_line: str = "#999"
    primary: str = "#1f4e79"
    accent: str = "#b85c00"
    header_fill: str = "#f6f6f6"
    header_line: str = "#bbb"


PALETTE = Palette()


@dataclass(frozen=True)
class FontSizes:
    """Font sizes in pixels."""

    title: float = 17
    label: float = 13
    tick: float = 12
    small: float = 11


SIZES = FontSizes()


@dataclass(frozen=True)
class Layout:
    """A figure's canvas and the pixel box of its plotting area."""

    width: float
    height: float
    left: float
    top: float
    plot_width: float
    plot_height: float


#: Where a figure's title sits, from the top left corner.
TITLE_X = 24
TITLE_Y = 32
#: Distance from the plot frame to the tick labels and to the axis titles.
TICK_GAP = 8
TICK_LENGTH = 5
XLABEL_GAP = 44
YLABEL_X = 20


@dataclass(frozen=True)
class Frame:
    """A plotting area: pixel box and the data ranges it maps."""

    left: float
    top: float
    width: float
    height: float
    x0: float
    x1: float
    y0: float
    y1: float

    @classmethod
    def of(cls, layout: Layout, xs: tuple[float, float], ys: tuple[float, float]) -> Frame:
        """The frame of a layout's plotting area over the data ranges ``xs`` and ``ys``."""
        return cls(layout.left, layout.top, layout.plot_width, layout.plot_height, *xs, *ys)

    @property
    def bottom(self) -> float:
        """Pixel y of the frame's lower edge."""
        return self.top + self.height

    @property
    def right(self) -> float:
        """Pixel x of the frame's right edge."""
        return self.left + self.width

    def x(self, value: float) -> float:
        """Pixel x of a data value."""
        return self.left + (value - self.x0) / (self.x1 - self.x0) * self.width

    def y(self, value: float) -> float:
        """Pixel y of a data value (up is larger)."""
        return self.top + (self.y1 - value) / (self.y1 - self.y0) * self.height


def attrs(values: dict[str, object]) -> str:
    """Attributes as ``name="value"`` pairs, escaped; None values are left out."""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        text = f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
        parts.append(f"{key.rstrip('_').replace('_', '-')}={quoteattr(text)}")
    return " ".join(parts)


def tag(name: str, content: str = "", /, **values: object) -> str:
    """One element; ``content`` must already be escaped markup."""
    head = f"{name} {attrs(values)}".rstrip()
    return f"<{head}>{content}</{name}>" if content else f"<{head}/>"


def text(x: float, y: float, content: str, /, **values: object) -> str:
    """A text element with escaped content."""
    return tag("text", escape(content), x=x, y=y, **values)


def tooltip(content: str) -> str:
    """A ``<title>`` child: the text a browser shows on hover and screen readers read."""
    return f"<title>{escape(content)}</title>"


def document(width: float, height: float, title: str, body: list[str], desc: str = "") -> str:
    """A complete standalone SVG document with an accessible title."""
    head = attrs(
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {width:.0f} {height:.0f}",
            "width": f"{width:.0f}",
            "height": f"{height:.0f}",
            "role": "img",
            "font-family": FONT,
        }
    )
    meta = tooltip(title) + (f"<desc>{escape(desc)}</desc>" if desc else "")
    background = tag(
        "rect", x=0, y=0, width=f"{width:.0f}", height=f"{height:.0f}", fill=PALETTE.background
    )
    return f"<svg {head}>{meta}{background}{''.join(body)}</svg>"


def heading(content: str) -> str:
    """A figure's bold title in the top left corner."""
    return text(TITLE_X, TITLE_Y, content, font_size=SIZES.title, font_weight="bold")


def line(x1: float, y1: float, x2: float, y2: float, **style: object) -> str:
    """A straight line."""
    return tag("line", x1=x1, x2=x2, y1=y1, y2=y2, **style)


def vline(frame: Frame, value: float, **style: object) -> str:
    """A vertical line across the frame at data x ``value``."""
    return line(frame.x(value), frame.top, frame.x(value), frame.bottom, **style)


def hline(frame: Frame, value: float, **style: object) -> str:
    """A horizontal line across the frame at data y ``value``."""
    return line(frame.left, frame.y(value), frame.right, frame.y(value), **style)


def polyline(frame: Frame, xs: Sequence[float], ys: Sequence[float], **style: object) -> str:
    """Data points joined by straight segments."""
    points = " ".join(f"{frame.x(x):.1f},{frame.y(y):.1f}" for x, y in zip(xs, ys, strict=True))
    return tag("polyline", points=points, fill="none", **style)


def marker(shape: Shape, x: float, y: float, size: float, **style: object) -> str:
    """A point marker centred on (x, y): circle, square, triangle or diamond."""
    s = size
    if shape == "circle":
        return tag("circle", cx=x, cy=y, r=s, **style)
    if shape == "square":
        return tag("rect", x=x - s, y=y - s, width=2 * s, height=2 * s, **style)
    corners = {
        "triangle": ((0, -1.2), (1.1, 0.8), (-1.1, 0.8)),
        "diamond": ((0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)),
    }[shape]
    points = " ".join(f"{x + dx * s:.1f},{y + dy * s:.1f}" for dx, dy in corners)
    return tag("polygon", points=points, **style)


def legend_row(x: float, y: float, sample: str, label: str) -> list[str]:
    """One legend entry: a sample drawn left of ``x + 14`` and its label after it."""
    return [sample, text(x + 18, y, label, font_size=SIZES.tick)]


def legend_marker(x: float, y: float, shape: Shape, label: str, **style: object) -> list[str]:
    """A legend entry whose sample is a point marker."""
    return legend_row(x, y, marker(shape, x + 6, y - 4, 5, **style), label)


def legend_line(x: float, y: float, label: str, **style: object) -> list[str]:
    """A legend entry whose sample is a short line."""
    return legend_row(x, y, line(x, y - 4, x + 14, y - 4, **style), label)


def axes(frame: Frame, xticks: Sequence[float], yticks: Sequence[float]) -> list[str]:
    """The frame, light grid lines with labels up the left edge, ticks along the bottom."""
    out = [
        tag(
            "rect",
            x=frame.left,
            y=frame.top,
            width=frame.width,
            height=frame.height,
            fill="none",
            stroke=PALETTE.frame,
        )
    ]
    for v in yticks:
        out.append(hline(frame, v, stroke=PALETTE.grid))
        label = format(v, "g")
        out.append(
            text(
                frame.left - TICK_GAP,
                frame.y(v) + 4,
                label,
                font_size=SIZES.tick,
                text_anchor="end",
            )
        )
    for v in xticks:
        x = frame.x(v)
        out.append(line(x, frame.bottom, x, frame.bottom + TICK_LENGTH, stroke=PALETTE.frame))
        out.append(
            text(x, frame.bottom + 20, format(v, "g"), font_size=SIZES.tick, text_anchor="middle")
        )
    return out


def axis_titles(frame: Frame, xlabel: str, ylabel: str) -> list[str]:
    """The horizontal axis title under the frame and the vertical one turned up its left side."""
    middle = frame.top + frame.height / 2
    return [
        text(
            frame.left + frame.width / 2,
            frame.bottom + XLABEL_GAP,
            xlabel,
            font_size=SIZES.label,
            text_anchor="middle",
        ),
        text(
            YLABEL_X,
            middle,
            ylabel,
            font_size=SIZES.label,
            text_anchor="middle",
            transform=f"rotate(-90 {YLABEL_X} {middle:.0f})",
        ),
    ]


def wrap(content: str, width: float, size: float, max_lines: int) -> list[str]:
    """Break text into at most ``max_lines`` lines that fit ``width`` pixels at font ``size``.

    Words longer than a line are cut; text that does not fit ends with an ellipsis.
    """
    per_line = max(4, int(width / (size * GLYPH)))
    lines: list[str] = []
    current = ""
    for word in content.split():
        while len(word) > per_line:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:per_line])
            word = word[per_line:]
        candidate = f"{current} {word}".strip()
        if len(candidate) <= per_line:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = [*lines[: max_lines - 1], last[: per_line - 1].rstrip() + "\u2026"]
    return lines


def text_width(content: str, size: float) -> float:
    """Estimated pixel width of a line of text at font ``size``."""
    return len(content) * size * GLYPH


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] with about ``count`` steps."""
    span = max(high - low, 1e-9)
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step - 1e-9) * step
    out = []
    value = first
    while value <= high + 1e-9:
        out.append(round(value, 10))
        value += step
    return out
