"""The older KADE / Ken-Q Analysis workbook layouts, which Ken-Q Analysis still imports.

* **Legacy type 1** (Ken-Q's first piles template, no ``pattern`` or ``version`` sheet). On the
  ``sorts`` sheet, counting only rows that hold something: a title row, the project name (A the
  label, B the name), 20 rows of a column value -6..+13 in A and its number of cards in B, a
  label row, the participant names from B across, then one row per card slot, lowest first: the
  slot's value in A and each participant's statement number from B.
* **Legacy type 2**: a ``sorts`` sheet holding the project name, a ``Sort Pattern`` row (the
  value of every card slot from B across) and, below it, one row per participant: the name in A,
  the sort values in statement order from B. Rows between the pattern and the first sort (labels)
  are skipped.
* **Type 3**, a KADE or Ken-Q output workbook read back: the ``Project Overview`` sheet's
  ``Q sort Design`` row (every card slot's value, comma-separated), the ``Q sorts`` sheet (a
  participant a row, the name in A, the N values from B, then the mean and standard deviation KADE
  adds), and the ``statements`` sheet (number, text).

The statements sheet of the legacy layouts has a header row, then the number and text of each
statement; numbered rows without text at its end are not statements, as in KADE's template. The
distribution is the pattern the workbook gives, read as forced when every sort fills it and as
free (with a warning naming the sorts) otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from qsort.errors import FormatError
from qsort.formats._cells import CellNotes, Cells, blank, cell_text, normalised, sheet_rows, trimmed
from qsort.formats._common import PathArg, as_matrix, build_study, counts_grid, sorts_grid
from qsort.formats.excel import piles_matrix, sheet, statements_sheet
from qsort.study import Grid, Statement, Study

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

LEGACY_VALUES = tuple(range(-6, 14))
IntMatrix = np.ndarray[Any, np.dtype[np.int64]]
Row = tuple[int, list[Any]]


def _filled(rows: Cells) -> list[Row]:
    """The rows that hold something, with their 1-based sheet row numbers."""
    return [(r, list(row)) for r, row in enumerate(rows, start=1) if trimmed(row)]


def is_legacy_type1(rows: Cells) -> bool:
    """True when, after the title and project rows, column A lists -6..+13 (legacy type 1)."""
    filled = _filled(rows)
    if len(filled) < 24:
        return False
    column = [cell_text(row[0]) for _, row in filled[2:22]]
    return column == [str(v) for v in LEGACY_VALUES]


def sort_pattern_row(rows: Cells) -> int | None:
    """The 0-based index of the legacy type 2 ``Sort Pattern`` row, if any."""
    for i, row in enumerate(rows):
        if row and normalised(row[0]) == "sortpattern":
            return i
    return None


def _sorts_sheet(sheets: dict[str, Worksheet], path: PathArg) -> Worksheet:
    ws = sheet(sheets, "sorts")
    if ws is None:
        raise FormatError(f"{path}: no 'sorts' worksheet; expected the Q-sorts on a 'sorts' sheet")
    return ws


def _project_name(filled: Sequence[Row]) -> str:
    for _, row in filled[:4]:
        if row and normalised(row[0]).startswith("projectname") and len(row) > 1:
            return cell_text(row[1])
    return ""


def _statements(
    sheets: dict[str, Worksheet], path: PathArg, size: int
) -> tuple[list[str], list[str] | None]:
    ws = sheet(sheets, "statements")
    if ws is None:
        return [str(i + 1) for i in range(size)], None
    ids, texts = statements_sheet(ws, path, size)
    return ids, texts


def _study(
    path: PathArg,
    ids: Sequence[str],
    texts: Sequence[str] | None,
    names: Sequence[str],
    matrix: IntMatrix,
    grid: Grid,
    title: str,
) -> Study:
    if len(ids) != matrix.shape[0]:
        raise FormatError(
            f"{path}: the sorts have {matrix.shape[0]} values but the statements sheet numbers "
            f"{len(ids)} statements; expected one statement per sort value"
        )
    statements = [Statement(i, t) for i, t in zip(ids, texts or [""] * len(ids), strict=True)]
    return build_study(path, statements, names, matrix, grid, title)


def _pattern_grid(
    slots: Sequence[int], matrix: IntMatrix, names: Sequence[str], path: PathArg, where: str
) -> Grid:
    low, high = min(slots), max(slots)
    values = list(range(low, high + 1))
    counts = [sum(1 for s in slots if s == v) for v in values]
    return counts_grid(values, counts, matrix, names, path, where)


def read_legacy_type1(
    path: PathArg, sheets: dict[str, Worksheet], notes: CellNotes, grid: Grid | None
) -> Study:
    """Read Ken-Q's legacy type 1 (piles) layout (see the module docstring)."""
    ws = _sorts_sheet(sheets, path)
    filled = _filled(sheet_rows(ws))
    counts = [
        notes.number(row[1] if len(row) > 1 else 0, ws.title, r, 2, "a number of cards")
        for r, row in filled[2:22]
    ]
    names_row, slot_rows = filled[23], filled[24:]
    names = [cell_text(v) for v in trimmed(names_row[1])[1:]]
    if not names or not all(names):
        raise FormatError(
            f"{path}, sheet '{ws.title}', row {names_row[0]}: expected the participant names "
            "from column B across, without gaps"
        )
    if len(slot_rows) != sum(counts):
        raise FormatError(
            f"{path}, sheet '{ws.title}': the column counts (rows {filled[2][0]}-"
            f"{filled[21][0]}) add up to {sum(counts)} cards, found {len(slot_rows)} card rows "
            f"from row {names_row[0] + 1}; expected one row per card"
        )
    slots = [notes.number(row[0], ws.title, r, 1, "the slot's sort value") for r, row in slot_rows]
    matrix = piles_matrix(names, slot_rows, slots, path, notes, ws.title)
    ids, texts = _statements(sheets, path, matrix.shape[0])
    if grid is None:
        grid = counts_grid(list(LEGACY_VALUES), counts, matrix, names, path, f"sheet '{ws.title}'")
    return _study(path, ids, texts, names, matrix, grid, _project_name(filled))


def read_legacy_type2(
    path: PathArg, sheets: dict[str, Worksheet], notes: CellNotes, grid: Grid | None
) -> Study:
    """Read Ken-Q's legacy type 2 layout (see the module docstring)."""
    ws = _sorts_sheet(sheets, path)
    rows = sheet_rows(ws)
    at = sort_pattern_row(rows)
    if at is None:
        raise FormatError(f"{path}, sheet '{ws.title}': expected a 'Sort Pattern' row")
    cells = trimmed(rows[at])[1:]
    slots = [
        notes.number(v, ws.title, at + 1, c + 2, "a card slot's value") for c, v in enumerate(cells)
    ]
    if not slots:
        raise FormatError(
            f"{path}, sheet '{ws.title}', row {at + 1}: expected the value of every card slot "
            "from column B across the Sort Pattern row, found none"
        )
    names, matrix = _value_rows(rows[at + 1 :], at + 2, len(slots), path, ws.title, notes)
    ids, texts = _statements(sheets, path, len(slots))
    if grid is None:
        grid = _pattern_grid(slots, matrix, names, path, f"sheet '{ws.title}', row {at + 1}")
    return _study(path, ids, texts, names, matrix, grid, _project_name(_filled(rows)))


def _value_rows(
    rows: Cells, first: int, size: int, path: PathArg, title: str, notes: CellNotes
) -> tuple[list[str], IntMatrix]:
    """Participants' rows: the name in A, ``size`` values from B (cells after them, such as a
    mean and a standard deviation, are left alone). Label rows before the first sort are
    skipped; after it every row that holds something must be a sort."""
    names: list[str] = []
    columns: list[list[int]] = []
    for r, row in enumerate(rows, start=first):
        cells = trimmed(row)
        if not cells or blank(cells[0]):
            continue
        values = [_unbracket(v) for v in list(cells[1 : size + 1])]
        if not columns and not _numeric(values, size):
            continue
        if len(values) < size:
            raise FormatError(
                f"{path}, sheet '{title}', row {r} (sort {cell_text(cells[0])!r}): expected "
                f"{size} sort values from column B (one per card slot), found {len(values)}"
            )
        what = f"an integer sort value (sort {cell_text(cells[0])!r})"
        columns.append([notes.number(v, title, r, c + 2, what) for c, v in enumerate(values)])
        names.append(cell_text(cells[0]))
    if not columns:
        raise FormatError(
            f"{path}, sheet '{title}': no Q-sorts found; expected one row per participant (the "
            f"name in A, {size} sort values from B)"
        )
    return names, as_matrix(columns, size)


def _unbracket(value: object) -> object:
    """Ken-Q's display of a sort wraps it in brackets (``[-3`` ... ``2]``): drop them."""
    return value.strip("[] ") if isinstance(value, str) else value


def _numeric(values: Sequence[object], size: int) -> bool:
    def is_number(v: object) -> bool:
        if isinstance(v, bool):
            return False
        if isinstance(v, int | float):
            return True
        return isinstance(v, str) and v.strip().lstrip("+-").replace(".", "", 1).isdigit()

    return len(values) == size and all(is_number(v) for v in values)


def _overview_pattern(ws: Worksheet, path: PathArg) -> tuple[list[int] | None, str]:
    """The card slots' values from the overview's ``Q sort Design`` row, and the project name."""
    slots: list[int] | None = None
    title = ""
    for r, row in enumerate(sheet_rows(ws), start=1):
        cells = trimmed(row)
        if len(cells) < 2:
            continue
        label = normalised(cells[0])
        if label.startswith("projectname") and not title:
            title = cell_text(cells[1])
        if label in ("qsortdesign", "qsortpattern", "sortpattern") and slots is None:
            slots = _slot_list(cells[1:], path, ws.title, r)
    return slots, title


def _slot_list(cells: Sequence[Any], path: PathArg, title: str, row: int) -> list[int]:
    text = ",".join(cell_text(c) for c in cells).strip('"')
    parts = [p.strip() for p in text.split(",") if p.strip()]
    try:
        return [int(float(p)) for p in parts]
    except ValueError:
        raise FormatError(
            f"{path}, sheet '{title}', row {row}: expected the Q sort design as comma-separated "
            f"whole numbers, found {text[:60]!r}"
        ) from None


def read_type3(
    path: PathArg, sheets: dict[str, Worksheet], notes: CellNotes, grid: Grid | None
) -> Study:
    """Read a KADE / Ken-Q output workbook back (type 3; see the module docstring)."""
    overview = sheets.get("projectoverview") or sheets["overview"]
    slots, title = _overview_pattern(overview, path)
    ws = sheet(sheets, "sorts")
    if ws is None:
        raise FormatError(
            f"{path}: an output workbook (it has a '{overview.title}' sheet) without a 'Q sorts' "
            "sheet; expected the sorts on a sheet named 'Q sorts'"
        )
    rows = sheet_rows(ws)
    size = len(slots) if slots else _widest_numeric_row(rows)
    names, matrix = _value_rows(rows, 1, size, path, ws.title, notes)
    ids, texts = _numbered_statements(sheets, path, size)
    if grid is None:
        place = f"sheet '{overview.title}' (Q sort Design)"
        grid = _pattern_grid(slots, matrix, names, path, place) if slots else None
    if grid is None:
        grid = sorts_grid(matrix, names, path)
    return _study(path, ids, texts, names, matrix, grid, title)


def _widest_numeric_row(rows: Cells) -> int:
    """Without a Q sort Design row: the number of leading numeric cells after the name on the
    first sort row."""
    for row in rows:
        cells = trimmed(row)
        if len(cells) < 3 or blank(cells[0]):
            continue
        count = 0
        for value in cells[1:]:
            if not _numeric([value], 1):
                break
            count += 1
        if count >= 2:
            return count
    return 0


def _numbered_statements(
    sheets: dict[str, Worksheet], path: PathArg, size: int
) -> tuple[list[str], list[str] | None]:
    """The statements sheet of an output workbook: rows whose A is a statement number."""
    ws = sheet(sheets, "statements")
    if ws is None:
        return [str(i + 1) for i in range(size)], None
    ids: list[str] = []
    texts: list[str] = []
    for row in sheet_rows(ws):
        cells = trimmed(row)
        if cells and _numeric([cells[0]], 1) and not isinstance(cells[0], bool):
            ids.append(cell_text(cells[0]))
            texts.append(cell_text(cells[1]) if len(cells) > 1 else "")
    while len(ids) > size and not texts[-1]:
        ids.pop()
        texts.pop()
    return (ids, texts) if ids else ([str(i + 1) for i in range(size)], None)


__all__ = [
    "LEGACY_VALUES",
    "is_legacy_type1",
    "read_legacy_type1",
    "read_legacy_type2",
    "read_type3",
    "sort_pattern_row",
]
