"""Every download of an analysis, drawn from qsort's result through qsort's writers.

One :func:`bundle` builds the files a paper needs: KADE's workbook, the HTML report, the
PQMethod-style ``.LIS``, the sorts as PQMethod ``.DAT``/``.STA`` (readable by ``qsort`` and by
PQMethod), the per-statement tables as CSV (:data:`STATEMENT_FILES`: factor arrays, z-scores,
distinguishing and consensus statements, factor characteristics), the result JSON (``qsort
analyze --json``'s form), and every figure as SVG and PNG, including the correlation heat map.
The per-statement tables are drawn from a :class:`~qsort.result.StatementTables` alone, which a
large background run reads back from its stored JSON without its sorts. :func:`zip_bundle`
packs them all into one archive. A file a format cannot hold (a ``.DAT`` of more than 999 sorts,
PNG without the cairo library) is left out with the reason, which the page shows.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from qsort.errors import QsortError
from qsort.guidance import FactorGuidance
from qsort.result import AnalysisResult, Factor, StatementTables

#: Media types of the downloads, by extension.
MEDIA_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".html": "text/html; charset=utf-8",
    ".lis": "text/plain; charset=utf-8",
    ".dat": "application/octet-stream",
    ".sta": "text/plain; charset=windows-1252",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".zip": "application/zip",
}


@dataclass
class Bundle:
    """Downloads by file name, and the files left out with the reason."""

    files: dict[str, bytes] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)


def media_type(name: str) -> str:
    """The media type of a download by its extension."""
    return MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def workbook_bytes(result: AnalysisResult, created: datetime | None = None) -> bytes:
    """KADE's report workbook (XlsxWriter writes to a file, so through a temporary one)."""
    from qsort.report.xlsx import write_workbook

    with tempfile.TemporaryDirectory() as folder:
        path = write_workbook(result, Path(folder) / "analysis.xlsx", created=created)
        return path.read_bytes()


def _csv(rows: list[list[str]]) -> bytes:
    """Rows as CSV (CRLF line ends, as spreadsheets write it), UTF-8."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _number(value: object) -> str:
    """A cell at full precision (``repr`` of the Python number); empty for None."""
    return "" if value is None else repr(value.item() if isinstance(value, np.generic) else value)


def factor_table_csv(tables: StatementTables, attribute: str) -> bytes:
    """Statements by factors (``"array"`` or ``"zscores"``), one row per statement, as CSV."""
    rows = [["statement", "text", *tables.factor_names]]
    for i, statement in enumerate(tables.statements):
        cells = [getattr(f, attribute) for f in tables.factors]
        rows.append(
            [statement.id, statement.text, *("" if c is None else _number(c[i]) for c in cells)]
        )
    return _csv(rows)


def _scores_header(tables: StatementTables) -> list[str]:
    return [f"{f.name} {what}" for f in tables.defined for what in ("array", "z")]


def _scores(tables: StatementTables, statement: int) -> list[str]:
    """A statement's array value and z-score in every defined factor."""
    return [
        _number(column[statement])
        for f in tables.defined
        for column in (f.array, f.zscores)
        if column is not None
    ]


def distinguishing_csv(tables: StatementTables) -> bytes:
    """Each defined factor's distinguishing statements: p, direction, every factor's scores.

    ``direction`` is ``higher`` (lower) when the factor places the statement above (below) every
    other defined factor, ``mixed`` otherwise.
    """
    from qsort.report.derived import direction

    rows = [["factor", "statement", "text", "p", "direction", *_scores_header(tables)]]
    for factor in tables.defined:
        for mark in factor.distinguishing:
            statement = tables.statements[mark.statement]
            where = direction(tables, factor, mark.statement)
            cells = [factor.name, statement.id, statement.text, _number(mark.p), where]
            rows.append([*cells, *_scores(tables, mark.statement)])
    return _csv(rows)


def consensus_csv(tables: StatementTables) -> bytes:
    """The consensus statements (no pair of factors differs), with every factor's scores.

    ``p`` is 0.05 for a statement no pair separates even at p < .05, 0.01 for one no pair
    separates at p < .01 only (PQMethod's asterisk).
    """
    rows = [["statement", "text", "p", *_scores_header(tables)]]
    for mark in tables.consensus:
        statement = tables.statements[mark.statement]
        rows.append(
            [statement.id, statement.text, _number(mark.p), *_scores(tables, mark.statement)]
        )
    return _csv(rows)


def _characteristics_row(factor: Factor) -> list[str]:
    c = factor.characteristics
    numbers = (c.n_defining, c.average_reliability, c.composite_reliability, c.se)
    return [factor.name, *map(_number, (*numbers, c.eigenvalue, c.explained_variance))]


def characteristics_csv(tables: StatementTables) -> bytes:
    """Each factor's characteristics (empty reliability and SE for an undefined factor)."""
    header = [
        "factor",
        "defining sorts",
        "average reliability",
        "composite reliability",
        "SE of factor z-scores",
        "eigenvalue",
        "explained variance %",
    ]
    return _csv([header, *(_characteristics_row(f) for f in tables.factors)])


#: The per-statement tables, drawn from a :class:`~qsort.result.StatementTables` alone.
STATEMENT_FILES = (
    "factor_arrays.csv",
    "zscores.csv",
    "distinguishing.csv",
    "consensus.csv",
    "characteristics.csv",
)


def statement_file(tables: StatementTables, name: str) -> bytes:
    """One of :data:`STATEMENT_FILES` by name (KeyError for another name)."""
    if name in ("factor_arrays.csv", "zscores.csv"):
        return factor_table_csv(tables, "array" if name == "factor_arrays.csv" else "zscores")
    writers = {
        "distinguishing.csv": distinguishing_csv,
        "consensus.csv": consensus_csv,
        "characteristics.csv": characteristics_csv,
    }
    return writers[name](tables)


def result_json(result: AnalysisResult) -> bytes:
    """qsort's JSON result, exactly as ``qsort analyze --json`` writes it."""
    return (json.dumps(result.to_dict(), indent=1) + "\n").encode("utf-8")


def figures(result: AnalysisResult, guidance: FactorGuidance | None) -> dict[str, str]:
    """Every figure as SVG text by file stem: qsort's figures and the correlation heat map."""
    from qsort.report.figures import all_figures
    from qsort.report.heatmap import correlation_heatmap_svg, factor_order

    parallel = guidance.random_p95 if guidance is not None else None
    drawn = all_figures(result, parallel)
    drawn["correlations"] = correlation_heatmap_svg(
        result.correlations.matrix(), result.study.sort_names, factor_order(result.loadings)
    )
    return drawn


def report_file(
    result: AnalysisResult,
    name: str,
    guidance: FactorGuidance | None = None,
    created: datetime | None = None,
) -> bytes:
    """One of :data:`REPORTS` by name (built alone, so one download costs one file)."""
    from qsort.report.html import render_html
    from qsort.report.lis import render_lis

    if name == "analysis.xlsx":
        return workbook_bytes(result, created)
    if name == "report.html":
        return render_html(result, guidance, created=created).encode("utf-8")
    if name == "report.lis":
        return render_lis(result, created).encode("utf-8")
    if name == "result.json":
        return result_json(result)
    return statement_file(result.statement_tables, name)


#: The report files, by name.
REPORTS = ("analysis.xlsx", "report.html", "report.lis", "result.json", *STATEMENT_FILES)


def _reports(
    result: AnalysisResult, guidance: FactorGuidance | None, created: datetime | None
) -> dict[str, bytes]:
    return {name: report_file(result, name, guidance, created) for name in REPORTS}


def _pqmethod(result: AnalysisResult, bundle: Bundle) -> None:
    from qsort.formats.pqmethod import encode_dat, encode_sta

    for name, encode in (("sorts.dat", encode_dat), ("sorts.sta", encode_sta)):
        if name.endswith(".sta") and not any(s.text for s in result.study.statements):
            bundle.missing[name] = "the statements have no texts"
            continue
        try:
            bundle.files[name] = encode(result.study)
        except QsortError as exc:
            bundle.missing[name] = str(exc)


def _images(drawn: dict[str, str], bundle: Bundle) -> None:
    from qsort.report.figures import svg_to_png

    for stem, svg in drawn.items():
        bundle.files[f"figures/{stem}.svg"] = svg.encode("utf-8")
        try:
            bundle.files[f"figures/{stem}.png"] = svg_to_png(svg)
        except QsortError as exc:
            bundle.missing[f"figures/{stem}.png"] = str(exc)


def bundle(
    result: AnalysisResult,
    guidance: FactorGuidance | None = None,
    created: datetime | None = None,
) -> Bundle:
    """Every download of an analysis (see the module docstring)."""
    out = Bundle(files=_reports(result, guidance, created))
    _pqmethod(result, out)
    _images(figures(result, guidance), out)
    return out


def single(result: AnalysisResult, name: str, guidance: FactorGuidance | None) -> bytes:
    """One download by name, building only what it needs.

    Raises
    ------
    KeyError
        With the reason, for a name that is not a download of this result or a file its format
        cannot hold.
    """
    if name in REPORTS:
        return report_file(result, name, guidance)
    if name in ("sorts.dat", "sorts.sta"):
        out = Bundle()
        _pqmethod(result, out)
        if name in out.files:
            return out.files[name]
        raise KeyError(out.missing[name])
    stem, _, ext = name.removeprefix("figures/").rpartition(".")
    drawn = figures(result, guidance)
    if not name.startswith("figures/") or stem not in drawn or ext not in ("svg", "png"):
        raise KeyError(f"no download {name!r}")
    if ext == "svg":
        return drawn[stem].encode("utf-8")
    from qsort.report.figures import svg_to_png

    try:
        return svg_to_png(drawn[stem])
    except QsortError as exc:
        raise KeyError(str(exc)) from None


def zip_bundle(files: dict[str, bytes], folder: str = "analysis") -> bytes:
    """All the files in one zip archive, under ``folder/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(f"{folder}/{name}", content)
    return buffer.getvalue()
