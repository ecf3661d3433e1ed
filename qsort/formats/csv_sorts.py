"""Q-sorts as a CSV table, in either orientation, read and written.

* ``"statements"`` orientation (qmethod's statements x sorts matrix, spec B.5): the header is a
  label for the statement column (``statement``) then the sort names; each following row is a
  statement id then one integer per sort.
* ``"participants"`` orientation (Ken-Q's CSV, spec B.6): the header is a label then the statement
  ids (Ken-Q writes the numbers 1..N); each following row is a participant's name then the N values
  in statement order.

The delimiter is detected among ``,`` ``;`` TAB and ``|``: the one that splits the first lines
into the same number (at least two) of cells, the most cells winning. Columns from the first empty
header cell on are dropped, as Ken-Q does; blank rows are skipped.

The orientation, unless given, is decided from the header: a first cell ``statement``
(``statements``, ``statement id``, ``id``, ``sta``) means statements; ``participant``
(``participants``, ``name``, ``names``, ``participant name``, ``respondent``, ``sort``, ``q-sort``)
means participants; otherwise a header whose other cells are the numbers 1, 2, ..., k means
participants (Ken-Q), unless the first column is numbered 1, 2, ... too (ambiguous: give the
orientation); anything else means statements.

CSV has no place for statement texts or a title. Texts come from a statements file, one per line
(Ken-Q's ``.txt``): the ``statements`` option, or else ``<name>.statements.txt`` beside the CSV,
which the writer produces when statements have texts. Files are read as UTF-8 (BOM allowed),
UTF-16 with a BOM, or else Windows-1252 (spreadsheets on Windows); they are written as UTF-8.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from qsort.errors import FormatError, OptionError
from qsort.formats._bulk import Body, Refused, parse_body
from qsort.formats._common import (
    PathArg,
    build_study,
    decode_text,
    decode_text_as,
    one_line,
    parse_int,
    plain_ascii,
    plain_ints,
    read_bytes,
    read_statement_texts,
    sorts_grid,
    with_texts,
)
from qsort.study import Grid, IntMatrix, Study, storage_type

Orientation = Literal["statements", "participants"]
DELIMITERS = (",", ";", "\t", "|")
STATEMENT_LABELS = frozenset({"statement", "statements", "statement id", "id", "sta"})
PARTICIPANT_LABELS = frozenset(
    {
        "participant",
        "participants",
        "name",
        "names",
        "participant name",
        "respondent",
        "sort",
        "q-sort",
        "qsort",
    }
)
_EXPECTED = "a CSV table of Q-sorts (a header row, then one row per statement or per participant)"
_SAMPLE_LINES = 10

Row = tuple[int, list[str]]
_BOM = "\ufeff".encode()
_UTF8 = ("ascii", "utf-8", "utf-8-sig")
_VISIBLE = re.compile(rb"[^ \t\r\n\x1a]")


def read_csv(
    path: PathArg,
    *,
    grid: Grid | None = None,
    orientation: Orientation | None = None,
    delimiter: str | None = None,
    statements: PathArg | None = None,
    find_statements: bool = True,
    title: str = "",
    encoding: str | None = None,
) -> Study:
    """Read Q-sorts from a CSV table (see the module docstring for layout and detection).

    Plain files (no quotes, no blank rows, every row as wide as the header) are parsed in bulk
    by numpy; any other file, or one whose bulk parse fails, cell by cell, so that an error names
    the file, the line and the column of the first bad cell.

    Parameters
    ----------
    grid : Grid, optional
        The distribution; by default the one the sorts share (an error asks for the grid when
        they do not share one, as with free distributions).
    orientation : {"statements", "participants"}, optional
        Rows are statements or participants; detected when not given.
    delimiter : str, optional
        One of ``,`` ``;`` TAB ``|``; detected when not given.
    statements : str or path, optional
        A text file with one statement per line.
    encoding : str, optional
        The encoding of the table and the statements file; detected when not given, with a
        warning naming the one used when it is not UTF-8.
    """
    if orientation not in (None, "statements", "participants"):
        raise OptionError(
            f"orientation: expected 'statements' or 'participants', found {orientation!r}"
        )
    table, side = read_table(path, delimiter, orientation, encoding)
    if side == "statements":
        ids, names, matrix = table.labels, list(table.header[1:]), table.values
    else:
        values = table.values.astype(storage_type(table.values), copy=False)
        ids, names, matrix = list(table.header[1:]), table.labels, _transposed(values)
    if grid is None:
        grid = sorts_grid(matrix, names, path)
    texts = _texts(path, statements, find_statements, len(ids), encoding)
    return build_study(path, with_texts(ids, texts), names, matrix, grid, title)


_TRANSPOSE_ROWS = 2048


def _transposed(values: IntMatrix) -> IntMatrix:
    """``values.T`` laid out in memory (a row per statement), copied a block of rows at a
    time: three times quicker than one strided copy of a million sorts of small integers."""
    out = np.empty(values.shape[::-1], dtype=values.dtype)
    for first in range(0, values.shape[0], _TRANSPOSE_ROWS):
        out[:, first : first + _TRANSPOSE_ROWS] = values[first : first + _TRANSPOSE_ROWS].T
    return out


@dataclass(frozen=True)
class Table:
    """A CSV table of whole numbers: the header's cells, each row's label and line, the values.

    ``values`` has one row per data row and one column per header cell after the first.
    """

    header: list[str]
    labels: list[str]
    lines: list[int]
    values: IntMatrix


def read_table(
    path: PathArg,
    delimiter: str | None = None,
    orientation: Orientation | None = None,
    encoding: str | None = None,
) -> tuple[Table, Orientation]:
    """Read a CSV table of a header, then rows of a label and whole numbers, and its orientation
    (``orientation``, or detected)."""
    data = read_bytes(path)
    ascii_text = encoding is None and plain_ascii(data) and _VISIBLE.search(data) is not None
    # Plain ASCII is UTF-8 as it is: only the lines the delimiter is told from are decoded
    # before the bulk parse, and the whole text only if that parse refuses the file.
    text, used = (_head_text(data), "ascii") if ascii_text else _decoded(data, path, encoding)
    sep = delimiter if delimiter is not None else detect_delimiter(text, path)
    if sep not in DELIMITERS:
        raise OptionError(f"delimiter: expected one of , ; TAB |, found {sep!r}")
    utf8 = data if used in _UTF8 else text.encode("utf-8")
    fast = _bulk_table(utf8, sep)
    if isinstance(fast, Table):
        return fast, orientation or detect_orientation(fast.header, fast.labels, path)
    if isinstance(fast, Refused):
        _raise_first_bad_cell(path, utf8, fast, sep, orientation)
    del utf8
    if ascii_text:
        text = _decoded(data, path, encoding)[0]
    del data
    rows = rows_of_text(text, sep, path)
    del text
    header = _trim_header(rows[0], path)
    body = rows[1:]
    if not body:
        raise FormatError(
            f"{path}: the file has a header row (line {rows[0][0]}) but no data rows; "
            f"expected {_EXPECTED}"
        )
    first_column = [cells[0] if cells else "" for _, cells in body]
    side = orientation or detect_orientation(header, first_column, path)
    return _cell_table(path, header, body, side), side


def _decoded(data: bytes, path: PathArg, encoding: str | None) -> tuple[str, str]:
    return decode_text_as(data, path, _EXPECTED, legacy=True, encoding=encoding)


def _head_text(data: bytes) -> str:
    """The first lines of plain ASCII ``data`` that :func:`detect_delimiter` looks at, decoded
    (each line whole, however long)."""
    end = -1
    for _ in range(_SAMPLE_LINES * 4):
        end = data.find(b"\n", end + 1)
        if end < 0:
            return data.decode("ascii")
    return data[:end].decode("ascii")


def _raise_first_bad_cell(
    path: PathArg, data: bytes, refused: Refused, sep: str, orientation: Orientation | None
) -> None:
    """Raise the exact path's error for the first bad cell of the block the bulk parse refused,
    if it has one, without reading the whole file cell by cell (the lines before the block are
    plain, so the first bad cell of the file is there or later).

    Nothing is raised when the block is valid cell by cell (spaces around a number, a blank
    row), holds quotes, or the orientation cannot be told from the header alone (numbered
    statements): the whole file then takes the exact path.
    """
    chunk = data[refused.first : refused.last]
    header = _header_cells(data[: data.find(b"\n")].decode("utf-8").lstrip("\ufeff"), sep)
    side = orientation or _header_side(header)
    if side is None or b'"' in chunk or not chunk.strip():
        return
    before = data.count(b"\n", 0, refused.first)
    rows = [(number + before, cells) for number, cells in rows_of_text(chunk.decode(), sep, path)]
    _cell_table(path, header, rows, side)


def _header_side(header: Sequence[str]) -> Orientation | None:
    """The orientation :func:`detect_orientation` gives, when the header alone decides it."""
    label = header[0].strip().lower()
    if label in STATEMENT_LABELS:
        return "statements"
    if label in PARTICIPANT_LABELS:
        return "participants"
    return None if _numbered(header[1:]) else "statements"


def _bulk_table(data: bytes, sep: str) -> Table | Refused | None:
    """The table parsed in bulk from its UTF-8 bytes (:func:`qsort.formats._bulk.parse_body`);
    else the first block of lines it refused, or None, and the file needs the exact path:
    quotes other than around the header's cells and the row labels (as R's ``write.csv`` puts
    them), blank rows, rows wider or narrower than the header, a cell that is not a whole
    number within range."""
    offset = len(_BOM) if data.startswith(_BOM) else 0
    newline = data.find(b"\n", offset)
    if newline < 0:
        return None
    header = _header_cells(data[offset:newline].decode("utf-8").rstrip("\r"), sep)
    width = len(header)
    if width < 2 or not all(header[1:]):
        return None
    body = parse_body(data, newline + 1, sep, width)
    if not isinstance(body, Body):
        return body
    lines = list(range(2, len(body.labels) + 2))
    return Table(header, body.labels, lines, body.values)


def _header_cells(line: str, sep: str) -> list[str]:
    if '"' not in line:
        return [cell.strip() for cell in line.split(sep)]
    try:
        return [cell.strip() for cell in next(csv.reader([line], delimiter=sep), [])]
    except csv.Error:
        return []


def _cell_table(path: PathArg, header: list[str], body: list[Row], side: Orientation) -> Table:
    """The table parsed cell by cell, naming the first bad cell exactly."""
    width = len(header)
    what = "a statement id" if side == "statements" else "a participant name"
    labels: list[str] = []
    values: list[list[int]] = []
    for number, row in body:
        cells = _fit_row(row, width, number, path)
        labels.append(_label(cells[0], f"{path}, line {number}, column 1", what))
        values.append(_row_values(cells, number, header, labels[-1], side, path))
    matrix = np.array(values, dtype=np.int64).reshape(len(values), width - 1)
    return Table(header, labels, [n for n, _ in body], matrix)


def _row_values(
    cells: Sequence[str],
    number: int,
    header: Sequence[str],
    label: str,
    side: Orientation,
    path: PathArg,
) -> list[int]:
    """A row's whole numbers. A row of plain small integers is converted at once; otherwise each
    cell goes through :func:`parse_int`, which names a bad one (the name is built only then)."""
    values = cells[1:]
    plain = plain_ints(values)
    if plain is not None:
        return plain
    return [
        parse_int(cell, _where(path, number, j, header[j + 1], label, side))
        for j, cell in enumerate(values)
    ]


def _where(
    path: PathArg, number: int, j: int, column: str, label: str, side: Orientation
) -> Callable[[], str]:
    sort, statement = (column, label) if side == "statements" else (label, column)
    return lambda: f"{path}, line {number}, column {j + 2} (sort {sort!r}, statement {statement!r})"


def read_rows(path: PathArg, delimiter: str | None = None) -> list[Row]:
    """Decode a CSV file and split it into (line number, cells) rows, blank rows left out."""
    text = decode_text(read_bytes(path), path, _EXPECTED, legacy=True)
    sep = delimiter if delimiter is not None else detect_delimiter(text, path)
    if sep not in DELIMITERS:
        raise OptionError(f"delimiter: expected one of , ; TAB |, found {sep!r}")
    return rows_of_text(text, sep, path)


def rows_of_text(text: str, sep: str, path: PathArg) -> list[Row]:
    """Split decoded CSV text into (line number, cells) rows, blank rows left out (text without
    quotes is split directly, which is quicker than the csv module and gives the same cells)."""
    rows: list[Row] = []
    if '"' not in text:
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        for number, line in enumerate(text.split("\n"), start=1):
            if line.strip(" \t" + sep):
                rows.append((number, line.split(sep)))
    else:
        rows = _csv_rows(text, sep, path)
    if not rows:
        raise FormatError(f"{path}: the file holds no rows; expected {_EXPECTED}")
    return rows


def _csv_rows(text: str, sep: str, path: PathArg) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows: list[Row] = []
    start = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FormatError(f"{path}, line {reader.line_num}: {exc}; expected {_EXPECTED}") from None
    return rows


def detect_delimiter(text: str, path: PathArg) -> str:
    """Pick the delimiter that splits the first lines into equal rows of the most cells.

    Lines of any length are split; only the first few non-blank lines are looked at.
    """
    sample = [line.rstrip("\r") for line in _first_lines(text) if line.strip()][:_SAMPLE_LINES]
    best, best_score = "", (False, 0)
    for sep in DELIMITERS:
        counts = [len(_strip_trailing(cells)) for cells in _split_sample(sample, sep)]
        score = (len(set(counts)) == 1, counts[0] if counts else 0)
        if score[1] >= 2 and score > best_score:
            best, best_score = sep, score
    if not best:
        raise FormatError(
            f"{path}, line 1: expected cells separated by a comma, semicolon, TAB or bar, "
            "found a single column"
        )
    return best


def _first_lines(text: str, count: int = _SAMPLE_LINES * 4) -> list[str]:
    """The first ``count`` lines, without splitting (or copying) the rest of the text."""
    lines: list[str] = []
    start = 0
    while len(lines) < count and start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        lines.append(text[start:end])
        start = end + 1
    return lines


def _split_sample(lines: list[str], sep: str) -> list[list[str]]:
    """Split sample lines on ``sep``; with quotes, as CSV (a line the csv module refuses, such
    as one with a field beyond its size limit, is split plainly: the reader then says why)."""
    if not any('"' in line for line in lines):
        return [line.split(sep) for line in lines]
    out: list[list[str]] = []
    for line in lines:
        try:
            out.append(next(csv.reader([line], delimiter=sep), []))
        except csv.Error:
            out.append(line.split(sep))
    return out


def _strip_trailing(cells: Sequence[str]) -> list[str]:
    out = list(cells)
    while out and not out[-1].strip():
        out.pop()
    return out


def _trim_header(row: Row, path: PathArg) -> list[str]:
    """The header's cells up to (not including) the first empty one after the first."""
    number, cells = row
    header = [cells[0].strip()] if cells else [""]
    for cell in cells[1:]:
        if not cell.strip():
            break
        header.append(cell.strip())
    if len(header) < 2:
        raise FormatError(
            f"{path}, line {number}: expected a header row with a label then sort names or "
            "statement ids, found a single cell"
        )
    return header


def detect_orientation(
    header: Sequence[str], first_column: Sequence[str], path: PathArg
) -> Orientation:
    """Decide whether rows are statements or participants (rule in the module docstring), from
    the header and the first cell of every data row."""
    label = header[0].strip().lower()
    if label in STATEMENT_LABELS:
        return "statements"
    if label in PARTICIPANT_LABELS:
        return "participants"
    if _numbered(header[1:]):
        if _numbered(first_column):
            raise FormatError(
                f"{path}: both the header and the first column are numbered 1, 2, ..., so it "
                "is not clear whether rows are statements or participants; give the orientation "
                "('statements' or 'participants')"
            )
        return "participants"
    return "statements"


def _numbered(cells: Sequence[str]) -> bool:
    """True for cells 1, 2, ..., k (the first and last are checked before the rest)."""
    if not cells or cells[0].strip() != "1" or cells[-1].strip() != str(len(cells)):
        return False
    return all(c.strip() == str(i + 1) for i, c in enumerate(cells))


def _fit_row(cells: list[str], width: int, number: int, path: PathArg) -> list[str]:
    """The row's first ``width`` cells; extra cells must be empty, missing cells are an error."""
    extra = [c for c in cells[width:] if c.strip()]
    if extra or len(cells) < width:
        found = len(_strip_trailing(cells))
        raise FormatError(
            f"{path}, line {number}: expected {width} cells, as the header has, found {found}"
        )
    return cells[:width]


def _label(cell: str, where: str, what: str) -> str:
    value = cell.strip()
    if not value:
        raise FormatError(f"{where}: expected {what}, found an empty cell")
    return value


def statements_path(path: PathArg) -> Path:
    """Where the writer puts statement texts beside a CSV: ``<name>.statements.txt``."""
    target = Path(path)
    return target.with_name(target.stem + ".statements.txt")


def _texts(
    path: PathArg, given: PathArg | None, find: bool, count: int, encoding: str | None
) -> list[str] | None:
    if given is not None:
        return read_statement_texts(given, count, encoding)
    candidate = statements_path(path)
    if find and candidate.is_file():
        return read_statement_texts(candidate, count, encoding)
    return None


def write_csv(
    study: Study,
    path: PathArg,
    *,
    orientation: Orientation = "statements",
    delimiter: str = ",",
    statements_file: bool = True,
) -> list[Path]:
    """Write the sorts as CSV; with texts and ``statements_file``, also ``<name>.statements.txt``.

    Returns the files written.
    """
    if orientation not in ("statements", "participants"):
        raise OptionError(
            f"orientation: expected 'statements' or 'participants', found {orientation!r}"
        )
    if delimiter not in DELIMITERS:
        raise OptionError(f"delimiter: expected one of , ; TAB |, found {delimiter!r}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    if orientation == "statements":
        writer.writerow(["statement", *study.sort_names])
        for sid, row in zip(study.statement_ids, study.sorts, strict=True):
            writer.writerow([sid, *(int(v) for v in row)])
    else:
        writer.writerow(["participant", *study.statement_ids])
        for name, column in zip(study.sort_names, study.sorts.T, strict=True):
            writer.writerow([name, *(int(v) for v in column)])
    target = Path(path)
    target.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    written = [target]
    if statements_file and any(s.text for s in study.statements):
        texts = statements_path(target)
        lines = (one_line(s.text) for s in study.statements)
        texts.write_text("".join(line + "\n" for line in lines), encoding="utf-8", newline="")
        written.append(texts)
    return written


__all__ = [
    "DELIMITERS",
    "Orientation",
    "detect_delimiter",
    "detect_orientation",
    "read_csv",
    "read_rows",
    "read_table",
    "rows_of_text",
    "statements_path",
    "write_csv",
]
