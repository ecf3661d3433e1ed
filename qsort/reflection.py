"""Residual matrices of the centroid methods and their reflection to a positive manifold.

Brown's centroid and Horst 5.5 (:mod:`qsort.extraction`) take one factor at a time from a
residual correlation matrix ``E`` (zero diagonal), after reflecting sorts until no column sum is
negative (spec A.2.2, step 2). Two residuals implement the same operations:

* :class:`DenseResidual` holds ``E`` as an n x n array (16 n^2 bytes with the correlations);
  each reflection updates the n column sums with one row of ``E``.
* :class:`FactorResidual` never forms ``E``. With the sorts as unit columns ``F`` (``R = F.T F``)
  and the loadings taken so far as columns ``L``, ``E = F.T F - L L.T`` off its diagonal, so
  ``E s = F.T (F s) - L (L.T s) - d * s`` with ``d`` the diagonal of ``F.T F - L L.T``: all n
  column sums cost O(n (m + k)). Reflection picks the smallest sum again and again, one column
  at a time; from all n sums, the compiled loop of :mod:`qsort.manifold_kernel` follows the
  reflections on tiers of candidates (the :func:`candidate_count` smallest sums, a middle tier
  of :data:`MIDDLE_CANDIDATES` and an inner tier of :data:`INNER_CANDIDATES` updated at every
  step) while a bound on how far the other sums can have moved shows that the smallest is
  among them, and hands back to :class:`_FactorManifold` for a fresh computation of all sums or
  for a decision that needs care. The reflections made, and so the factors, are those of the
  dense residual.

The *reflection rule* decides what a column sum within rounding of zero means. ``"tolerant"``
(PQMethod, KADE) counts a sum within ``64 n eps`` of zero as zero and never reflects it; its ties
are sums within that tolerance of the smallest. ``"strict"`` (qmethod) reflects a column while its
sum is below zero, as qmethod's ``all(colSums(tmat) > 0)`` does: sums within rounding of the
smallest or of zero are first recomputed as correctly rounded sums of the column (R's
``colSums`` accumulates in extended precision), ties must then be exact, and a sum of exactly 0,
on which qmethod would loop for ever, stops the reflection. Under both rules each decision that
rested on a sum within rounding of zero is recorded (:attr:`Reflection.near_zero`), so that the
analysis can say that it did.
"""

from __future__ import annotations

import math
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Ties = Literal["first", "last"]
ReflectionRule = Literal["tolerant", "strict"]


def candidate_count(n: int) -> int:
    """Columns whose sums :class:`FactorResidual` keeps between two full computations.

    A full computation costs O(n (m + k)) (two passes over ``F``); the reflections it allows grow
    with the number of candidates K, while each choice of a new middle tier brings all K sums
    up to date, O(K (m + k)) (see :mod:`qsort.manifold_kernel`). ``K = 4 sqrt(512 n)``, within
    1,024..65,536, balances the two (tuned on random studies of 10,000 and 100,000 sorts).
    """
    return int(min(n, max(1024, min(65536, 4 * math.isqrt(512 * n)))))


_EXACT_RECOMPUTE_MAX = 64
"""Most near-tied sums the strict rule recomputes exactly at one decision."""

_ROW_BLOCK_CELLS = 1 << 22


@dataclass(frozen=True)
class NearZero:
    """A reflection decision that rested on a column sum within rounding of zero.

    Attributes
    ----------
    sort : int
        0-based column.
    column_sum : float
        The reflected column sum the decision read.
    reflected : bool
        Whether the column was reflected on it.
    """

    sort: int
    column_sum: float
    reflected: bool


@dataclass(frozen=True)
class Reflection:
    """The outcome of reflecting a residual matrix to a positive manifold.

    Attributes
    ----------
    indices : ndarray of int, shape (r,)
        0-based columns in the order they were reflected (an index may recur). The engine
        reads only ``signs``; the order is kept because it is what KADE publishes for a
        reflection, and the tests check it against that reference step by step.
    signs : ndarray, shape (n,)
        +1 or -1 per sort: -1 where the column ended up reflected.
    column_sums : ndarray, shape (n,)
        Off-diagonal column sums of the reflected matrix; none is negative beyond rounding.
    near_zero : tuple of NearZero
        Decisions that rested on a sum within rounding of zero, one per column at most.
    """

    indices: IntArray
    signs: FloatArray
    column_sums: FloatArray
    near_zero: tuple[NearZero, ...] = field(default=())


class Residual(Protocol):
    """What the centroid methods need of a residual correlation matrix (zero diagonal)."""

    @property
    def n(self) -> int:
        """Number of sorts."""

    def largest(self) -> float | None:
        """``max |E|``, or None when it cannot be had without forming ``E``."""

    def zero(self) -> float:
        """How far from zero a column sum may be and still count as zero (rounding)."""

    def manifold(self, ties: Ties, rule: ReflectionRule) -> Reflection:
        """Reflect to a positive manifold (see the module docstring)."""

    def subtract(self, vector: FloatArray) -> None:
        """``E -= outer(vector, vector)`` off the diagonal."""


# --------------------------------------------------------------------------------------------
# Decisions shared by both residuals
# --------------------------------------------------------------------------------------------


@dataclass
class _Decision:
    """The column to act on, whether to reflect it, and whether its sum was near zero."""

    index: int
    value: float
    reflect: bool
    near: bool


def _decide(
    sums: FloatArray,
    ties: Ties,
    zero: float,
    rule: ReflectionRule,
    exact: _ExactSum,
) -> _Decision:
    """Choose the next column among ``sums`` (positions local to ``sums``) by the rule.

    Under the strict rule, sums tied with the smallest, or a smallest sum within rounding of
    zero, are recomputed exactly before the choice (a clear, single smallest sum needs no care).
    """
    low = float(np.min(sums))
    tied = np.flatnonzero(sums <= low + zero)
    values = sums[tied]
    recompute = tied.size > 1 or abs(low) <= zero
    if rule == "strict" and recompute and tied.size <= _EXACT_RECOMPUTE_MAX:
        values = np.array([exact(int(j)) for j in tied])
        keep = values == values.min()
        tied, values = tied[keep], values[keep]
    pick = 0 if ties == "first" else -1
    value = float(values[pick])
    reflect = value < 0.0 if rule == "strict" else value < -zero
    return _Decision(int(tied[pick]), value, reflect, abs(value) <= zero)


class _ExactSum(Protocol):
    def __call__(self, j: int) -> float: ...


def _record(events: dict[int, NearZero], column: int, decision: _Decision) -> None:
    """Keep the last near-zero decision on each column."""
    if decision.near:
        events[column] = NearZero(column, decision.value, decision.reflect)


def zero_sum_tolerance(n: int, scale: float) -> float:
    """Rounding allowance of a sum of ``n`` terms of magnitude up to ``scale``: 64 n eps."""
    return 64.0 * n * float(np.finfo(np.float64).eps) * max(1.0, scale)


# --------------------------------------------------------------------------------------------
# The n x n residual
# --------------------------------------------------------------------------------------------


class DenseResidual:
    """A residual held as an n x n float64 array with a zero diagonal (changed in place)."""

    def __init__(self, matrix: FloatArray) -> None:
        self.matrix = matrix

    @property
    def n(self) -> int:
        """Number of sorts."""
        return int(self.matrix.shape[0])

    def largest(self) -> float | None:
        """``max |E|`` without an n x n temporary."""
        return largest_magnitude(self.matrix)

    def zero(self) -> float:
        """``64 n eps max(1, max |E|)``."""
        return zero_sum_tolerance(self.n, largest_magnitude(self.matrix))

    def manifold(self, ties: Ties, rule: ReflectionRule) -> Reflection:
        """See :func:`positive_manifold`."""
        return positive_manifold(self.matrix, ties, rule)

    def subtract(self, vector: FloatArray) -> None:
        """In place ``E -= outer(vector, vector)`` by row blocks, then zero the diagonal."""
        n = vector.size
        step = max(1, _ROW_BLOCK_CELLS // n)
        for first in range(0, n, step):
            last = min(n, first + step)
            self.matrix[first:last] -= np.outer(vector[first:last], vector)
        np.fill_diagonal(self.matrix, 0.0)


def positive_manifold(
    matrix: FloatArray, ties: Ties = "first", rule: ReflectionRule = "tolerant"
) -> Reflection:
    """Reflect sorts, one at a time, until no off-diagonal column sum is negative.

    While some reflected column sum is negative, the column with the smallest sum is reflected
    (its row and column negated). Each reflection of a column with sum ``c < 0`` raises the total
    by ``-4c``, so the loop ends. Under the ``"tolerant"`` rule sums within rounding
    (``64 n eps max|r|``) of zero count as zero and are not reflected, and sums within rounding
    of the smallest count as tied with it (KADE rounds, so its ties are exact); the ``"strict"``
    rule is qmethod's (see the module docstring). As a guard against rounding, at most
    ``20 n + 100`` reflections are made (KADE's Horst port stops at 750).

    Parameters
    ----------
    matrix : ndarray, shape (n, n)
        Symmetric matrix; the diagonal is ignored.
    ties : {"first", "last"}
        Which column to take when several share the smallest sum: the lowest index (Brown's
        centroid, as KADE) or the highest (Horst 5.5, as KADE's port).
    rule : {"tolerant", "strict"}
        What a sum within rounding of zero means.

    Returns
    -------
    Reflection
    """
    n = matrix.shape[0]
    diagonal = np.diag(matrix).copy()
    signs = np.ones(n)
    sums = matrix.sum(axis=1) - diagonal
    zero = zero_sum_tolerance(n, largest_magnitude(matrix))
    reflected = np.empty(n)
    order: list[int] = []
    events: dict[int, NearZero] = {}

    def exact(j: int) -> float:
        column = signs[j] * signs * matrix[:, j]
        column[j] = 0.0
        return math.fsum(column.tolist())

    for _ in range(20 * n + 100):
        np.multiply(signs, sums, out=reflected)
        decision = _decide(reflected, ties, zero, rule, exact)
        j = decision.index
        _record(events, j, decision)
        if not decision.reflect:
            break
        signs[j] = -signs[j]
        sums += (2.0 * signs[j]) * matrix[j]
        sums[j] -= 2.0 * signs[j] * diagonal[j]
        order.append(j)
    return Reflection(
        np.asarray(order, dtype=np.int64), signs, signs * sums, tuple(events.values())
    )


def largest_magnitude(matrix: FloatArray) -> float:
    """``max |matrix|`` without an n x n temporary."""
    return max(float(np.max(matrix)), -float(np.min(matrix)))


# --------------------------------------------------------------------------------------------
# The residual in factor form
# --------------------------------------------------------------------------------------------


class FactorResidual:
    """``E = F.T F - L L.T`` off its diagonal, from the factor form ``F`` (m x n) and loadings.

    Parameters
    ----------
    factor : ndarray, shape (m, n)
        Unit-length columns, one per sort (read, never copied or changed).
    capacity : int
        Most loading vectors that will be subtracted.
    """

    def __init__(self, factor: FloatArray, capacity: int) -> None:
        self.factor = factor
        self.loadings = np.zeros((capacity, factor.shape[1]))
        self.used = 0
        self.lengths = np.einsum("ij,ij->j", factor, factor)
        self.diagonal = self.lengths.copy()
        self._columns: list[FloatArray] = []

    @property
    def n(self) -> int:
        """Number of sorts."""
        return int(self.factor.shape[1])

    def reset(self) -> FactorResidual:
        """Forget the loadings subtracted: ``E`` is the off-diagonal of ``F.T F`` again."""
        self.used = 0
        self.diagonal = self.lengths.copy()
        return self

    def largest(self) -> float | None:
        """Unknown without forming ``E``: the column-sum checks stand in for it."""
        return None

    def zero(self) -> float:
        """``64 n eps max(1, max |d|)``, ``d`` the diagonal of ``F.T F - L L.T``.

        For a positive semi-definite residual the diagonal bounds every entry; the scale is 1
        for any correlation residual whose communalities do not pass 2.
        """
        return zero_sum_tolerance(self.n, float(np.max(np.abs(self.diagonal))))

    def subtract(self, vector: FloatArray) -> None:
        """Append a loading vector (``E -= outer(vector, vector)`` off the diagonal)."""
        self.loadings[self.used] = vector
        if self._columns:
            self._columns[0][:, self.factor.shape[0] + self.used] = vector
        self.diagonal -= vector * vector
        self.used += 1

    def manifold(self, ties: Ties, rule: ReflectionRule) -> Reflection:
        """Reflect to a positive manifold with the reflections :func:`positive_manifold` makes."""
        with one_blas_thread():
            return _FactorManifold(self, ties, rule).run()

    def products(self, signs: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``F s`` and ``L.T s`` (shapes (m,) and (k,))."""
        return self.factor @ signs, self.loadings[: self.used] @ signs

    def row_sums(self, signs: FloatArray, fs: FloatArray, ls: FloatArray) -> FloatArray:
        """``sum_{k != i} E_ik s_k`` for every i, shape (n,)."""
        sums = fs @ self.factor
        if self.used:
            sums -= ls @ self.loadings[: self.used]
        sums -= self.diagonal * signs
        return np.asarray(sums, dtype=np.float64)

    def column(self, j: int) -> FloatArray:
        """Column j of ``E`` (zero at j), shape (n,)."""
        values = self.factor[:, j] @ self.factor
        if self.used:
            values -= self.loadings[: self.used, j] @ self.loadings[: self.used]
        values[j] = 0.0
        return np.asarray(values, dtype=np.float64)

    def stacked(self, columns: IntArray) -> FloatArray:
        """Columns of ``B`` (``F`` over ``L.T``) as rows: shape (len(columns), m + k), contiguous.

        ``B.T`` is built on first use (``n (m + capacity)`` floats) and kept, with each loading
        vector written into it as it is subtracted.
        """
        if not self._columns:
            rows = self.factor.shape[0]
            both = np.empty((self.n, rows + self.loadings.shape[0]))
            both[:, :rows] = self.factor.T
            both[:, rows:] = self.loadings.T
            self._columns.append(both)
        width = self.factor.shape[0] + self.used
        return np.ascontiguousarray(self._columns[0][columns, :width])

    def weights(self) -> FloatArray:
        """``J``: +1 for each row of ``F``, -1 for each loading vector, shape (m + k,)."""
        return np.concatenate((np.ones(self.factor.shape[0]), -np.ones(self.used)))

    def reach(self) -> float:
        """The longest column of ``B``: no sum moves by more than this times ``|change of B s|``."""
        taken = self.loadings[: self.used]
        return float(np.sqrt(np.max(self.lengths + np.einsum("ij,ij->j", taken, taken))))


def _candidates(reflected: FloatArray) -> tuple[IntArray, float]:
    """The smallest sums' columns (ascending) and the smallest sum left out."""
    n = reflected.size
    count = candidate_count(n)
    if count >= n:
        return np.arange(n), math.inf
    part = np.argpartition(reflected, count)
    return np.sort(part[:count]), float(reflected[part[count]])


MIDDLE_CANDIDATES: int = 2048
"""Columns of the middle tier, chosen from the candidates and brought up to date lazily."""

INNER_CANDIDATES: int = 256
"""Columns of the inner tier, whose sums are updated at every reflection
(:mod:`qsort.manifold_kernel`)."""


_CONTROLLER: list[Any] = []


def one_blas_thread() -> AbstractContextManager[Any]:
    """Keep the BLAS library to one thread within the block.

    The reflection makes many matrix-vector products of moderate size; a threaded BLAS spends
    more time waking its threads than computing them, and on a busy machine (threads waiting for
    a core) ten times more (measured: 10,000 sorts, 15 s a factor with two threads on a loaded
    2-core machine, 1.5 s with one).
    """
    from threadpoolctl import ThreadpoolController

    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    limited: AbstractContextManager[Any] = _CONTROLLER[0].limit(limits=1, user_api="blas")
    return limited


class _FactorManifold:
    """One reflection of a :class:`FactorResidual`: all sums, then the compiled candidate loop."""

    def __init__(self, residual: FactorResidual, ties: Ties, rule: ReflectionRule) -> None:
        self.res = residual
        self.ties: Ties = ties
        self.rule: ReflectionRule = rule
        self.zero = residual.zero()
        self.reach = residual.reach()
        self.signs = np.ones(residual.n)
        budget = 20 * residual.n + 100
        self.order = np.zeros(budget, dtype=np.int64)
        self.state = np.array([0, budget], dtype=np.int64)
        self.events: dict[int, NearZero] = {}

    def exact(self, j: int) -> float:
        """Correctly rounded reflected column sum of column j."""
        column = self.signs[j] * self.signs * self.res.column(j)
        return math.fsum(column.tolist())

    def sums(self) -> FloatArray:
        """All n sums ``E s`` (unreflected), computed afresh."""
        fs, ls = self.res.products(self.signs)
        return self.res.row_sums(self.signs, fs, ls)

    def run(self) -> Reflection:
        """Reflect until no sum is negative (or the ``20 n + 100`` guard)."""
        from qsort import manifold_kernel as kernel

        status = kernel.REFRESH
        while status != kernel.DONE and self.state[1] > 0:
            sums = self.sums()
            decide = status == kernel.DECIDE
            status = self._decide(sums) if decide else self._candidates(sums)
        made = int(self.state[0])
        return Reflection(
            self.order[:made].copy(),
            self.signs,
            self.signs * self.sums(),
            tuple(self.events.values()),
        )

    def _decide(self, sums: FloatArray) -> int:
        """Make one decision from all n sums, as :func:`positive_manifold` does."""
        from qsort import manifold_kernel as kernel

        decision = _decide(self.signs * sums, self.ties, self.zero, self.rule, self.exact)
        j = decision.index
        _record(self.events, j, decision)
        if not decision.reflect:
            return kernel.DONE
        self.signs[j] = -self.signs[j]
        self.order[self.state[0]] = j
        self.state += (1, -1)
        return kernel.REFRESH

    def _candidates(self, sums: FloatArray) -> int:
        """Reflect from ``sums`` in the compiled loop while the candidates decide."""
        from qsort import manifold_kernel as kernel

        columns, cutoff = _candidates(self.signs * sums)
        tier = (self.res.diagonal[columns], columns, sums[columns])
        return kernel.reflect_candidates(
            self.res.stacked(columns),
            self.res.weights(),
            tier,
            self.signs,
            (self.zero, self.reach, cutoff),
            (self.ties == "last", self.rule == "strict", MIDDLE_CANDIDATES, INNER_CANDIDATES),
            (self.order, self.state),
        )
