"""A Q-set's statements as a CSV table, read: a text column and, optionally, an id column.

Spreadsheets and survey tools keep statements as a table: one statement a row, its text in one
column and often its number or id in another. The reader takes:

* **a header, or none.** The first row is a header when one of its cells names the text column
  (``text``, ``statement``, ``statements``, ``statement text``, ``wording``, ``item``, ``card``)
  or the id column (``id``, ``number``, ``no``, ``nr``, ``num``, ``#``, ``statement id``,
  ``sta``), compared without regard to case and blanks. With a header, the text is the column it
  names (the only column, or the one beside a named id column); other columns are left alone.
* **without a header**, one column is the text; two columns are an id and a text when one of them
  holds whole numbers on every row (the other is the text); otherwise the whole line is the text
  (a statement may hold a comma without quotes).

The delimiter is one of ``,`` ``;`` TAB ``|``: the one that splits the first line into the most
cells (at least two) and more than half of the first ten lines into as many; a file no delimiter
splits that way has one column. Quoted cells may hold delimiters and line breaks (a line break
becomes a blank). Blank rows are skipped. Ids must be unique and no text may be empty: the error
names the file, the line and the column. Files are decoded as
:func:`~qsort.formats._common.decode_text` does: UTF-8 or UTF-16 by their byte-order mark, UTF-8,
or a detected legacy encoding, named in a :class:`~qsort.formats._common.TextEncodingWarning`.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

from qsort.errors import FormatError, OptionError
from qsort.formats._common import PathArg, decode_text, one_line, read_bytes
from qsort.formats.csv_sorts import DELIMITERS, Row, rows_of_text
from qsort.study import Statement

TEXT_LABELS = frozenset(
    {"text", "statement", "statements", "statement text", "wording", "item", "card"}
)
ID_LABELS = frozenset({"id", "number", "no", "no.", "nr", "num", "#", "statement id", "sta"})
_EXPECTED = "a CSV table of statements (one a row: a text column, optionally an id column)"
_WHOLE_LINE = "\x1f"
"""A delimiter no decoded text holds (control characters are refused), so a row is one cell."""
_SAMPLE_LINES = 10


def read_statements_csv(
    path: PathArg, *, delimiter: str | None = None, encoding: str | None = None
) -> list[Statement]:
    """Read the statements of a CSV table (layout and detection in the module docstring).

    Parameters
    ----------
    path : str or path
        The CSV file.
    delimiter : str, optional
        One of ``,`` ``;`` TAB ``|``; detected when not given.
    encoding : str, optional
        The file's encoding; detected when not given.

    Returns
    -------
    list of Statement
        In the file's order; ids as the file gives them, else ``"1"``, ``"2"``, ... by row.
    """
    if delimiter is not None and delimiter not in DELIMITERS:
        raise OptionError(f"delimiter: expected one of , ; TAB |, found {delimiter!r}")
    text = decode_text(read_bytes(path), path, _EXPECTED, legacy=True, encoding=encoding)
    sep = delimiter if delimiter is not None else _detect_delimiter(text)
    rows = rows_of_text(text, sep or _WHOLE_LINE, path)
    header = _header_columns(rows[0][1])
    body = rows[1:] if header is not None else rows
    if not body:
        raise FormatError(
            f"{path}: the file has a header row (line {rows[0][0]}) but no statements; "
            f"expected {_EXPECTED}"
        )
    if header is not None:
        text_col, id_col = _named_columns(header, rows[0], path)
    else:
        text_col, id_col = _guessed_columns(body)
        if text_col < 0:
            body = rows_of_text(text, _WHOLE_LINE, path)
            text_col, id_col = 0, None
    return _statements(body, text_col, id_col, path)


def _detect_delimiter(text: str) -> str | None:
    """The delimiter that splits the first line into the most cells (2 or more) and more than
    half of the first lines into as many, or None (one column)."""
    sample = [line for line in text.splitlines() if line.strip()][:_SAMPLE_LINES]
    best, best_width = None, 1
    for sep in DELIMITERS:
        try:
            widths = [len(_trimmed(cells)) for cells in csv.reader(sample, delimiter=sep)]
        except csv.Error:
            continue
        agree = sum(width == widths[0] for width in widths)
        if widths and widths[0] > best_width and 2 * agree > len(widths):
            best, best_width = sep, widths[0]
    return best


def _trimmed(cells: Sequence[str]) -> list[str]:
    out = list(cells)
    while out and not out[-1].strip():
        out.pop()
    return out


def _label(cell: str) -> str:
    return " ".join(cell.lstrip("\ufeff").strip().lower().split())


def _header_columns(cells: Sequence[str]) -> list[str] | None:
    """The first row's labels when it is a header (a cell names the text or id column)."""
    labels = [_label(cell) for cell in cells]
    return labels if any(label in TEXT_LABELS | ID_LABELS for label in labels) else None


def _named_columns(labels: list[str], row: Row, path: PathArg) -> tuple[int, int | None]:
    """The text and id columns a header names (0-based)."""
    ids = [i for i, label in enumerate(labels) if label in ID_LABELS]
    texts = [i for i, label in enumerate(labels) if label in TEXT_LABELS]
    id_col = ids[0] if ids else None
    if texts:
        return texts[0], id_col
    others = [i for i, label in enumerate(labels) if i != id_col and label]
    if len(others) == 1:
        return others[0], id_col
    raise FormatError(
        f"{path}, line {row[0]}: the header names no text column; expected a column headed "
        f"'text' or 'statement', found {', '.join(repr(c) for c in row[1])}"
    )


def _guessed_columns(body: list[Row]) -> tuple[int, int | None]:
    """Text and id columns of a file without header: (0, None) for one column, an id column of
    whole numbers beside the text for two, (-1, None) when the whole line is the text."""
    widths = {len(_trimmed(cells)) for _, cells in body}
    if widths == {1}:
        return 0, None
    if widths == {2}:
        for id_col in (0, 1):
            if all(cells[id_col].strip().isdigit() for _, cells in body):
                return 1 - id_col, id_col
    return -1, None


def _statements(
    body: list[Row], text_col: int, id_col: int | None, path: PathArg
) -> list[Statement]:
    """One statement a row, checked: a text in every row, ids present and unique."""
    out: list[Statement] = []
    seen: dict[str, int] = {}
    for n, (line, cells) in enumerate(body, start=1):
        text = one_line(_cell(cells, text_col, line, path, "the statement's text")).strip()
        ident = str(n)
        if id_col is not None:
            ident = _cell(cells, id_col, line, path, "the statement's id").strip()
            if ident in seen:
                raise FormatError(
                    f"{path}, line {line}, column {id_col + 1}: the statement id {ident!r} is "
                    f"already used on line {seen[ident]}; expected each id once"
                )
            seen[ident] = line
        out.append(Statement(ident, text))
    return out


def _cell(cells: Sequence[str], column: int, line: int, path: PathArg, what: str) -> str:
    """A row's cell, which must hold something."""
    value = cells[column] if column < len(cells) else ""
    if not value.strip():
        found = "an empty cell" if column < len(cells) else f"a row of {len(cells)} cell(s)"
        raise FormatError(
            f"{path}, line {line}, column {column + 1}: expected {what}, found {found}"
        )
    return value


__all__ = ["read_statements_csv"]
