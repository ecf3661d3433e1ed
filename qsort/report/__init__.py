"""Reports and figures of an analysis: KADE's workbook, PQMethod-style text, HTML, SVG.

* :func:`write_report` writes one report file, choosing the kind from the file's extension.
* :func:`qsort.report.xlsx.write_workbook`, :func:`qsort.report.lis.render_lis` and
  :func:`qsort.report.html.render_html` build each kind.
* :mod:`qsort.report.figures` draws the composite Q-sorts, the scree plot and loading plots.
* :mod:`qsort.report.bounds` states how much of a large study each kind writes in full.

Nothing here imports the web stack; XlsxWriter is imported only when a
workbook is written, and cairosvg only when a PNG is asked for.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from qsort.errors import OptionError
from qsort.report.html import Guidance
from qsort.result import AnalysisResult

ReportKind = Literal["xlsx", "html", "lis"]

#: Report kind of each file extension :func:`write_report` accepts.
EXTENSIONS: dict[str, ReportKind] = {
    ".xlsx": "xlsx",
    ".html": "html",
    ".htm": "html",
    ".lis": "lis",
    ".txt": "lis",
}

__all__ = ["EXTENSIONS", "ReportKind", "report_kind", "write_report"]


def report_kind(path: str | Path, kind: ReportKind | None = None) -> ReportKind:
    """The kind of report to write: ``kind`` when given, else the one the extension names.

    Raises
    ------
    OptionError
        For an unknown kind or extension.
    """
    if kind is not None:
        if kind not in ("xlsx", "html", "lis"):
            raise OptionError(f"report kind: expected 'xlsx', 'html' or 'lis', found {kind!r}")
        return kind
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        raise OptionError(
            f"report file {str(path)!r}: expected an extension among {sorted(EXTENSIONS)} "
            "(or give the kind explicitly)"
        )
    return EXTENSIONS[suffix]


def write_report(
    result: AnalysisResult,
    path: str | Path,
    kind: ReportKind | None = None,
    *,
    created: datetime | None = None,
    guidance: Guidance | None = None,
) -> Path:
    """Write a report of ``result`` to ``path`` and return the path.

    Parameters
    ----------
    result : AnalysisResult
    path : str or Path
    kind : {"xlsx", "html", "lis"}, optional
        Defaults to the kind named by the extension (``.xlsx``, ``.html``/``.htm``,
        ``.lis``/``.txt``).
    created : datetime, optional
        The date printed in the report (default: now).
    guidance : FactorGuidance, optional
        Number-of-factors guidance; the HTML report draws its parallel analysis on the scree plot.
    """
    target = Path(path)
    chosen = report_kind(target, kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    if chosen == "xlsx":
        from qsort.report.xlsx import write_workbook

        return write_workbook(result, target, created=created)
    if chosen == "html":
        from qsort.report.html import render_html

        target.write_text(render_html(result, guidance, created=created), encoding="utf-8")
        return target
    from qsort.report.lis import render_lis

    target.write_text(render_lis(result, created), encoding="utf-8")
    return target
