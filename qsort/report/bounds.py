"""How much of a large study a report writes in full, and what it shows beyond that.

A report stays readable and quick to write at any number of Q-sorts. Tables with one row per sort
(the sorts, loadings, communalities, weights) are written in full up to :attr:`Limits.sorts` sorts;
tables with one *column* per sort (the sorts x sorts correlations, a factor's raw defining sorts)
up to :attr:`Limits.matrix`. Beyond a limit a table shows a stated selection, the
:data:`STRONGEST` sorts with the largest absolute loading on each factor, and says so in its note;
summary rows (eigenvalues, explained variance, defining-sort counts) are always computed over
every sort. ``qsort analyze --json`` writes every sort's numbers at any size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from qsort.result import AnalysisResult

FloatArray = NDArray[np.float64]

#: Sorts listed per factor (largest absolute loading first) when a table is summarised.
STRONGEST = 20


@dataclass(frozen=True)
class Limits:
    """Most sorts a report writes in full.

    Attributes
    ----------
    sorts : int
        Tables with one row per sort are complete up to this many sorts.
    matrix : int
        Tables with one column per sort are complete up to this many sorts.
    """

    sorts: int = 1_000
    matrix: int = 500


#: The workbook: per-sort tables in full up to 1,000 sorts, one column per sort up to 500.
WORKBOOK = Limits(sorts=1_000, matrix=500)
#: The HTML page, kept to a few megabytes: one column per sort only up to 100 sorts.
HTML = Limits(sorts=500, matrix=100)
#: The .LIS text: PQMethod's correlation matrix (x 100 integers) in full up to 100 sorts.
LIS = Limits(sorts=1_000, matrix=100)


@dataclass(frozen=True)
class Selection:
    """The sorts (0-based, in study order) a table shows, out of ``total`` candidates."""

    indices: tuple[int, ...]
    total: int
    limit: int

    @property
    def full(self) -> bool:
        """True when every candidate is shown."""
        return len(self.indices) == self.total

    def note(self, what: str = "Q-sorts") -> str:
        """What a summarised table shows instead of every row ('' when it is complete)."""
        if self.full:
            return ""
        return (
            f"{self.total:,} {what}: more than the {self.limit:,} this report lists in full. "
            f"Shown: the {len(self.indices):,} with the largest absolute loadings (up to "
            f"{STRONGEST} per factor); summary rows count every sort. "
            "qsort analyze --json writes every sort."
        )


def strongest(loadings: FloatArray, candidates: Sequence[int], per_factor: int) -> list[int]:
    """The ``per_factor`` candidates with the largest |loading| on each column, in sort order.

    Ties at the cut go to the earlier sorts. Linear in the number of candidates (a partition,
    not a sort), since it runs for every table of a large study.

    Parameters
    ----------
    loadings : ndarray, shape (n_sorts, k)
    candidates : sequence of int
        Sort indices to choose from.
    per_factor : int
    """
    pool = np.asarray(candidates, dtype=np.int64)
    if pool.size <= per_factor:
        return sorted(int(j) for j in pool)
    chosen: set[int] = set()
    for k in range(loadings.shape[1]):
        size = np.abs(loadings[pool, k])
        cut = np.partition(size, size.size - per_factor)[size.size - per_factor]
        above = np.flatnonzero(size > cut)
        tied = np.flatnonzero(size == cut)[: per_factor - above.size]
        chosen.update(int(j) for j in pool[np.concatenate([above, tied])])
    return sorted(chosen)


def select(
    result: AnalysisResult,
    limit: int,
    candidates: Sequence[int] | None = None,
    factor: int | None = None,
) -> Selection:
    """Every candidate sort when they number at most ``limit``, else the strongest loaders.

    Parameters
    ----------
    result : AnalysisResult
    limit : int
    candidates : sequence of int, optional
        The sorts a table is about (default: every sort).
    factor : int, optional
        Rank by the loadings on this factor (0-based) only, instead of on each factor.
    """
    pool = list(range(result.study.n_sorts)) if candidates is None else list(candidates)
    if len(pool) <= limit:
        return Selection(tuple(pool), len(pool), limit)
    loadings = result.loadings if factor is None else result.loadings[:, [factor]]
    return Selection(tuple(strongest(loadings, pool, STRONGEST)), len(pool), limit)


def correlation_block(result: AnalysisResult, sorts: Sequence[int]) -> FloatArray:
    """Correlations among the given sorts, shape (m, m), without forming the n x n matrix."""
    factor = result.correlations.factor[:, list(sorts)]
    block = np.asarray(factor.T @ factor, dtype=np.float64)
    np.fill_diagonal(block, 1.0)
    return np.asarray(np.clip(block, -1.0, 1.0), dtype=np.float64)


def mean_correlation(result: AnalysisResult) -> float:
    """Mean of the correlations between every pair of distinct sorts, in O(n N) time.

    With the sorts as unit columns F (R = FᵀF), the sum of all entries of R is ‖F·1‖², and the
    diagonal contributes n.
    """
    n = result.study.n_sorts
    if n < 2:
        return 1.0
    total = float(np.sum(result.correlations.factor.sum(axis=1) ** 2))
    return (total - n) / (n * (n - 1))


#: Longest warning a report prints; longer ones (a notice listing thousands of sorts) are cut.
NOTICE_CHARS = 600


def brief(message: str, limit: int = NOTICE_CHARS) -> str:
    """A warning cut to ``limit`` characters, saying how much was left out."""
    if len(message) <= limit:
        return message
    cut = message[:limit].rsplit(" ", 1)[0]
    return f"{cut} ... ({len(message) - len(cut):,} more characters in qsort analyze --json)"
