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
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from qsort.errors import FormatError, OptionError
from qsort.formats._common import (
    PathArg,
    as_matrix,
    build_study,
    decode_text,
    one_line,
    parse_int,
    read_bytes,
    read_statement_texts,
    sorts_grid,
    with_texts,
)
from qsort.study import Grid, Study

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


def read_csv(
    path: PathArg,
    *,
    grid: Grid | None = None,
    orientation: Orientation | None = None,
    delimiter: str | None = None,
    statements: PathArg | None = None,
    find_statements: bool = True,
    title: str = "",
) -> Study:
    """Read Q-sorts from a CSV table (see the module docstring for layout and detection).

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
    """
    rows = read_rows(path, delimiter)
    header = _trim_header(rows[0], path)
    body = rows[1:]
    if not body:
        raise FormatError(
            f"{path}: the file has a header row (line {rows[0][0]}) but no data rows; "
            f"expected {_EXPECTED}"
        )
    side = orientation or detect_orientation(header, body, path)
    if side not in ("statements", "participants"):
        raise OptionError(f"orientation: expected 'statements' or 'participants', found {side!r}")
    width = len(header)
    cells = [(number, _fit_row(row, width, number, path)) for number, row in body]
    if side == "statements":
        ids, names, columns = _by_statement(header, cells, path)
    else:
        ids, names, columns = _by_participant(header, cells, path)
    matrix = as_matrix(columns, len(ids))
    if grid is None:
        grid = sorts_grid(matrix, names, path)
    texts = _texts(path, statements, find_statements, len(ids))
    return build_study(path, with_texts(ids, texts), names, matrix, grid, title)


def read_rows(path: PathArg, delimiter: str | None = None) -> list[Row]:
    """Decode a CSV file and split it into (line number, cells) rows, blank rows left out."""
    text = decode_text(read_bytes(path), path, _EXPECTED, legacy=True)
    sep = delimiter if delimiter is not None else detect_delimiter(text, path)
    if sep not in DELIMITERS:
        raise OptionError(f"delimiter: expected one of , ; TAB |, found {sep!r}")
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
    if not rows:
        raise FormatError(f"{path}: the file holds no rows; expected {_EXPECTED}")
    return rows


def detect_delimiter(text: str, path: PathArg) -> str:
    """Pick the delimiter that splits the first lines into equal rows of the most cells."""
    sample = [line for line in text.splitlines() if line.strip()][:_SAMPLE_LINES]
    best, best_score = "", (False, 0)
    for sep in DELIMITERS:
        counts = [len(_strip_trailing(cells)) for cells in csv.reader(sample, delimiter=sep)]
        score = (len(set(counts)) == 1, counts[0] if counts else 0)
        if score[1] >= 2 and score > best_score:
            best, best_score = sep, score
    if not best:
        raise FormatError(
            f"{path}, line 1: expected cells separated by a comma, semicolon, TAB or bar, "
            "found a single column"
        )
    return best


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


def detect_orientation(header: Sequence[str], body: Sequence[Row], path: PathArg) -> Orientation:
    """Decide whether rows are statements or participants (rule in the module docstring)."""
    label = header[0].strip().lower()
    if label in STATEMENT_LABELS:
        return "statements"
    if label in PARTICIPANT_LABELS:
        return "participants"
    if _numbered(header[1:]):
        if _numbered([cells[0] if cells else "" for _, cells in body]):
            raise FormatError(
                f"{path}: both the header and the first column are numbered 1, 2, ..., so it "
                "is not clear whether rows are statements or participants; give the orientation "
                "('statements' or 'participants')"
            )
        return "participants"
    return "statements"


def _numbered(cells: Sequence[str]) -> bool:
    return [c.strip() for c in cells] == [str(i + 1) for i in range(len(cells))]


def _fit_row(cells: list[str], width: int, number: int, path: PathArg) -> list[str]:
    """The row's first ``width`` cells; extra cells must be empty, missing cells are an error."""
    extra = [c for c in cells[width:] if c.strip()]
    if extra or len(cells) < width:
        found = len(_strip_trailing(cells))
        raise FormatError(
            f"{path}, line {number}: expected {width} cells, as the header has, found {found}"
        )
    return cells[:width]


def _by_statement(
    header: Sequence[str], rows: Sequence[Row], path: PathArg
) -> tuple[list[str], list[str], list[list[int]]]:
    names = list(header[1:])
    ids: list[str] = []
    columns: list[list[int]] = [[] for _ in names]
    for number, cells in rows:
        ids.append(_label(cells[0], f"{path}, line {number}, column 1", "a statement id"))
        for j, cell in enumerate(cells[1:]):
            where = (
                f"{path}, line {number}, column {j + 2} (sort {names[j]!r}, statement {ids[-1]!r})"
            )
            columns[j].append(parse_int(cell, where))
    return ids, names, columns


def _by_participant(
    header: Sequence[str], rows: Sequence[Row], path: PathArg
) -> tuple[list[str], list[str], list[list[int]]]:
    ids = list(header[1:])
    names: list[str] = []
    columns: list[list[int]] = []
    for number, cells in rows:
        names.append(_label(cells[0], f"{path}, line {number}, column 1", "a participant name"))
        columns.append(
            [
                parse_int(
                    cell,
                    f"{path}, line {number}, column {j + 2} (sort {names[-1]!r}, "
                    f"statement {ids[j]!r})",
                )
                for j, cell in enumerate(cells[1:])
            ]
        )
    return ids, names, columns


def _label(cell: str, where: str, what: str) -> str:
    value = cell.strip()
    if not value:
        raise FormatError(f"{where}: expected {what}, found an empty cell")
    return value


def statements_path(path: PathArg) -> Path:
    """Where the writer puts statement texts beside a CSV: ``<name>.statements.txt``."""
    target = Path(path)
    return target.with_name(target.stem + ".statements.txt")


def _texts(path: PathArg, given: PathArg | None, find: bool, count: int) -> list[str] | None:
    if given is not None:
        return read_statement_texts(given, count)
    candidate = statements_path(path)
    if find and candidate.is_file():
        return read_statement_texts(candidate, count)
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
    "statements_path",
    "write_csv",
]
