"""Small helpers for writing SVG by hand: escaped elements, text, wrapping and axis ticks."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
#: Average glyph width of :data:`FONT` as a fraction of the font size, for wrapping estimates.
GLYPH = 0.6


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
    meta = f"<title>{escape(title)}</title>" + (f"<desc>{escape(desc)}</desc>" if desc else "")
    background = tag("rect", x=0, y=0, width=f"{width:.0f}", height=f"{height:.0f}", fill="#fff")
    return f"<svg {head}>{meta}{background}{''.join(body)}</svg>"


def wrap(content: str, width: float, size: float, max_lines: int) -> list[str]:
    """Break text into at most ``max_lines`` lines that fit ``width`` pixels at font ``size``.

    Words longer than a line are cut; text that does not fit ends with an ellipsis.
    """
    per_line = max(4, int(width / (size * GLYPH)))
    words = content.split()
    lines: list[str] = []
    current = ""
    for word in words:
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
