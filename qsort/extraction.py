"""Factor extraction: principal components, Brown's centroid and Horst 5.5 (spec A.2).

Three methods, each with the conventions of the program it reproduces:

* **Principal components** (spec A.2.1): eigen-decomposition of R, loadings ``V * sqrt(lambda)``,
  as in ``psych::principal`` (cran/psych ``R/principal.R``, called by qmethod) and KADE
  (``PcaLogic/pcaDispatch.js``). The sign of each component follows the profile: KADE/PQMethod
  reflect a component when the sum of ``a * |a|`` is negative (``inflectPrincipalComponents.js``);
  psych multiplies it by the sign of its column sum. When sorts outnumber the rows of the
  correlation's factor form (the statements, for Pearson), the components come from its Gram
  matrix by the statement side (:meth:`qsort.correlation.Correlations.principal`), so no n x n
  matrix is ever formed and only k loadings are built (spec part 1, item 5).
* **Brown's centroid** (spec A.2.2): Thurstone's centroid with reflection to a positive manifold and
  iterated communalities, one factor at a time on the residual matrix (Brown 1980, *Political
  Subjectivity*, pp. 208-224; qmethod ``R/centroid.R``; KADE ``Factors/centroidLogic``). The
  communality iteration starts from 0.5 (PQMethod/KADE) or from each sort's mean off-diagonal
  correlation (qmethod). Reflection takes one column at a time, the lowest index on ties; a sum
  of zero up to rounding is not reflected (PQMethod/KADE), or, in the qmethod profile, reflected
  while below zero as qmethod's strict test does, stopping only where qmethod would loop for ever
  (:mod:`qsort.reflection`); either way a ``reflection-rounding`` notice names such decisions.
* **Horst 5.5** (spec A.2.3): Horst (1965), *Factor Analysis of Data Matrices*, as PQMethod's
  ``horst55`` and KADE's port (``centroidLogic/horst55Logic/horstMain.js``) run it: centroid
  factors with the communalities on the diagonal, all ``k`` factors re-extracted from R after each
  communality update (``h = min(1, sum of squared loadings)``) until the largest residual diagonal
  is at most ``threshold``, or ``max_iterations`` updates have been made (then the last loadings are
  returned with a ``not-converged`` notice, as KADE does).

Up to :data:`DENSE_CENTROID_MAX` sorts the centroid methods work on the n x n matrix; beyond it
on the factor form ``F`` of R (``R = F.T F``), which is never multiplied out
(:class:`qsort.reflection.FactorResidual`, with the reflection's loop compiled in
:mod:`qsort.manifold_kernel`): the same reflections and factors in O(n N) memory. Horst 5.5
makes its first factor's reflection once, as it reads only R's off-diagonal.

Everything is computed in float64 without intermediate rounding (spec part 1, item 2), so the
results differ from KADE's (which rounds to 7 or 8 decimals along the way) by less than 1e-4.

Edge cases (spec part 1, item 4) are named errors or notices, never NaN: too many factors
(:class:`TooManyFactorsError`, see :func:`max_factors`), a residual with nothing left to extract
or a centroid iteration that runs away (:class:`ExtractionError` naming the factor), non-convergence
(``not-converged`` notice with the iteration count) and communalities above 1 (``heywood``
notice naming the sorts by position).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray

from qsort._checks import check_count
from qsort.correlation import Correlations
from qsort.errors import (
    ExtractionError,
    Notice,
    OptionError,
    TooManyFactorsError,
)
from qsort.profiles import Profile, SignRule
from qsort.reflection import (
    DenseResidual,
    FactorResidual,
    NearZero,
    Reflection,
    ReflectionRule,
    Residual,
    largest_magnitude,
    positive_manifold,
)

__all__ = [
    "Extraction",
    "Reflection",
    "brown_centroid",
    "extract",
    "horst_centroid",
    "max_factors",
    "positive_manifold",
    "principal_components",
]

ExtractionMethod = Literal["centroid", "horst", "pca"]
CentroidStart = Literal["half", "mean-r"]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

DENSE_CENTROID_MAX: int = 1000
"""Most Q-sorts for which the centroid methods form the n x n matrix (8 MB at this size).

Beyond it they work on the factor form (:func:`brown_centroid_factored`,
:func:`horst_centroid_factored`), whose memory grows as n, not n^2, with the reflection in a
compiled loop. Both give the same factors (the tests compare them); the factor form is the
quicker from a few hundred sorts on (2 to 3 times at 1,000 to 3,000 sorts, measured), and the
n x n path, which follows the programs' own description step by step, is kept for the studies
of ordinary size.
"""

CENTROID_MAX_SORTS: int = 10000
"""Size above which ``qsort factors`` (Humphrey's rule) uses principal components.

The centroid methods accept any number of sorts, in time linear in n: on random studies of 60
statements and 7 factors, Brown's centroid takes about 1 s of CPU at 10,000 sorts and 16 s at
100,000, Horst 5.5, which re-extracts the factors for each of up to 30 communality updates,
20 s and 7 minutes (``bench/bench_extraction.py``); the guidance, which only needs loadings'
magnitudes, takes the quick route beyond this size.
"""

CENTROID_MAX_ITERATIONS: int = 1000
"""Cap on the fixed-point steps of one centroid factor (the references have none)."""

HORST_MAX_ITERATIONS: int = 30
"""Horst 5.5's NL: communality updates before giving up (KADE ``factorState.horstIterations``)."""

HORST_THRESHOLD: float = 1e-4
"""Horst 5.5's P: largest residual diagonal at which the iteration stops (KADE default)."""

DIVERGENT_COMMUNALITY: float = 4.0
"""A centroid communality estimate above this (a loading above 2) means the iteration diverges.

The fixed point ``f = (c + f**2) / sqrt(sum(c + f**2))`` does not always exist: when one sort's
column sum dominates those of a few weakly related sorts (say a zero sum among three sorts), the
estimate of the dominant sort grows by a constant at every step, without bound. PQMethod/KADE and
qmethod then loop for ever; this module stops with an :class:`ExtractionError` naming the factor.
A converged Heywood loading is a little above 1, far below 2.
"""

ZERO_RESIDUAL: float = 1e-10
"""Residual correlations no larger than this in absolute value count as zero."""

_ROW_BLOCK_CELLS = 1 << 22


@dataclass(frozen=True)
class Extraction:
    """Unrotated factors extracted from a correlation matrix.

    Attributes
    ----------
    method : {"centroid", "horst", "pca"}
    loadings : ndarray, shape (n_sorts, k)
        Unrotated loadings, one column per factor in extraction order.
    eigenvalues : ndarray, shape (k,)
        Column sums of squared loadings (for centroid factors these need not decrease).
    iterations : int
        Communality iterations used: the most fixed-point steps any centroid factor took; Horst's
        count of communality updates (KADE's ``L``, which ends at ``max_iterations + 1`` when the
        method did not converge); 0 for principal components.
    converged : bool
        False when an iteration stopped at its cap (see ``notices``).
    notices : tuple of Notice
        ``"not-converged"`` and ``"heywood"`` warnings.
    """

    method: ExtractionMethod
    loadings: FloatArray
    eigenvalues: FloatArray
    iterations: int
    converged: bool
    notices: tuple[Notice, ...]

    def __post_init__(self) -> None:
        for name in ("loadings", "eigenvalues"):
            array = np.array(getattr(self, name), dtype=np.float64, copy=True)
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Extraction):
            return NotImplemented
        return (
            self.method == other.method
            and self.iterations == other.iterations
            and self.converged == other.converged
            and self.notices == other.notices
            and np.array_equal(self.loadings, other.loadings)
            and np.array_equal(self.eigenvalues, other.eigenvalues)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def n_factors(self) -> int:
        """Number of factors, k."""
        return int(self.loadings.shape[1])


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def max_factors(corr: Correlations, method: ExtractionMethod) -> int:
    """The most factors the data allow: the numerical rank of R (never more than n).

    The rank counts the eigenvalues above ``lambda_max * max(n, m) * eps`` (numpy's
    ``matrix_rank`` rule), so it is at most the number of sorts n and, for Pearson and Spearman,
    less than the number of statements (centring removes one dimension). Beyond the rank a
    principal component is noise with a zero eigenvalue and a centroid residual is zero or
    rounding. The same rule holds for every method.

    Parameters
    ----------
    corr : Correlations
    method : {"centroid", "horst", "pca"}

    Returns
    -------
    int
    """
    _check_method(method)
    values = corr.eigenvalues()
    rows, n = corr.rows, corr.n
    tolerance = values[0] * max(n, rows) * np.finfo(np.float64).eps
    return min(n, int(np.count_nonzero(values > tolerance)))


def extract(
    corr: Correlations,
    n_factors: int,
    method: ExtractionMethod,
    profile: Profile,
    sort_names: Sequence[str] = (),
) -> Extraction:
    """Extract ``n_factors`` unrotated factors with ``method`` under the profile's conventions.

    Parameters
    ----------
    corr : Correlations
        Correlations of n Q-sorts.
    n_factors : int
        Number of factors, from 1 to :func:`max_factors`.
    method : {"centroid", "horst", "pca"}
    profile : Profile
        Supplies the PCA sign rule and the centroid's starting communality and tolerance.
    sort_names : sequence of str, optional
        Names the notices use for the sorts (positions when empty).

    Returns
    -------
    Extraction

    Raises
    ------
    OptionError
        For an unknown method or a number of factors below 1.
    TooManyFactorsError
        When more factors are asked for than the rank of R allows.
    ExtractionError
        When a centroid factor has nothing left to extract (every residual is zero).
    """
    _check_method(method)
    check_count("number of factors", n_factors, 1)
    _check_rank(n_factors, max_factors(corr, method), corr.n)
    if method == "pca":
        return principal_components(corr, n_factors, profile.pca_sign_rule)
    dense = corr.n <= DENSE_CENTROID_MAX
    rule = profile.centroid_reflection
    if method == "centroid":
        brown = brown_centroid if dense else brown_centroid_factored
        return brown(
            corr.matrix() if dense else corr.factor,
            n_factors,
            profile.centroid_start,
            profile.centroid_tolerance,
            sort_names=sort_names,
            rule=rule,
        )
    horst = horst_centroid if dense else horst_centroid_factored
    return horst(
        corr.matrix() if dense else corr.factor, n_factors, sort_names=sort_names, rule=rule
    )


def principal_components(corr: Correlations, n_factors: int, sign_rule: SignRule) -> Extraction:
    """Principal components of R with a sign rule (spec A.2.1).

    Parameters
    ----------
    corr : Correlations
        Correlations of n sorts in factor form ``F`` (shape (m, n)).
    n_factors : int
        Number of components k, at most ``min(n, m)``.
    sign_rule : {"signed-squares", "column-sum"}
        Reflect a component when the sum of ``a * |a|`` is negative (PQMethod/KADE), or multiply
        it by the sign of its column sum, a zero sum counting as positive (psych).

    Returns
    -------
    Extraction
        Loadings of shape (n, k) equal to ``V[:, :k] * sqrt(lambda[:k])``.
    """
    _check_sign_rule(sign_rule)
    check_count("number of factors", n_factors, 1)
    most = min(corr.rows, corr.n)
    if n_factors > most:
        raise TooManyFactorsError(
            f"{n_factors} principal components requested, but R has at most "
            f"{most} non-zero eigenvalues"
        )
    loadings = corr.principal(n_factors).loadings
    loadings *= _component_signs(loadings, sign_rule)
    return _result("pca", loadings, 0, True, ())


def brown_centroid(
    matrix: FloatArray,
    n_factors: int,
    start: CentroidStart = "half",
    tolerance: float = 0.001,
    max_iterations: int = CENTROID_MAX_ITERATIONS,
    *,
    sort_names: Sequence[str] = (),
    rule: ReflectionRule = "tolerant",
) -> Extraction:
    """Brown's centroid factors with iterated communalities (spec A.2.2), from R itself.

    Parameters
    ----------
    matrix : ndarray, shape (n, n)
        Symmetric correlation matrix; its diagonal is ignored.
    n_factors : int
        Number of factors k, from 1 to n.
    start : {"half", "mean-r"}
        Starting communality: 0.5 (PQMethod/KADE) or each sort's mean off-diagonal reflected
        correlation (qmethod).
    tolerance : float
        The iteration stops when no communality estimate changes by ``tolerance`` or more
        (0.001 in KADE, 1e-5 in qmethod).
    max_iterations : int
        Cap on the fixed-point steps of one factor; reaching it gives a ``not-converged`` notice.
    sort_names : sequence of str, optional
        Names for the notices (positions when empty).
    rule : {"tolerant", "strict"}
        What a column sum within rounding of zero means to the reflection
        (:mod:`qsort.reflection`): PQMethod's and KADE's tolerance, or qmethod's strict test.

    Returns
    -------
    Extraction
        Loadings of shape (n, k); ``iterations`` is the most steps any factor took.
    """
    square = _check_matrix(matrix)
    _check_factor_count(n_factors, square.shape[0])
    residual = DenseResidual(_off_diagonal(square))
    settings = _CentroidSettings(start, tolerance, max_iterations, rule, tuple(sort_names))
    return _brown(residual, n_factors, settings)


def brown_centroid_factored(
    factor: FloatArray,
    n_factors: int,
    start: CentroidStart = "half",
    tolerance: float = 0.001,
    max_iterations: int = CENTROID_MAX_ITERATIONS,
    *,
    sort_names: Sequence[str] = (),
    rule: ReflectionRule = "tolerant",
) -> Extraction:
    """Brown's centroid factors from the factor form ``F`` of R, never forming R.

    The same factors as :func:`brown_centroid` of ``F.T @ F`` (the reflections are the same,
    the sums agree to rounding), in O(n (m + k)) memory; each full computation of the column
    sums costs O(n (m + k)) time (see :class:`qsort.reflection.FactorResidual`).

    Parameters
    ----------
    factor : ndarray, shape (m, n)
        Unit-length columns, one per sort.
    n_factors, start, tolerance, max_iterations, sort_names, rule
        As for :func:`brown_centroid`.

    Returns
    -------
    Extraction
    """
    _check_factor_count(n_factors, factor.shape[1])
    residual = FactorResidual(_check_factor(factor), n_factors)
    settings = _CentroidSettings(start, tolerance, max_iterations, rule, tuple(sort_names))
    return _brown(residual, n_factors, settings)


def horst_centroid(
    matrix: FloatArray,
    n_factors: int,
    max_iterations: int = HORST_MAX_ITERATIONS,
    threshold: float = HORST_THRESHOLD,
    *,
    sort_names: Sequence[str] = (),
    rule: ReflectionRule = "tolerant",
) -> Extraction:
    """Horst 5.5 centroid factors with communalities iterated over all factors (spec A.2.3).

    Each pass extracts ``n_factors`` centroid factors from R with the current communalities on
    its diagonal (1 at first); the residual diagonal then gives the new communalities
    ``min(1, sum of squared loadings)``. The iteration stops when the largest residual diagonal
    is at most ``threshold``, or after ``max_iterations`` updates (KADE's NL and P, without the
    automatic stop on Horst's 1/m criterion).

    Parameters
    ----------
    matrix : ndarray, shape (n, n)
        Symmetric correlation matrix; its diagonal holds the first communalities (1).
    n_factors : int
        Number of factors k, from 1 to n.
    max_iterations : int
        NL, the number of communality updates allowed (30).
    threshold : float
        P, the largest residual diagonal accepted as converged (1e-4).
    sort_names : sequence of str, optional
        Names for the notices (positions when empty).
    rule : {"tolerant", "strict"}
        The reflection rule (see :func:`brown_centroid`).

    Returns
    -------
    Extraction
        Loadings of shape (n, k) from the last pass; a ``not-converged`` notice when the
        iteration stopped at ``max_iterations``.
    """
    square = _check_matrix(matrix)
    _check_factor_count(n_factors, square.shape[0])
    work = np.empty_like(square)

    def fresh() -> Residual:
        np.copyto(work, square)
        np.fill_diagonal(work, 0.0)
        return DenseResidual(work)

    settings = _HorstSettings(max_iterations, threshold, rule, tuple(sort_names))
    return _horst(fresh, np.diag(square).astype(np.float64), n_factors, settings)


def horst_centroid_factored(
    factor: FloatArray,
    n_factors: int,
    max_iterations: int = HORST_MAX_ITERATIONS,
    threshold: float = HORST_THRESHOLD,
    *,
    sort_names: Sequence[str] = (),
    rule: ReflectionRule = "tolerant",
) -> Extraction:
    """Horst 5.5 from the factor form ``F`` of R (unit diagonal), never forming R.

    Parameters
    ----------
    factor : ndarray, shape (m, n)
        Unit-length columns, one per sort.
    n_factors, max_iterations, threshold, sort_names, rule
        As for :func:`horst_centroid`.

    Returns
    -------
    Extraction
    """
    _check_factor_count(n_factors, factor.shape[1])
    checked = _check_factor(factor)
    residual = FactorResidual(checked, n_factors)

    def fresh() -> Residual:
        return residual.reset()

    settings = _HorstSettings(max_iterations, threshold, rule, tuple(sort_names))
    return _horst(fresh, np.ones(checked.shape[1]), n_factors, settings)


@dataclass(frozen=True)
class _CentroidSettings:
    """The choices of Brown's centroid besides the residual and the number of factors."""

    start: CentroidStart
    tolerance: float
    max_iterations: int
    rule: ReflectionRule
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        _check_start(self.start)
        _check_positive("tolerance", self.tolerance)
        check_count("max_iterations", self.max_iterations, 1)
        _check_rule(self.rule)


@dataclass(frozen=True)
class _HorstSettings:
    """The choices of Horst 5.5 besides the residual and the number of factors."""

    max_iterations: int
    threshold: float
    rule: ReflectionRule
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        check_count("max_iterations", self.max_iterations, 0)
        _check_positive("threshold", self.threshold, allow_zero=True)
        _check_rule(self.rule)


def _brown(residual: Residual, n_factors: int, settings: _CentroidSettings) -> Extraction:
    """Brown's centroid on any residual (n x n or factor form)."""
    loadings = np.zeros((residual.n, n_factors))
    steps: list[int] = []
    rounding: list[tuple[int, NearZero]] = []
    for factor in range(n_factors):
        _check_residual(residual, factor + 1)
        reflection = residual.manifold("first", settings.rule)
        rounding += [(factor + 1, event) for event in reflection.near_zero]
        _check_column_sums(reflection.column_sums, residual.zero(), factor + 1)
        first = _start_communalities(reflection.column_sums, settings.start)
        reflected, used = _iterate_communalities(
            reflection.column_sums, first, settings.tolerance, settings.max_iterations, factor + 1
        )
        loadings[:, factor] = reflection.signs * reflected
        steps.append(used)
        residual.subtract(loadings[:, factor])
    notices = (
        _centroid_notices(steps, settings.max_iterations, settings.tolerance)
        + _heywood(loadings, settings.names)
        + _rounding_notices(rounding, settings.rule, settings.names)
    )
    converged = max(steps) < settings.max_iterations
    return _result("centroid", loadings, max(steps), converged, notices)


def _horst(
    fresh: Callable[[], Residual],
    communalities: FloatArray,
    n_factors: int,
    settings: _HorstSettings,
) -> Extraction:
    """Horst 5.5 passes, each on a ``fresh()`` residual of R, until the communalities settle."""
    updates = 0
    first: list[Reflection] = []
    while True:
        loadings, left, rounding = _horst_pass(
            fresh(), communalities, n_factors, settings.rule, first
        )
        change = float(np.max(np.abs(left)))
        communalities = np.minimum(1.0, communalities - left)
        notices = _heywood(loadings, settings.names) + _rounding_notices(
            rounding, settings.rule, settings.names
        )
        if change <= settings.threshold:
            return _result("horst", loadings, updates, True, notices)
        updates += 1
        if updates > settings.max_iterations:
            notice = _horst_notice(settings.max_iterations, settings.threshold, change)
            return _result("horst", loadings, updates, False, (notice, *notices))


# --------------------------------------------------------------------------------------------
# Algorithms
# --------------------------------------------------------------------------------------------


def _component_signs(loadings: FloatArray, rule: SignRule) -> FloatArray:
    """+1 or -1 per column, shape (k,), by the chosen sign rule."""
    if rule == "signed-squares":
        criterion = np.sum(loadings * np.abs(loadings), axis=0)
    else:
        criterion = np.sum(loadings, axis=0)
    return np.where(criterion < 0, -1.0, 1.0)


def _start_communalities(sums: FloatArray, start: CentroidStart) -> FloatArray:
    """First communality estimates, shape (n,): 0.5, or the mean off-diagonal correlation."""
    if start == "half":
        return np.full(sums.shape, 0.5)
    return sums / (sums.size - 1)


def _iterate_communalities(
    sums: FloatArray, start: FloatArray, tolerance: float, cap: int, factor: int
) -> tuple[FloatArray, int]:
    """Fixed point ``f = (c + f**2) / sqrt(sum(c + f**2))`` in reflected space.

    Returns the reflected loadings, shape (n,), and the number of steps taken.
    """
    estimate = start
    loadings = start
    for step in range(1, cap + 1):
        loadings = _centroid_loadings(sums + estimate, factor)
        squared = loadings * loadings
        if np.max(np.abs(squared - estimate)) < tolerance:
            return loadings, step
        _check_divergence(squared, factor)
        estimate = squared
    return loadings, cap


def _check_divergence(squared: FloatArray, factor: int) -> None:
    """Refuse a communality iteration that runs away (no fixed point exists)."""
    worst = int(np.argmax(squared))
    if squared[worst] > DIVERGENT_COMMUNALITY:
        raise ExtractionError(
            f"factor {factor}: the centroid communality iteration diverges (the estimate for "
            f"the Q-sort at position {worst + 1} passed {DIVERGENT_COMMUNALITY:g}, a loading "
            "above 2): the residual correlations have no centroid solution this iteration can "
            "reach, for example when "
            "one sort dominates the column sums of a few weakly related sorts. Extract fewer "
            "factors, or use principal components"
        )


def _centroid_loadings(totals: FloatArray, factor: int) -> FloatArray:
    """Column totals over the square root of their grand total, shape (n,)."""
    grand = float(np.sum(totals))
    if not grand > 0.0:
        raise ExtractionError(
            f"factor {factor}: the column totals of the reflected residual matrix sum to "
            f"{grand:.3g}; a centroid needs a positive total, so no more factors can be extracted"
        )
    return np.asarray(totals / np.sqrt(grand), dtype=np.float64)


def _horst_pass(
    residual: Residual,
    communalities: FloatArray,
    n_factors: int,
    rule: ReflectionRule,
    first: list[Reflection],
) -> tuple[FloatArray, FloatArray, list[tuple[int, NearZero]]]:
    """One Horst pass: k centroid factors with a fixed diagonal.

    ``residual`` (zero diagonal) is changed into the pass's residual. The first factor's
    reflection reads only the off-diagonal of R, the same in every pass: it is made once and
    kept in ``first``. Returns the loadings, shape (n, k), the residual diagonal, shape (n,),
    and the near-zero reflection decisions.
    """
    diagonal = communalities.copy()
    loadings = np.zeros((residual.n, n_factors))
    rounding: list[tuple[int, NearZero]] = []
    for factor in range(n_factors):
        _check_residual(residual, factor + 1)
        if factor:
            reflection = residual.manifold("last", rule)
        else:
            reflection = _kept(first, lambda: residual.manifold("last", rule))
        rounding += [(factor + 1, event) for event in reflection.near_zero]
        totals = reflection.column_sums + diagonal
        reflected = totals / _horst_scale(totals, factor + 1)
        loadings[:, factor] = reflection.signs * reflected
        residual.subtract(loadings[:, factor])
        diagonal -= loadings[:, factor] ** 2
    return loadings, diagonal, rounding


def _kept(kept: list[Reflection], make: Callable[[], Reflection]) -> Reflection:
    """``kept[0]``, made by ``make()`` the first time."""
    if not kept:
        kept.append(make())
    return kept[0]


def _off_diagonal(matrix: FloatArray) -> FloatArray:
    """A float64 copy of ``matrix`` with a zero diagonal, shape (n, n)."""
    result = np.array(matrix, dtype=np.float64, copy=True)
    np.fill_diagonal(result, 0.0)
    return result


def _horst_scale(totals: FloatArray, factor: int) -> float:
    """Square root of the sum of absolute column totals (Horst's normaliser)."""
    grand = float(np.sum(np.abs(totals)))
    if not grand > 0.0:
        raise ExtractionError(
            f"factor {factor}: every column total of the reflected residual matrix is zero, "
            "so no more Horst factors can be extracted"
        )
    return float(np.sqrt(grand))


# --------------------------------------------------------------------------------------------
# Notices and results
# --------------------------------------------------------------------------------------------


def _heywood(loadings: FloatArray, names: Sequence[str] = ()) -> tuple[Notice, ...]:
    """A ``heywood`` notice naming the sorts (by name, else by position) whose communality > 1."""
    communalities = np.sum(loadings * loadings, axis=1)
    over = np.flatnonzero(communalities > 1.0)
    if not over.size:
        return ()
    label = [names[int(j)] if names else f"at position {j + 1}" for j in over]
    listed = ", ".join(
        f"{name} ({communalities[j]:.4f})" for name, j in zip(label, over, strict=True)
    )
    return (
        Notice(
            "heywood",
            f"Heywood case: the communality of Q-sort(s) {listed} exceeds 1 "
            "after centroid extraction; the loadings are kept as extracted (KADE offers to "
            "scale such a sort's loadings down to a communality of 1)",
        ),
    )


def _centroid_notices(steps: list[int], cap: int, tolerance: float) -> tuple[Notice, ...]:
    """A ``not-converged`` notice naming the centroid factors that reached the cap."""
    stuck = [k + 1 for k, used in enumerate(steps) if used >= cap]
    if not stuck:
        return ()
    return (
        Notice(
            "not-converged",
            f"centroid: the communality iteration of factor(s) {stuck} did not converge within "
            f"{cap} iterations (tolerance {tolerance:g}); the last estimates are used",
        ),
    )


def _rounding_notices(
    events: list[tuple[int, NearZero]], rule: ReflectionRule, names: Sequence[str]
) -> tuple[Notice, ...]:
    """A ``reflection-rounding`` notice naming each decision that rested on a sum near zero."""
    if not events:
        return ()
    listed = "; ".join(
        f"factor {factor}, Q-sort {names[e.sort] if names else f'at position {e.sort + 1}'}: "
        f"sum {e.column_sum:.3g}, {'reflected' if e.reflected else 'not reflected'}"
        for factor, e in events
    )
    how = (
        "reflected while below zero, as qmethod's strict test colSums(tmat) > 0 does"
        if rule == "strict"
        else "counted as zero and not reflected, as PQMethod and KADE do"
    )
    return (
        Notice(
            "reflection-rounding",
            f"centroid reflection: a column sum was zero up to rounding ({listed}); such a sum "
            f"was {how}. Another program's rounding could decide otherwise and reach a different "
            "centroid, so compare loadings with care",
        ),
    )


def _horst_notice(cap: int, threshold: float, change: float) -> Notice:
    """The ``not-converged`` notice of Horst 5.5."""
    return Notice(
        "not-converged",
        f"Horst 5.5 did not converge within {cap} iterations: the largest residual communality "
        f"was still {change:.3g} (threshold {threshold:g}); the loadings of the last iteration "
        "are returned, as KADE and PQMethod do",
    )


def _result(
    method: ExtractionMethod,
    loadings: FloatArray,
    iterations: int,
    converged: bool,
    notices: tuple[Notice, ...],
) -> Extraction:
    """Package loadings, refusing to return anything that is not finite."""
    if not np.all(np.isfinite(loadings)):
        raise ExtractionError(
            f"{method}: the extraction produced non-finite loadings; the correlation matrix is "
            "probably not valid (check for constant or duplicated sorts)"
        )
    eigenvalues = np.sum(loadings * loadings, axis=0)
    return Extraction(method, loadings, eigenvalues, iterations, converged, notices)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _check_method(method: str) -> None:
    if method not in get_args(ExtractionMethod):
        raise OptionError(
            f"extraction: expected one of {list(get_args(ExtractionMethod))}, found {method!r}"
        )


def _check_sign_rule(rule: str) -> None:
    if rule not in get_args(SignRule):
        raise OptionError(f"sign rule: expected one of {list(get_args(SignRule))}, found {rule!r}")


def _check_start(start: str) -> None:
    if start not in get_args(CentroidStart):
        raise OptionError(
            f"centroid start: expected one of {list(get_args(CentroidStart))}, found {start!r}"
        )


def _check_positive(what: str, value: float, allow_zero: bool = False) -> None:
    ok = value >= 0.0 if allow_zero else value > 0.0
    if not (np.isfinite(value) and ok):
        bound = "0 or more" if allow_zero else "more than 0"
        raise OptionError(f"{what}: expected a number {bound}, found {value!r}")


def _check_rule(rule: str) -> None:
    if rule not in get_args(ReflectionRule):
        raise OptionError(
            f"reflection rule: expected one of {list(get_args(ReflectionRule))}, found {rule!r}"
        )


def _check_factor(factor: FloatArray) -> FloatArray:
    """A finite float64 factor form of at least 2 sorts (columns)."""
    array = np.asarray(factor, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] < 2 or array.shape[0] < 1:
        raise ExtractionError(
            f"expected a factor form (rows x sorts) with at least 2 sorts, found shape "
            f"{array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ExtractionError("the factor form holds non-finite values (NaN or infinity)")
    return array


def _check_rank(n_factors: int, limit: int, n: int) -> None:
    if n_factors > limit:
        raise TooManyFactorsError(
            f"{n_factors} factors requested, but these data allow at most {limit}: the "
            f"correlation matrix of the {n} Q-sorts has rank {limit} (never more than the "
            "number of sorts, and for Pearson or Spearman correlations less than the number "
            "of statements), and factors beyond the rank have nothing to explain"
        )


def _check_factor_count(n_factors: int, n: int) -> None:
    check_count("number of factors", n_factors, 1)
    if n_factors > n:
        raise TooManyFactorsError(
            f"{n_factors} factors requested from {n} Q-sorts; at most {n} can be extracted"
        )


def _check_matrix(matrix: FloatArray) -> FloatArray:
    square = np.asarray(matrix, dtype=np.float64)
    if square.ndim != 2 or square.shape[0] != square.shape[1] or square.shape[0] < 2:
        raise ExtractionError(
            f"expected a square correlation matrix of at least 2 x 2, found shape {square.shape}"
        )
    if not np.all(np.isfinite(square)):
        raise ExtractionError("the correlation matrix holds non-finite values (NaN or infinity)")
    if not _is_symmetric(square):
        raise ExtractionError("the correlation matrix is not symmetric")
    return square


def _is_symmetric(square: FloatArray) -> bool:
    """Whether ``|r_ij - r_ji| <= 1e-10`` everywhere, checked by row blocks (no n x n copy)."""
    n = square.shape[0]
    step = max(1, _ROW_BLOCK_CELLS // n)
    return all(
        largest_magnitude(square[first : first + step] - square[:, first : first + step].T) <= 1e-10
        for first in range(0, n, step)
    )


def _check_column_sums(sums: FloatArray, zero: float, factor: int) -> None:
    """Refuse a factor whose reflected residual has no positive column sum.

    At the exact fixed point the off-diagonal column sums of a centroid residual are
    ``f**2 - h``, i.e. zero; the next factor then only exists because the iteration stopped
    short of it. With a very small tolerance every sum can be zero up to rounding.
    """
    if float(np.max(sums)) <= zero:
        raise ExtractionError(
            f"factor {factor}: every column sum of the reflected residual matrix is zero (up to "
            "rounding), so it has no centroid; ask for fewer factors, or use a larger centroid "
            "tolerance"
        )


def _check_residual(residual: Residual, factor: int) -> None:
    """Refuse a residual whose every entry is zero (only known for the n x n residual)."""
    largest = residual.largest()
    if largest is not None and largest <= ZERO_RESIDUAL:
        raise ExtractionError(
            f"factor {factor}: every residual correlation is zero (largest {largest:.3g}), so "
            f"there is nothing left to extract; ask for at most {factor - 1} factor(s)"
        )
