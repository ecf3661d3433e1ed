"""The report as an Excel workbook, sheet for sheet as KADE / Ken-Q users know it (spec B.7).

Numbers are stored as numbers at full precision and rounded only by each cell's number format.
Headers are bold, columns sized to their contents and panes frozen below each sheet's first
header row. Each sheet starts with its title in A1; a table with a title shows it two rows
above its header, as KADE does. The workbook is streamed row by row with XlsxWriter's
``constant_memory`` mode (about three times faster than openpyxl for formatted cells, and memory
that does not grow with the sheet); XlsxWriter is imported only when a workbook is written.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from qsort.report.book import report_sheets
from qsort.report.bounds import WORKBOOK, Limits
from qsort.report.model import EXCEL_FORMATS, Sheet, Table
from qsort.result import AnalysisResult

#: Widest a column is made, in characters (long statements are then cut off on screen only).
MAX_WIDTH = 70
MIN_WIDTH = 6
#: Width of a numeric column of each kind, in characters (numbers are not measured one by one).
NUMBER_WIDTH: dict[str, int] = {"int": 8, "signed": 5, "dec3": 8}
NUMBER_DEFAULT_WIDTH = 9


class _Formats:
    """XlsxWriter formats, made once per workbook for each combination in use."""

    def __init__(self, book: Any) -> None:
        self._book = book
        self._made: dict[tuple[str, bool, bool, bool, str], Any] = {}

    def get(
        self,
        kind: str = "text",
        *,
        bold: bool = False,
        italic: bool = False,
        rule: bool = False,
        align: str = "",
    ) -> Any:
        """The format of a cell: number format of its kind, weight, style, rule and alignment."""
        key = (kind, bold, italic, rule, align)
        if key not in self._made:
            spec: dict[str, object] = {"bold": bold, "italic": italic}
            if kind in EXCEL_FORMATS:
                spec["num_format"] = EXCEL_FORMATS[kind]
            if rule:
                spec["bottom"] = 1
            if align:
                spec["align"] = align
            self._made[key] = self._book.add_format(spec)
        return self._made[key]


def write_workbook(
    result: AnalysisResult,
    path: str | Path,
    *,
    created: datetime | None = None,
    weights: bool = True,
    limits: Limits = WORKBOOK,
) -> Path:
    """Write the report workbook to ``path`` (``.xlsx``) and return the path.

    Parameters
    ----------
    result : AnalysisResult
    path : str or Path
    created : datetime, optional
        Date shown in the overview and recorded as the file's creation date (default: now);
        given, the same result always gives the same bytes.
    weights : bool
        Include the "Fac. k Sorts Weight" sheets.
    limits : Limits
        Most sorts written in full (see :mod:`qsort.report.bounds`).
    """
    import xlsxwriter

    target = Path(path)
    book = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    if created is not None:
        book.set_properties({"created": created})
    formats = _Formats(book)
    try:
        for sheet in report_sheets(result, created, weights=weights, limits=limits):
            _write_sheet(book.add_worksheet(sheet.name), sheet, formats)
    finally:
        book.close()
    return target


def _shows_title(sheet: Sheet, table: Table) -> bool:
    return bool(table.title) and (len(sheet.tables) > 1 or table.title != sheet.title)


def _write_sheet(ws: Any, sheet: Sheet, formats: _Formats) -> None:
    """Title in A1, then the tables one under another with a blank row between them."""
    _size_columns(ws, sheet)
    ws.write_string(0, 0, sheet.title, formats.get(bold=True))
    row, frozen = 2, False
    for table in sheet.tables:
        if _shows_title(sheet, table):
            ws.write_string(row, 0, table.title, formats.get(bold=True))
            row += 2
        if not frozen:
            ws.freeze_panes(*((row + 1, _frozen_columns(table)) if table.header else (1, 0)))
            frozen = True
        if table.header:
            _write_header(ws, table, row, formats)
            row += 1
        row = _write_rows(ws, table, row, formats)
        if table.note:
            ws.write_string(row, 0, table.note, formats.get(italic=True))
            row += 1
        row += 1


def _frozen_columns(table: Table) -> int:
    """Freeze the identifying columns (number and name) to the left of the numbers."""
    ident = 0
    for col in table.columns:
        if col.kind not in ("int", "text", "long") or ident >= 2:
            break
        ident += 1
    return min(ident, 2)


def _write_header(ws: Any, table: Table, row: int, formats: _Formats) -> None:
    for c, col in enumerate(table.columns):
        align = "left" if col.kind in ("text", "long") else "right"
        ws.write_string(row, c, col.header, formats.get(bold=True, rule=True, align=align))


def _write_rows(ws: Any, table: Table, row: int, formats: _Formats) -> int:
    """Write the table's rows from ``row``; return the next free row.

    Plain rows take each column's format as it is; only summary rows, rows with their own
    number kind and rows with emphasised cells look their formats up cell by cell.
    """
    first_footer = len(table.rows) - table.footer_rows
    plain = [formats.get(col.kind) for col in table.columns]
    special = (
        {r for r, _ in table.bold}
        | set(table.row_kinds)
        | set(range(first_footer, len(table.rows)))
    )
    for r, values in enumerate(table.rows):
        if r in special:
            cells = [
                formats.get(table.kind(r, c), bold=r >= first_footer or (r, c) in table.bold)
                for c in range(len(values))
            ]
        else:
            cells = plain
        for c, value in enumerate(values):
            if isinstance(value, str):
                ws.write_string(row + r, c, value, cells[c])
            elif value is not None:
                ws.write_number(row + r, c, value, cells[c])
    return row + len(table.rows)


def _size_columns(ws: Any, sheet: Sheet) -> None:
    """Width of each column: text measured, numbers by kind, headers always fit."""
    widths: dict[int, int] = {0: max(MIN_WIDTH, len(sheet.title) // 3)}
    for table in sheet.tables:
        for c, col in enumerate(table.columns):
            if col.kind in ("text", "long"):
                texts = [str(row[c]) for row in table.rows if c < len(row) and row[c] is not None]
                width = max((len(t) for t in texts), default=0)
            else:
                width = NUMBER_WIDTH.get(col.kind, NUMBER_DEFAULT_WIDTH)
            header = len(col.header) if table.header else 0
            widths[c] = max(widths.get(c, MIN_WIDTH), width + 2, header + 2)
    for column, width in widths.items():
        ws.set_column(column, column, min(width, MAX_WIDTH))
