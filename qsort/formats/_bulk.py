"""Bulk parsing of a plain CSV body of whole numbers, straight from its bytes with numpy.

The body (the lines after the header, as UTF-8 bytes) is read in blocks of about
:data:`BLOCK_BYTES`, each cut after a newline: every byte is compared with the delimiter and the
newline at once, the cells' bounds come from those positions, and the numbers are assembled
digit by digit across all cells of the block together. Memory stays bounded (a few dozen bytes
per byte of one block) and lines may be of any length (a block holds at least one whole line).

Only plain bodies are accepted: every line has exactly ``width`` cells, the first a non-empty
label (quoted only as a whole, as R's ``write.csv`` writes row names), the others an optional
sign and one to four digits, with LF or CRLF line ends. Anything else returns None, and the
caller reads the file cell by cell, which names the first bad cell exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from qsort.study import VALUE_LIMIT, IntMatrix

BLOCK_BYTES: int = 1 << 18
"""Bytes parsed at once (256 KiB, so that the temporaries stay in the allocator's reach; a
longer line is parsed whole)."""

_NEWLINE, _RETURN, _MINUS, _PLUS, _ZERO, _QUOTE = (ord(c) for c in '\n\r-+0"')
_DIGITS = len(str(VALUE_LIMIT))
_END = np.array([_NEWLINE], dtype=np.uint8)
_INT8_MAX = 127
_QUOTED = re.compile(r'\s*"[^"]*"\s*')

Bytes = NDArray[np.uint8]
Index = NDArray[np.intp]
SmallInts = IntMatrix


@dataclass(frozen=True)
class Body:
    """The parsed body: one label and one row of values per line.

    Attributes
    ----------
    labels : list of str
        Each line's first cell, stripped (and unquoted).
    values : ndarray of int8 (int16 when a value needs it), shape (lines, width - 1)
    """

    labels: list[str]
    values: SmallInts


@dataclass(frozen=True)
class Refused:
    """The byte range ``data[first:last]`` of the first block of lines that is not plain:
    every line before it is."""

    first: int
    last: int


def parse_body(data: bytes, start: int, sep: str, width: int) -> Body | Refused | None:
    """Parse ``data[start:]`` as lines of a label and ``width - 1`` whole numbers.

    Parameters
    ----------
    data : bytes
        The whole file as UTF-8 (a byte-order mark before ``start`` is ignored).
    start : int
        Offset of the first body line.
    sep : str
        The delimiter, one ASCII character.
    width : int
        Cells per line, the label included (at least 2).

    Returns
    -------
    Body, Refused or None
        The parsed body; or the first block that is not plain (see the module docstring);
        or None when the body is empty or not plain for a reason no one block shows (a carriage
        return not before a newline, a quote not around a whole label).
    """
    end = len(data)
    while end > start and data[end - 1] in b"\r\n":
        end -= 1
    if end <= start:
        return None
    if data.find(b"\r", start, end) >= 0 and (
        data.count(b"\r", start, end) != data.count(b"\r\n", start, end)
    ):
        return None
    buffer = np.frombuffer(data, dtype=np.uint8)
    labels: list[str] = []
    rows: list[SmallInts] = []
    for first, last in _blocks(data, start, end):
        block = buffer[first:last] if last < end else np.concatenate((buffer[first:end], _END))
        parsed = _parse_block(block, ord(sep), width)
        if parsed is None:
            return Refused(first, last)
        labels += parsed[0]
        rows.append(parsed[1])
    quotes = data.count(b'"', start, end) if data.find(b'"', start, end) >= 0 else 0
    if quotes and not _unquote(labels, quotes):
        return None
    return Body(labels, np.concatenate(rows))  # int16 if one block needed it


def _blocks(data: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """(first, last) byte offsets of blocks of whole lines; ``last`` is just past a newline
    (or ``end`` for the final block, whose newline the caller adds)."""
    blocks = []
    while start < end:
        cut = data.rfind(b"\n", start, min(start + BLOCK_BYTES, end))
        if cut < 0:
            cut = data.find(b"\n", start, end)
        last = end if cut < 0 else cut + 1
        blocks.append((start, last))
        start = last
    return blocks


def _parse_block(block: Bytes, sep: int, width: int) -> tuple[list[str], SmallInts] | None:
    """Labels and values of a block of whole lines (each ending in a newline), or None."""
    newline = block == _NEWLINE
    ends = np.flatnonzero(newline | (block == sep))
    lines = ends.size // width
    if ends.size != lines * width or np.count_nonzero(newline) != lines:
        return None
    if not np.all(newline[ends[width - 1 :: width]]):
        return None
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    cell_ends = ends.reshape(lines, width)[:, 1:]
    if _RETURN in block[cell_ends[:, -1] - 1]:
        cell_ends = cell_ends.copy()
        cell_ends[:, -1] -= block[cell_ends[:, -1] - 1] == _RETURN
    values = _numbers(block, starts.reshape(lines, width)[:, 1:], cell_ends)
    labels = _labels(block, starts[::width], ends[::width])
    if values is None or labels is None:
        return None
    return labels, values


def _numbers(block: Bytes, starts: Index, ends: Index) -> SmallInts | None:
    """The whole numbers in ``block[starts:ends]`` (same shape), or None if a cell is not
    an optional sign then 1 to 4 digits, or is beyond :data:`VALUE_LIMIT`.

    The first digit of every cell is taken at once; each further digit only for the cells
    that have it (few, for the one-digit values of most grids).
    """
    leading = block[starts]
    negative = leading == _MINUS
    digits_from = starts + (negative | (leading == _PLUS))
    length = ends - digits_from
    if length.min() < 1 or length.max() > _DIGITS:
        return None
    first = block[digits_from] - np.uint8(_ZERO)  # a byte below "0" wraps past 9
    if np.any(first > 9):
        return None
    value: NDArray[np.int16] = first.astype(np.int16)
    flat, origins, sizes = value.reshape(-1), digits_from.reshape(-1), length.reshape(-1)
    for offset in range(1, int(length.max())):
        more = np.flatnonzero(sizes > offset)
        digit = block[origins[more] + offset] - np.uint8(_ZERO)
        if np.any(digit > 9):
            return None
        flat[more] = flat[more] * 10 + digit
    largest = int(value.max())
    if largest > VALUE_LIMIT:
        return None
    value *= 1 - 2 * negative.view(np.int8)
    return value.astype(np.int8) if largest <= _INT8_MAX else value


def _labels(block: Bytes, starts: Index, ends: Index) -> list[str] | None:
    """The stripped first cells of the lines, or None when one is empty or not UTF-8."""
    lengths = ends - starts + 1  # each label with the delimiter after it, made a newline
    if lengths.min() < 2:
        return None
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    gathered = block[offsets + np.arange(int(lengths.sum()))]
    gathered[np.cumsum(lengths) - 1] = _NEWLINE
    try:
        text = gathered.tobytes().decode("utf-8")
    except UnicodeDecodeError:
        return None
    labels = text.split("\n")[:-1]
    if " " in text or "\t" in text:
        labels = [label.strip() for label in labels]
    return labels if all(labels) else None


def _unquote(labels: list[str], quotes: int) -> bool:
    """Strip the quotes around labels in place; False unless every quote of the body is one
    of a pair around a whole label."""
    if sum(label.count('"') for label in labels) != quotes:
        return False
    for i, label in enumerate(labels):
        if '"' in label:
            if not _QUOTED.fullmatch(label):
                return False
            labels[i] = label.strip().strip('"').strip()
    return all(labels)
