"""The correlation matrix between sorts as a heat map (SVG), readable for 10 and usable for 300.

Each cell's colour runs from the accent colour (r = -1) through white (0) to the primary colour
(r = +1), in :data:`STEPS` steps either side, so that the picture does not depend on telling
nearby shades apart; the colour bar under the map names the scale. Small matrices (up to
:data:`LABELLED` sorts) name every sort on both axes, and up to :data:`VALUES_SHOWN` sorts each
cell also prints its correlation. Larger matrices are drawn in the order given (the workbench
passes :func:`factor_order`, which brings sorts that load on the same factor together) and,
beyond :data:`MAX_SIDE` sorts, as blocks of neighbouring sorts, each cell the mean correlation
of its block, so that the file stays small for any study. Runs of equal colour along a row are
drawn as one rectangle.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from qsort.report.svg import (
    PALETTE,
    SIZES,
    TITLE_X,
    document,
    heading,
    tag,
    text,
    text_width,
    tooltip,
)

FloatArray = NDArray[np.float64]

#: Colour steps on each side of zero.
STEPS = 10
#: Most sorts whose names are written along the axes.
LABELLED = 40
#: Most sorts whose cells print their correlation.
VALUES_SHOWN = 15
#: Most cells along a side; beyond, neighbouring sorts are drawn as one averaged block.
MAX_SIDE = 150
#: Size of the square map in pixels (cells are square; small maps use larger cells up to CELL).
MAP_SIZE = 600
CELL = 44
TOP = 60
BAR_HEIGHT = 14
BAR_GAP = 28
FOOT = 90


def _mix(a: str, b: str, share: float) -> str:
    """Colour ``share`` of the way from ``a`` to ``b`` (``#rgb`` or ``#rrggbb``)."""

    def rgb(colour: str) -> tuple[int, ...]:
        digits = colour.lstrip("#")
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))

    mixed = (round(x + (y - x) * share) for x, y in zip(rgb(a), rgb(b), strict=True))
    return "#" + "".join(f"{value:02x}" for value in mixed)


def colour_step(r: float) -> int:
    """The colour step of a correlation: -STEPS..STEPS, 0 for |r| under half a step."""
    return int(np.clip(round(r * STEPS), -STEPS, STEPS))


def step_colour(step: int) -> str:
    """The fill of a colour step: white at 0, the primary colour at +STEPS, accent at -STEPS."""
    end = PALETTE.primary if step > 0 else PALETTE.accent
    return _mix(PALETTE.background, end, abs(step) / STEPS)


def factor_order(loadings: FloatArray) -> list[int]:
    """Sorts grouped by the factor they load on most, positive loaders before negative ones,
    strongest first within each group (so that neighbours correlate alike)."""
    strongest = np.argmax(np.abs(loadings), axis=1)
    value = loadings[np.arange(len(loadings)), strongest]
    return sorted(
        range(len(loadings)),
        key=lambda j: (int(strongest[j]), bool(value[j] < 0), -abs(float(value[j]))),
    )


def blocks(matrix: FloatArray, size: int) -> FloatArray:
    """Mean of each ``size`` x ``size`` block of a square matrix (the last block may be smaller)."""
    n = matrix.shape[0]
    edges = np.arange(0, n, size)
    rows = np.add.reduceat(matrix, edges, axis=0)
    sums = np.add.reduceat(rows, edges, axis=1)
    counts = np.diff(np.append(edges, n))
    return np.asarray(sums / np.outer(counts, counts), dtype=np.float64)


def _cells(shown: FloatArray, left: float, cell: float, tips: Sequence[str] | None) -> list[str]:
    """One rectangle per run of equal colour along each row (one per cell when tips are given)."""
    steps = np.vectorize(colour_step)(shown)
    out: list[str] = []
    side = shown.shape[0]
    for i in range(side):
        start = 0
        for j in range(1, side + 1):
            if j < side and steps[i, j] == steps[i, start] and tips is None:
                continue
            tip = tooltip(tips[i * side + start]) if tips is not None else ""
            out.append(
                tag(
                    "rect",
                    tip,
                    x=left + start * cell,
                    y=TOP + i * cell,
                    width=(j - start) * cell,
                    height=cell,
                    fill=step_colour(int(steps[i, start])),
                )
            )
            start = j
    return out


def _values(shown: FloatArray, left: float, cell: float) -> list[str]:
    """Each cell's correlation in two decimals, dark on light cells and white on dark ones."""
    out = []
    for (i, j), r in np.ndenumerate(shown):
        ink = PALETTE.background if abs(colour_step(float(r))) >= STEPS * 0.6 else PALETTE.text
        out.append(
            text(
                left + (j + 0.5) * cell,
                TOP + (i + 0.5) * cell + 4,
                f"{r:.2f}".replace("0.", ".").replace("1.00", "1"),
                font_size=SIZES.small,
                text_anchor="middle",
                fill=ink,
            )
        )
    return out


def _labels(names: Sequence[str], left: float, cell: float) -> list[str]:
    """Sort names left of the rows and above the columns (turned up)."""
    out = []
    for k, name in enumerate(names):
        middle = k * cell + cell / 2
        out.append(text(left - 6, TOP + middle + 4, name, font_size=SIZES.small, text_anchor="end"))
        x, y = left + middle + 4, TOP - 6
        out.append(
            text(x, y, name, font_size=SIZES.small, transform=f"rotate(-90 {x:.1f} {y:.1f})")
        )
    return out


def _positions(n: int, per: int, left: float, cell: float) -> list[str]:
    """For large maps: sort positions (1-based, in the drawn order) along the left edge."""
    step = max(1, math.ceil(n / 10 / per)) * per
    out = []
    for position in range(0, n, step):
        y = TOP + position / per * cell
        out.append(
            text(left - 6, y + 4, f"{position + 1}", font_size=SIZES.small, text_anchor="end")
        )
    return out


def _colour_bar(left: float, top: float, width: float) -> list[str]:
    """The scale: one box per colour step from -1 to +1, labelled at -1, 0 and +1."""
    count = 2 * STEPS + 1
    box = width / count
    out = [
        tag(
            "rect",
            x=left + k * box,
            y=top,
            width=box,
            height=BAR_HEIGHT,
            fill=step_colour(k - STEPS),
            stroke=PALETTE.header_line,
            stroke_width=0.5,
        )
        for k in range(count)
    ]
    for value, k in (("-1", 0), ("0", STEPS), ("+1", 2 * STEPS)):
        x = left + (k + 0.5) * box
        out.append(
            text(x, top + BAR_HEIGHT + 15, value, font_size=SIZES.tick, text_anchor="middle")
        )
    return out


def correlation_heatmap_svg(
    matrix: FloatArray,
    names: Sequence[str],
    order: Sequence[int] | None = None,
    title: str = "Correlations between sorts",
) -> str:
    """The heat map of a correlation matrix between sorts.

    Parameters
    ----------
    matrix : ndarray, shape (n, n)
        Correlations between the sorts.
    names : sequence of str
        The n sort names.
    order : sequence of int, optional
        The order to draw the sorts in (e.g. :func:`factor_order`); defaults to the given order.
    title : str

    Returns
    -------
    str
        A standalone SVG document.
    """
    n = len(names)
    drawn = list(range(n)) if order is None else list(order)
    ordered = np.asarray(matrix, dtype=np.float64)[np.ix_(drawn, drawn)]
    per = max(1, math.ceil(n / MAX_SIDE))
    shown = blocks(ordered, per) if per > 1 else ordered
    side = shown.shape[0]
    cell = min(CELL, MAP_SIZE / side)
    labelled = n <= LABELLED
    margin = max((text_width(name, SIZES.small) for name in names), default=0) + 12
    left = TITLE_X + (margin if labelled else 40)
    top_extra = margin if labelled else 0
    body = [heading(title)]
    tips = None
    if n <= VALUES_SHOWN * 4:
        tips = [
            f"{names[drawn[i]]} \u00d7 {names[drawn[j]]}: r = {shown[i, j]:.3f}"
            for i in range(side)
            for j in range(side)
        ]
    parts = _cells(shown, left, cell, tips)
    if n <= VALUES_SHOWN:
        parts += _values(shown, left, cell)
    parts += (
        _labels([names[j] for j in drawn], left, cell)
        if labelled
        else _positions(n, per, left, cell)
    )
    body.append(tag("g", "".join(parts), transform=f"translate(0 {top_extra:.0f})"))
    bottom = TOP + top_extra + side * cell
    body += _colour_bar(left, bottom + BAR_GAP, min(side * cell, 420))
    note = _note(n, per, order is not None)
    body.append(
        text(
            left,
            bottom + BAR_GAP + BAR_HEIGHT + 40,
            note,
            font_size=SIZES.small,
            fill=PALETTE.muted,
        )
    )
    width = max(left + side * cell + TITLE_X, left + text_width(note, SIZES.small) + TITLE_X)
    desc = f"Heat map of the correlations between {n} sorts; {note}"
    return document(width, bottom + FOOT, title, body, desc)


def _note(n: int, per: int, ordered: bool) -> str:
    """What the reader needs to know to read a large map."""
    parts = [f"{n} sorts"]
    if ordered:
        parts.append("grouped by the factor each loads on most")
    if per > 1:
        parts.append(f"each cell is the mean correlation of blocks of {per} sorts")
    return "; ".join(parts) + "."
