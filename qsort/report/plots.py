"""Scree plot and factor-loading scatter plots, as SVG.

Both plots use shapes, line styles and labels for every distinction, never colour alone: the
eigenvalues are filled circles on a solid line, the parallel-analysis 95th percentiles open
squares on a dashed line, and the Kaiser-Guttman criterion a dotted line; in the loading plot each
sort is a point whose shape says on which of the two factors it is flagged. A point is labelled
with its sort's name only where the label overlaps no other label (flagged sorts and the
strongest loadings first). Beyond :data:`MAX_POINTS` sorts the loading plot draws the density of
the sorts on a grid of cells instead of one point each, with the strongest loaders on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from qsort.report import derived
from qsort.report.svg import (
    PALETTE,
    SIZES,
    TITLE_X,
    Frame,
    Layout,
    Shape,
    axes,
    axis_titles,
    document,
    heading,
    hline,
    legend_line,
    legend_marker,
    marker,
    polyline,
    tag,
    text,
    text_width,
    ticks,
    tooltip,
    vline,
)
from qsort.result import AnalysisResult

Floats = Sequence[float] | NDArray[np.float64]

#: Most eigenvalues a scree plot shows (the tail of a large study is flat and unreadable).
MAX_SCREE = 40
#: About how many factor numbers are written along the scree plot's axis.
SCREE_XTICKS = 15
SCREE = Layout(width=660, height=480, left=70, top=60, plot_width=560, plot_height=300)
LOADINGS = Layout(width=720, height=560, left=70, top=60, plot_width=440, plot_height=440)
#: Legend below the scree plot: first row's distance from the frame, row spacing, second column.
SCREE_LEGEND_GAP = 70
LEGEND_ROW = 20
SCREE_LEGEND_COLUMN = 210
#: Loading plot legend: distance right of the frame and row spacing.
LOADINGS_LEGEND_GAP = 24
LOADINGS_LEGEND_ROW = 22

#: Most sorts drawn one point each; beyond, the plot shows their density.
MAX_POINTS = 1_000
#: Most labels tried, in priority order, when placing sort names.
MAX_LABEL_TRIES = 2_000
#: Cells along each axis of the density grid, and sorts drawn on top of it.
DENSITY_CELLS = 40
DENSITY_TOP = 10
POINT_SIZE = 4.0
FLAGGED_POINT_SIZE = 5.5
LABEL_DX = 8
LABEL_DY = -6


def scree_svg(
    eigenvalues: Floats,
    parallel: Floats | None = None,
    *,
    extracted: int | None = None,
    title: str = "Scree plot of the correlation matrix's eigenvalues",
) -> str:
    """SVG scree plot, with the parallel-analysis 95th percentiles when given.

    Parameters
    ----------
    eigenvalues : sequence of float
        Eigenvalues of the correlation matrix, descending.
    parallel : sequence of float, optional
        95th percentile of each eigenvalue over random data of the same size.
    extracted : int, optional
        Number of factors extracted, marked by a vertical line.
    title : str
    """
    count = min(len(eigenvalues), MAX_SCREE)
    values = [float(v) for v in eigenvalues[:count]]
    pa = [] if parallel is None else [float(v) for v in parallel[:count]]
    top = max([*values, *pa, 1.0]) * 1.05
    yticks = ticks(0.0, top, 6)
    frame = Frame.of(SCREE, (0.5, count + 0.5), (0.0, max(yticks[-1], top)))
    xs = list(range(1, count + 1))
    body = [heading(title), *axes(frame, xs[:: max(1, count // SCREE_XTICKS)], yticks)]
    body.append(
        hline(frame, 1.0, stroke=PALETTE.reference, stroke_dasharray="2 3", stroke_width=1.5)
    )
    if extracted:
        body += _extracted_marker(frame, extracted)
    body += _series(frame, xs, values, "eigenvalue")
    if pa:
        body += _series(frame, xs[: len(pa)], pa, "parallel")
    body += _scree_legend(frame, bool(pa))
    body += axis_titles(frame, "Factor number", "Eigenvalue")
    if len(eigenvalues) > count:
        body.append(_subtitle(f"First {count} of {len(eigenvalues):,} shown"))
    return document(SCREE.width, SCREE.height, title, body)


def _subtitle(content: str) -> str:
    return text(TITLE_X, 50, content, font_size=SIZES.small, fill=PALETTE.muted)


def _extracted_marker(frame: Frame, extracted: int) -> list[str]:
    """A dashed vertical line after the last extracted factor, labelled."""
    x = frame.x(extracted + 0.5)
    label = f"{extracted} extracted"
    return [
        vline(frame, extracted + 0.5, stroke=PALETTE.marker_line, stroke_dasharray="6 3"),
        text(x + 4, frame.top + 14, label, font_size=SIZES.small, fill=PALETTE.muted),
    ]


#: How each scree series is drawn: line style, then marker shape, size and style.
SERIES: dict[str, tuple[dict[str, object], Shape, float, dict[str, object]]] = {
    "eigenvalue": (
        {"stroke": PALETTE.primary, "stroke_width": 2},
        "circle",
        4.5,
        {"fill": PALETTE.primary},
    ),
    "parallel": (
        {"stroke": PALETTE.accent, "stroke_width": 2, "stroke_dasharray": "7 4"},
        "square",
        4,
        {"fill": PALETTE.background, "stroke": PALETTE.accent, "stroke_width": 1.5},
    ),
}


def _series(frame: Frame, xs: Sequence[int], values: Sequence[float], name: str) -> list[str]:
    """One scree series: the joined line and a marker (with its value) per point."""
    line_style, shape, size, point_style = SERIES[name]
    out = [polyline(frame, xs, values, **line_style)]
    out += [
        marker(
            shape,
            frame.x(x),
            frame.y(v),
            size,
            class_=name,
            data_value=f"{v:.4f}",
            **point_style,
        )
        for x, v in zip(xs, values, strict=True)
    ]
    return out


def _scree_legend(frame: Frame, with_parallel: bool) -> list[str]:
    x, y = frame.left, frame.bottom + SCREE_LEGEND_GAP
    _, shape, _, point_style = SERIES["eigenvalue"]
    out = legend_marker(x, y, shape, "Eigenvalue (solid line)", **point_style)
    out += legend_line(
        x + SCREE_LEGEND_COLUMN,
        y,
        "Eigenvalue = 1 (Kaiser-Guttman)",
        stroke=PALETTE.reference,
        stroke_dasharray="2 3",
        stroke_width=1.5,
    )
    if with_parallel:
        _, shape, _, point_style = SERIES["parallel"]
        label = "Parallel analysis, 95th percentile of random data (dashed line)"
        out += legend_marker(x, y + LEGEND_ROW, shape, label, **point_style)
    return out


SHAPES: dict[tuple[bool, bool], tuple[Shape, str]] = {
    (False, False): ("circle", "flagged on neither"),
    (True, False): ("triangle", "flagged on {a}"),
    (False, True): ("square", "flagged on {b}"),
    (True, True): ("diamond", "flagged on both"),
}


def _point_style(flagged: bool) -> dict[str, object]:
    if flagged:
        return {"fill": PALETTE.primary, "stroke": PALETTE.ink}
    return {"fill": PALETTE.background, "stroke": PALETTE.faint, "stroke_width": 1.3}


@dataclass(frozen=True)
class Point:
    """One sort in a loading plot: its name, pixel position and flags on the two factors."""

    name: str
    x: float
    y: float
    loadings: tuple[float, float]
    flags: tuple[bool, bool]

    @property
    def flagged(self) -> bool:
        """Flagged on either factor."""
        return any(self.flags)


def _point_svg(point: Point, label: bool) -> str:
    """A sort's marker, with its name beside it when ``label``, in a group with a tooltip."""
    shape, _ = SHAPES[point.flags]
    size = FLAGGED_POINT_SIZE if point.flagged else POINT_SIZE
    body = marker(shape, point.x, point.y, size, **_point_style(point.flagged))
    if label:
        body += text(
            point.x + LABEL_DX,
            point.y + LABEL_DY,
            point.name,
            font_size=SIZES.small,
            font_weight="bold" if point.flagged else None,
            fill=PALETTE.ink if point.flagged else PALETTE.faint,
        )
    a, b = point.loadings
    return tag(
        "g",
        tooltip(f"{point.name}: {a:.3f}, {b:.3f}") + body,
        class_="sort",
        data_sort=point.name,
        data_shape=shape,
        data_flagged="yes" if point.flagged else "no",
        data_labelled="yes" if label else "no",
    )


Box = tuple[float, float, float, float]
#: Clear space kept around a label, in pixels.
LABEL_PAD = 2.0


def _label_box(point: Point) -> Box:
    """The pixel box (left, top, right, bottom) a point's label covers, with its clear space."""
    left = point.x + LABEL_DX - LABEL_PAD
    bottom = point.y + LABEL_DY + 2 + LABEL_PAD
    right = point.x + LABEL_DX + text_width(point.name, SIZES.small) + LABEL_PAD
    return (left, bottom - SIZES.small - 2 * LABEL_PAD, right, bottom)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _covers_marker(box: Box, xs: NDArray[np.float64], ys: NDArray[np.float64], own: int) -> bool:
    """Whether a label box would hide any other point's marker."""
    reach = FLAGGED_POINT_SIZE
    hit = (
        (xs + reach > box[0])
        & (xs - reach < box[2])
        & (ys + reach > box[1])
        & (ys - reach < box[3])
    )
    hit[own] = False
    return bool(hit.any())


def readable_labels(points: Sequence[Point], frame: Frame) -> set[int]:
    """Indices of the points whose names can be written without hiding anything.

    Flagged sorts come first, then the sorts farthest from the origin; a label is kept when it
    lies inside the plot, clear of every label kept before it and of every other marker.
    """
    order = sorted(
        range(len(points)),
        key=lambda i: (not points[i].flagged, -np.hypot(*points[i].loadings), i),
    )[:MAX_LABEL_TRIES]
    xs = np.array([p.x for p in points])
    ys = np.array([p.y for p in points])
    kept: list[Box] = []
    chosen: set[int] = set()
    for i in order:
        box = _label_box(points[i])
        inside = box[2] <= frame.right and box[1] >= frame.top and box[3] <= frame.bottom
        clear = inside and not any(_overlaps(box, other) for other in kept)
        if clear and not _covers_marker(box, xs, ys, i):
            kept.append(box)
            chosen.add(i)
    return chosen


def _points(
    result: AnalysisResult, frame: Frame, a: int, b: int, sorts: Sequence[int]
) -> list[Point]:
    names = result.study.sort_names
    return [
        Point(
            names[j],
            frame.x(float(result.loadings[j, a])),
            frame.y(float(result.loadings[j, b])),
            (float(result.loadings[j, a]), float(result.loadings[j, b])),
            (bool(result.flags[j, a]), bool(result.flags[j, b])),
        )
        for j in sorts
    ]


def _scatter(
    result: AnalysisResult, frame: Frame, a: int, b: int, sorts: Sequence[int]
) -> list[str]:
    """Every given sort as a point, labelled where the label is readable."""
    points = _points(result, frame, a, b, sorts)
    labelled = readable_labels(points, frame)
    return [_point_svg(p, i in labelled) for i, p in enumerate(points)]


def _density(result: AnalysisResult, frame: Frame, a: int, b: int) -> list[str]:
    """The sorts' loadings counted on a grid of cells, darker where more sorts fall."""
    counts, _, _ = np.histogram2d(
        result.loadings[:, a],
        result.loadings[:, b],
        bins=DENSITY_CELLS,
        range=[[frame.x0, frame.x1], [frame.y0, frame.y1]],
    )
    most = float(counts.max()) or 1.0
    step_x, step_y = frame.width / DENSITY_CELLS, frame.height / DENSITY_CELLS
    out = []
    for i, k in zip(*np.nonzero(counts), strict=True):
        share = 0.15 + 0.85 * np.log1p(counts[i, k]) / np.log1p(most)
        out.append(
            tag(
                "rect",
                x=frame.left + i * step_x,
                y=frame.bottom - (k + 1) * step_y,
                width=step_x,
                height=step_y,
                fill=PALETTE.primary,
                fill_opacity=f"{share:.2f}",
                class_="density",
                data_count=int(counts[i, k]),
            )
        )
    return out


def _strongest_pair(result: AnalysisResult, a: int, b: int) -> list[int]:
    """The sorts with the largest loadings on either factor, drawn over the density grid."""
    size = np.maximum(np.abs(result.loadings[:, a]), np.abs(result.loadings[:, b]))
    return sorted(int(j) for j in np.argsort(-size, kind="stable")[:DENSITY_TOP])


def loadings_svg(result: AnalysisResult, first: int | str = 0, second: int | str = 1) -> str:
    """SVG scatter of every sort's loadings on two factors, flagged sorts shaped and labelled.

    Parameters
    ----------
    result : AnalysisResult
    first, second : int or str
        The factors on the horizontal and vertical axes, by 0-based position or by name.
    """
    a, b = (result.factor_names.index(derived.find_factor(result, f).name) for f in (first, second))
    na, nb = result.factor_names[a], result.factor_names[b]
    frame = Frame.of(LOADINGS, (-1.0, 1.0), (-1.0, 1.0))
    grid = [-1.0, -0.5, 0.0, 0.5, 1.0]
    title = f"Loadings on {na} and {nb}"
    body = [heading(title), *axes(frame, grid, grid)]
    body += [vline(frame, 0.0, stroke=PALETTE.axis), hline(frame, 0.0, stroke=PALETTE.axis)]
    cutoff = derived.flag_cutoff(result)
    if cutoff is not None:
        body += _threshold_lines(frame, cutoff)
    n = result.study.n_sorts
    if n > MAX_POINTS:
        body += _density(result, frame, a, b)
        body += _scatter(result, frame, a, b, _strongest_pair(result, a, b))
    else:
        body += _scatter(result, frame, a, b, range(n))
    body += axis_titles(frame, f"Loading on {na}", f"Loading on {nb}")
    body += _loadings_legend(result, frame, (na, nb), cutoff)
    return document(LOADINGS.width, LOADINGS.height, title, body)


def _threshold_lines(frame: Frame, cutoff: float) -> list[str]:
    style: dict[str, object] = {
        "stroke": PALETTE.accent,
        "stroke_dasharray": "6 4",
        "class_": "threshold",
    }
    out = []
    for v in (-cutoff, cutoff):
        out += [vline(frame, v, **style), hline(frame, v, **style)]
    return out


def _loadings_legend(
    result: AnalysisResult, frame: Frame, names: tuple[str, str], cutoff: float | None
) -> list[str]:
    x, y = frame.right + LOADINGS_LEGEND_GAP, frame.top + 10
    out = [text(x, y, "Q-sorts", font_size=SIZES.label, font_weight="bold")]
    for n, (flags, (shape, label)) in enumerate(SHAPES.items()):
        style = _point_style(any(flags))
        row = y + 24 + LOADINGS_LEGEND_ROW * n
        out += legend_marker(x, row, shape, label.format(a=names[0], b=names[1]), **style)
    row = y + 24 + LOADINGS_LEGEND_ROW * len(SHAPES) + 10
    p = derived.flag_p(result)
    if cutoff is not None and p is not None:
        out += legend_line(
            x,
            row,
            f"significant at p < {p:g}",
            stroke=PALETTE.accent,
            stroke_dasharray="6 4",
        )
        out.append(text(x + 18, row + 16, f"|a| > {cutoff:.3f}", font_size=SIZES.tick))
        row += 2 * LOADINGS_LEGEND_ROW
    if result.study.n_sorts > MAX_POINTS:
        out += _density_legend(x, row, result.study.n_sorts)
    return out


def _density_legend(x: float, y: float, n: int) -> list[str]:
    """Says that the cells count sorts and that only the strongest loaders are points."""
    lines = [
        f"{n:,} sorts: shaded cells,",
        "darker = more sorts;",
        f"points: the {DENSITY_TOP} strongest",
        "loadings on either factor",
    ]
    return [
        text(x, y + 16 * i, line, font_size=SIZES.small, fill=PALETTE.muted, class_="density-note")
        for i, line in enumerate(lines)
    ]
