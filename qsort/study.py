"""Study input: statements, Q-sorts and the grid they were sorted on, with validation.

A *grid* (the distribution) lists the column values, e.g. -4..+4, and how many cards each column
holds. In a *forced* grid every Q-sort must use exactly that multiset of values; in a *free* grid
each value only has to lie within the grid's range (the capacities then describe the shape the
factor arrays are drawn on). Validation is kept apart from the arithmetic: an invalid study never
reaches the analysis, and the error names each sort and what is wrong with it (spec part 1, item 4).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qsort._checks import is_whole
from qsort.errors import (
    DuplicateSortNameError,
    SortMismatchError,
    StudyError,
    TooFewError,
    ZeroVarianceSortError,
)

IntMatrix = NDArray[np.signedinteger[Any]]
"""Sort values as a :class:`Study` holds them: int8 when the grid fits in -128..127, else int16."""


#: Sorts an error message describes one by one before it just counts the rest.
MAX_LISTED_SORTS = 10

#: Largest absolute sort value accepted. Real grids are narrow (PQMethod allows -6..+13); the bound
#: keeps a mistyped value from building a grid of a billion columns.
VALUE_LIMIT = 1000

#: Most columns a grid may have.
MAX_COLUMNS = 101


def signed(value: int) -> str:
    """A column value as researchers write it: ``-4``, ``0``, ``+4``.

    Parameters
    ----------
    value : int

    Returns
    -------
    str
    """
    return f"{value:+d}" if value else "0"


@dataclass(frozen=True)
class Grid:
    """The distribution a Q-sort is laid out on.

    Attributes
    ----------
    values : tuple of int
        Column values in ascending order, e.g. ``(-4, -3, ..., 4)``.
    capacities : tuple of int
        Number of cards in each column, same length as ``values``.
    forced : bool
        True when every sort must fill the grid exactly.
    """

    values: tuple[int, ...]
    capacities: tuple[int, ...]
    forced: bool = True

    def __post_init__(self) -> None:
        if len(self.values) != len(self.capacities):
            raise StudyError(
                f"grid: {len(self.values)} column values but {len(self.capacities)} capacities;"
                " expected one capacity per column"
            )
        if not self.values:
            raise StudyError("grid: expected at least one column")
        if list(self.values) != sorted(set(self.values)):
            raise StudyError(
                f"grid: column values must be distinct and ascending, found {list(self.values)}"
            )
        _check_span(self.values[0], self.values[-1])
        if any(not is_whole(v) for v in self.values):
            raise StudyError(
                f"grid: column values must be whole numbers, found {list(self.values)}"
            )
        if any(not is_whole(c) or c < 0 for c in self.capacities):
            raise StudyError(
                f"grid: capacities must be whole numbers, zero or more, found "
                f"{list(self.capacities)}"
            )

    @classmethod
    def from_range(
        cls, low: int, high: int, capacities: Sequence[int], forced: bool = True
    ) -> Grid:
        """Build a grid whose columns run from ``low`` to ``high`` in steps of one.

        Parameters
        ----------
        low, high : int
            The lowest and highest column values.
        capacities : sequence of int
            Cards in each column, ``high - low + 1`` of them.
        forced : bool
            True when every sort must fill the grid exactly.

        Returns
        -------
        Grid

        Raises
        ------
        StudyError
            For a range or capacities that do not make a grid.
        """
        _check_span(low, high)
        return cls(tuple(range(low, high + 1)), tuple(int(c) for c in capacities), forced)

    @classmethod
    def from_pattern(cls, pattern: Sequence[int], forced: bool = True) -> Grid:
        """Build a grid from a multiset of values (one per card slot), e.g. one sort's values.

        Columns run over every integer from the lowest to the highest value, so a column that no
        card uses appears with capacity zero.

        Parameters
        ----------
        pattern : sequence of int
            One value per card slot, in any order.
        forced : bool
            True when every sort must fill the grid exactly.

        Returns
        -------
        Grid

        Raises
        ------
        StudyError
            For an empty pattern or a range too wide for a grid.
        """
        if not len(pattern):
            raise StudyError("grid: expected at least one value in the pattern")
        counts = Counter(int(v) for v in pattern)
        low, high = min(counts), max(counts)
        return cls.from_range(low, high, [counts.get(v, 0) for v in range(low, high + 1)], forced)

    @property
    def size(self) -> int:
        """Number of card slots (the number of statements a forced grid holds)."""
        return sum(self.capacities)

    @property
    def low(self) -> int:
        """The lowest column value."""
        return self.values[0]

    @property
    def high(self) -> int:
        """The highest column value."""
        return self.values[-1]

    def pattern(self) -> NDArray[np.int64]:
        """The grid's multiset of values, ascending, one entry per card slot.

        Returns
        -------
        ndarray of int, shape (size,)
        """
        return np.repeat(np.asarray(self.values, dtype=np.int64), self.capacities)

    def check_sort(self, values: Sequence[int] | NDArray[np.int64]) -> list[str]:
        """Return what is wrong with one sort against this grid (an empty list when it fits).

        Parameters
        ----------
        values : sequence of int or ndarray of int, shape (N,)
            One sort's values, one per statement.

        Returns
        -------
        list of str
            One sentence per problem: values off the range and, for a forced grid, a wrong
            number of values or a column holding the wrong number of cards.
        """
        vals = [int(v) for v in values]
        off = sorted({v for v in vals if v < self.low or v > self.high})
        problems: list[str] = []
        if off:
            problems.append(f"values {off} lie outside the grid's range {self.low}..{self.high}")
        if not self.forced:
            return problems
        if len(vals) != self.size:
            problems.append(f"it has {len(vals)} values but the grid has {self.size} slots")
            return problems
        found = Counter(vals)
        for value, capacity in zip(self.values, self.capacities, strict=True):
            if found.get(value, 0) != capacity:
                problems.append(
                    f"column {signed(value)} holds {found.get(value, 0)} cards, "
                    f"the grid wants {capacity}"
                )
        return problems

    def describe(self) -> str:
        """A one-line description such as ``-4..+4, forced, 2 3 4 5 5 5 4 3 2``.

        Returns
        -------
        str
        """
        kind = "forced" if self.forced else "free"
        caps = " ".join(str(c) for c in self.capacities)
        return f"{signed(self.low)}..{signed(self.high)}, {kind}, {caps}"


@dataclass(frozen=True)
class Statement:
    """One card of the Q-set: an identifier (e.g. ``"sta_1"`` or ``"12"``) and its text."""

    id: str
    text: str = ""


@dataclass(frozen=True)
class Study:
    """Q-sorts on one Q-set and grid, validated on construction.

    Attributes
    ----------
    statements : tuple of Statement
        The N statements, in statement order.
    sort_names : tuple of str
        The n Q-sort names, unique.
    sorts : ndarray of int8 or int16, shape (N, n)
        ``sorts[i, j]`` is the value sort ``j`` gave statement ``i``, held in the smallest
        integer type that fits every value (one byte a value for every usual grid, so a million
        sorts of 60 statements take 60 MB). Arithmetic on it should convert first.
    grid : Grid
        The distribution every sort was made on.
    title : str
        A name for the study, used in reports and exported files.
    """

    statements: tuple[Statement, ...]
    sort_names: tuple[str, ...]
    sorts: IntMatrix
    grid: Grid
    title: str = ""

    def __post_init__(self) -> None:
        matrix = _as_int_matrix(self.sorts).copy()
        matrix.setflags(write=False)
        object.__setattr__(self, "sorts", matrix)
        validate(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Study):
            return NotImplemented
        return (
            self.statements == other.statements
            and self.sort_names == other.sort_names
            and self.grid == other.grid
            and self.title == other.title
            and np.array_equal(self.sorts, other.sorts)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def n_statements(self) -> int:
        """N, the number of statements."""
        return len(self.statements)

    @property
    def n_sorts(self) -> int:
        """n, the number of Q-sorts."""
        return len(self.sort_names)

    @property
    def statement_ids(self) -> tuple[str, ...]:
        """The statements' identifiers, in order."""
        return tuple(s.id for s in self.statements)

    @classmethod
    def from_matrix(
        cls,
        sorts: ArrayLike,
        sort_names: Sequence[str] | None = None,
        statements: Sequence[str | Statement] | None = None,
        grid: Grid | None = None,
        title: str = "",
    ) -> Study:
        """Build a study from a statements x sorts matrix.

        Parameters
        ----------
        sorts : array_like of int, shape (N, n)
            One column per Q-sort, one row per statement.
        sort_names : sequence of str, optional
            Defaults to ``S1..Sn``.
        statements : sequence of str or Statement, optional
            Statement ids (or Statement objects); defaults to ``1..N``.
        grid : Grid, optional
            Defaults to the distribution the sorts share (see :func:`infer_grid`).
        title : str
            The study's name.

        Returns
        -------
        Study
            Validated (see :func:`validate`).
        """
        matrix = _as_int_matrix(sorts)
        _check_size(matrix)
        n_stat, n_sorts = matrix.shape
        names = tuple(sort_names) if sort_names is not None else _default_names("S", n_sorts)
        if statements is None:
            stmts = tuple(Statement(str(i + 1)) for i in range(n_stat))
        else:
            stmts = tuple(s if isinstance(s, Statement) else Statement(str(s)) for s in statements)
        return cls(stmts, names, matrix, grid if grid is not None else infer_grid(matrix), title)


def _default_names(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i + 1}" for i in range(count))


def _as_int_matrix(sorts: ArrayLike) -> IntMatrix:
    """Convert to a small-integer matrix, refusing non-integer values with a clear message.

    Integer input is checked with its minimum and maximum only; other input goes through float64
    to find the first value that is not a whole number. The result is int8 when every value fits
    in -128..127 and int16 otherwise (values are bounded by :data:`VALUE_LIMIT`); it may be the
    input itself when that already has the right type.
    """
    raw = np.asarray(sorts)
    if raw.ndim != 2:
        raise StudyError(
            f"sorts: expected a statements x sorts table (2 dimensions), found {raw.ndim}"
        )
    if raw.dtype.kind in "iub":
        return _compact_integers(raw)
    try:
        as_float = raw.astype(np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise StudyError(f"sorts: expected whole numbers, found {exc}") from None
    bad_mask = ~np.isfinite(as_float) | (as_float != np.round(as_float))
    if bad_mask.any():
        _refuse_cell(raw, bad_mask, "whole numbers")
    too_big = np.abs(as_float) > VALUE_LIMIT
    if too_big.any():
        _refuse_cell(raw, too_big, f"sort values between {-VALUE_LIMIT} and {VALUE_LIMIT}")
    return as_float.astype(storage_type(as_float))


def _compact_integers(raw: NDArray[Any]) -> IntMatrix:
    """An integer matrix in its storage type, refusing values beyond :data:`VALUE_LIMIT`."""
    if raw.size and (int(raw.min()) < -VALUE_LIMIT or int(raw.max()) > VALUE_LIMIT):
        wide = raw.astype(np.float64)
        _refuse_cell(
            raw, np.abs(wide) > VALUE_LIMIT, f"sort values between {-VALUE_LIMIT} and {VALUE_LIMIT}"
        )
    return raw.astype(storage_type(raw), copy=False)


def storage_type(values: NDArray[Any]) -> type[np.signedinteger[Any]]:
    """int8 when every value (already within :data:`VALUE_LIMIT`) fits in it, else int16."""
    small = np.iinfo(np.int8)
    if not values.size or (values.min() >= small.min and values.max() <= small.max):
        return np.int8
    return np.int16


def _refuse_cell(raw: NDArray[Any], mask: NDArray[np.bool_], expected: str) -> None:
    """Raise a StudyError naming the first cell where ``mask`` is set."""
    row, col = (int(i) for i in np.argwhere(mask)[0])
    raise StudyError(
        f"sorts: expected {expected}, found {raw[row, col].item()!r} "
        f"at statement {row + 1}, sort {col + 1}"
    )


def _check_span(low: int, high: int) -> None:
    """Refuse a grid whose range is reversed, absurdly wide or beyond the value limit."""
    if low > high:
        raise StudyError(f"grid: the lowest column value {low} is above the highest, {high}")
    if abs(low) > VALUE_LIMIT or abs(high) > VALUE_LIMIT or high - low + 1 > MAX_COLUMNS:
        raise StudyError(
            f"grid: expected at most {MAX_COLUMNS} columns with values between {-VALUE_LIMIT} "
            f"and {VALUE_LIMIT}, found {low}..{high}"
        )


def infer_grid(sorts: ArrayLike, names: Sequence[str] | None = None, source: str = "sorts") -> Grid:
    """Infer a forced grid from sorts that all share one distribution.

    Parameters
    ----------
    sorts : array_like of int, shape (N, n)
    names : sequence of str, optional
        Sort names for the message (positions when omitted).
    source : str
        What the sorts came from (a file name, say), to begin the message with.

    Returns
    -------
    Grid
        Forced, with the shared distribution of the sorts.

    Raises
    ------
    SortMismatchError
        When the sorts do not all use the same multiset of values; the message names the first
        sort that differs from the first one, and says to give the grid explicitly.
    """
    matrix = _as_int_matrix(sorts)
    if matrix.shape[1] == 0:
        raise TooFewError(f"{source}: expected at least 2 Q-sorts, found none")
    first = np.sort(matrix[:, 0])
    low, high = int(matrix.min()), int(matrix.max())
    differs = np.flatnonzero(_counts_differ(matrix, _counts(first, low, high), low))
    if differs.size:
        label = list(names) if names is not None else [str(j + 1) for j in range(matrix.shape[1])]
        raise SortMismatchError(
            f"{source}: Q-sorts {label[0]!r} and {label[int(differs[0])]!r} do not share one "
            "distribution, so the grid cannot be taken from the sorts (a free distribution, or "
            "a sort that does not fit): give the grid explicitly (column values and capacities, "
            "forced or free)"
        )
    return Grid.from_pattern(first.tolist())


def validate(study: Study) -> None:
    """Check a study and raise a :class:`StudyError` subclass naming every problem found.

    Parameters
    ----------
    study : Study
    """
    matrix = study.sorts
    _check_size(matrix)
    n_stat, n_sorts = matrix.shape
    if len(study.statements) != n_stat:
        raise StudyError(
            f"expected {n_stat} statements (one per row of the sorts), "
            f"found {len(study.statements)}"
        )
    if len(study.sort_names) != n_sorts:
        raise StudyError(
            f"expected {n_sorts} sort names (one per column), found {len(study.sort_names)}"
        )
    _check_unique("sort name", study.sort_names, DuplicateSortNameError)
    _check_unique("statement id", study.statement_ids, StudyError)
    if study.grid.forced and study.grid.size != n_stat:
        raise SortMismatchError(
            f"the forced grid has {study.grid.size} slots but the Q-set has {n_stat} statements"
        )
    suspects = _suspect_sorts(matrix, study.grid)
    problems = [
        f"sort {study.sort_names[j]!r}: {'; '.join(study.grid.check_sort(matrix[:, j]))}"
        for j in suspects[:MAX_LISTED_SORTS]
    ]
    if len(suspects) > MAX_LISTED_SORTS:
        problems.append(f"and {len(suspects) - MAX_LISTED_SORTS} more")
    if problems:
        raise SortMismatchError(
            f"{len(suspects)} Q-sort(s) do not fit the grid ({study.grid.describe()}):\n  "
            + "\n  ".join(problems)
        )
    flat = [study.sort_names[int(j)] for j in np.flatnonzero(matrix.min(0) == matrix.max(0))]
    if flat:
        raise ZeroVarianceSortError(
            f"Q-sort(s) {flat} give every statement the same value; a sort must use at least "
            "two different values to be correlated with the others"
        )


def _suspect_sorts(matrix: IntMatrix, grid: Grid) -> list[int]:
    """Columns that may not fit the grid, found with whole-matrix operations (fast for large n).

    Each one is then described by :meth:`Grid.check_sort`, which names what is wrong.
    """
    outside = (matrix.min(axis=0) < grid.low) | (matrix.max(axis=0) > grid.high)
    if grid.forced and grid.size == matrix.shape[0]:
        outside |= _off_pattern(matrix, grid)
    return [int(j) for j in np.flatnonzero(outside)]


def _off_pattern(matrix: IntMatrix, grid: Grid) -> NDArray[np.bool_]:
    """Columns whose count of some grid value differs from its capacity, shape (n,).

    With every value in range (checked apart; values out of range are clipped here, their sorts
    flagged anyway) and N values per sort, equal counts mean the sort is the grid's multiset.
    """
    low, high = int(grid.low), int(grid.high)
    pattern = np.repeat(np.asarray(grid.values, dtype=np.int64), grid.capacities)
    return _counts_differ(matrix, _counts(pattern, low, high), low, high)


def _counts(values: NDArray[Any], low: int, high: int) -> NDArray[np.intp]:
    """How often each of ``low..high`` occurs in ``values``, shape (high - low + 1,)."""
    return np.bincount(np.asarray(values, dtype=np.intp) - low, minlength=high - low + 1)


def _counts_differ(
    matrix: IntMatrix, expected: NDArray[np.intp], low: int, high: int | None = None
) -> NDArray[np.bool_]:
    """Columns whose counts of ``low..low + len(expected) - 1`` differ from ``expected``.

    Each block of :data:`_COUNT_BLOCK` sorts is counted by one ``bincount`` (column j's values
    shifted into bins of their own), with no sorted copy of the sorts. Values beyond ``high``
    (and below ``low``) are clipped when ``high`` is given, else they must not occur.
    """
    width = expected.size
    wrong = np.empty(matrix.shape[1], dtype=bool)
    for first in range(0, matrix.shape[1], _COUNT_BLOCK):
        block = matrix[:, first : first + _COUNT_BLOCK].astype(np.intp)
        if high is not None:
            np.clip(block, low, high, out=block)
        columns = block.shape[1]
        block += np.arange(columns, dtype=np.intp) * width - low
        counts = np.bincount(block.ravel(order="K"), minlength=columns * width)
        wrong[first : first + columns] = (counts.reshape(columns, width) != expected).any(axis=1)
    return wrong


_COUNT_BLOCK = 1 << 13
"""Sorts counted at once by :func:`_counts_differ` (4 MB of bin indices for 60 statements)."""


def _check_size(matrix: IntMatrix) -> None:
    n_stat, n_sorts = matrix.shape
    if n_stat < 2 or n_sorts < 2:
        raise TooFewError(
            f"expected at least 2 statements and 2 Q-sorts, found {n_stat} statements "
            f"and {n_sorts} Q-sorts"
        )


def _check_unique(what: str, names: Sequence[str], error: type[StudyError]) -> None:
    if len(set(names)) == len(names):
        return
    counts = Counter(names)
    dupes = sorted(name for name, c in counts.items() if c > 1)
    if dupes:
        raise error(f"expected unique {what}s, found duplicates: {dupes}")
