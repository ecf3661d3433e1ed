"""Figures of an analysis as SVG text, and PNG when the optional ``cairosvg`` is installed.

* :func:`composite_sort_svg`: a factor's composite Q-sort drawn as the grid, with
  distinguishing (``*``/``**``, ▲/▼) and consensus (◆/◇) statements marked.
* :func:`scree_svg`: the correlation eigenvalues, with parallel analysis when given.
* :func:`loadings_svg`: two factors' loadings with flagged sorts and the significance threshold.

SVG is written by hand (no plotting library). PNG needs ``pip install cairosvg``, which in turn
needs the system cairo library (Debian/Ubuntu: ``apt-get install libcairo2``).
"""

from __future__ import annotations

import importlib
from itertools import combinations
from pathlib import Path

from qsort.errors import QsortError
from qsort.report.composite import composite_sort_svg
from qsort.report.plots import Floats, loadings_svg, scree_svg
from qsort.result import AnalysisResult

__all__ = [
    "MAX_LOADING_PLOTS",
    "PngUnavailableError",
    "all_figures",
    "composite_sort_svg",
    "loadings_svg",
    "scree_svg",
    "svg_to_png",
    "write_figures",
]

#: Most factor pairs drawn as loading plots by :func:`all_figures` (F1-F2, F1-F3, ... in order).
MAX_LOADING_PLOTS = 10


class PngUnavailableError(QsortError):
    """PNG output was asked for but cairosvg (or the cairo library it needs) is missing."""


def loading_pairs(result: AnalysisResult) -> list[tuple[int, int]]:
    """The factor pairs drawn as loading plots, in order, at most :data:`MAX_LOADING_PLOTS`."""
    return list(combinations(range(len(result.factors)), 2))[:MAX_LOADING_PLOTS]


def all_figures(result: AnalysisResult, parallel: Floats | None = None) -> dict[str, str]:
    """Every figure of a result as ``{file stem: svg}``.

    Parameters
    ----------
    result : AnalysisResult
    parallel : sequence of float, optional
        Parallel-analysis 95th percentiles for the scree plot (e.g. ``guidance.random_p95``).
    """
    figures = {
        "scree": scree_svg(
            result.correlation_eigenvalues, parallel, extracted=result.unrotated.shape[1]
        )
    }
    for a, b in loading_pairs(result):
        names = result.factor_names
        figures[f"loadings_{names[a]}_{names[b]}"] = loadings_svg(result, a, b)
    for factor in result.defined:
        figures[f"composite_{factor.name}"] = composite_sort_svg(result, factor)
    return figures


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """Render SVG text to PNG bytes with cairosvg.

    Raises
    ------
    PngUnavailableError
        When cairosvg or the cairo library is not installed; the message says what to install.
    """
    try:
        cairosvg = importlib.import_module("cairosvg")
    except (ImportError, OSError) as exc:
        raise PngUnavailableError(
            "PNG figures need the optional package cairosvg and the system cairo library: "
            "pip install cairosvg (Debian/Ubuntu: apt-get install libcairo2); "
            f"SVG output works without them ({exc})"
        ) from None
    png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)
    return bytes(png)


def write_figures(
    result: AnalysisResult,
    directory: str | Path,
    parallel: Floats | None = None,
    *,
    png: bool = False,
) -> list[Path]:
    """Write every figure as ``<stem>.svg`` (and ``<stem>.png`` when ``png``) into a directory.

    Returns the paths written, in order.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for stem, svg in all_figures(result, parallel).items():
        path = folder / f"{stem}.svg"
        path.write_text(svg, encoding="utf-8")
        written.append(path)
        if png:
            image = folder / f"{stem}.png"
            image.write_bytes(svg_to_png(svg))
            written.append(image)
    return written
