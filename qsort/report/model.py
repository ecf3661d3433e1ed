"""A small table model shared by the workbook and the HTML report.

A report is a sequence of :class:`Sheet` values; each sheet holds one or more :class:`Table`
values whose cells are plain Python numbers, strings or None (an empty cell). Numbers are kept at
full precision: each column names a *kind* that fixes how it is displayed (an Excel number format
in the workbook, a Python format in HTML), so rounding only ever happens on display.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Cell = str | int | float | None
Kind = Literal["text", "long", "int", "signed", "r", "z", "loading", "pct", "dec3"]

#: Excel number format of each column kind (text columns have none).
EXCEL_FORMATS: dict[str, str] = {
    "int": "0",
    "signed": "+0;-0;0",
    "r": "0.0000",
    "z": "0.000",
    "loading": "0.0000",
    "pct": "0.00",
    "dec3": "0.000",
}

#: Python format spec of each numeric column kind, matching :data:`EXCEL_FORMATS`.
PY_FORMATS: dict[str, str] = {
    "int": "d",
    "signed": "+d",
    "r": ".4f",
    "z": ".3f",
    "loading": ".4f",
    "pct": ".2f",
    "dec3": ".3f",
}

#: Shown wherever a quantity does not exist (a factor without defining sorts).
UNDEFINED = "undefined"


@dataclass(frozen=True)
class Column:
    """A column: its header and how its numbers are shown."""

    header: str
    kind: Kind = "text"
    label: str = ""
    """What the column holds where its header is left blank, as KADE leaves its flag columns in
    the workbook; the HTML report shows it as the header."""


@dataclass(frozen=True)
class Table:
    """A titled table; ``bold`` lists (row, column) cells to emphasise (e.g. flagged loadings)."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""
    bold: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    footer_rows: int = 0
    """How many of the last rows are summaries (eigenvalues, means) rather than data."""
    row_kinds: dict[int, Kind] = field(default_factory=dict)
    """Display kind of the numbers in given rows, overriding their columns' kinds."""
    header: bool = True
    """False for a table of label and value rows shown without a header row."""

    def kind(self, row: int, col: int) -> Kind:
        """How the cell at (row, col) is displayed."""
        value = self.rows[row][col]
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if numeric and row in self.row_kinds:
            return self.row_kinds[row]
        return self.columns[col].kind


@dataclass(frozen=True)
class Sheet:
    """One worksheet of the workbook, or one section of the HTML report."""

    name: str
    title: str
    tables: tuple[Table, ...]
    key: str = ""
    """What the sheet shows, so figures can go beside it (``"loadings"``, ``"factor:F1"``)."""


def format_cell(value: Cell, kind: Kind) -> str:
    """The text of a cell as the report shows it (empty for None)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    spec = PY_FORMATS.get(kind)
    if spec is None:
        return str(value)
    if spec.endswith("d"):
        number = round(value)
        return "0" if number == 0 else format(number, spec)
    text = format(float(value), spec)
    return text[1:] if text.startswith("-") and float(text) == 0.0 else text


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique worksheet name: at most 31 characters, none of ``[]:*?/\\``."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in text).strip()[:31] or "Sheet"
    name, number = clean, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = clean[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name
