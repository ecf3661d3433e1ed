"""The compiled inner loop of the factored reflection (:class:`qsort.reflection.FactorResidual`).

Reflection to a positive manifold is sequential: each step reflects the column with the smallest
reflected sum and moves every other sum, and random studies take about 0.7 n steps per factor.
With the residual in factor form (``E = B.T J B`` off its diagonal, ``B`` the statements' rows of
``F`` over the loadings taken so far, ``J`` +1 on the former and -1 on the latter), the caller
computes all n sums exactly, then hands this module the *candidates*, the columns with the
smallest reflected sums, and a bound: no other sum is below ``cutoff``. Three tiers follow the
reflections from there:

* all the candidates, whose sums are brought up to date only when a middle tier is chosen, from
  the accumulated change of ``u = B s`` (``a_i = b_i.T J u - d_i s_i`` is linear in ``u`` and
  ``s``);
* the *middle* tier, the smallest of those, brought up to date the same way whenever an inner
  tier is chosen from it;
* the *inner* tier, the smallest of the middle tier, whose sums are updated exactly at every
  reflection, one dot product of length ``p`` each.

A sum outside a tier cannot have moved by more than ``reach * |change of u|`` since the tier was
chosen (``reach`` = the longest column of ``B``), so while the smallest inner sum stays below
each tier's smallest left-out sum less that drift, it is the smallest of all and the reflection
it decides is the one the n x n residual would make. When a bound fails that tier is chosen
again (``RESELECT``, ``RESELECT_MIDDLE``, in here) or all sums are recomputed (``REFRESH``, by
the caller). Every decision that needs care (a sum within rounding of zero, ties under
qmethod's strict rule, a bound that fails on a fresh tier) is left to the caller (``DECIDE``),
which makes it from all n sums exactly as :func:`qsort.reflection.positive_manifold` does.
Within a step the dot products may be summed in any order (``fastmath``): the sums agree with
the n x n path to rounding, as those of the factor form always do; a sign within rounding is
never decided here, and ties are sums within the rounding allowance of the smallest, as on
the n x n path.

The functions are compiled with numba when this module is imported (cached on disk), which the
reflection does only when it needs them, so importing :mod:`qsort` stays quick.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

DONE: int = 0
"""No reflected sum is negative: the manifold is reached."""

REFRESH: int = 1
"""The outer bound failed: the caller recomputes all n sums and calls again."""

DECIDE: int = 2
"""The next decision needs all n sums (rounding, strict ties, or a bound that cannot hold)."""

BUDGET: int = 3
"""The reflections allowed are used up."""

RESELECT: int = 4
"""The inner bound failed (internal: the inner tier is chosen again from the middle one)."""

RESELECT_MIDDLE: int = 5
"""The middle bound failed (internal: the middle tier is chosen again from all candidates)."""

_F = TypeVar("_F", bound=Callable[..., Any])
Moves = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]
"""Changes of ``u = B s`` since: the refresh, the candidates' last sync, the middle tier's
choice, its last sync, and the inner tier's choice."""


def _compiled(function: _F) -> _F:
    """Compile ``function`` in nopython mode, cached on disk, releasing the GIL."""
    return cast(_F, numba.njit(cache=True, nogil=True)(function))


def _fast(function: _F) -> _F:
    """As :func:`_compiled`, free to reorder a sum (so that it is computed in SIMD lanes)."""
    return cast(_F, numba.njit(cache=True, nogil=True, fastmath=True)(function))


@_fast
def _dot(row: FloatArray, vector: FloatArray) -> float:
    """``row . vector`` for two vectors of the same length."""
    total = 0.0
    for t in range(row.size):
        total += row[t] * vector[t]
    return total


@_compiled
def _norm(vector: FloatArray) -> float:
    """Euclidean length of ``vector``."""
    return math.sqrt(_dot(vector, vector))


@_compiled
def _sync(
    rows: FloatArray,
    weights: FloatArray,
    tier: tuple[FloatArray, IntArray, FloatArray, FloatArray],
    signs: FloatArray,
    moved: FloatArray,
) -> None:
    """Bring every outer sum up to date: ``a += b.T J moved - d (s - s_synced)``.

    ``tier`` is (diagonal, columns, sums, synced signs); ``weights`` is ``J``.
    """
    diagonal, columns, sums, synced = tier
    change = weights * moved
    for q in range(sums.size):
        now = signs[columns[q]]
        sums[q] += _dot(rows[q], change) - diagonal[q] * (now - synced[q])
        synced[q] = now
    moved[:] = 0.0


@_compiled
def _kth(values: FloatArray, k: int) -> float:
    """The ``k``-th smallest of ``values`` (0-based), by quickselect on a copy.

    (numba's ``np.partition`` is not used: it misplaces the k-th value among duplicates.)
    """
    work = values.copy()
    low, high = 0, work.size - 1
    while low < high:
        pivot = sorted((work[low], work[(low + high) // 2], work[high]))[1]
        i, j = low, high
        while i <= j:
            while work[i] < pivot:
                i += 1
            while work[j] > pivot:
                j -= 1
            if i <= j:
                work[i], work[j] = work[j], work[i]
                i += 1
                j -= 1
        if k <= j:
            high = j
        elif k >= i:
            low = i
        else:
            return float(work[k])
    return float(work[k])


@_compiled
def _select(
    sums: FloatArray, columns: IntArray, signs: FloatArray, count: int
) -> tuple[IntArray, float]:
    """Positions (ascending) of the ``count`` smallest reflected sums, and the smallest other.

    Ties at the boundary are taken in order of position; the smallest sum left out is returned
    with them, so that either choice is safe.
    """
    if count >= sums.size:
        return np.arange(sums.size), math.inf
    reflected = np.empty(sums.size)
    for q in range(sums.size):
        reflected[q] = signs[columns[q]] * sums[q]
    threshold = _kth(reflected, count - 1)
    equal = count - int(np.sum(reflected < threshold))
    chosen = np.empty(count, dtype=np.int64)
    taken, cutoff = 0, math.inf
    for q in range(sums.size):
        value = reflected[q]
        if value < threshold or (value == threshold and equal > 0):
            equal -= value == threshold
            chosen[taken] = q
            taken += 1
        else:
            cutoff = min(cutoff, value)
    return chosen, cutoff


@_compiled
def _smallest(
    values: FloatArray, columns: IntArray, signs: FloatArray, zero: float, last: bool
) -> tuple[float, int, int]:
    """The smallest reflected inner sum, the position to act on and how many tie with it.

    Ties are sums within ``zero`` of the smallest; the lowest column is taken, or the highest
    when ``last`` (the positions follow the columns' order).
    """
    low = math.inf
    for q in range(values.size):
        low = min(low, signs[columns[q]] * values[q])
    pick, tied = -1, 0
    for q in range(values.size):
        if signs[columns[q]] * values[q] <= low + zero:
            tied += 1
            if last or pick < 0:
                pick = q
    return low, pick, tied


@_compiled
def _verdict(low: float, tied: int, zero: float, strict: bool) -> int:
    """What the smallest sum means: reflect (-1), ``DONE`` or ``DECIDE``.

    Sums within rounding of zero, and ties under the strict rule, are the caller's to decide.
    """
    if strict:
        if tied > 1 or abs(low) <= zero:
            return DECIDE
        return -1 if low < 0.0 else DONE
    if low > zero:
        return DONE
    return DECIDE if low >= -2.0 * zero else -1


@_compiled
def _flip(
    weights: FloatArray,
    inner: tuple[FloatArray, IntArray, FloatArray],
    pick: int,
    signs: FloatArray,
    moves: Moves,
) -> int:
    """Reflect the inner column at ``pick``; update the inner sums and the changes of ``u``.

    ``inner`` is (rows of ``B``, columns, sums) of the inner tier; every change of ``u`` in
    ``moves`` takes the step. Returns the column reflected.
    """
    rows, columns, values = inner
    j = columns[pick]
    signs[j] = -signs[j]
    step = (2.0 * signs[j]) * rows[pick]
    for moved in moves:
        moved += step
    change = weights * step
    own = values[pick]
    for q in range(values.size):
        values[q] += _dot(rows[q], change)
    values[pick] = own
    return int(j)


@_compiled
def _gate(
    low: float,
    zero: float,
    reach: float,
    cutoffs: tuple[float, float, float],
    moves: Moves,
) -> int:
    """``REFRESH`` / ``RESELECT_MIDDLE`` / ``RESELECT`` when a tier's drift bound fails.

    Each tier (all candidates, the middle and the inner tier) has the smallest sum left out of
    it when it was chosen, and the change of ``u`` since; a bound that fails with no change
    (ties at the boundary) is ``DECIDE``. Returns -1 while every bound holds.
    """
    tiers = (
        (cutoffs[0], moves[0], REFRESH),
        (cutoffs[1], moves[2], RESELECT_MIDDLE),
        (cutoffs[2], moves[4], RESELECT),
    )
    for cutoff, drift, status in tiers:
        distance = _norm(drift)
        if low + zero >= cutoff - reach * distance:
            return status if distance > 0.0 else DECIDE
    return -1


@_compiled
def _inner_round(
    weights: FloatArray,
    inner: tuple[FloatArray, IntArray, FloatArray],
    signs: FloatArray,
    moves: Moves,
    limits: tuple[float, float, float, float, float],
    flags: tuple[bool, bool],
    log: tuple[IntArray, IntArray],
) -> int:
    """Reflect within the inner tier while every bound holds; return why it stopped.

    ``limits`` is (zero, reach, and the cutoffs of the three tiers); ``flags`` (ties last,
    strict); ``log`` (order of reflected columns, [reflections made, reflections allowed]).
    """
    zero, reach = limits[0], limits[1]
    order, state = log
    moves[4][:] = 0.0
    while state[1] > 0:
        low, pick, tied = _smallest(inner[2], inner[1], signs, zero, flags[0])
        status = _gate(low, zero, reach, (limits[2], limits[3], limits[4]), moves)
        if status < 0:
            status = _verdict(low, tied, zero, flags[1])
        if status >= 0:
            return status
        order[state[0]] = _flip(weights, inner, pick, signs, moves)
        state[0] += 1
        state[1] -= 1
    return BUDGET


@_compiled
def _middle_round(
    rows: FloatArray,
    weights: FloatArray,
    tier: tuple[FloatArray, IntArray, FloatArray, FloatArray],
    signs: FloatArray,
    moves: Moves,
    limits: tuple[float, float, float, float],
    options: tuple[bool, bool, int],
    log: tuple[IntArray, IntArray],
) -> int:
    """Reflect from a freshly chosen middle tier, choosing the inner tier from it again and
    again; return why it stopped (``RESELECT_MIDDLE`` when the middle bound failed).

    ``tier`` is the middle tier's (diagonal, columns, exact sums, signs); ``limits`` (zero,
    reach, cutoff of all candidates, cutoff of the middle tier).
    """
    moves[2][:] = 0.0
    moves[3][:] = 0.0
    _, columns, sums, _ = tier
    while True:
        _sync(rows, weights, tier, signs, moves[3])
        positions, cutoff = _select(sums, columns, signs, options[2])
        inner = (rows[positions], columns[positions], sums[positions])
        bounds = (limits[0], limits[1], limits[2], limits[3], cutoff)
        status = _inner_round(weights, inner, signs, moves, bounds, (options[0], options[1]), log)
        if status != RESELECT:
            return status


@_compiled
def reflect_candidates(
    rows: FloatArray,
    weights: FloatArray,
    tier: tuple[FloatArray, IntArray, FloatArray],
    signs: FloatArray,
    limits: tuple[float, float, float],
    options: tuple[bool, bool, int, int],
    log: tuple[IntArray, IntArray],
) -> int:
    """Reflect from freshly computed sums while the candidates decide (see the module docstring).

    Parameters
    ----------
    rows : ndarray, shape (K, p)
        The candidates' columns of ``B`` (statements' rows of ``F``, then the loadings).
    weights : ndarray, shape (p,)
        ``J``: +1 for the rows of ``F``, -1 for the loadings.
    tier : tuple
        The candidates' diagonal ``d`` (K,), columns (K,, ascending) and exact sums (K,,
        unreflected; changed).
    signs : ndarray, shape (n,)
        The signs of all columns, changed in place by each reflection.
    limits : tuple of float
        (zero, reach, cutoff): the rounding allowance, the longest column of ``B`` and the
        smallest reflected sum that is not a candidate.
    options : tuple
        (ties last, strict rule, middle tier size, inner tier size).
    log : tuple of int arrays
        The order of reflected columns, appended to, and [reflections made, reflections allowed].

    Returns
    -------
    int
        ``DONE``, ``REFRESH``, ``DECIDE`` or ``BUDGET``.
    """
    diagonal, columns, sums = tier
    synced = np.empty(sums.size)
    for q in range(sums.size):
        synced[q] = signs[columns[q]]
    p = rows.shape[1]
    moves = (np.zeros(p), np.zeros(p), np.zeros(p), np.zeros(p), np.zeros(p))
    while True:
        _sync(rows, weights, (diagonal, columns, sums, synced), signs, moves[1])
        at, cutoff = _select(sums, columns, signs, options[2])
        middle = (diagonal[at], columns[at], sums[at], synced[at])
        bounds = (limits[0], limits[1], limits[2], cutoff)
        choice = (options[0], options[1], options[3])
        status = _middle_round(rows[at], weights, middle, signs, moves, bounds, choice, log)
        if status != RESELECT_MIDDLE:
            return status
