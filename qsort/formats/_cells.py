"""Worksheet cells as the workbook readers need them: rows of values, text, whole numbers.

Spreadsheets let a cell change type without a trace: a sort value typed as text, a count pasted
with a blank, a date where a number was. :class:`CellNotes` records every number read from a text
cell so that the reader can name those cells in one :class:`FormatWarning`, rather than absorbing
the change silently.
"""

from __future__ import annotations

import datetime as dt
import warnings
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qsort.errors import FormatError
from qsort.formats._common import FormatWarning, PathArg, column_letter, parse_cell_int

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

Cells = list[list[Any]]


_ROWS: weakref.WeakKeyDictionary[Any, Cells] = weakref.WeakKeyDictionary()


def sheet_rows(ws: Worksheet) -> Cells:
    """Every row of a worksheet as a list of cell values (read once per sheet: a read-only
    workbook parses the sheet again on every pass)."""
    rows = _ROWS.get(ws)
    if rows is None:
        rows = _ROWS[ws] = [list(row) for row in ws.iter_rows(values_only=True)]
    return rows


def blank(value: object) -> bool:
    """True for an empty cell or one holding only blanks."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """A cell as text: whole floats without ``.0``, blanks stripped, empty for no value."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def trimmed(row: Sequence[Any]) -> list[Any]:
    """The row without its trailing empty cells."""
    out = list(row)
    while out and blank(out[-1]):
        out.pop()
    return out


def where(path: PathArg, sheet: str, row: int, col: int) -> str:
    """``<path>, sheet '<sheet>', cell <A1>`` for messages (row and column 1-based)."""
    return f"{path}, sheet '{sheet}', cell {column_letter(col)}{row}"


def normalised(name: object) -> str:
    """A label or sheet name compared without case, blanks, dots, dashes or colons."""
    return "".join(ch for ch in cell_text(name).lower() if ch.isalnum())


class CellNotes:
    """Numbers read from text cells, per sheet, to be named in one warning."""

    def __init__(self, path: PathArg) -> None:
        self.path = path
        self.text_cells: dict[str, list[str]] = {}
        self.number_cells: dict[str, int] = {}

    def number(
        self, value: object, sheet: str, row: int, col: int, what: str, context: str = ""
    ) -> int:
        """Parse a cell as a whole number, noting it when it held text; a date is refused.

        ``context`` follows the cell's name in a message (`` (sort 'A')``).
        """
        place = where(self.path, sheet, row, col) + context
        if isinstance(value, dt.datetime | dt.date | dt.time):
            raise FormatError(
                f"{place}: expected {what}, found a date or time ({value}); the spreadsheet "
                "turned the value into a date: format the cell as a number and type it again"
            )
        number = parse_cell_int(value, place, what)
        if isinstance(value, str):
            self.text_cells.setdefault(sheet, []).append(f"{column_letter(col)}{row}")
        else:
            self.number_cells[sheet] = self.number_cells.get(sheet, 0) + 1
        return number

    def warn(self) -> None:
        """One :class:`FormatWarning` naming the text cells read as numbers in sheets whose
        other such cells hold numbers (a sheet typed all as text is consistent, not changed)."""
        mixed = {s: c for s, c in self.text_cells.items() if self.number_cells.get(s)}
        if not mixed:
            return
        parts = [
            f"sheet '{sheet}' cell(s) {', '.join(cells[:12])}"
            + (f" and {len(cells) - 12} more" if len(cells) > 12 else "")
            for sheet, cells in mixed.items()
        ]
        warnings.warn(
            f"{self.path}: {'; '.join(parts)} hold numbers stored as text where the other "
            "cells hold numbers; they were read as numbers. Check that they were not changed by "
            "hand (a cell's type changed in a spreadsheet often means its value changed too)",
            FormatWarning,
            stacklevel=4,
        )


__all__ = [
    "CellNotes",
    "Cells",
    "blank",
    "cell_text",
    "normalised",
    "sheet_rows",
    "trimmed",
    "where",
]
