"""KADE / Ken-Q Excel workbooks (``.xlsx``), type 1 ("piles") and type 2, read and written.

Worksheets (spec part 2, B.6; names are matched without regard to case):

* ``sorts``. **Type 1** (forced distributions only): A1 ``Participant Name and Sort Value:``,
  participant names from B1 across; column A from A2 down holds the sort value of each card slot,
  the whole pattern, lowest first; each participant's column holds the *statement number* placed
  in that slot. **Type 2** (forced or free): one row per participant, the name in column A and the
  N *sort values* in statement order from column B. A row with an empty column A is skipped (as
  KADE does), so a header row with an empty A1 is allowed.
* ``statements``: a header row (``Number``, ``Statements``), then from row 2 the statement number
  (or id) in A and its text in B.
* ``pattern``: row 1 the column values -6..+13, row 2 the number of cards in each column.
* ``name``: A1 ``Project Name``, A2 the study title. ``version``: A1 ``Version``, A2 ``2``.

The type is read from the sorts sheet's A1 (type 1 starts with "Participant Name and Sort
Value"). The grid is taken from the pattern sheet (forced when every sort fills it exactly, free
with a warning otherwise); without one, from the slot values of a type 1 sheet or from the sorts
of a type 2 sheet. openpyxl is imported only when a workbook is read or
written, so that ``import qsort`` stays light.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from qsort.errors import FormatError, OptionError
from qsort.formats._common import (
    PathArg,
    as_matrix,
    build_study,
    column_letter,
    counts_grid,
    parse_cell_int,
    read_bytes,
    sorts_grid,
    with_texts,
)
from qsort.study import Grid, Study

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

ExcelType = Literal[1, 2]
TYPE1_LABEL = "Participant Name and Sort Value:"
PATTERN_VALUES = tuple(range(-6, 14))
SHEET_ALIASES = {
    "sorts": ("sorts", "qsorts", "q-sorts"),
    "statements": ("statements", "statement"),
    "pattern": ("pattern", "patterns"),
    "name": ("name", "names"),
}
_EXPECTED = "a KADE / Ken-Q Excel workbook (.xlsx) with a 'sorts' sheet"

Cells = list[list[Any]]


def read_xlsx(path: PathArg, *, grid: Grid | None = None) -> Study:
    """Read a KADE / Ken-Q type 1 or type 2 workbook (the type is detected)."""
    book = _load(path)
    sheets = {ws.title.strip().lower(): ws for ws in book.worksheets}
    sorts_sheet = _sheet(sheets, "sorts")
    if sorts_sheet is None:
        raise FormatError(
            f"{path}: no 'sorts' worksheet; expected {_EXPECTED} (found sheets "
            f"{[ws.title for ws in book.worksheets]})"
        )
    rows = _rows(sorts_sheet)
    texts_sheet = _sheet(sheets, "statements")
    ids, texts = _statements(texts_sheet, path) if texts_sheet is not None else (None, None)
    if excel_type(rows) == 1:
        names, matrix, slots = _type1_sorts(rows, len(ids) if ids else None, path)
    else:
        names, matrix = _type2_sorts(rows, len(ids) if ids else None, path)
        slots = None
    if ids is None:
        ids = [str(i + 1) for i in range(matrix.shape[0])]
    pattern_sheet = _sheet(sheets, "pattern")
    if grid is None and pattern_sheet is not None:
        values, counts = _pattern(pattern_sheet, path)
        grid = counts_grid(values, counts, matrix, names, path, "sheet 'pattern'")
    if grid is None:
        grid = Grid.from_pattern(slots) if slots else sorts_grid(matrix, names, path)
    name_sheet = _sheet(sheets, "name")
    title = _title(name_sheet) if name_sheet is not None else ""
    return build_study(path, with_texts(ids, texts), names, matrix, grid, title)


def _load(path: PathArg) -> Workbook:
    data = read_bytes(path)
    if not data:
        raise FormatError(f"{path}: the file is empty; expected {_EXPECTED}")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FormatError(
            f"{path}: this is an old Excel 97-2003 (.xls) workbook; expected an .xlsx "
            "workbook (save it as .xlsx)"
        )
    if not data.startswith(b"PK"):
        raise FormatError(f"{path}: not an .xlsx workbook (a zip archive); expected {_EXPECTED}")
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged archive
        raise FormatError(
            f"{path}: the workbook cannot be opened ({type(exc).__name__}: {exc}); "
            f"expected {_EXPECTED}"
        ) from None


def _sheet(sheets: dict[str, Worksheet], role: str) -> Worksheet | None:
    for alias in SHEET_ALIASES[role]:
        if alias in sheets:
            return sheets[alias]
    return None


def _rows(ws: Worksheet) -> Cells:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _trimmed(row: Sequence[Any]) -> list[Any]:
    out = list(row)
    while out and _blank(out[-1]):
        out.pop()
    return out


def excel_type(rows: Cells) -> ExcelType:
    """1 when the sorts sheet's A1 holds the type 1 label, else 2."""
    first = _text(rows[0][0]).lower() if rows and rows[0] else ""
    return 1 if first.startswith(TYPE1_LABEL.lower().rstrip(":")) else 2


def _where(path: PathArg, sheet: str, row: int, col: int) -> str:
    return f"{path}, sheet '{sheet}', cell {column_letter(col)}{row}"


def _statements(ws: Worksheet, path: PathArg) -> tuple[list[str], list[str]]:
    """Statement ids (column A, or the position) and texts (column B), from row 2."""
    ids: list[str] = []
    texts: list[str] = []
    for row in _rows(ws)[1:]:
        cells = _trimmed(row)
        if not cells:
            continue
        ids.append(_text(cells[0]) or str(len(ids) + 1))
        texts.append(_text(cells[1]) if len(cells) > 1 else "")
    if not ids:
        raise FormatError(
            f"{path}, sheet '{ws.title}': expected one statement a row from row 2 (number in A, "
            "text in B), found none"
        )
    return ids, texts


def _pattern(ws: Worksheet, path: PathArg) -> tuple[list[int], list[int]]:
    rows = [_trimmed(r) for r in _rows(ws)[:2]]
    if len(rows) < 2 or not rows[1]:
        raise FormatError(
            f"{path}, sheet '{ws.title}': expected the column values -6..+13 in row 1 and the "
            "number of cards in each column in row 2"
        )
    values = [
        parse_cell_int(v, _where(path, ws.title, 1, c + 1), "a column value")
        for c, v in enumerate(rows[0])
    ] or list(PATTERN_VALUES)
    counts = [
        parse_cell_int(v, _where(path, ws.title, 2, c + 1), "a number of cards")
        for c, v in enumerate(rows[1])
    ]
    if len(counts) > len(values):
        raise FormatError(
            f"{path}, sheet '{ws.title}', row 2: expected at most {len(values)} counts (one "
            f"per column value in row 1), found {len(counts)}"
        )
    return values[: len(counts)], counts


def _title(ws: Worksheet) -> str:
    rows = [_text(r[0]) for r in _rows(ws)[1:] if r and not _blank(r[0])]
    return rows[0] if rows else ""


def _type2_sorts(
    rows: Cells, n_stat: int | None, path: PathArg
) -> tuple[list[str], np.ndarray[Any, np.dtype[np.int64]]]:
    names: list[str] = []
    columns: list[list[int]] = []
    for r, row in enumerate(rows, start=1):
        cells = _trimmed(row)
        if not cells or _blank(cells[0]):
            continue
        name = _text(cells[0])
        expected = n_stat if n_stat is not None else (len(columns[0]) if columns else None)
        if expected is not None and len(cells) - 1 != expected:
            raise FormatError(
                f"{path}, sheet 'sorts', row {r} (sort {name!r}): expected {expected} sort "
                f"values (one per statement) from column B, found {len(cells) - 1}"
            )
        names.append(name)
        columns.append(
            [
                parse_cell_int(v, _where(path, "sorts", r, c + 2) + f" (sort {name!r})")
                for c, v in enumerate(cells[1:])
            ]
        )
    if not columns:
        raise FormatError(
            f"{path}, sheet 'sorts': no Q-sorts found; expected one row per participant (name "
            "in A, sort values from B)"
        )
    return names, as_matrix(columns, len(columns[0]))


def _type1_sorts(
    rows: Cells, n_stat: int | None, path: PathArg
) -> tuple[list[str], np.ndarray[Any, np.dtype[np.int64]], list[int]]:
    header = _trimmed(rows[0])
    names = [_text(v) for v in header[1:]]
    if not names or any(not n for n in names):
        raise FormatError(
            f"{path}, sheet 'sorts', row 1: expected participant names from B1 across, without gaps"
        )
    body = [(r, row) for r, row in enumerate(rows[1:], start=2) if _trimmed(row)]
    if n_stat is not None and len(body) != n_stat:
        raise FormatError(
            f"{path}, sheet 'sorts': expected {n_stat} card slots from row 2 (one per statement "
            f"on the statements sheet), found {len(body)} rows"
        )
    slots = [
        parse_cell_int(row[0], _where(path, "sorts", r, 1), "the slot's sort value")
        for r, row in body
    ]
    n = len(body)
    matrix = np.zeros((n, len(names)), dtype=np.int64)
    for j, name in enumerate(names):
        seen: dict[int, str] = {}
        for (r, row), slot in zip(body, slots, strict=True):
            where = _where(path, "sorts", r, j + 2) + f" (sort {name!r})"
            cell = row[j + 1] if j + 1 < len(row) else None
            number = parse_cell_int(cell, where, f"a statement number 1..{n}")
            if not 1 <= number <= n:
                raise FormatError(f"{where}: expected a statement number 1..{n}, found {number}")
            if number in seen:
                raise FormatError(
                    f"{where}: statement {number} is already placed at {seen[number]}; expected "
                    "each statement once"
                )
            seen[number] = f"cell {column_letter(j + 2)}{r}"
            matrix[number - 1, j] = slot
    return names, matrix, slots


def write_xlsx(study: Study, path: PathArg, *, excel_type: ExcelType = 2) -> list[Path]:
    """Write a KADE / Ken-Q workbook of type 2 (sort values) or type 1 (piles, forced grids).

    Returns the file written.
    """
    if excel_type not in (1, 2):
        raise OptionError(f"excel_type: expected 1 or 2, found {excel_type!r}")
    target = Path(path)
    counts = _pattern_counts(study.grid, target)
    if excel_type == 1 and not study.grid.forced:
        raise FormatError(
            f"{target}: an Excel type 1 (piles) workbook holds forced distributions only; "
            "expected a forced grid (write type 2 for a free distribution)"
        )
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook()
    sorts = book.active
    try:
        sorts.title = "sorts"
        if excel_type == 1:
            _fill_type1(sorts, study)
        else:
            for name, column in zip(study.sort_names, study.sorts.T, strict=True):
                _append(sorts, [name, *(int(v) for v in column)])
        _fill_small_sheets(book, study, counts)
    except IllegalCharacterError:
        raise FormatError(
            f"{target}: a name or text holds a control character that a workbook cannot hold"
        ) from None
    book.save(target)
    return [target]


def _pattern_counts(grid: Grid, path: Path) -> list[int]:
    if grid.low < PATTERN_VALUES[0] or grid.high > PATTERN_VALUES[-1]:
        raise FormatError(
            f"{path}: the grid runs {grid.low:+d}..{grid.high:+d}, but the pattern sheet holds "
            "values -6..+13 only; expected a grid within that range"
        )
    by_value = dict(zip(grid.values, grid.capacities, strict=True))
    return [by_value.get(v, 0) for v in PATTERN_VALUES]


def _fill_type1(ws: Worksheet, study: Study) -> None:
    _append(ws, [TYPE1_LABEL, *study.sort_names])
    orders = [np.argsort(column, kind="stable") + 1 for column in study.sorts.T]
    for slot, value in enumerate(study.grid.pattern()):
        _append(ws, [int(value), *(int(order[slot]) for order in orders)])


def _fill_small_sheets(book: Workbook, study: Study, counts: list[int]) -> None:
    statements = book.create_sheet("statements")
    _append(statements, ["Number", "Statements"])
    for s in study.statements:
        number = s.id.isdigit() and str(int(s.id)) == s.id
        _append(statements, [int(s.id) if number else s.id, s.text])
    pattern = book.create_sheet("pattern")
    _append(pattern, list(PATTERN_VALUES))
    _append(pattern, counts)
    name = book.create_sheet("name")
    _append(name, ["Project Name"])
    _append(name, [study.title])
    version = book.create_sheet("version")
    _append(version, ["Version"])
    _append(version, ["2"])


def _append(ws: Worksheet, values: Sequence[object]) -> None:
    """Append a row, keeping text that starts with ``=`` as text rather than a formula."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


__all__ = ["TYPE1_LABEL", "ExcelType", "excel_type", "read_xlsx", "write_xlsx"]
