"""Factor weights, statement z-scores and factor arrays (spec A.5 and A.6).

For each factor the defining (flagged) sorts are merged into one idealised sort:

1. each flagged sort j gets the weight ``w_j = a_j / (1 - a_j^2)`` (Spearman's form, Brown 1980,
   *Political Subjectivity*, pp. 239-247); a negative loading gives a negative weight, so the sort
   enters inverted;
2. the weighted sum ``s_i = sum_j w_j y_ij`` is taken over the raw values (qmethod) or over each
   sort standardised by its own mean and sample SD (PQMethod/KADE; the two agree for forced
   distributions up to a common scale);
3. ``z_i = (s_i - mean(s)) / sd(s)`` with the sample SD (N - 1), as qmethod and KADE both do;
4. the factor array maps the z-scores onto the grid: lowest z gets the lowest grid value.

Profiles decide the Heywood rule for ``|a| >= 1`` and the tie rule of factor arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from qsort.errors import Notice, StudyError
from qsort.profiles import HeywoodRule, Profile
from qsort.ranks import average_ranks
from qsort.study import Grid

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: z-scores closer than this count as tied when factor arrays are drawn. Mathematically equal
#: weighted sums can differ in the last bits after floating-point summation.
TIE_TOLERANCE_DECIMALS = 10

#: ``a^2`` this close to 1 is taken as exactly 1 by the Heywood rule of :func:`factor_weights`.
UNIT_TOLERANCE = 1e-10

#: Groups of tied statements a notice lists by name before it just counts the rest.
MAX_LISTED_TIES = 4


@dataclass(frozen=True)
class FactorScore:
    """The scores of one factor.

    Attributes
    ----------
    weights : ndarray, shape (n_sorts,)
        Factor weights; zero for sorts that do not define the factor.
    zscores : ndarray, shape (N,) or None
        Statement z-scores; None when the factor has no defining sort.
    array : ndarray of int, shape (N,) or None
        The factor array (idealised Q-sort) on the study's grid.
    ranks : ndarray of int, shape (N,) or None
        Rank of each statement, 1 = highest z; ties go to the lower statement number first.
    """

    weights: FloatArray
    zscores: FloatArray | None
    array: IntArray | None
    ranks: IntArray | None

    @property
    def defined(self) -> bool:
        """True when the factor has defining sorts and so has scores."""
        return self.zscores is not None


def factor_weights(
    loadings: FloatArray,
    flags: NDArray[np.bool_],
    sort_names: Sequence[str],
    rule: HeywoodRule = "pqmethod",
) -> tuple[FloatArray, tuple[Notice, ...]]:
    """Weights of the flagged sorts of one factor.

    Parameters
    ----------
    loadings : ndarray, shape (n_sorts,)
        The factor's loadings.
    flags : ndarray of bool, shape (n_sorts,)
        Which sorts define the factor.
    sort_names : sequence of str
        For the notice that names Heywood cases.
    rule : {"pqmethod", "qmethod"}
        The profile's rule for Heywood cases (``|a| >= 1``), see Notes.

    Returns
    -------
    weights : ndarray, shape (n_sorts,)
    notices : tuple of Notice
        A ``"heywood"`` notice when a flagged loading has ``|a| >= 1``.

    Notes
    -----
    ``a / (1 - a^2)`` is infinite at ``|a| = 1`` and changes sign beyond it. PQMethod (KADE's
    port of its line 4440) gives ``a`` when ``a^2 = 1`` and ``a / (a^2 - 1)`` beyond, so the sort
    keeps its direction. qmethod keeps ``a / (1 - a^2)`` beyond 1 (a weight of the opposite sign);
    at ``a^2 = 1`` it would divide by zero, so both profiles use ``a`` there. ``a^2`` within
    :data:`UNIT_TOLERANCE` of 1 counts as 1, so that the weight does not hang on the last bit.
    """
    squared = loadings**2
    at_one = flags & (np.abs(squared - 1.0) <= UNIT_TOLERANCE)
    beyond = flags & ~at_one & (squared > 1.0)
    normal = flags & ~at_one & ~beyond
    weights = np.zeros_like(loadings)
    weights[normal] = loadings[normal] / (1.0 - squared[normal])
    weights[at_one] = loadings[at_one]
    if rule == "pqmethod":
        weights[beyond] = loadings[beyond] / (squared[beyond] - 1.0)
    else:
        weights[beyond] = loadings[beyond] / (1.0 - squared[beyond])
    heywood = at_one | beyond
    if not heywood.any():
        return weights, ()
    names = [sort_names[int(j)] for j in np.flatnonzero(heywood)]
    how = (
        "PQMethod's rule (a when a^2 = 1, a / (a^2 - 1) beyond)"
        if rule == "pqmethod"
        else "qmethod's a / (1 - a^2) (a when a^2 = 1)"
    )
    return weights, (
        Notice(
            "heywood",
            f"loading of {names} is 1 or more in absolute value (a Heywood case); the weight "
            f"follows {how}",
        ),
    )


def weighted_zscores(sorts: IntArray, weights: FloatArray, standardize: bool) -> FloatArray | None:
    """Merge the weighted sorts into statement z-scores (None when they have no spread).

    Parameters
    ----------
    sorts : ndarray of int, shape (N, n_sorts)
    weights : ndarray, shape (n_sorts,)
    standardize : bool
        Standardise each sort (mean 0, sample SD 1) before weighting, as PQMethod does.

    Returns
    -------
    ndarray, shape (N,) or None
    """
    used = np.flatnonzero(weights)
    values = sorts[:, used].astype(np.float64)
    if standardize:
        values = (values - values.mean(axis=0)) / values.std(axis=0, ddof=1)
    total = values @ weights[used]
    spread = total.std(ddof=1)
    if not np.isfinite(spread) or spread <= 1e-12 * max(1.0, float(np.abs(total).max())):
        return None
    return np.asarray((total - total.mean()) / spread, dtype=np.float64)


def _tie_key(zscores: FloatArray) -> FloatArray:
    return np.round(zscores, TIE_TOLERANCE_DECIMALS)


def array_exact_grid(zscores: FloatArray, pattern: IntArray) -> IntArray:
    """PQMethod/KADE factor array: always the grid's exact multiset.

    Statements are ordered by z ascending; tied statements are ordered by statement number
    descending, so the higher-numbered statement gets the lower grid value (KADE's rule).

    Parameters
    ----------
    zscores : ndarray, shape (N,)
        z-scores of one factor.
    pattern : ndarray of int, shape (N,)
        The grid's values, one per slot (see :func:`array_pattern`).

    Returns
    -------
    ndarray of int, shape (N,)
        A permutation of ``pattern``: the factor array.
    """
    key = _tie_key(zscores)
    order = np.lexsort((-np.arange(key.size), key))
    array = np.empty(key.size, dtype=np.int64)
    array[order] = np.sort(pattern)
    return array


def array_qmethod(zscores: FloatArray, pattern: IntArray) -> IntArray:
    """qmethod's factor array: average ranks, truncated index, then each tie group's minimum.

    Tied statements all receive the lowest value their group was given, so with ties that straddle
    a column boundary the array no longer follows the grid (qmethod issue #196).

    Parameters
    ----------
    zscores : ndarray, shape (N,)
        z-scores of one factor.
    pattern : ndarray of int, shape (N,)
        The grid's values, one per slot (see :func:`array_pattern`).

    Returns
    -------
    ndarray of int, shape (N,)
        The factor array; equal to the grid's multiset when no tie straddles a column boundary.
    """
    key = _tie_key(zscores)
    ranks = average_ranks(key)
    array = np.sort(pattern)[np.floor(ranks).astype(np.int64) - 1]
    for value in np.unique(key):
        members = key == value
        array[members] = array[members].min()
    return np.asarray(array, dtype=np.int64)


def statement_ranks(zscores: FloatArray) -> IntArray:
    """Rank 1 = highest z; ties go to the lower statement number first (PQMethod's table).

    Parameters
    ----------
    zscores : ndarray, shape (N,)
        z-scores of one factor.

    Returns
    -------
    ndarray of int, shape (N,)
        A permutation of 1..N: each statement's rank.
    """
    key = _tie_key(zscores)
    order = np.lexsort((np.arange(key.size), -key))
    ranks = np.empty(key.size, dtype=np.int64)
    ranks[order] = np.arange(1, key.size + 1)
    return ranks


def array_pattern(grid: Grid, n_statements: int) -> IntArray:
    """The multiset of values factor arrays are drawn on.

    Parameters
    ----------
    grid : Grid
    n_statements : int
        N, which must equal the grid's number of slots.

    Returns
    -------
    ndarray of int, shape (N,)
        Each column's value repeated by its capacity, ascending.

    Raises
    ------
    StudyError
        When the grid's capacities do not add up to the number of statements (possible for a free
        distribution): factor arrays need one grid slot per statement.
    """
    if grid.size != n_statements:
        raise StudyError(
            f"factor arrays need a grid with one slot per statement: the grid has {grid.size} "
            f"slots for {n_statements} statements; give the capacities of the distribution "
            "the arrays should follow"
        )
    return grid.pattern()


def score_factor(
    sorts: IntArray,
    loadings: FloatArray,
    flags: NDArray[np.bool_],
    pattern: IntArray,
    profile: Profile,
    sort_names: Sequence[str],
    factor_name: str,
    statement_ids: Sequence[str],
) -> tuple[FactorScore, tuple[Notice, ...]]:
    """Weights, z-scores, array and ranks of one factor, with the notices they raise.

    Parameters
    ----------
    sorts : ndarray of int, shape (N, n)
        The Q-sorts, one column per sort.
    loadings : ndarray, shape (n,)
        The factor's final loadings.
    flags : ndarray of bool, shape (n,)
        True for the sorts that define the factor.
    pattern : ndarray of int, shape (N,)
        The grid's values, from :func:`array_pattern`.
    profile : Profile
        Whose weights, Heywood rule and array rule to follow.
    sort_names : sequence of str, length n
    factor_name : str
    statement_ids : sequence of str, length N
        Names used in the notices.

    Returns
    -------
    score : FactorScore
        Weights of shape (n,); z-scores, array and ranks of shape (N,), or None when no sort
        is flagged.
    notices : tuple of Notice
        Heywood cases, no defining sorts, flat z-scores, ties in the array or an array off
        the grid (codes ``heywood``, ``no-defining-sorts``, ``flat-scores``, ``array-ties``,
        ``array-off-grid``).
    """
    weights, notices = factor_weights(loadings, flags, sort_names, profile.heywood_rule)
    if not flags.any():
        return FactorScore(weights, None, None, None), (
            *notices,
            Notice(
                "no-defining-sorts",
                f"factor {factor_name} has no defining (flagged) sort, so it has no z-scores or "
                "array; it is reported as undefined and left out of the comparisons",
            ),
        )
    zscores = weighted_zscores(sorts, weights, profile.standardize_sorts)
    if zscores is None:
        return FactorScore(weights, None, None, None), (
            *notices,
            Notice(
                "flat-scores",
                f"the defining sorts of factor {factor_name} cancel out (every statement gets the "
                "same weighted score); the factor is reported as undefined",
            ),
        )
    rule = array_exact_grid if profile.array_rule == "exact-grid" else array_qmethod
    array = rule(zscores, pattern)
    notices = (*notices, *_tie_notices(zscores, array, pattern, factor_name, statement_ids))
    return FactorScore(weights, zscores, array, statement_ranks(zscores)), notices


def _tie_notices(
    zscores: FloatArray,
    array: IntArray,
    pattern: IntArray,
    factor_name: str,
    statement_ids: Sequence[str],
) -> tuple[Notice, ...]:
    key = _tie_key(zscores)
    values, counts = np.unique(key, return_counts=True)
    groups = [np.flatnonzero(key == v) for v in values[counts > 1]]
    if not groups:
        return ()
    shown = [" = ".join(statement_ids[int(i)] for i in g) for g in groups[:MAX_LISTED_TIES]]
    if len(groups) > MAX_LISTED_TIES:
        shown.append(f"and {len(groups) - MAX_LISTED_TIES} more groups")
    listed = ", ".join(shown)
    notices = [
        Notice(
            "array-ties",
            f"factor {factor_name}: tied z-scores ({listed}); the profile's tie rule placed "
            "them in the array",
        )
    ]
    if not np.array_equal(np.sort(array), np.sort(pattern)):
        notices.append(
            Notice(
                "array-off-grid",
                f"factor {factor_name}: with qmethod's tie rule the array no longer follows the "
                "grid's distribution (qmethod issue #196)",
            )
        )
    return tuple(notices)
