"""The report as an Excel workbook, sheet for sheet as KADE / Ken-Q users know it (spec B.7).

Numbers are stored as numbers at full precision and rounded only by each cell's number format.
Headers are bold, columns sized to their contents and panes frozen below each sheet's first
header row. openpyxl is imported only when a workbook is written.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from qsort.report.book import report_sheets
from qsort.report.model import EXCEL_FORMATS, Sheet, Table, format_cell
from qsort.result import AnalysisResult

#: Widest a column is made, in characters (long statements are then cut off on screen only).
MAX_WIDTH = 70
MIN_WIDTH = 6


def write_workbook(
    result: AnalysisResult,
    path: str | Path,
    *,
    created: datetime | None = None,
    weights: bool = True,
) -> Path:
    """Write the report workbook to ``path`` (``.xlsx``) and return the path.

    Parameters
    ----------
    result : AnalysisResult
    path : str or Path
    created : datetime, optional
        Date shown in the overview (default: now).
    weights : bool
        Include the "Fac K Sorts Weight" sheets.
    """
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for sheet in report_sheets(result, created, weights=weights):
        _write_sheet(book.create_sheet(sheet.name), sheet)
    target = Path(path)
    book.save(target)
    return target


def _write_sheet(ws: Any, sheet: Sheet) -> None:
    """Stack the sheet's tables vertically, each under a bold title, with a blank row between."""
    from openpyxl.styles import Font

    ws.cell(row=1, column=1, value=sheet.title).font = Font(bold=True, size=12)
    row = 3
    widths: dict[int, int] = {}
    freeze: str | None = None
    for table in sheet.tables:
        if len(sheet.tables) > 1 or table.title != sheet.title:
            ws.cell(row=row, column=1, value=table.title).font = Font(bold=True)
            row += 1
        if freeze is None:
            freeze = f"{_first_data_column(table)}{row + 1}"
        row = _write_table(ws, table, row, widths)
        if table.note:
            ws.cell(row=row, column=1, value=table.note).font = Font(italic=True)
            row += 1
        row += 1
    _size_columns(ws, widths)
    if freeze is not None:
        ws.freeze_panes = freeze


def _first_data_column(table: Table) -> str:
    """Freeze the identifying columns (number and name) to the left of the numbers."""
    from openpyxl.utils import get_column_letter

    ident = 0
    for col in table.columns:
        if col.kind not in ("int", "text", "long") or ident >= 2:
            break
        ident += 1
    return str(get_column_letter(min(ident, 2) + 1))


def _write_table(ws: Any, table: Table, row: int, widths: dict[int, int]) -> int:
    """Write header and rows from ``row``; return the next free row."""
    from openpyxl.styles import Alignment, Border, Font, Side

    bold = Font(bold=True)
    line = Border(bottom=Side(style="thin"))
    for c, col in enumerate(table.columns, start=1):
        cell = ws.cell(row=row, column=c, value=col.header)
        cell.font, cell.border = bold, line
        cell.alignment = Alignment(horizontal="left" if col.kind in ("text", "long") else "right")
        _widen(widths, c, col.header)
    first_footer = len(table.rows) - table.footer_rows
    for r, values in enumerate(table.rows):
        for c, value in enumerate(values, start=1):
            kind = table.kind(r, c - 1)
            cell = ws.cell(row=row + 1 + r, column=c, value=value)
            if kind in EXCEL_FORMATS and isinstance(value, int | float):
                cell.number_format = EXCEL_FORMATS[kind]
            if (r, c - 1) in table.bold or r >= first_footer:
                cell.font = bold
            _widen(widths, c, format_cell(value, kind))
    return row + 1 + len(table.rows)


def _widen(widths: dict[int, int], column: int, text: str) -> None:
    widths[column] = max(widths.get(column, MIN_WIDTH), len(text) + 2)


def _size_columns(ws: Any, widths: dict[int, int]) -> None:
    from openpyxl.utils import get_column_letter

    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(width, MAX_WIDTH)
