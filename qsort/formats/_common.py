"""Helpers shared by the format modules: reading bytes, decoding text, parsing cells, grids.

Every reader turns what can go wrong with a file into a :class:`~qsort.errors.FormatError` whose
message names the file, the place (line, column or cell) and what was expected, so that the CLI and
the web app can show it as it is. A well-formed file whose sorts do not fit the grid raises the
:class:`~qsort.errors.StudyError` that :class:`~qsort.study.Study` validation gives, prefixed with
the file's name.
"""

from __future__ import annotations

import json
import os
import re
import reprlib
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from qsort.errors import FormatError, OptionError, StudyError
from qsort.study import VALUE_LIMIT, Grid, Statement, Study, infer_grid

PathArg = str | os.PathLike[str]
"""A file name, as a string or a path object."""

_INT_RE = re.compile(r"[+-]?\d+")
_WHOLE_FLOAT_RE = re.compile(r"[+-]?\d+\.0*")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x19\x1b-\x1f\x7f]")
_NUMBERED_LINE_RE = re.compile(r"^\s*\d+\t")
_MAX_DIGITS = 9


class FormatWarning(UserWarning):
    """A file was read or written with a change the user should know about (names cut, etc.)."""


class TextEncodingWarning(FormatWarning):
    """A text file was not UTF-8 and was decoded with a detected encoding (named in the text)."""


def read_bytes(path: PathArg) -> bytes:
    """Read a whole file, turning an operating-system error into a :class:`FormatError`."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(f"{path}: cannot read the file ({exc.strerror or exc})") from None


@contextmanager
def open_prefix(path: PathArg, size: int = 65536) -> Iterator[bytes]:
    """The first ``size`` bytes of a file (to tell its format), as :func:`read_bytes` reports
    errors."""
    try:
        with Path(path).open("rb") as handle:
            yield handle.read(size)
    except OSError as exc:
        raise FormatError(f"{path}: cannot read the file ({exc.strerror or exc})") from None


def decode_text(
    data: bytes, path: PathArg, expected: str, *, legacy: bool, encoding: str | None = None
) -> str:
    """Decode a text file, saying which encoding was used when it was not UTF-8.

    The text of :func:`decode_text_as`, whose docstring says how the encoding is chosen.
    """
    return decode_text_as(data, path, expected, legacy=legacy, encoding=encoding)[0]


def decode_text_as(
    data: bytes, path: PathArg, expected: str, *, legacy: bool, encoding: str | None = None
) -> tuple[str, str]:
    """Decode a text file; return the text and the Python codec that decoded it.

    An ``encoding`` given by the caller is used as it is (no detection, no warning).

    A byte-order mark decides first (UTF-8, UTF-16 LE or BE); then UTF-8 is tried. Failing that,
    ``legacy`` files (PQMethod, CSV and statement files, often made on DOS or Windows or in
    another language, like KADE's Shift-JIS example) are decoded with the encoding that
    charset-normalizer finds among :data:`LEGACY_ENCODINGS`, and a :class:`TextEncodingWarning`
    names it; JSON must be UTF-8. Binary content (NUL bytes or control characters that no text
    file holds) and an empty file are refused with ``expected`` in the message.
    """
    if encoding is not None:
        text = _decode_given(data, encoding, path, expected)
    elif data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
        text = _decode_or_fail(data, encoding, path, expected)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
        text = _decode_or_fail(data, encoding, path, expected)
        _say_encoding(path, "UTF-16 (from its byte-order mark)")
    else:
        text, encoding = _decode_unmarked(data, path, expected, legacy)
    if not text.strip(" \t\r\n\x1a\ufeff"):
        raise FormatError(f"{path}: the file is empty; expected {expected}")
    control = _first_control(data, text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        raise FormatError(
            f"{path}, line {line}: found a binary control character "
            f"({ord(control.group()):#04x}), so this is not a text file; expected {expected}"
        )
    return text, encoding


LEGACY_ENCODINGS = (
    "cp1252",
    "cp932",
    "euc_jp",
    "gb18030",
    "big5",
    "euc_kr",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1257",
    "utf_16_le",
    "utf_16_be",
)
"""The encodings a non-UTF-8 text file is detected among: Windows code pages of the languages
Q studies are run in, the East Asian multi-byte encodings, and UTF-16 without a byte-order
mark."""


def _decode_unmarked(data: bytes, path: PathArg, expected: str, legacy: bool) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if not legacy:
            raise FormatError(
                f"{path}: byte {exc.start + 1} is not UTF-8 text; expected {expected} "
                "encoded as UTF-8"
            ) from None
    encoding = detect_encoding(data)
    text = _decode_or_fail(data, encoding, path, expected)
    _say_encoding(path, encoding)
    return text, encoding


def detect_encoding(data: bytes) -> str:
    """The most plausible of :data:`LEGACY_ENCODINGS` for bytes that are not UTF-8.

    charset-normalizer weighs how each candidate decodes the bytes (the mess it makes, the
    languages its letters belong to). Short Western texts decode equally well in several Windows
    code pages; among the equally plausible ones the earliest of :data:`LEGACY_ENCODINGS` wins,
    so Windows-1252 is preferred, and it is the fallback when no candidate decodes the bytes.
    """
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)))
    if not matches:
        return "cp1252"
    best = min((m.chaos, -m.coherence) for m in matches)
    tied = {
        name
        for m in matches
        if (m.chaos, -m.coherence) <= best
        for name in (m.encoding, *m.could_be_from_charset)
    }
    return next((name for name in LEGACY_ENCODINGS if name in tied), matches[0].encoding)


def _say_encoding(path: PathArg, encoding: str) -> None:
    warnings.warn(
        f"{path}: the file is not UTF-8; it was read as {encoding}. If names or statements "
        "look wrong, save the file as UTF-8 and read it again",
        TextEncodingWarning,
        stacklevel=5,
    )


_TEXT_ASCII = bytes([9, 10, 13, 26, *range(32, 127)])


def plain_ascii(data: bytes) -> bool:
    """Whether ``data`` is ASCII text without binary control characters: such a file decodes to
    the same text in every encoding :func:`decode_text_as` would choose (UTF-8), so a reader
    may parse its bytes directly and decode only the parts it needs."""
    return data.isascii() and not data.translate(None, _TEXT_ASCII)


def _first_control(data: bytes, text: str) -> re.Match[str] | None:
    """The first binary control character in ``text`` (decoded from ``data``), if any; plain
    ASCII files are checked on their bytes, which is quicker."""
    if plain_ascii(data):
        return None
    return _CONTROL_RE.search(text)


def _decode_given(data: bytes, encoding: str, path: PathArg, expected: str) -> str:
    try:
        return _decode_or_fail(data, encoding, path, expected)
    except LookupError:
        raise OptionError(f"encoding: unknown encoding {encoding!r}") from None


def _decode_or_fail(data: bytes, encoding: str, path: PathArg, expected: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"{path}: byte {exc.start + 1} is not {encoding} text, so this does not look like "
            f"a text file; expected {expected}"
        ) from None


def preview(value: object, width: int = 60) -> str:
    """A short, safe picture of a parsed JSON value for a message: JSON for a single value,
    a depth- and length-bounded picture of a list or object (a hostile file may nest them
    thousands deep)."""
    if value is None or isinstance(value, str | int | float | bool):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = reprlib.repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def split_lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF; drop a DOS end-of-file mark and the empty piece after a final
    line break."""
    text = text.rstrip("\x1a")
    lines = re.split(r"\r\n|\r|\n", text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def one_line(text: str) -> str:
    """Make line breaks blanks and drop trailing blanks, for one-line-per-statement files (the
    readers drop trailing blanks too)."""
    return re.sub(r"[\r\n]+", " ", text).rstrip()


def parse_int(
    text: str, where: str | Callable[[], str], what: str = "an integer sort value"
) -> int:
    """Parse a whole number written as ``3``, ``+3``, ``-3`` or ``3.0`` (spreadsheet exports).

    ``where`` names the place for an error message; it may be a function that builds the name,
    so that reading many cells builds none until one is wrong. A number of more digits than any
    grid needs is refused as out of range before Python converts it.
    """
    cell = text.strip()
    if _INT_RE.fullmatch(cell) or _WHOLE_FLOAT_RE.fullmatch(cell):
        digits = cell.lstrip("+-").split(".")[0].lstrip("0")
        if len(digits) > _MAX_DIGITS:
            raise FormatError(
                f"{_place(where)}: expected {what} between {-VALUE_LIMIT} and {VALUE_LIMIT}, "
                f"found a number of {len(digits)} digits"
            )
        return _bounded(int(float(cell)) if "." in cell else int(cell), _place(where), what)
    found = "an empty cell" if not cell else repr(cell[:40] + ("..." if len(cell) > 40 else ""))
    raise FormatError(f"{_place(where)}: expected {what}, found {found}")


def plain_ints(values: Sequence[str]) -> list[int] | None:
    """The cells as integers within range when :func:`int` reads them all as ``parse_int``
    would (``int`` also takes other scripts' digits and ``_``: those are left to
    ``parse_int``), else None."""
    joined = "".join(values)
    if not joined.isascii() or "_" in joined:
        return None
    try:
        out = list(map(int, values))
    except ValueError:
        return None
    if out and max(-min(out), max(out)) > VALUE_LIMIT:
        return None
    return out


def _place(where: str | Callable[[], str]) -> str:
    return where if isinstance(where, str) else where()


def _bounded(value: int, where: str, what: str) -> int:
    """Refuse values no grid can hold, before they reach numpy's fixed-size integers."""
    if abs(value) > VALUE_LIMIT:
        raise FormatError(
            f"{where}: expected {what} between {-VALUE_LIMIT} and {VALUE_LIMIT}, found {value}"
        )
    return value


def parse_cell_int(value: object, where: str, what: str = "an integer sort value") -> int:
    """Parse a spreadsheet cell (int, whole float or text) as a whole number."""
    if isinstance(value, bool):
        raise FormatError(f"{where}: expected {what}, found {value!r}")
    if isinstance(value, int):
        return _bounded(value, where, what)
    if isinstance(value, float):
        if value.is_integer():
            return _bounded(int(value), where, what)
        raise FormatError(f"{where}: expected {what}, found {value!r}")
    if value is None:
        raise FormatError(f"{where}: expected {what}, found an empty cell")
    return parse_int(str(value), where, what)


def read_statement_texts(path: PathArg, count: int, encoding: str | None = None) -> list[str]:
    """Read a statements text file: one statement per line, in statement order.

    Trailing blanks of each line, and empty lines after the ``count``-th, are dropped. When every
    line starts with a number and a TAB (``12<TAB>text``, as qmethod's ``lipset$ltext`` is often
    saved), the number is dropped too. The file must hold exactly ``count`` statements.
    """
    text = decode_text(
        read_bytes(path), path, "one statement per line", legacy=True, encoding=encoding
    )
    lines = [line.rstrip() for line in split_lines(text)]
    while len(lines) > count and not lines[-1]:
        lines.pop()
    if lines and all(_NUMBERED_LINE_RE.match(line) for line in lines if line):
        lines = [line.split("\t", 1)[1].strip() if line else line for line in lines]
    if len(lines) != count:
        raise FormatError(
            f"{path}: expected {count} statements (one per line, as many as the sorts have "
            f"values), found {len(lines)} lines"
        )
    return lines


def counts_grid(
    values: Sequence[int],
    counts: Sequence[int],
    matrix: NDArray[np.int64],
    names: Sequence[str],
    path: PathArg,
    where: str,
    *,
    trim: bool = True,
) -> Grid:
    """Build the grid a file declares as column values and card counts.

    With ``trim`` the grid spans the first to the last column with a non-zero count (for formats
    that do not record the lowest and highest value, like KADE's pattern sheet). The files do not
    record whether the distribution was forced: it is read as forced when every sort fills it
    exactly, and as free (with a :class:`FormatWarning` naming the sorts that do not) otherwise.
    """
    used = [i for i, c in enumerate(counts) if c != 0]
    if not used:
        raise FormatError(f"{path}, {where}: expected at least one non-zero column count")
    if any(c < 0 for c in counts):
        raise FormatError(f"{path}, {where}: expected column counts of zero or more")
    first, last = (used[0], used[-1]) if trim else (0, len(counts) - 1)
    values_used = [int(v) for v in values[first : last + 1]]
    if values_used != list(range(values_used[0], values_used[-1] + 1)):
        raise FormatError(
            f"{path}, {where}: expected column values that rise in steps of one, "
            f"found {values_used}"
        )
    grid = Grid(tuple(values_used), tuple(int(c) for c in counts[first : last + 1]))
    misfits = [n for n, col in zip(names, matrix.T, strict=True) if grid.check_sort(col)]
    if not misfits:
        return grid
    warnings.warn(
        f"{path}: Q-sort(s) {misfits} do not fill the distribution in {where} exactly, so the "
        "distribution is read as free (each value must only lie in its range); give the grid "
        "explicitly to check the sorts against a forced distribution",
        FormatWarning,
        stacklevel=3,
    )
    return Grid(grid.values, grid.capacities, forced=False)


def sorts_grid(matrix: NDArray[np.int64], names: Sequence[str], path: PathArg) -> Grid:
    """Take a forced grid from sorts that share one distribution, else ask for the grid."""
    if matrix.shape[1] == 0:
        raise FormatError(f"{path}: no Q-sorts found; expected at least 2")
    return infer_grid(matrix, names, str(path))


def build_study(
    path: PathArg,
    statements: Sequence[Statement],
    names: Sequence[str],
    matrix: NDArray[np.int64],
    grid: Grid,
    title: str,
) -> Study:
    """Construct and validate a :class:`Study`, naming the file in any validation error."""
    try:
        return Study(tuple(statements), tuple(names), matrix, grid, title)
    except StudyError as exc:
        raise type(exc)(f"{path}: {exc}") from None


def as_matrix(columns: Sequence[Sequence[int]], n_statements: int) -> NDArray[np.int64]:
    """Stack per-sort value lists into a statements x sorts int64 matrix."""
    if not columns:
        return np.zeros((n_statements, 0), dtype=np.int64)
    try:
        matrix = np.array(columns, dtype=np.int64)
    except OverflowError:
        raise FormatError(
            f"a sort value lies outside {-VALUE_LIMIT}..{VALUE_LIMIT}, beyond any grid"
        ) from None
    return matrix.T.reshape(n_statements, len(columns))


def default_ids(count: int) -> list[Statement]:
    """Statements numbered ``1..count`` without text."""
    return [Statement(str(i + 1)) for i in range(count)]


def with_texts(ids: Sequence[str], texts: Sequence[str] | None) -> list[Statement]:
    """Pair statement ids with texts (empty texts when there are none)."""
    if texts is None:
        return [Statement(i) for i in ids]
    return [Statement(i, t) for i, t in zip(ids, texts, strict=True)]


def sibling(path: Path, suffix: str) -> Path | None:
    """Find ``path`` with another suffix, in lower or upper case (``LIPSET.STA``/``lipset.sta``)."""
    for candidate in (path.with_suffix(suffix.lower()), path.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 1-based column index (1 -> A, 27 -> AA)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
