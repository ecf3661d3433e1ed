"""The report as one self-contained HTML page: inline CSS and inline SVG, no external requests.

It holds the workbook's content, sheet by sheet, with the figures beside the tables they
illustrate (scree plot after the unrotated factor matrix, loading plots after the loadings, each
composite Q-sort after its factor's scores). The print style sheet starts each section on a new
page, repeats table headers and keeps rows and figures whole, so "Print to PDF" gives a report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

import qsort
from qsort.report.book import report_sheets
from qsort.report.bounds import HTML
from qsort.report.composite import composite_sort_svg
from qsort.report.figures import loading_pairs
from qsort.report.model import Sheet, Table, format_cell
from qsort.report.plots import loadings_svg, scree_svg
from qsort.report.style import CSS
from qsort.result import AnalysisResult
from qsort.summary import describe_options

#: Tables with more columns than this print in a smaller font.
WIDE_TABLE = 12


class Guidance(Protocol):
    """What the report reads from :class:`qsort.guidance.FactorGuidance`."""

    @property
    def random_p95(self) -> Sequence[float] | NDArray[np.float64]: ...

    @property
    def kaiser_guttman(self) -> int: ...

    @property
    def humphrey(self) -> int: ...

    @property
    def suggested(self) -> int: ...

    @property
    def parallel_iterations(self) -> int: ...


def _slug(text: str) -> str:
    return "s-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _table_html(table: Table, show_title: bool) -> str:
    """One table: caption, header row, data rows, summary rows in bold, and its note."""
    numeric = [c.kind not in ("text", "long") for c in table.columns]
    head = "".join(
        f'<th scope="col"{" class=num" if numeric[c] else ""}>'
        f"{escape(col.header or col.label)}</th>"
        for c, col in enumerate(table.columns)
    )
    first_footer = len(table.rows) - table.footer_rows
    body = []
    for r, row in enumerate(table.rows):
        if all(value is None for value in row):
            continue  # a spacer row, there for the workbook's layout
        cells = []
        for c, value in enumerate(row):
            content = escape(format_cell(value, table.kind(r, c)))
            if (r, c) in table.bold:
                content = f"<strong>{content}</strong>"
            css = "num" if numeric[c] else ("long" if table.columns[c].kind == "long" else "")
            cells.append(f'<td class="{css}">{content}</td>' if css else f"<td>{content}</td>")
        summary = ' class="summary"' if r >= first_footer else ""
        body.append(f"<tr{summary}>{''.join(cells)}</tr>")
    wide = " wide" if len(table.columns) > WIDE_TABLE else ""
    caption = f"<caption>{escape(table.title)}</caption>" if show_title and table.title else ""
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    thead = f"<thead><tr>{head}</tr></thead>" if table.header else ""
    return (
        f'<div class="scroll"><table class="report{wide}">{caption}'
        f"{thead}<tbody>{''.join(body)}</tbody></table></div>{note}"
    )


def _figure(svg: str, caption: str, figure_id: str) -> str:
    return f'<figure id="{figure_id}">{svg}<figcaption>{escape(caption)}</figcaption></figure>'


def _guidance_note(guidance: Guidance | None) -> str:
    if guidance is None:
        return ""
    return (
        f'<p class="note">Number-of-factors guidance: {guidance.kaiser_guttman} eigenvalue(s) '
        f"above 1 (Kaiser-Guttman); Humphrey's rule: {guidance.humphrey}; parallel analysis "
        f"({guidance.parallel_iterations} random studies) suggests {guidance.suggested}.</p>"
    )


def _figures_for(result: AnalysisResult, sheet: Sheet, guidance: Guidance | None) -> str:
    """The figures that belong after a sheet."""
    if sheet.key == "unrotated":
        parallel = None if guidance is None else guidance.random_p95
        svg = scree_svg(
            result.correlation_eigenvalues, parallel, extracted=result.unrotated.shape[1]
        )
        caption = "Scree plot of the eigenvalues of the correlation matrix"
        return _figure(svg, caption, "fig-scree") + _guidance_note(guidance)
    if sheet.key == "loadings":
        names = result.factor_names
        plots = "".join(
            _figure(
                loadings_svg(result, a, b),
                f"Loadings on {names[a]} and {names[b]}",
                f"fig-loadings-{names[a]}-{names[b]}",
            )
            for a, b in loading_pairs(result)
        )
        return f'<div class="figures">{plots}</div>'

    if sheet.key.startswith("factor:"):
        name = sheet.key.split(":", 1)[1]
        caption = f"Composite Q-sort of factor {name}"
        return _figure(composite_sort_svg(result, name), caption, f"fig-composite-{name}")
    return ""


def _section(result: AnalysisResult, sheet: Sheet, guidance: Guidance | None) -> str:
    tables = "".join(
        _table_html(t, len(sheet.tables) > 1 or t.title != sheet.title) for t in sheet.tables
    )
    figures = _figures_for(result, sheet, guidance)
    return (
        f'<section class="sheet" id="{_slug(sheet.name)}" data-sheet="{escape(sheet.name)}">'
        f"<h2>{escape(sheet.title)}</h2>{tables}{figures}</section>"
    )


def _contents(sheets: Sequence[Sheet]) -> str:
    items = "".join(f'<li><a href="#{_slug(s.name)}">{escape(s.name)}</a></li>' for s in sheets)
    return f'<nav class="contents"><h2>Contents</h2><ol>{items}</ol></nav>'


def render_html(
    result: AnalysisResult,
    guidance: Guidance | None = None,
    *,
    created: datetime | None = None,
) -> str:
    """The complete report as a standalone HTML document.

    Parameters
    ----------
    result : AnalysisResult
    guidance : FactorGuidance, optional
        From :func:`qsort.guidance.factor_guidance`; adds parallel analysis to the scree plot.
    created : datetime, optional
        The date shown (default: now).
    """
    when = created or datetime.now()
    sheets = report_sheets(result, when, limits=HTML)
    title = f"{result.study.title or 'Q study'}: Q-methodological analysis"
    header = (
        f"<header><h1>{escape(title)}</h1>"
        f'<p class="meta">{result.study.n_sorts} Q-sorts, {result.study.n_statements} '
        f"statements. {escape(describe_options(result))}</p>"
        f'<p class="meta">Made with qsort {escape(qsort.__version__)} on '
        f"{when:%Y-%m-%d %H:%M}.</p></header>"
    )
    body = "".join(_section(result, s, guidance) for s in sheets)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body>{header}{_contents(sheets)}<main>{body}</main></body></html>\n"
    )
