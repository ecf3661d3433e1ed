"""Scree plot and factor-loading scatter plots, as SVG.

Both plots use shapes, line styles and labels for every distinction, never colour alone: the
eigenvalues are filled circles on a solid line, the parallel-analysis 95th percentiles open
squares on a dashed line, and the Kaiser-Guttman criterion a dotted line; in the loading plot each
sort is a labelled point whose shape says on which of the two factors it is flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from qsort.report import derived
from qsort.report.svg import document, tag, text, ticks
from qsort.result import AnalysisResult

Floats = Sequence[float] | NDArray[np.float64]

#: Most eigenvalues a scree plot shows (the tail of a large study is flat and unreadable).
MAX_SCREE = 40


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

    def x(self, value: float) -> float:
        """Pixel x of a data value."""
        return self.left + (value - self.x0) / (self.x1 - self.x0) * self.width

    def y(self, value: float) -> float:
        """Pixel y of a data value (up is larger)."""
        return self.top + (self.y1 - value) / (self.y1 - self.y0) * self.height


def _polyline(frame: Frame, xs: Sequence[float], ys: Sequence[float], **style: object) -> str:
    points = " ".join(f"{frame.x(x):.1f},{frame.y(y):.1f}" for x, y in zip(xs, ys, strict=True))
    return tag("polyline", points=points, fill="none", **style)


def _axes(frame: Frame, xticks: Sequence[float], yticks: Sequence[float], fmt: str) -> list[str]:
    """Tick marks, labels and light grid lines along the frame's left and bottom edges."""
    out = [
        tag(
            "rect",
            x=frame.left,
            y=frame.top,
            width=frame.width,
            height=frame.height,
            fill="none",
            stroke="#444",
        )
    ]
    bottom = frame.top + frame.height
    for v in yticks:
        y = frame.y(v)
        out.append(
            tag("line", x1=frame.left, x2=frame.left + frame.width, y1=y, y2=y, stroke="#e2e2e2")
        )
        out.append(text(frame.left - 8, y + 4, format(v, fmt), font_size=12, text_anchor="end"))
    for v in xticks:
        x = frame.x(v)
        out.append(tag("line", x1=x, x2=x, y1=bottom, y2=bottom + 5, stroke="#444"))
        out.append(
            text(
                x,
                bottom + 20,
                format(v, fmt if fmt != "g" else "g"),
                font_size=12,
                text_anchor="middle",
            )
        )
    return out


def _marker(shape: str, x: float, y: float, size: float, **style: object) -> str:
    """A point marker: circle, square, triangle or diamond centred on (x, y)."""
    s = size
    if shape == "circle":
        return tag("circle", cx=x, cy=y, r=s, **style)
    if shape == "square":
        return tag("rect", x=x - s, y=y - s, width=2 * s, height=2 * s, **style)
    if shape == "triangle":
        pts = (
            f"{x:.1f},{y - 1.2 * s:.1f} {x + 1.1 * s:.1f},{y + 0.8 * s:.1f} "
            f"{x - 1.1 * s:.1f},{y + 0.8 * s:.1f}"
        )
        return tag("polygon", points=pts, **style)
    pts = (
        f"{x:.1f},{y - 1.3 * s:.1f} {x + 1.3 * s:.1f},{y:.1f} {x:.1f},{y + 1.3 * s:.1f} "
        f"{x - 1.3 * s:.1f},{y:.1f}"
    )
    return tag("polygon", points=pts, **style)


def _legend_row(x: float, y: float, shape: str, label: str, **style: object) -> list[str]:
    return [_marker(shape, x + 6, y - 4, 5, **style), text(x + 18, y, label, font_size=12)]


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
    top = max([*values, *pa, 1.0])
    yt = ticks(0.0, top * 1.05, 6)
    frame = Frame(70, 60, 560, 300, 0.5, count + 0.5, 0.0, max(yt[-1], top * 1.05))
    xs = list(range(1, count + 1))
    step = max(1, count // 15)
    body = [
        text(24, 32, title, font_size=17, font_weight="bold"),
        *_axes(frame, xs[::step], yt, "g"),
    ]
    body.append(
        _polyline(
            frame,
            [0.5, count + 0.5],
            [1.0, 1.0],
            stroke="#666",
            stroke_dasharray="2 3",
            stroke_width=1.5,
        )
    )
    if extracted:
        x = frame.x(extracted + 0.5)
        body.append(
            tag(
                "line",
                x1=x,
                x2=x,
                y1=frame.top,
                y2=frame.top + frame.height,
                stroke="#999",
                stroke_dasharray="6 3",
            )
        )
        body.append(
            text(x + 4, frame.top + 14, f"{extracted} extracted", font_size=11, fill="#444")
        )
    body.append(_polyline(frame, xs, values, stroke="#1f4e79", stroke_width=2))
    body += [
        _marker(
            "circle",
            frame.x(x),
            frame.y(v),
            4.5,
            fill="#1f4e79",
            class_="eigenvalue",
            data_value=f"{v:.4f}",
        )
        for x, v in zip(xs, values, strict=True)
    ]
    if pa:
        pxs = xs[: len(pa)]
        body.append(
            _polyline(frame, pxs, pa, stroke="#b85c00", stroke_width=2, stroke_dasharray="7 4")
        )
        body += [
            _marker(
                "square",
                frame.x(x),
                frame.y(v),
                4,
                fill="#fff",
                stroke="#b85c00",
                stroke_width=1.5,
                class_="parallel",
            )
            for x, v in zip(pxs, pa, strict=True)
        ]
    body += _scree_legend(frame, bool(pa))
    body.append(
        text(
            frame.left + frame.width / 2,
            frame.top + frame.height + 44,
            "Factor number",
            font_size=13,
            text_anchor="middle",
        )
    )
    body.append(
        text(
            20,
            frame.top + frame.height / 2,
            "Eigenvalue",
            font_size=13,
            text_anchor="middle",
            transform=f"rotate(-90 20 {frame.top + frame.height / 2:.0f})",
        )
    )
    note = "" if len(eigenvalues) <= count else f" (first {count} of {len(eigenvalues)} shown)"
    if note:
        body.append(text(24, 50, note.strip(" ()").capitalize(), font_size=11, fill="#444"))
    return document(660, 480, title, body)


def _scree_legend(frame: Frame, with_parallel: bool) -> list[str]:
    y = frame.top + frame.height + 70
    out = _legend_row(frame.left, y, "circle", "Eigenvalue (solid line)", fill="#1f4e79")
    out += [
        tag(
            "line",
            x1=frame.left + 210,
            x2=frame.left + 240,
            y1=y - 4,
            y2=y - 4,
            stroke="#666",
            stroke_dasharray="2 3",
            stroke_width=1.5,
        ),
        text(frame.left + 246, y, "Eigenvalue = 1 (Kaiser-Guttman)", font_size=12),
    ]
    if with_parallel:
        out += _legend_row(
            frame.left,
            y + 20,
            "square",
            "Parallel analysis, 95th percentile of random data (dashed line)",
            fill="#fff",
            stroke="#b85c00",
            stroke_width=1.5,
        )
    return out


def _factor_index(result: AnalysisResult, factor: int | str) -> int:
    if isinstance(factor, int):
        if not 0 <= factor < len(result.factors):
            raise ValueError(f"factor: expected 0..{len(result.factors) - 1}, found {factor}")
        return factor
    if factor not in result.factor_names:
        raise ValueError(f"factor: expected one of {list(result.factor_names)}, found {factor!r}")
    return result.factor_names.index(factor)


SHAPES = {
    (False, False): ("circle", "flagged on neither"),
    (True, False): ("triangle", "flagged on {a}"),
    (False, True): ("square", "flagged on {b}"),
    (True, True): ("diamond", "flagged on both"),
}


def _threshold_lines(frame: Frame, cutoff: float) -> list[str]:
    out = []
    for v in (-cutoff, cutoff):
        out.append(
            tag(
                "line",
                x1=frame.x(v),
                x2=frame.x(v),
                y1=frame.top,
                y2=frame.top + frame.height,
                stroke="#b85c00",
                stroke_dasharray="6 4",
                class_="threshold",
            )
        )
        out.append(
            tag(
                "line",
                x1=frame.left,
                x2=frame.left + frame.width,
                y1=frame.y(v),
                y2=frame.y(v),
                stroke="#b85c00",
                stroke_dasharray="6 4",
                class_="threshold",
            )
        )
    return out


def _point(frame: Frame, name: str, xy: tuple[float, float], flags: tuple[bool, bool]) -> str:
    shape, _ = SHAPES[flags]
    flagged = any(flags)
    x, y = frame.x(xy[0]), frame.y(xy[1])
    style: dict[str, object] = (
        {"fill": "#1f4e79", "stroke": "#000"}
        if flagged
        else {"fill": "#fff", "stroke": "#555", "stroke_width": 1.3}
    )
    body = _marker(shape, x, y, 5.5 if flagged else 4, **style) + text(
        x + 8,
        y - 6,
        name,
        font_size=11,
        font_weight="bold" if flagged else None,
        fill="#000" if flagged else "#555",
    )
    return tag(
        "g",
        f"<title>{_esc(name)}: {xy[0]:.3f}, {xy[1]:.3f}</title>" + body,
        class_="sort",
        data_sort=name,
        data_shape=shape,
        data_flagged="yes" if flagged else "no",
    )


def _esc(value: str) -> str:
    from xml.sax.saxutils import escape

    return escape(value)


def loadings_svg(result: AnalysisResult, first: int | str = 0, second: int | str = 1) -> str:
    """SVG scatter of every sort's loadings on two factors, flagged sorts shaped and labelled.

    Parameters
    ----------
    result : AnalysisResult
    first, second : int or str
        The factors on the horizontal and vertical axes, by 0-based position or by name.
    """
    a, b = _factor_index(result, first), _factor_index(result, second)
    na, nb = result.factor_names[a], result.factor_names[b]
    frame = Frame(70, 60, 440, 440, -1.0, 1.0, -1.0, 1.0)
    grid = [-1.0, -0.5, 0.0, 0.5, 1.0]
    title = f"Loadings on {na} and {nb}"
    body = [text(24, 32, title, font_size=17, font_weight="bold"), *_axes(frame, grid, grid, "g")]
    body.append(
        tag(
            "line",
            x1=frame.x(0),
            x2=frame.x(0),
            y1=frame.top,
            y2=frame.top + frame.height,
            stroke="#888",
        )
    )
    body.append(
        tag(
            "line",
            x1=frame.left,
            x2=frame.left + frame.width,
            y1=frame.y(0),
            y2=frame.y(0),
            stroke="#888",
        )
    )
    cutoff = derived.flag_cutoff(result)
    if cutoff is not None:
        body += _threshold_lines(frame, cutoff)
    for j, name in enumerate(result.study.sort_names):
        xy = (float(result.loadings[j, a]), float(result.loadings[j, b]))
        body.append(_point(frame, name, xy, (bool(result.flags[j, a]), bool(result.flags[j, b]))))
    body.append(
        text(
            frame.left + frame.width / 2,
            frame.top + frame.height + 42,
            f"Loading on {na}",
            font_size=13,
            text_anchor="middle",
        )
    )
    mid = frame.top + frame.height / 2
    body.append(
        text(
            22,
            mid,
            f"Loading on {nb}",
            font_size=13,
            text_anchor="middle",
            transform=f"rotate(-90 22 {mid:.0f})",
        )
    )
    body += _loadings_legend(result, frame, na, nb, cutoff)
    return document(720, 560, title, body)


def _loadings_legend(
    result: AnalysisResult, frame: Frame, na: str, nb: str, cutoff: float | None
) -> list[str]:
    x, y = frame.left + frame.width + 24, frame.top + 10
    out = [text(x, y, "Q-sorts", font_size=13, font_weight="bold")]
    for n, (flags, (shape, label)) in enumerate(SHAPES.items()):
        style: dict[str, object] = (
            {"fill": "#1f4e79", "stroke": "#000"}
            if any(flags)
            else {"fill": "#fff", "stroke": "#555"}
        )
        out += _legend_row(x, y + 24 + 22 * n, shape, label.format(a=na, b=nb), **style)
    if cutoff is not None:
        p = derived.flag_p(result)
        ly = y + 24 + 22 * 4 + 10
        out += [
            tag(
                "line",
                x1=x,
                x2=x + 14,
                y1=ly - 4,
                y2=ly - 4,
                stroke="#b85c00",
                stroke_dasharray="6 4",
            ),
            text(x + 18, ly, f"significant at p < {p:g}", font_size=12),
            text(x + 18, ly + 16, f"|a| > {cutoff:.3f}", font_size=12),
        ]
    return out
