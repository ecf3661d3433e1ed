"""Online Q-sort tools' exports: EQ Web Sort / easy-htmlq JSON and HtmlQ CSV, read and written.

* **easy-htmlq / EQ Web Sort JSON** (spec B.5 ``import.easyhtmlq``, B.6): an object keyed by
  participant; each value is an object with ``"sort": "v1|v2|...|vN"`` (the values in statement
  order, bar-separated; a list of numbers is accepted too) plus any other fields (answers to
  post-sort questions, timestamps). The sort is named by its key, or by the field ``name_field``.
* **HtmlQ CSV** (spec B.5 ``import.htmlq``): semicolon-separated with a header row; the columns
  whose names start with ``s``, other than ``sid``, are the statements (``s1``..``sN``; the id is
  the name without the ``s``); the sort is named by ``uid`` when every row has a distinct one,
  else by ``sid``, else by its row number.

The other fields are not part of a :class:`~qsort.study.Study`; :func:`read_easyhtmlq_extra` and
:func:`read_htmlq_csv_extra` return them per sort, and :func:`write_easyhtmlq` can write them back.
Statement ids from JSON are ``"1"``..``"N"``. Neither format holds statement texts or a title:
give ``statements`` (a text file, one statement per line) and ``title``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from qsort.errors import FormatError
from qsort.formats._common import (
    PathArg,
    as_matrix,
    build_study,
    decode_text,
    parse_int,
    preview,
    read_bytes,
    read_statement_texts,
    sorts_grid,
    with_texts,
)
from qsort.formats.csv_sorts import read_rows
from qsort.study import Grid, Study

_EXPECTED_JSON = (
    'a JSON object keyed by participant (or a list of participants), each with "sort": '
    '"v1|v2|...|vN"'
)
_EXPECTED_CSV = "an HtmlQ CSV export (semicolon-separated, statement columns s1..sN)"


def load_json(path: PathArg, expected: str) -> Any:
    """Parse a UTF-8 JSON file, refusing duplicate keys, with errors that name line and column."""
    text = decode_text(read_bytes(path), path, expected, legacy=False)
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"{path}, line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}); "
            f"expected {expected}"
        ) from None
    except _DuplicateKeyError as exc:
        raise FormatError(f"{path}: the key {exc.key!r} appears twice in one object") from None
    except RecursionError:
        raise FormatError(
            f"{path}: the JSON is nested too deeply to be {expected}; expected {expected}"
        ) from None
    except ValueError as exc:  # a number of thousands of digits, beyond Python's int limit
        raise FormatError(f"{path}: {exc}; expected {expected}") from None


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def _participants(path: PathArg) -> dict[str, dict[str, Any]]:
    """The participants of an export: an object keyed by participant (Firebase, easy-htmlq), or
    a list of participant objects (EQ Web Sort's and Quince's downloads), keyed by position."""
    data = load_json(path, _EXPECTED_JSON)
    if isinstance(data, list) and data:
        data = {f"#{i + 1}": value for i, value in enumerate(data)}
    if not isinstance(data, dict) or not data:
        found = "an empty object" if isinstance(data, dict) else f"a JSON {type(data).__name__}"
        if isinstance(data, list):
            found = "an empty list"
        raise FormatError(f"{path}: expected {_EXPECTED_JSON}, found {found}")
    for key, value in data.items():
        if not isinstance(value, dict) or "sort" not in value:
            raise FormatError(
                f'{path}: participant {key!r}: expected an object with a "sort" field, '
                f"found {preview(value)}"
            )
    return data


ID_FIELDS = ("randomId", "partId", "usercode", "urlUsercode", "uid", "id", "name")
"""Fields that name a participant in a list export, tried in order (the first that every
participant has wins; a name given twice is then an error naming it)."""


def _names(data: Mapping[str, Mapping[str, Any]], field: str | None, path: PathArg) -> list[str]:
    """Sort names: ``field`` of each record; for a list export the first of :data:`ID_FIELDS`
    that every participant has, else the position (``#1``...); else the keys."""
    if field is not None:
        return [_name(record, key, field, path) for key, record in data.items()]
    keys = list(data)
    if not all(k.startswith("#") for k in keys):
        return keys
    for candidate in ID_FIELDS:
        values = [str(r.get(candidate) or "").strip() for r in data.values()]
        if all(values):
            return values
    return keys


def read_easyhtmlq(
    path: PathArg,
    *,
    grid: Grid | None = None,
    name_field: str | None = None,
    statements: PathArg | None = None,
    title: str = "",
) -> Study:
    """Read an easy-htmlq / EQ Web Sort JSON export (see the module docstring)."""
    data = _participants(path)
    names: list[str] = []
    columns: list[list[int]] = []
    for key, record, name in zip(data, data.values(), _names(data, name_field, path), strict=True):
        values = _sort_values(record["sort"], f'{path}: participant {key!r}, field "sort"')
        if columns and len(values) != len(columns[0]):
            raise FormatError(
                f'{path}: participant {key!r}, field "sort": expected {len(columns[0])} values '
                f"separated by '|' (as the first participant has), found {len(values)}"
            )
        names.append(name)
        columns.append(values)
    n_stat = len(columns[0])
    matrix = as_matrix(columns, n_stat)
    grid = grid if grid is not None else sorts_grid(matrix, names, path)
    texts = read_statement_texts(statements, n_stat) if statements is not None else None
    ids = [str(i + 1) for i in range(n_stat)]
    return build_study(path, with_texts(ids, texts), names, matrix, grid, title)


def _name(record: Mapping[str, Any], key: str, field: str | None, path: PathArg) -> str:
    if field is None:
        return key
    value = record.get(field)
    if value is None or not str(value).strip():
        raise FormatError(
            f"{path}: participant {key!r}: expected a name in the field {field!r}, found none"
        )
    return str(value).strip()


def _sort_values(raw: object, where: str) -> list[int]:
    if isinstance(raw, str):
        parts = raw.split("|")
        return [parse_int(p, f"{where}, value {i + 1}") for i, p in enumerate(parts)]
    if isinstance(raw, list):
        values: list[int] = []
        for i, item in enumerate(raw):
            if isinstance(item, bool) or not isinstance(item, int | str):
                raise FormatError(f"{where}, value {i + 1}: expected an integer, found {item!r}")
            values.append(parse_int(str(item), f"{where}, value {i + 1}"))
        return values
    raise FormatError(f"{where}: expected values separated by '|', found {raw!r}")


def read_easyhtmlq_extra(
    path: PathArg, *, name_field: str | None = None
) -> dict[str, dict[str, Any]]:
    """The fields other than ``"sort"`` of each participant, keyed by sort name."""
    data = _participants(path)
    return {
        name: {k: v for k, v in record.items() if k != "sort"}
        for name, record in zip(_names(data, name_field, path), data.values(), strict=True)
    }


def write_easyhtmlq(
    study: Study,
    path: PathArg,
    *,
    extra: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Path]:
    """Write an easy-htmlq JSON export; ``extra`` adds other fields per sort name."""
    data: dict[str, dict[str, Any]] = {}
    for name, column in zip(study.sort_names, study.sorts.T, strict=True):
        record: dict[str, Any] = dict((extra or {}).get(name, {}))
        record["sort"] = "|".join(str(int(v)) for v in column)
        data[name] = record
    target = Path(path)
    target.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [target]


def _statement_columns(header: Sequence[str]) -> list[int]:
    return [i for i, h in enumerate(header) if h.startswith("s") and h != "sid" and len(h) > 1]


def _htmlq_table(path: PathArg) -> tuple[list[str], list[tuple[int, list[str]]]]:
    rows = read_rows(path, ";")
    header = [h.strip() for h in rows[0][1]]
    if not _statement_columns(header):
        raise FormatError(
            f"{path}, line {rows[0][0]}: expected statement columns named s1, s2, ... in the "
            f"header, found {header[:8]}"
        )
    body = rows[1:]
    if not body:
        raise FormatError(f"{path}: the header has no rows below it; expected {_EXPECTED_CSV}")
    for number, cells in body:
        if len(cells) != len(header):
            raise FormatError(
                f"{path}, line {number}: expected {len(header)} cells separated by ';', as the "
                f"header has, found {len(cells)}"
            )
    return header, body


def _htmlq_names(
    header: Sequence[str], body: Sequence[tuple[int, list[str]]], path: PathArg
) -> list[str]:
    """Sort names from ``uid`` (else ``sid``); a name on more than one row is an error that
    names the rows, whether the rows repeat one sort or hold different ones."""
    for column in ("uid", "sid"):
        if column in header:
            i = header.index(column)
            names = [cells[i].strip() for _, cells in body]
            if all(names):
                _refuse_duplicates(names, body, column, header, path)
                return names
    return [str(k + 1) for k in range(len(body))]


def _refuse_duplicates(
    names: Sequence[str],
    body: Sequence[tuple[int, list[str]]],
    column: str,
    header: Sequence[str],
    path: PathArg,
) -> None:
    lines: dict[str, list[int]] = {}
    for name, (number, _) in zip(names, body, strict=True):
        lines.setdefault(name, []).append(number)
    repeated = {name: at for name, at in lines.items() if len(at) > 1}
    if not repeated:
        return
    cols = _statement_columns(header)
    by_line = {number: [cells[i].strip() for i in cols] for number, cells in body}
    parts = []
    for name, at in list(repeated.items())[:10]:
        same = all(by_line[n] == by_line[at[0]] for n in at)
        kind = "the same sort repeated" if same else "different sorts"
        parts.append(f"{column} {name!r} on lines {', '.join(map(str, at))} ({kind})")
    raise FormatError(
        f"{path}: {len(repeated)} participant(s) appear on more than one row: "
        + "; ".join(parts)
        + "; expected one row per participant (remove the repeated submissions, keeping the one "
        "to analyse)"
    )


def read_htmlq_csv(
    path: PathArg,
    *,
    grid: Grid | None = None,
    statements: PathArg | None = None,
    title: str = "",
) -> Study:
    """Read an HtmlQ CSV export (see the module docstring)."""
    header, body = _htmlq_table(path)
    cols = _statement_columns(header)
    names = _htmlq_names(header, body, path)
    columns = [
        [
            parse_int(
                cells[i],
                f"{path}, line {number}, column {i + 1} '{header[i]}' (sort {name!r})",
            )
            for i in cols
        ]
        for (number, cells), name in zip(body, names, strict=True)
    ]
    matrix = as_matrix(columns, len(cols))
    grid = grid if grid is not None else sorts_grid(matrix, names, path)
    texts = read_statement_texts(statements, len(cols)) if statements is not None else None
    ids = [header[i][1:] for i in cols]
    return build_study(path, with_texts(ids, texts), names, matrix, grid, title)


def read_htmlq_csv_extra(path: PathArg) -> dict[str, dict[str, str]]:
    """The columns other than the statements of each row, keyed by sort name."""
    header, body = _htmlq_table(path)
    cols = set(_statement_columns(header))
    names = _htmlq_names(header, body, path)
    return {
        name: {h: cells[i] for i, h in enumerate(header) if i not in cols}
        for (_, cells), name in zip(body, names, strict=True)
    }


def write_htmlq_csv(study: Study, path: PathArg) -> list[Path]:
    """Write an HtmlQ-style CSV: ``sid`` (row number), ``uid`` (sort name), ``s<id>`` columns."""
    columns = [f"s{sid}" for sid in study.statement_ids]
    clash = {"sid", "uid"} & set(columns)
    if clash:
        raise FormatError(
            f"{path}: statement ids {sorted(c[1:] for c in clash)} would make the column names "
            f"{sorted(clash)}, which HtmlQ uses for the session and user; rename those statements"
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["sid", "uid", *columns])
    for k, (name, column) in enumerate(zip(study.sort_names, study.sorts.T, strict=True)):
        writer.writerow([k + 1, name, *(int(v) for v in column)])
    target = Path(path)
    target.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return [target]


__all__ = [
    "load_json",
    "read_easyhtmlq",
    "read_easyhtmlq_extra",
    "read_htmlq_csv",
    "read_htmlq_csv_extra",
    "write_easyhtmlq",
    "write_htmlq_csv",
]
