"""Flagging: choosing the Q-sorts that define each factor (analysis specification, A.4).

A sort is pre-flagged on a factor when two criteria hold (Brown 1980, *Political Subjectivity*,
pp. 222-223; van Exel and de Graaf, via qmethod's ``qflag``):

1. **Significance**: ``|a| > z / sqrt(N)``, with ``z`` the two-sided critical value of the
   chosen level (1.96 for p < .05) and ``N`` the number of statements, since the standard
   error of a zero-order loading is ``1 / sqrt(N)``;
2. **Majority of common variance**: ``a² > h² - a²``, the factor explains more of the sort's
   common variance than all the other factors together.

Both comparisons are strict, as in PQMethod, KADE and qmethod. Negative loadings are flagged on
their absolute value (qmethod and KADE do so) unless the criteria forbid it, and are reported as
a notice. Researchers then edit the flags by hand (:class:`ManualFlag`).

References
----------
Brown, S. R. (1980). *Political Subjectivity*. Yale University Press.
Zabala, A. (2014). qmethod: A package to explore human perspectives using Q methodology. The R
Journal, 6(2), 163-173 (``qflag``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qsort._checks import as_flags, as_loadings, check_count, is_whole
from qsort.errors import Notice, OptionError

__all__ = [
    "FLAG_LEVELS",
    "FlagCriteria",
    "ManualFlag",
    "apply_manual",
    "auto_flags",
    "flag_notices",
    "flag_threshold",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

FLAG_LEVELS: dict[float, float] = {
    3.891: 0.0001,
    3.481: 0.0005,
    3.291: 0.001,
    2.807: 0.005,
    2.575: 0.01,
    1.96: 0.05,
    1.645: 0.1,
    1.44: 0.15,
    1.28: 0.2,
}
"""Critical values of the standard normal offered for flagging, each with its two-sided p."""


@dataclass(frozen=True)
class FlagCriteria:
    """How sorts are pre-flagged.

    Attributes
    ----------
    level : float or None, default 1.96
        Critical z of the significance test, one of :data:`FLAG_LEVELS`; None skips the test
        and flags on the majority of common variance alone.
    majority : bool, default True
        Require ``a² > h² - a²``.
    allow_negative : bool, default True
        Flag significant negative loadings (reported by :func:`flag_notices`); False never
        flags a negative loading.

    Raises
    ------
    OptionError
        For a level not in :data:`FLAG_LEVELS`, or no criterion at all.
    """

    level: float | None = 1.96
    majority: bool = True
    allow_negative: bool = True

    def __post_init__(self) -> None:
        for name in ("majority", "allow_negative"):
            if not isinstance(getattr(self, name), bool | np.bool_):
                raise OptionError(f"{name}: expected true or false, found {getattr(self, name)!r}")
        if self.level is not None and (
            not isinstance(self.level, int | float)
            or isinstance(self.level, bool)
            or self.level not in FLAG_LEVELS
        ):
            raise OptionError(
                f"flag level: expected one of {sorted(FLAG_LEVELS, reverse=True)} or None "
                f"(majority of common variance only), found {self.level!r}"
            )
        if self.level is None and not self.majority:
            raise OptionError(
                "flag criteria: expected a significance level, the majority of common variance "
                "or both, found neither"
            )


@dataclass(frozen=True)
class ManualFlag:
    """A flag set or cleared by hand.

    Attributes
    ----------
    sort : int
        0-based index of the sort (row of the loadings).
    factor : int
        0-based index of the factor (column of the loadings).
    flagged : bool
    """

    sort: int
    factor: int
    flagged: bool


def flag_threshold(n_statements: int, level: float) -> float:
    """Smallest |loading| that is significant: ``level / sqrt(n_statements)``.

    Parameters
    ----------
    n_statements : int
        N, the number of statements.
    level : float
        Critical z, for example 1.96 for p < .05.

    Returns
    -------
    float
        0.34119... for N = 33 at 1.96.

    Raises
    ------
    OptionError
        For N that is not a positive integer or a level that is not a positive number.
    """
    n_statements = check_count("number of statements", n_statements, 1)
    if isinstance(level, bool) or not isinstance(level, int | float | np.floating):
        raise OptionError(f"flag level: expected a positive number, found {level!r}")
    if not (math.isfinite(level) and level > 0):
        raise OptionError(f"flag level: expected a positive number, found {level!r}")
    return float(level) / math.sqrt(n_statements)


def auto_flags(loadings: ArrayLike, n_statements: int, criteria: FlagCriteria) -> BoolArray:
    """Pre-flag the sorts that define each factor.

    Parameters
    ----------
    loadings : array_like, shape (n, k)
        Final (rotated) loadings, one row per sort.
    n_statements : int
        N, the number of statements.
    criteria : FlagCriteria

    Returns
    -------
    ndarray of bool, shape (n, k)
        True where every criterion holds: ``|a| > level / sqrt(N)`` (unless the level is None),
        ``a² > h² - a²`` (if ``majority``) and ``a >= 0`` (unless ``allow_negative``). Both
        comparisons are strict: a loading exactly at the threshold is not flagged.

    Raises
    ------
    OptionError
        For loadings that are not a finite matrix or an invalid number of statements.
    """
    array = as_loadings(loadings)
    if not isinstance(criteria, FlagCriteria):
        raise OptionError(f"flag criteria: expected FlagCriteria, found {criteria!r}")
    flags = np.ones(array.shape, dtype=np.bool_)
    if criteria.level is not None:
        flags &= np.abs(array) > flag_threshold(n_statements, criteria.level)
    if criteria.majority:
        squares = array**2
        flags &= squares > squares.sum(axis=1, keepdims=True) - squares
    if not criteria.allow_negative:
        flags &= array >= 0
    return flags


def apply_manual(flags: ArrayLike, overrides: Sequence[ManualFlag]) -> BoolArray:
    """Set or clear flags by hand, in order (a later override of the same cell wins).

    Parameters
    ----------
    flags : array_like of bool, shape (n, k)
    overrides : sequence of ManualFlag

    Returns
    -------
    ndarray of bool, shape (n, k)
        A new matrix; the input is not changed.

    Raises
    ------
    OptionError
        For a sort or factor index outside the matrix, or a ``flagged`` that is not a bool.
    """
    result = as_flags(flags)
    n_sorts, n_factors = result.shape
    for override in overrides:
        if not isinstance(override, ManualFlag):
            raise OptionError(f"manual flag: expected a ManualFlag, found {override!r}")
        _check_index(override.sort, n_sorts, "manual flag sort")
        _check_index(override.factor, n_factors, "manual flag factor")
        if not isinstance(override.flagged, bool | np.bool_):
            raise OptionError(
                f"manual flag flagged: expected True or False, found {override.flagged!r}"
            )
        result[override.sort, override.factor] = bool(override.flagged)
    return result


def _check_index(index: object, size: int, what: str) -> None:
    if not is_whole(index) or not 0 <= index < size:
        raise OptionError(f"{what}: expected an index from 0 to {size - 1}, found {index!r}")


NOTICE_LISTED = 20
"""Most sorts a flag notice names before it counts the rest (a large study has thousands)."""


def flag_notices(
    loadings: ArrayLike,
    flags: ArrayLike,
    sort_names: Sequence[str],
    factor_names: Sequence[str],
) -> tuple[Notice, ...]:
    """Warnings about a set of flags: negative flags and sorts flagged on several factors.

    Parameters
    ----------
    loadings : array_like, shape (n, k)
    flags : array_like of bool, shape (n, k)
    sort_names : sequence of str, length n
    factor_names : sequence of str, length k

    Returns
    -------
    tuple of Notice
        ``"negative-flag"`` naming the sorts flagged with a negative loading and their factors;
        ``"multiple-flags"`` naming the sorts flagged on two or more factors (the first
        :data:`NOTICE_LISTED` of each, then how many more). Empty when there
        is nothing to report. A factor without defining sorts is reported by the scores step.

    Raises
    ------
    OptionError
        When the shapes or the numbers of names do not agree.
    """
    array = as_loadings(loadings)
    marks = as_flags(flags, array.shape)
    if len(sort_names) != array.shape[0] or len(factor_names) != array.shape[1]:
        raise OptionError(
            f"names: expected {array.shape[0]} sort names and {array.shape[1]} factor names, "
            f"found {len(sort_names)} and {len(factor_names)}"
        )
    notices: list[Notice] = []
    negative = np.argwhere(marks & (array < 0))
    if negative.size:
        cells = _listed(
            [
                f"{sort_names[j]} on {factor_names[k]} ({array[j, k]:.4f})"
                for j, k in negative[:NOTICE_LISTED].tolist()
            ],
            len(negative),
            ", ",
        )
        notices.append(
            Notice(
                "negative-flag",
                f"Q-sorts flagged with a negative loading: {cells}. They enter their factor "
                "inverted; check that this is intended.",
            )
        )
    multiple = np.flatnonzero(marks.sum(axis=1) >= 2)
    if multiple.size:
        sorts = _listed(
            [
                f"{sort_names[j]} on " + ", ".join(factor_names[k] for k in _columns(marks[j]))
                for j in multiple[:NOTICE_LISTED].tolist()
            ],
            len(multiple),
            "; ",
        )
        notices.append(
            Notice(
                "multiple-flags",
                f"Q-sorts flagged on two or more factors: {sorts}. They define each of those "
                "factors; check that this is intended.",
            )
        )
    return tuple(notices)


def _listed(items: list[str], total: int, separator: str) -> str:
    """The items joined, and how many more there are beyond :data:`NOTICE_LISTED`."""
    text = separator.join(items)
    if total > len(items):
        text += f"{separator}and {total - len(items):,} more ({total:,} in all)"
    return text


def _columns(row: BoolArray) -> list[int]:
    return [int(k) for k in np.flatnonzero(row)]
