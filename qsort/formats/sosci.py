"""Easy HtmlQ v3 sorts in a SoSci Survey data export, read and written.

Easy HtmlQ v3 (github.com/Jumagoro/easy-htmlq-v3, README sections "Aufbau" and "Daten") runs
inside a SoSci Survey questionnaire and keeps all a participant does as one JSON text in the
hidden input ``ehq3_data``, which the questionnaire stores in a text variable of the case. The
sort is ``stage2.cols``: one list per grid column, from the left (most disagree) to the right,
each a list of cells, each cell a list holding the statement placed there as
``{"id": 7, "type": 1}`` (before Easy HtmlQ v3 0.4.0 with its ``"statement"`` text as well).

* **Column values.** The values of the grid's columns are in the configuration
  (``structure.gridColumns[i].id``, -4..+4 in the README's example), which the data does not
  hold: an odd number of columns is read as -k..+k around zero, any other labelling needs
  ``grid=`` (its values, left to right). The grid's capacities are the columns' numbers of cells,
  the same for every case (a forced grid).
* **The export.** SoSci Survey's data download has one row per case and a column per variable;
  the first columns are ``CASE``, ``SERIAL``, ``REF``, ``QUESTNNR``, ``MODE``, ``STARTED``. The
  file for GNU R is tab-separated UTF-8 without a header row (SoSci's R script names the
  columns); the CSV download has the header row. Both are read, tab-, comma- or
  semicolon-separated. The column holding the Easy HtmlQ data is the first whose cells are JSON
  objects with ``"stage2"`` (or ``column=``, a variable name or a 1-based number). A sort is named
  by ``SERIAL`` when every case has one, else ``REF``, else ``CASE`` (without a header, these are
  the first columns in SoSci's order), or by ``name_column=``.
* **Unfinished cases.** A case with no data (it left before the sort), or whose grid has empty
  cells, is left out with a :class:`~qsort.formats.FormatWarning` naming it. A statement placed
  twice, a cell holding two statements, or sorts of different statements or grids are a
  :class:`~qsort.errors.FormatError` naming the case.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qsort.errors import FormatError
from qsort.formats._common import (
    FormatWarning,
    PathArg,
    build_study,
    decode_text,
    preview,
    read_bytes,
    read_statement_texts,
    with_texts,
)
from qsort.formats.csv_sorts import Row, detect_delimiter, rows_of_text
from qsort.study import Grid, Study

_EXPECTED = (
    "a SoSci Survey data export with Easy HtmlQ v3 data (a column of JSON objects holding "
    '"stage2": {"cols": [...]})'
)
#: SoSci Survey's first columns, in its order.
SOSCI_COLUMNS = ("CASE", "SERIAL", "REF", "QUESTNNR", "MODE", "STARTED")
#: Most grid columns read (a wider grid is not a Q-sort grid).
MAX_COLUMNS = 41


@dataclass(frozen=True)
class Placement:
    """One case's sort: the statement ids in each grid column, and any statement texts."""

    columns: tuple[tuple[int, ...], ...]
    texts: dict[int, str]

    @property
    def capacities(self) -> tuple[int, ...]:
        """Cells in each grid column."""
        return tuple(len(c) for c in self.columns)


@dataclass(frozen=True)
class _Table:
    header: list[str] | None
    body: list[Row]


def read_sosci_ehq3(
    path: PathArg,
    *,
    grid: Grid | None = None,
    column: str | None = None,
    name_column: str | None = None,
    statements: PathArg | None = None,
    title: str = "",
) -> Study:
    """Read the Easy HtmlQ v3 sorts of a SoSci Survey data export (see the module docstring)."""
    table = _table(path)
    data_at = _data_column(table, column, path)
    names_at = _name_column(table, data_at, name_column, path)
    names, sorts = _cases(table, data_at, names_at, path)
    ids = _statement_ids(names, sorts, path)
    values = _column_values(sorts[0], grid, path)
    matrix = _matrix(sorts, ids, values)
    grid = grid if grid is not None else Grid(values, sorts[0].capacities)
    if statements is not None:
        texts: list[str] | None = read_statement_texts(statements, len(ids))
    else:
        texts = _texts(sorts, ids)
    return build_study(path, with_texts([str(i) for i in ids], texts), names, matrix, grid, title)


def _table(path: PathArg) -> _Table:
    """The rows, and the header row when the first cell says ``CASE``."""
    text = decode_text(read_bytes(path), path, _EXPECTED, legacy=True)
    first = text.split("\n", 1)[0]
    sep = "\t" if "\t" in first else detect_delimiter(text, path)
    rows = rows_of_text(text, sep, path)
    header = [c.strip().strip('"') for c in rows[0][1]]
    if header and header[0].upper() == "CASE":
        if len(rows) < 2:
            raise FormatError(f"{path}: the header has no cases below it; expected {_EXPECTED}")
        return _Table(header, rows[1:])
    return _Table(None, rows)


def _data_column(table: _Table, column: str | None, path: PathArg) -> int:
    """Index of the column of Easy HtmlQ data: ``column``, else the first holding it."""
    if column is not None:
        return _named_column(table, column, path)
    for _, cells in table.body:
        for i, cell in enumerate(cells):
            if _holds_data(cell):
                return i
    raise FormatError(f"{path}: no column holds Easy HtmlQ v3 data; expected {_EXPECTED}")


def _holds_data(cell: str) -> bool:
    return cell.lstrip().startswith("{") and '"stage2"' in cell


def _named_column(table: _Table, column: str, path: PathArg) -> int:
    """A column named in the header, or given by its 1-based number."""
    header = table.header if table.header is not None else list(SOSCI_COLUMNS)
    if column in header:
        return header.index(column)
    if column.isdigit() and 0 < int(column) <= max(len(c) for _, c in table.body):
        return int(column) - 1
    found = table.header[:12] if table.header is not None else "no header row"
    raise FormatError(
        f"{path}: no column {column!r}; expected a variable of the header or a column number "
        f"(found {found})"
    )


def _name_column(table: _Table, data_at: int, name_column: str | None, path: PathArg) -> int:
    """``name_column``, else SERIAL / REF when every case with data has one, else CASE."""
    if name_column is not None:
        return _named_column(table, name_column, path)
    header = table.header if table.header is not None else list(SOSCI_COLUMNS)
    rows = [c for _, c in table.body if data_at < len(c) and c[data_at].strip()]
    for candidate in ("SERIAL", "REF"):
        if candidate in header:
            at = header.index(candidate)
            if rows and all(at < len(c) and c[at].strip() for c in rows):
                return at
    return 0


def _cases(
    table: _Table, data_at: int, names_at: int, path: PathArg
) -> tuple[list[str], list[Placement]]:
    """The name and sort of every case with a finished sort; the others are named in a
    warning."""
    names: list[str] = []
    sorts: list[Placement] = []
    left_out: list[str] = []
    for number, cells in table.body:
        name = cells[names_at].strip() if names_at < len(cells) else ""
        cell = cells[data_at].strip() if data_at < len(cells) else ""
        where = f"{path}, line {number} (case {name!r})"
        if not cell:
            left_out.append(f"{name or number} (no data)")
            continue
        if _label_row(table, cells, cell):
            continue
        placement = _placement(_parse(cell, where), where)
        if placement is None:
            left_out.append(f"{name or number} (sort unfinished)")
            continue
        names.append(name or str(number))
        sorts.append(placement)
    _say_left_out(left_out, path)
    _refuse_repeated(names, path)
    if len(sorts) < 2:
        raise FormatError(f"{path}: {len(sorts)} finished sort(s) found; expected at least 2")
    return names, sorts


def _label_row(table: _Table, cells: Sequence[str], cell: str) -> bool:
    """A row of variable labels under the header: no case number and no JSON."""
    return table.header is not None and not cells[0].strip().isdigit() and cell[:1] != "{"


def _say_left_out(left_out: Sequence[str], path: PathArg) -> None:
    if left_out:
        shown = ", ".join(left_out[:10]) + (" ..." if len(left_out) > 10 else "")
        warnings.warn(
            f"{path}: {len(left_out)} case(s) without a finished sort left out: {shown}",
            FormatWarning,
            stacklevel=4,
        )


def _refuse_repeated(names: Sequence[str], path: PathArg) -> None:
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        raise FormatError(
            f"{path}: case name(s) {repeated[:10]} on more than one row; expected one row per "
            "participant (give name_column= for another column, or remove the repeated cases)"
        )


def _parse(cell: str, where: str) -> Any:
    try:
        return json.loads(cell)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"{where}: the Easy HtmlQ data is not valid JSON ({exc.msg} at character "
            f"{exc.pos + 1}); expected {_EXPECTED}"
        ) from None
    except RecursionError:
        raise FormatError(f"{where}: the JSON is nested too deeply; expected {_EXPECTED}") from None
    except ValueError as exc:  # a number of thousands of digits
        raise FormatError(f"{where}: {exc}; expected {_EXPECTED}") from None


def _placement(data: Any, where: str) -> Placement | None:
    """The sort of one case's ``stage2.cols``; None when a cell is still empty."""
    stage2 = data.get("stage2") if isinstance(data, dict) else None
    cols = stage2.get("cols") if isinstance(stage2, dict) else None
    if not isinstance(cols, list) or not 0 < len(cols) <= MAX_COLUMNS:
        raise FormatError(
            f'{where}: expected "stage2": {{"cols": [...]}} with 1 to {MAX_COLUMNS} grid '
            f"columns, found {preview(cols if stage2 is not None else data)}"
        )
    columns: list[tuple[int, ...]] = []
    texts: dict[int, str] = {}
    for c, col in enumerate(cols):
        if not isinstance(col, list):
            raise FormatError(f"{where}, grid column {c + 1}: expected a list of cells")
        at = f"{where}, grid column {c + 1}"
        ids = [_cell(cell, f"{at}, cell {k + 1}", texts) for k, cell in enumerate(col)]
        if any(i is None for i in ids):
            return None
        columns.append(tuple(i for i in ids if i is not None))
    return Placement(tuple(columns), texts)


def _cell(cell: object, where: str, texts: dict[int, str]) -> int | None:
    """The statement id in one cell (None for an empty cell)."""
    if not isinstance(cell, list) or len(cell) > 1:
        raise FormatError(f"{where}: expected a cell holding one statement, found {preview(cell)}")
    if not cell:
        return None
    item = cell[0]
    sid = item.get("id") if isinstance(item, dict) else None
    if isinstance(sid, bool) or not isinstance(sid, int) or not 0 <= sid < 10**9:
        raise FormatError(
            f'{where}: expected a statement {{"id": <number>}}, found {preview(item)}'
        )
    text = item.get("statement")
    if isinstance(text, str):
        texts[sid] = text
    return sid


def _statement_ids(names: Sequence[str], sorts: Sequence[Placement], path: PathArg) -> list[int]:
    """The statements, by id: every sort places each exactly once, on the same grid."""
    first = sorted(i for col in sorts[0].columns for i in col)
    for name, sort in zip(names, sorts, strict=True):
        ids = sorted(i for col in sort.columns for i in col)
        if len(set(ids)) != len(ids):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            raise FormatError(f"{path}: case {name!r} places statement(s) {twice[:10]} twice")
        if ids != first or sort.capacities != sorts[0].capacities:
            raise FormatError(
                f"{path}: case {name!r} sorts statements {_span(ids)} on a grid of "
                f"{list(sort.capacities)} cells, case {names[0]!r} statements {_span(first)} "
                f"on {list(sorts[0].capacities)}; expected one set of statements and one grid"
            )
    return first


def _span(ids: Sequence[int]) -> str:
    return f"{len(ids)} ({ids[0]}..{ids[-1]})" if ids else "0"


def _column_values(sort: Placement, grid: Grid | None, path: PathArg) -> tuple[int, ...]:
    """The value of each grid column: ``grid``'s, else -k..+k."""
    n = len(sort.columns)
    if grid is not None:
        if len(grid.values) != n:
            raise FormatError(
                f"{path}: the sorts have {n} grid columns, the grid given {len(grid.values)}; "
                "expected one grid value per column"
            )
        return grid.values
    if n % 2 == 0:
        raise FormatError(
            f"{path}: {n} grid columns, an even number: the column values are in the Easy "
            "HtmlQ configuration, not in the data; give the grid (its values, left to right)"
        )
    return tuple(range(-(n // 2), n // 2 + 1))


def _matrix(
    sorts: Sequence[Placement], ids: Sequence[int], values: Sequence[int]
) -> np.ndarray[Any, np.dtype[np.int64]]:
    row = {sid: r for r, sid in enumerate(ids)}
    matrix = np.zeros((len(ids), len(sorts)), dtype=np.int64)
    for j, sort in enumerate(sorts):
        for value, col in zip(values, sort.columns, strict=True):
            for sid in col:
                matrix[row[sid], j] = value
    return matrix


def _texts(sorts: Sequence[Placement], ids: Sequence[int]) -> list[str] | None:
    """Statement texts when the data holds them (Easy HtmlQ v3 before 0.4.0)."""
    texts: dict[int, str] = {}
    for sort in sorts:
        texts.update(sort.texts)
    return [texts[i] for i in ids] if all(i in texts for i in ids) else None


def write_sosci_ehq3(study: Study, path: PathArg, *, variable: str = "EQ01_01") -> list[Path]:
    """Write a SoSci Survey CSV download (tab-separated, a header row) whose ``variable``
    column holds each sort as Easy HtmlQ v3 data; statements are numbered 1..N."""
    if not study.grid.forced:
        raise FormatError(f"{path}: Easy HtmlQ v3 sorts fill a forced grid; the study's is free")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow([*SOSCI_COLUMNS, variable, "FINISHED"])
    for j, name in enumerate(study.sort_names):
        data = {"progress": {"furthestStep": 4, "progress": 1}, "stage2": _stage2(study, j)}
        writer.writerow([j + 1, name, "", "qsort", "interview", "", json.dumps(data), 1])
    target = Path(path)
    target.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return [target]


def _stage2(study: Study, j: int) -> dict[str, Any]:
    """One sort as ``stage2``: each grid column's statements, one per cell."""
    column = study.sorts[:, j]
    cols = []
    for value in study.grid.values:
        kind = 1 if value > 0 else 2 if value == 0 else 3
        cols.append([[{"id": int(i) + 1, "type": kind}] for i in np.flatnonzero(column == value)])
    return {"agrees": [], "neutrals": [], "disagrees": [], "cols": cols}


__all__ = ["SOSCI_COLUMNS", "read_sosci_ehq3", "write_sosci_ehq3"]
