"""PQMethod's ``.DAT`` (Q-sorts) and ``.STA`` (statements) files, read and written.

Layout (spec part 2, B.1 and B.2). Lines end in CRLF; the reader accepts CR, LF and CRLF.

* Line 1: ``  0`` (I3), the number of Q-sorts n (I3, columns 4-6), the number of statements N
  (I3, columns 7-9), a blank, then the study title from column 11. The writer pads the title
  field to 68 characters (the width qmethod's ``export.pqmethod`` uses; PQMethod's own Lipset
  file is laid out that way, so writing it gives the file back byte for byte). KADE reads only 60
  characters of the title, so keep titles to 60 for KADE; longer than 68 is cut, with a warning.
* Line 2: 22 I3 fields: lowest value, highest value, then the number of cards in each column
  -6, -5, ..., +13. A value outside -6..+13 cannot be written.
* One line per Q-sort: the name in a 10-character field (8 significant characters), then one
  2-character right-justified field per statement, so each line is 10 + 2N characters long.

The ``.STA`` file holds one statement per line, in statement order, without numbers.

Statement ids read from a ``.DAT`` are ``"1"``..``"N"``; ids are not written (PQMethod numbers
statements by position). The ``.DAT`` does not record whether the distribution was forced: it is
read as forced when every sort fills it exactly, as free (with a warning) otherwise.

Encoding: files are read as UTF-8 (with or without BOM) and, failing that, as Windows-1252, since
most PQMethod files were made on DOS or Windows; they are written in Windows-1252 by default (one
byte per character, so PQMethod's fixed columns hold).
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from qsort.errors import FormatError, OptionError
from qsort.formats._common import (
    FormatWarning,
    PathArg,
    as_matrix,
    build_study,
    counts_grid,
    decode_text,
    one_line,
    parse_int,
    read_bytes,
    read_statement_texts,
    sibling,
    split_lines,
    with_texts,
)
from qsort.study import Grid, Study

LOW, HIGH = -6, 13
"""The range of sort values a ``.DAT`` file can hold (its distribution line's fixed columns)."""

NAME_WIDTH = 10
NAME_SIGNIFICANT = 8
TITLE_WIDTH = 68
NameMode = Literal["truncate", "strict"]

_EXPECTED = "a PQMethod .DAT file (header line, distribution line, one line per Q-sort)"


def read_dat(
    path: PathArg,
    *,
    grid: Grid | None = None,
    sta: PathArg | None = None,
    find_sta: bool = True,
    encoding: str | None = None,
) -> Study:
    """Read a PQMethod ``.DAT`` file, with statement texts from its ``.STA`` file.

    Parameters
    ----------
    path : str or path
        The ``.DAT`` file.
    grid : Grid, optional
        The distribution; defaults to the file's distribution line (see the module docstring).
    sta : str or path, optional
        The statements file. Without it, a ``.STA``/``.sta`` file beside the ``.DAT`` with the
        same name is used when ``find_sta`` is true; otherwise statements have no text.
    encoding : str, optional
        The encoding of both files (``"cp1252"``, ``"cp437"`` ...); detected when not given,
        with a warning naming the one used when it is not UTF-8.
    """
    text = decode_text(read_bytes(path), path, _EXPECTED, legacy=True, encoding=encoding)
    lines = split_lines(text.lstrip("\ufeff"))
    if not lines:
        raise FormatError(f"{path}: the file holds no lines; expected {_EXPECTED}")
    n_sorts, n_stat, title = _parse_header(lines[0], path)
    if len(lines) < 2:
        raise FormatError(
            f"{path}: the file ends after line 1; expected the distribution line (line 2) and "
            f"{n_sorts} Q-sort lines"
        )
    values, counts = _parse_distribution(lines[1], path)
    sort_lines = _sort_lines(lines, n_sorts, path)
    names: list[str] = []
    columns: list[list[int]] = []
    for number, line in sort_lines:
        name, sort = _parse_sort_line(line, number, n_stat, path)
        names.append(name)
        columns.append(sort)
    matrix = as_matrix(columns, n_stat)
    if grid is None:
        grid = counts_grid(values, counts, matrix, names, path, "line 2", trim=False)
    sta_path = Path(sta) if sta is not None else (sibling(Path(path), ".sta") if find_sta else None)
    texts = read_statement_texts(sta_path, n_stat, encoding) if sta_path is not None else None
    ids = [str(i + 1) for i in range(n_stat)]
    return build_study(path, with_texts(ids, texts), names, matrix, grid, title)


def _parse_header(line: str, path: PathArg) -> tuple[int, int, str]:
    """The counts and title of line 1, in PQMethod's fixed columns or as qmethod writes them."""
    where = f"{path}, line 1"
    if len(line.rstrip()) < 9:
        raise FormatError(
            f"{where}: expected the header (`  0`, the number of Q-sorts in columns 4-6, the "
            f"number of statements in columns 7-9, then the title), found {line[:40]!r}"
        )
    shifted = _QMETHOD_HEADER.match(line)
    if shifted is not None and not _fixed_columns_hold(line):
        n_sorts, n_stat = int(shifted[1]), int(shifted[2])
        title = (shifted[3] or "").rstrip()
        warnings.warn(
            f"{where}: the header's counts are not in PQMethod's fixed columns 4-6 and 7-9 but "
            "in 4-character fields, as qmethod's export.pqmethod() writes them for 100 or more "
            f"Q-sorts or statements (its sprintf('% 3d') fault); read as {n_sorts} Q-sorts and "
            f"{n_stat} statements. PQMethod and KADE cannot read this file as it is",
            FormatWarning,
            stacklevel=3,
        )
    else:
        n_sorts = parse_int(line[3:6], f"{where}, columns 4-6", "the number of Q-sorts (I3)")
        n_stat = parse_int(line[6:9], f"{where}, columns 7-9", "the number of statements (I3)")
        title = line[10:].rstrip()
    if n_sorts < 1 or n_stat < 1:
        raise FormatError(
            f"{where}: expected at least one Q-sort and one statement, found {n_sorts} Q-sorts "
            f"and {n_stat} statements"
        )
    return n_sorts, n_stat, title


_QMETHOD_HEADER = re.compile(r"  0 ?( ?\d{1,6}) ( ?\d{1,6})(?: (.*))?$")
"""qmethod's header: ``'  0'``, then each count as ``sprintf('% 3d')`` (4 characters from 100 on),
a blank and the title."""


def _fixed_columns_hold(line: str) -> bool:
    fields = (line[3:6].strip(), line[6:9].strip())
    return all(f.isdigit() for f in fields) and line[9:10] in ("", " ")


def _parse_distribution(line: str, path: PathArg) -> tuple[list[int], list[int]]:
    """Return the column values low..high and their counts from line 2."""
    where = f"{path}, line 2"
    fields = [line[i : i + 3] for i in range(0, 66, 3)]
    if len(line.rstrip()) < 64 or len(line.rstrip()) > 66:
        raise FormatError(
            f"{where}: expected the distribution line, 22 fields of 3 columns (lowest value, "
            f"highest value, counts for -6..+13), found {len(line.rstrip())} characters"
        )
    numbers = [
        parse_int(field, f"{where}, columns {3 * i + 1}-{3 * i + 3}", "a whole number (I3)")
        for i, field in enumerate(fields)
    ]
    low, high, counts = numbers[0], numbers[1], numbers[2:]
    if not LOW <= low <= high <= HIGH:
        raise FormatError(
            f"{where}: expected the lowest and highest column values within -6..+13 with "
            f"lowest <= highest, found {low} and {high}"
        )
    outside = [
        v for v, c in zip(range(LOW, HIGH + 1), counts, strict=True) if c and not low <= v <= high
    ]
    if outside:
        raise FormatError(
            f"{where}: columns {outside} hold cards but lie outside the range {low}..{high} "
            "given in columns 1-6"
        )
    return list(range(low, high + 1)), counts[low - LOW : high - LOW + 1]


def _sort_lines(lines: Sequence[str], n_sorts: int, path: PathArg) -> list[tuple[int, str]]:
    body = [(i + 1, line) for i, line in enumerate(lines) if i >= 2]
    while body and not body[-1][1].strip():
        body.pop()
    if len(body) < n_sorts:
        raise FormatError(
            f"{path}: the header (line 1) announces {n_sorts} Q-sorts but the file has "
            f"{len(body)} sort lines after the distribution line; expected one line per Q-sort "
            "(is the file cut short?)"
        )
    if len(body) > n_sorts:
        raise FormatError(
            f"{path}, line {body[n_sorts][0]}: the header (line 1) announces {n_sorts} Q-sorts, "
            "found more sort lines; expected the header's count to match"
        )
    return body


def _parse_sort_line(line: str, number: int, n_stat: int, path: PathArg) -> tuple[str, list[int]]:
    where = f"{path}, line {number}"
    name = line[:NAME_WIDTH].strip()
    if not name:
        raise FormatError(f"{where}: expected a Q-sort name in columns 1-8, found none")
    width = NAME_WIDTH + 2 * n_stat
    length = len(line.rstrip())
    if length != width:
        raise FormatError(
            f"{where} (sort {name!r}): expected {n_stat} values of 2 characters after the "
            f"10-character name ({width} characters, as line 1 announces {n_stat} statements), "
            f"found {length} characters"
        )
    fields = [line[NAME_WIDTH + 2 * i : NAME_WIDTH + 2 * i + 2] for i in range(n_stat)]
    try:
        values = [int(field) for field in fields]
    except ValueError:
        values = []
    if len(values) == n_stat and all(f.strip().lstrip("-").isdigit() for f in fields):
        return name, values
    return name, [_field(field, where, name, i) for i, field in enumerate(fields)]


def _field(field: str, where: str, name: str, i: int) -> int:
    """One sort value, parsed exactly (the slow path, taken when a line has a bad value)."""
    first = NAME_WIDTH + 2 * i + 1
    place = f"{where}, columns {first}-{first + 1} (sort {name!r}, statement {i + 1})"
    return parse_int(field, place)


def dat_names(names: Sequence[str], mode: NameMode = "truncate") -> list[str]:
    """The names as a ``.DAT`` file can hold them: at most 8 characters, no blanks, unique.

    ``"strict"`` refuses a name that does not fit. ``"truncate"`` replaces blanks by ``_`` and
    cuts names to 8 characters; when that makes two names equal, every name is prefixed with its
    position (``3_NAME``, cut to 8), as KADE does. Changes are reported as a
    :class:`FormatWarning`.
    """
    if mode not in ("truncate", "strict"):
        raise OptionError(f"names: expected 'truncate' or 'strict', found {mode!r}")
    if mode == "strict":
        bad = [
            n for n in names if not n or len(n) > NAME_SIGNIFICANT or any(c.isspace() for c in n)
        ]
        if bad:
            raise FormatError(
                f"Q-sort names {bad} cannot be written to a .DAT file: expected 1 to 8 "
                "characters without blanks (use names='truncate' to shorten them)"
            )
        return list(names)
    cut = ["_".join(n.split())[:NAME_SIGNIFICANT] or f"S{i + 1}" for i, n in enumerate(names)]
    if len(set(cut)) < len(cut):
        dupes = sorted(n for n, c in Counter(cut).items() if c > 1)
        cut = [f"{i + 1}_{n}"[:NAME_SIGNIFICANT] for i, n in enumerate(cut)]
        note = f"; the 8-character names {dupes} were not unique, so each name was numbered"
    else:
        note = ""
    changed = [f"{old!r} -> {new!r}" for old, new in zip(names, cut, strict=True) if old != new]
    if changed:
        warnings.warn(
            "PQMethod .DAT names hold 8 characters without blanks: renamed "
            + ", ".join(changed)
            + note,
            FormatWarning,
            stacklevel=3,
        )
    return cut


def encode_dat(study: Study, *, names: NameMode = "truncate", encoding: str = "cp1252") -> bytes:
    """The ``.DAT`` file's bytes for a study (see the module docstring for the layout)."""
    n_stat, n_sorts = study.sorts.shape
    if n_stat > 999 or n_sorts > 999:
        raise FormatError(
            f"a .DAT file holds at most 999 Q-sorts and 999 statements (I3 fields), "
            f"found {n_sorts} Q-sorts and {n_stat} statements"
        )
    title = one_line(study.title)
    if len(title) > TITLE_WIDTH:
        warnings.warn(
            f"the title is cut to the {TITLE_WIDTH} characters a .DAT header holds: "
            f"{title[:TITLE_WIDTH]!r}",
            FormatWarning,
            stacklevel=3,
        )
        title = title[:TITLE_WIDTH]
    lines = [f"  0{n_sorts:3d}{n_stat:3d} {title:<{TITLE_WIDTH}}", _distribution_line(study.grid)]
    for name, column in zip(dat_names(study.sort_names, names), study.sorts.T, strict=True):
        lines.append(f"{name:<{NAME_WIDTH}}" + "".join(f"{int(v):2d}" for v in column))
    return _encode("".join(line + "\r\n" for line in lines), encoding, "the title or a sort name")


def _distribution_line(grid: Grid) -> str:
    if grid.low < LOW or grid.high > HIGH:
        raise FormatError(
            f"the grid runs {grid.low:+d}..{grid.high:+d}, but a PQMethod .DAT file holds sort "
            f"values -6..+13 only; expected a grid within that range"
        )
    by_value = dict(zip(grid.values, grid.capacities, strict=True))
    counts = [by_value.get(v, 0) for v in range(LOW, HIGH + 1)]
    if max(counts) > 999:
        raise FormatError(
            f"a .DAT distribution holds at most 999 cards a column, found {max(counts)}"
        )
    return f"{grid.low:3d}{grid.high:3d}" + "".join(f"{c:3d}" for c in counts)


def encode_sta(study: Study, *, encoding: str = "cp1252") -> bytes:
    """The ``.STA`` file's bytes: one statement text a line, CRLF, line breaks in texts made
    blanks."""
    text = "".join(one_line(s.text) + "\r\n" for s in study.statements)
    return _encode(text, encoding, "a statement text")


def _encode(text: str, encoding: str, what: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise FormatError(
            f"{what} holds {exc.object[exc.start : exc.end]!r}, which the {encoding} encoding "
            "cannot hold; expected text in that encoding (pass encoding='utf-8' to write UTF-8)"
        ) from None
    except LookupError:
        raise OptionError(f"encoding: unknown encoding {encoding!r}") from None


def write_dat(
    study: Study,
    path: PathArg,
    *,
    names: NameMode = "truncate",
    encoding: str = "cp1252",
    sta: bool = True,
) -> list[Path]:
    """Write a ``.DAT`` file and, when any statement has text and ``sta`` is true, the ``.STA``
    beside it (``.STA`` when the ``.DAT`` suffix is upper case). Returns the files written."""
    target = Path(path)
    written = [target]
    try:
        data = encode_dat(study, names=names, encoding=encoding)
        sta_data = encode_sta(study, encoding=encoding) if sta and _has_texts(study) else None
    except FormatError as exc:
        raise FormatError(f"{target}: {exc}") from None
    target.write_bytes(data)
    if sta_data is not None:
        suffix = ".STA" if target.suffix.isupper() else ".sta"
        sta_path = target.with_suffix(suffix)
        sta_path.write_bytes(sta_data)
        written.append(sta_path)
    return written


def _has_texts(study: Study) -> bool:
    return any(s.text for s in study.statements)


def read_sta(path: PathArg, count: int) -> list[str]:
    """Read a ``.STA`` file's ``count`` statement texts."""
    return read_statement_texts(path, count)


__all__ = [
    "dat_names",
    "encode_dat",
    "encode_sta",
    "read_dat",
    "read_sta",
    "write_dat",
]
