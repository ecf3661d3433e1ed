"""EQ Web Sort and Quince CSV downloads: one participant a row, fields labelled in the cells.

The online sorts of EQ Web Sort (and Quince, its sibling) reach the researcher as JSON (read by
:mod:`qsort.formats.htmlq`) or as one of two CSV downloads, which KADE imports:

* **Google Sheets** (the Stein back end): a header row numbering the columns, then one row per
  participant whose cells each hold ``key: value`` (``partId: P01``, ``randomId: a1b2c3``,
  ``urlUsercode: ...``, answers and times ...), the sort in ``sort: v1|v2|...|vN``.
* **Netlify forms**: one cell per row holds every field as ``key:| value | key:| value | ...``,
  ending with ``sort:| v1|v2|...|vN | ``.
* **A table of fields** (Quince's Baserow back end, whose rows take the field names as columns,
  or any spreadsheet of the JSON): a header row naming the fields, one of them ``sort``.

Other cells (a date the spreadsheet added, time stamps, answers) are not sort values and are
left alone. A sort is named by ``name_field`` when given, else by the first of ``randomId``,
``partId``, ``usercode``, ``urlUsercode`` that every row has, else by its row number. A
participant on two rows is an error that names the rows. Statement ids are ``"1"``..``"N"``;
give ``statements`` (one a line) for their texts.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from qsort.errors import FormatError
from qsort.formats._common import (
    PathArg,
    as_matrix,
    build_study,
    decode_text,
    parse_int,
    read_bytes,
    read_statement_texts,
    sorts_grid,
    with_texts,
)
from qsort.formats.csv_sorts import rows_of_text
from qsort.study import Grid, Study

_EXPECTED = 'an EQ Web Sort CSV download (one participant a row, the sort in a "sort: ..." cell)'
_NETLIFY_FIELD = re.compile(r"(\w+):\|\s*([^|]*?)\s*\|")
_SHEETS_FIELD = re.compile(r"\s*(\w+):\s?(.*)", re.S)
NAME_FIELDS = ("randomId", "partId", "usercode", "urlUsercode")
Record = dict[str, str]


def looks_like_eqwebsort(text: str) -> bool:
    """True when one of the first lines holds a labelled ``sort:`` cell, or the header names a
    ``sort`` column whose first value is bar-separated."""
    head = text[:20000]
    if "sort:|" in head or re.search(r'(^|[,"])\s*sort: ?[-+]?\d', head, re.M):
        return True
    lines = head.split("\n", 2)
    header = [c.strip().strip('"').lower() for c in lines[0].split(",")]
    return "sort" in header and len(lines) > 1 and "|" in lines[1]


def read_eqwebsort_csv(
    path: PathArg,
    *,
    grid: Grid | None = None,
    name_field: str | None = None,
    statements: PathArg | None = None,
    title: str = "",
    encoding: str | None = None,
) -> Study:
    """Read an EQ Web Sort / Quince CSV download (see the module docstring)."""
    records = read_records(path, encoding=encoding)
    names = _names([r for _, r in records], name_field, path)
    _refuse_repeats(names, records, path)
    columns: list[list[int]] = []
    for (number, record), name in zip(records, names, strict=True):
        values = _sort_values(record["sort"], f"{path}, line {number} (sort {name!r})")
        if columns and len(values) != len(columns[0]):
            raise FormatError(
                f"{path}, line {number} (sort {name!r}): expected {len(columns[0])} sort values, "
                f"as the first participant has, found {len(values)}"
            )
        columns.append(values)
    n_stat = len(columns[0])
    matrix = as_matrix(columns, n_stat)
    grid = grid if grid is not None else sorts_grid(matrix, names, path)
    texts = read_statement_texts(statements, n_stat, encoding) if statements else None
    ids = [str(i + 1) for i in range(n_stat)]
    return build_study(path, with_texts(ids, texts), names, matrix, grid, title)


def read_records(path: PathArg, *, encoding: str | None = None) -> list[tuple[int, Record]]:
    """Each participant's labelled fields, with the line they are on (rows without a sort,
    such as the header, are left out)."""
    text = decode_text(read_bytes(path), path, _EXPECTED, legacy=True, encoding=encoding)
    rows = rows_of_text(text, ",", path)
    fields = [cell.strip() for cell in rows[0][1]]
    columnar = "sort" in [f.lower() for f in fields]
    records = []
    for number, cells in rows[1:] if columnar else rows:
        record = _columns(fields, cells) if columnar else _record(cells)
        if record.get("sort"):
            records.append((number, record))
    if not records:
        raise FormatError(f'{path}: no row holds a "sort:" cell; expected {_EXPECTED}')
    return records


def _columns(fields: Sequence[str], cells: Sequence[str]) -> Record:
    """A row of a table of fields, keyed by the header (``sort`` whatever its case)."""
    pairs = zip(fields, cells, strict=False)  # a short row lacks its last fields
    return {("sort" if f.lower() == "sort" else f): c.strip() for f, c in pairs if f}


def _record(cells: Sequence[str]) -> Record:
    """The labelled fields of one row, in either download's layout."""
    record: Record = {}
    for cell in cells:
        if "sort:|" in cell:
            head, _, sort = cell.partition("sort:|")
            record.update(_NETLIFY_FIELD.findall(head))
            record["sort"] = sort.strip(" |")
            continue
        match = _SHEETS_FIELD.fullmatch(cell)
        if match is not None:
            record.setdefault(match[1], match[2].strip())
    return record


def _sort_values(raw: str, where: str) -> list[int]:
    parts = [p for p in raw.split("|") if p.strip()]
    if not parts:
        raise FormatError(f"{where}: expected sort values separated by '|', found none")
    return [parse_int(p, f"{where}, sort value {i + 1}") for i, p in enumerate(parts)]


def _names(records: Sequence[Record], field: str | None, path: PathArg) -> list[str]:
    if field is not None:
        names = [r.get(field, "").strip() for r in records]
        if not all(names):
            raise FormatError(f"{path}: expected every participant to have a {field!r} field")
        return names
    for candidate in NAME_FIELDS:
        names = [r.get(candidate, "").strip() for r in records]
        if all(names):
            return names
    return [str(i + 1) for i in range(len(records))]


def _refuse_repeats(
    names: Sequence[str], records: Sequence[tuple[int, Record]], path: PathArg
) -> None:
    lines: dict[str, list[int]] = {}
    for name, (number, _) in zip(names, records, strict=True):
        lines.setdefault(name, []).append(number)
    repeated = [
        f"{name!r} on lines {', '.join(map(str, at))}" for name, at in lines.items() if len(at) > 1
    ]
    if repeated:
        raise FormatError(
            f"{path}: participant(s) appear on more than one row: {'; '.join(repeated[:10])}; "
            "expected one row per participant (remove the repeated submissions, or name the "
            "sorts by another field with name_field=)"
        )


def write_eqwebsort_csv(study: Study, path: PathArg) -> list[Path]:
    """Write the Google Sheets layout: a numbered header, then ``randomId: <name>`` and
    ``sort: v1|...|vN`` cells, one participant a row. Returns the file written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([1, 2])
    for name, column in zip(study.sort_names, study.sorts.T, strict=True):
        writer.writerow([f"randomId: {name}", "sort: " + "|".join(str(int(v)) for v in column)])
    target = Path(path)
    target.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return [target]


__all__ = ["looks_like_eqwebsort", "read_eqwebsort_csv", "read_records", "write_eqwebsort_csv"]
