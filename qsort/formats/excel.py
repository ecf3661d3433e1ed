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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from qsort.errors import FormatError, OptionError, QsortError
from qsort.formats._cells import (
    CellNotes,
    Cells,
    blank,
    cell_text,
    normalised,
    sheet_rows,
    trimmed,
)
from qsort.formats._cells import where as _place
from qsort.formats._common import (
    PathArg,
    as_matrix,
    build_study,
    column_letter,
    counts_grid,
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
    "sorts": ("sorts", "qsorts"),
    "statements": ("statements", "statement"),
    "pattern": ("pattern", "patterns"),
    "name": ("name", "names"),
}
_EXPECTED = "a KADE / Ken-Q Excel workbook (.xlsx) with a 'sorts' sheet"


def read_xlsx(path: PathArg, *, grid: Grid | None = None) -> Study:
    """Read a KADE / Ken-Q workbook of any layout KADE and Ken-Q Analysis import.

    The layout is detected (see :func:`workbook_layout`): type 1 or type 2, their legacy forms
    without ``pattern`` and ``version`` sheets, or type 3, a KADE / Ken-Q output workbook read
    back. Numbers stored as text among numbers are named in a :class:`FormatWarning`.
    """
    from qsort.formats import excel_legacy

    readers = {
        "type3": excel_legacy.read_type3,
        "legacy1": excel_legacy.read_legacy_type1,
        "legacy2": excel_legacy.read_legacy_type2,
    }
    book = _load(path)
    notes = CellNotes(path)
    with damaged_workbook(path):
        sheets = {normalised(ws.title): ws for ws in book.worksheets}
        layout = workbook_layout(sheets)
        if layout in readers:
            study = readers[layout](path, sheets, notes, grid)
        else:
            study = _read_current(path, sheets, notes, grid, book)
    notes.warn()
    return study


@contextmanager
def damaged_workbook(path: PathArg) -> Iterator[None]:
    """Turn what openpyxl raises on a damaged workbook while its sheets are read (they are
    read lazily) into a :class:`FormatError`; the readers' own errors pass through."""
    try:
        yield
    except QsortError:
        raise
    except Exception as exc:  # openpyxl and zipfile raise many kinds on damaged parts
        raise FormatError(
            f"{path}: the workbook is damaged ({type(exc).__name__}: {str(exc)[:200]}); "
            f"expected {_EXPECTED}"
        ) from None


Layout = Literal["type1", "type2", "legacy1", "legacy2", "type3"]


def workbook_layout(sheets: dict[str, Worksheet]) -> Layout:
    """Which layout a workbook has, from its sheet names and the sorts sheet's labels.

    ``type3``: an output workbook (a ``Project Overview`` sheet, no ``pattern`` or ``version``
    sheet). Without ``pattern`` and ``version`` sheets: ``legacy2`` when the sorts sheet has a
    ``Sort Pattern`` row, ``legacy1`` when its column A lists -6..+13 under the title (the
    pattern of Ken-Q's first type 1 template). Otherwise ``type1`` when A1 holds the type 1
    label, else ``type2``.
    """
    current = "pattern" in sheets or "patterns" in sheets or "version" in sheets
    sorts = sheet(sheets, "sorts")
    if not current and ("projectoverview" in sheets or "overview" in sheets):
        return "type3"
    if sorts is None:
        return "type2"
    rows = sheet_rows(sorts)
    if not current:
        from qsort.formats.excel_legacy import is_legacy_type1, sort_pattern_row

        if sort_pattern_row(rows) is not None:
            return "legacy2"
        if is_legacy_type1(rows):
            return "legacy1"
    return "type1" if excel_type(rows) == 1 else "type2"


def _read_current(
    path: PathArg,
    sheets: dict[str, Worksheet],
    notes: CellNotes,
    grid: Grid | None,
    book: Workbook,
) -> Study:
    """Type 1 or type 2 with ``pattern``, ``statements``, ``name`` and ``version`` sheets."""
    sorts_sheet = sheet(sheets, "sorts")
    if sorts_sheet is None:
        raise FormatError(
            f"{path}: no 'sorts' worksheet; expected {_EXPECTED} (found sheets "
            f"{[ws.title for ws in book.worksheets]})"
        )
    rows = sheet_rows(sorts_sheet)
    pattern_sheet = sheet(sheets, "pattern")
    pattern = _pattern(pattern_sheet, path, notes) if pattern_sheet is not None else None
    size = sum(pattern[1]) if pattern is not None else _sorts_size(rows)
    texts_sheet = sheet(sheets, "statements")
    ids, texts = (
        statements_sheet(texts_sheet, path, size) if texts_sheet is not None else (None, None)
    )
    if excel_type(rows) == 1:
        names, matrix, slots = _type1_sorts(rows, len(ids) if ids else None, path, notes)
    else:
        names, matrix = _type2_sorts(rows, len(ids) if ids else None, path, notes)
        slots = None
    if ids is None:
        ids = [str(i + 1) for i in range(matrix.shape[0])]
    if grid is None and pattern is not None:
        grid = counts_grid(*pattern, matrix, names, path, "sheet 'pattern'")
    if grid is None:
        grid = Grid.from_pattern(slots) if slots else sorts_grid(matrix, names, path)
    name_sheet = sheet(sheets, "name")
    title = _title(name_sheet) if name_sheet is not None else ""
    return build_study(path, with_texts(ids, texts), names, matrix, grid, title)


def _sorts_size(rows: Cells) -> int | None:
    """The number of statements the sorts sheet shows: its card rows (type 1) or the values
    on its first sort row (type 2)."""
    if excel_type(rows) == 1:
        return sum(1 for row in rows[1:] if trimmed(row))
    first = next((trimmed(r) for r in rows if trimmed(r) and not blank(r[0])), None)
    return len(first) - 1 if first else None


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
    _check_size(data, path)
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged archive
        raise FormatError(
            f"{path}: the workbook cannot be opened ({type(exc).__name__}: {str(exc)[:200]}); "
            f"expected {_EXPECTED}"
        ) from None


MAX_WORKBOOK_BYTES = 24 * 2**20
"""The most XML a workbook may unpack to (about 700,000 cells, e.g. 8,000 sorts of 80
statements): reading is cell by cell, so a larger study is read from CSV, in bulk."""


def _check_size(data: bytes, path: PathArg) -> None:
    """Refuse a workbook whose parts unpack to more than :data:`MAX_WORKBOOK_BYTES`, before
    spending time on it (the sizes are read from the zip directory)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = sum(max(info.file_size, 0) for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FormatError(
            f"{path}: not a readable .xlsx workbook (a zip archive: {exc}); expected {_EXPECTED}"
        ) from None
    if size > MAX_WORKBOOK_BYTES:
        raise FormatError(
            f"{path}: the workbook unpacks to {size / 2**20:.0f} MiB, more than the "
            f"{MAX_WORKBOOK_BYTES // 2**20} MiB (about 700,000 cells) qsort reads from a "
            "workbook; save the sorts as CSV (one row per participant), which is read in bulk"
        )


def sheet(sheets: dict[str, Worksheet], role: str) -> Worksheet | None:
    """The worksheet playing ``role`` (one of :data:`SHEET_ALIASES`), by normalised name."""
    for alias in SHEET_ALIASES[role]:
        if alias in sheets:
            return sheets[alias]
    return None


def excel_type(rows: Cells) -> ExcelType:
    """1 when the sorts sheet's A1 holds the type 1 label, else 2."""
    first = cell_text(rows[0][0]).lower() if rows and rows[0] else ""
    return 1 if first.startswith(TYPE1_LABEL.lower().rstrip(":")) else 2


def statements_sheet(
    ws: Worksheet, path: PathArg, size: int | None = None
) -> tuple[list[str], list[str]]:
    """Statement ids (column A, or the position) and texts (column B), from row 2.

    Numbered rows without text at the end of the sheet are not statements (KADE's template
    numbers 84 rows for a study to fill some of): they are dropped beyond ``size`` (the sum of
    the pattern sheet's counts, or the sorts' length), or, without one, when any statement has
    text.
    """
    ids: list[str] = []
    texts: list[str] = []
    for row in sheet_rows(ws)[1:]:
        cells = trimmed(row)
        if not cells:
            continue
        ids.append(cell_text(cells[0]) or str(len(ids) + 1))
        texts.append(cell_text(cells[1]) if len(cells) > 1 else "")
    while ids and not texts[-1] and (len(ids) > size if size is not None else any(texts)):
        ids.pop()
        texts.pop()
    if not ids:
        raise FormatError(
            f"{path}, sheet '{ws.title}': expected one statement a row from row 2 (number in A, "
            "text in B), found none"
        )
    return ids, texts


def _pattern(ws: Worksheet, path: PathArg, notes: CellNotes) -> tuple[list[int], list[int]]:
    rows = [trimmed(r) for r in sheet_rows(ws)[:2]]
    if len(rows) < 2 or not rows[1]:
        raise FormatError(
            f"{path}, sheet '{ws.title}': expected the column values -6..+13 in row 1 and the "
            "number of cards in each column in row 2"
        )
    values = [
        notes.number(v, ws.title, 1, c + 1, "a column value") for c, v in enumerate(rows[0])
    ] or list(PATTERN_VALUES)
    counts = [
        notes.number(v, ws.title, 2, c + 1, "a number of cards") for c, v in enumerate(rows[1])
    ]
    if len(counts) > len(values):
        raise FormatError(
            f"{path}, sheet '{ws.title}', row 2: expected at most {len(values)} counts (one "
            f"per column value in row 1), found {len(counts)}"
        )
    return values[: len(counts)], counts


def _title(ws: Worksheet) -> str:
    rows = [cell_text(r[0]) for r in sheet_rows(ws)[1:] if r and not blank(r[0])]
    return rows[0] if rows else ""


def _type2_sorts(
    rows: Cells, n_stat: int | None, path: PathArg, notes: CellNotes
) -> tuple[list[str], np.ndarray[Any, np.dtype[np.int64]]]:
    names: list[str] = []
    columns: list[list[int]] = []
    for r, row in enumerate(rows, start=1):
        cells = trimmed(row)
        if not cells or blank(cells[0]):
            continue
        name = cell_text(cells[0])
        expected = n_stat if n_stat is not None else (len(columns[0]) if columns else None)
        if expected is not None and len(cells) - 1 != expected:
            raise FormatError(
                f"{path}, sheet 'sorts', row {r} (sort {name!r}): expected {expected} sort "
                f"values (one per statement) from column B, found {len(cells) - 1}"
            )
        names.append(name)
        columns.append(
            [
                notes.number(v, "sorts", r, c + 2, "an integer sort value", f" (sort {name!r})")
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
    rows: Cells, n_stat: int | None, path: PathArg, notes: CellNotes
) -> tuple[list[str], np.ndarray[Any, np.dtype[np.int64]], list[int]]:
    header = trimmed(rows[0])
    names = [cell_text(v) for v in header[1:]]
    if not names or any(not n for n in names):
        raise FormatError(
            f"{path}, sheet 'sorts', row 1: expected participant names from B1 across, without gaps"
        )
    body = [(r, row) for r, row in enumerate(rows[1:], start=2) if trimmed(row)]
    if n_stat is not None and len(body) != n_stat:
        raise FormatError(
            f"{path}, sheet 'sorts': expected {n_stat} card slots from row 2 (one per statement "
            f"on the statements sheet), found {len(body)} rows"
        )
    slots = [notes.number(row[0], "sorts", r, 1, "the slot's sort value") for r, row in body]
    matrix = piles_matrix(names, body, slots, path, notes)
    return names, matrix, slots


def piles_matrix(
    names: Sequence[str],
    body: Sequence[tuple[int, Sequence[Any]]],
    slots: Sequence[int],
    path: PathArg,
    notes: CellNotes,
    sheet_name: str = "sorts",
) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Sort values from piles: row ``r`` of ``body`` is a slot of value ``slots[r]`` holding,
    from column B, each participant's statement number (each statement once per sort)."""
    n = len(body)
    matrix = np.zeros((n, len(names)), dtype=np.int64)
    for j, name in enumerate(names):
        seen: dict[int, str] = {}
        for (r, row), slot in zip(body, slots, strict=True):
            where = _place(path, sheet_name, r, j + 2) + f" (sort {name!r})"
            cell = row[j + 1] if j + 1 < len(row) else None
            what = f"a statement number 1..{n}"
            number = notes.number(cell, sheet_name, r, j + 2, what, f" (sort {name!r})")
            if not 1 <= number <= n:
                raise FormatError(f"{where}: expected a statement number 1..{n}, found {number}")
            if number in seen:
                raise FormatError(
                    f"{where}: statement {number} is already placed at {seen[number]}; expected "
                    "each statement once"
                )
            seen[number] = f"cell {column_letter(j + 2)}{r}"
            matrix[number - 1, j] = slot
    return matrix


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


__all__ = [
    "TYPE1_LABEL",
    "ExcelType",
    "Layout",
    "excel_type",
    "piles_matrix",
    "read_xlsx",
    "sheet",
    "statements_sheet",
    "workbook_layout",
    "write_xlsx",
]
