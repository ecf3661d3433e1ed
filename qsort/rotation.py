"""Rotation of factor loadings: varimax, judgmental (by hand), inversion and bipolar split.

Varimax (Kaiser 1958) maximises, over orthogonal rotations, the sum over factors of the variance
of the squared loadings, computed on Kaiser-normalised rows (each sort's loadings divided by the
square root of its communality). Two algorithms are offered, one per reference program
(analysis specification, section A.3):

* :func:`varimax_kaiser_pairwise`, PQMethod's and KADE's: Kaiser's (1959) pairwise algorithm,
  which rotates every pair of factors in turn by the angle that maximises the criterion for that
  pair, with PQMethod's quadrant logic (A.3.2). It runs in float64 and rounds nothing along the
  way (spec part 1, item 2); PQMethod's 7-digit constant 0.7071066 is taken as the exact
  ``sqrt(1/2)`` it stands for, which keeps every step orthogonal. Where PQMethod's arithmetic
  breaks down (a denominator Bd of 0, where it divides by zero, or one negligible next to the
  numerator, where its turn is too small to leave a saddle point) the limit tan 4φ = ∞ is taken.
  From :data:`MOMENT_MIN_SORTS` sorts on, the sums each step needs come from the loadings'
  moments (:mod:`qsort.moments`) rather than from a pass over every loading; the steps, and
  so the result, are the same (see :func:`varimax_kaiser_pairwise`).
* :func:`varimax_svd`, R's ``stats::varimax`` (A.3.1): the simultaneous algorithm that updates
  the whole rotation matrix from the SVD of the criterion's gradient.

Both return the rotated loadings as ``input @ rotation`` exactly: neither reflects nor reorders
factors. The reference programs' conventions after varimax are separate functions, applied by the
caller as the profile says: :func:`reflect_signed_squares` (PQMethod/KADE reflect factors whose
sum of ``a * |a|`` is negative) and :func:`orient_like_psych` (psych, on qmethod's PCA path,
reorders by decreasing sum of squares and signs each factor by its column sum).

Judgmental rotation (Brown 1980, *Political Subjectivity*, pp. 224-247; KADE's two-factor
rotation, A.3.3) turns the plane of two factors by an angle; :class:`RotationStep` records one
such turn so that an analysis can be replayed. :func:`invert` reflects one factor, and
:func:`split_bipolar` splits a bipolar factor in two (KADE, A.7).

References
----------
Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
Psychometrika, 23(3), 187-200.
Kaiser, H. F. (1959). Computer program for varimax rotation in factor analysis. Educational and
Psychological Measurement, 19(3), 413-420.
R Core Team, ``stats::varimax`` (src/library/stats/R/factanal.R).
Brown, S. R. (1980). *Political Subjectivity*. Yale University Press.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qsort._checks import as_flags, as_loadings, check_count, is_whole
from qsort.errors import Notice, OptionError
from qsort.moments import ROUNDING, Moments
from qsort.profiles import VarimaxAlgorithm

__all__ = [
    "Rotated",
    "RotationStep",
    "VarimaxAlgorithm",
    "apply_steps",
    "invert",
    "orient_like_psych",
    "reflect_signed_squares",
    "rotate_pair",
    "split_bipolar",
    "varimax",
    "varimax_criterion",
    "varimax_kaiser_pairwise",
    "varimax_svd",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_HALF_SQRT2 = math.sqrt(0.5)
_SMALL_TAN = 0.00116  # Kaiser (1959): |tan 4θ| below this means the pair is left as it is
_CONVERGED_CHECKS = 4  # PQMethod stops after four consecutive small changes of the criterion

MOMENT_MIN_SORTS: int = 20_000
"""Sorts from which Kaiser's pairwise varimax runs on the loadings' moments (the moment route).

Below it every step passes over the loadings (the column route), which costs O(n) per step and
is quick at this size; from it on, the moments are formed once (:class:`qsort.moments.Moments`)
and the steps cost O(k⁴) each, which is taken while k⁴ is at most n (up to 11 factors at 20,000
sorts, 31 at a million). The two routes take the same decisions, or the moment route hands
over to the column route (see :func:`varimax_kaiser_pairwise`).
"""


@dataclass(frozen=True)
class Rotated:
    """The result of an automatic rotation.

    Attributes
    ----------
    loadings : ndarray, shape (n, k)
        Rotated loadings, equal to ``input @ rotation``: no factor is reflected or reordered.
        After an oblique rotation these are the pattern loadings.
    rotation : ndarray, shape (k, k)
        Rotation matrix (orthogonal unless the rotation is oblique).
    iterations : int
        Cycles (pairwise algorithm) or iterations (SVD algorithm) performed; 0 when there was
        nothing to rotate (fewer than two factors).
    converged : bool
        Whether the stopping rule was met before the iteration limit.
    notices : tuple of Notice
        ``"not-converged"`` when the limit was reached, with the number of iterations.
    phi : ndarray, shape (k, k), or None
        Correlations between the rotated factors after an oblique rotation; None when the
        factors stay orthogonal.
    """

    loadings: FloatArray
    rotation: FloatArray
    iterations: int
    converged: bool
    notices: tuple[Notice, ...]
    phi: FloatArray | None = None


@dataclass(frozen=True)
class RotationStep:
    """One judgmental rotation of the plane of two factors, recorded for replay.

    Attributes
    ----------
    factor_a, factor_b : int
        1-based factor numbers, different from each other. Their order fixes the sense of the
        angle: swapping them reverses it.
    degrees : float
        Positive turns counter-clockwise in the (a, b) plane, with ``a`` on the horizontal axis:
        ``a' = a cos θ - b sin θ`` and ``b' = a sin θ + b cos θ``. Negative turns clockwise
        (KADE's "clockwise" button with angle ``|θ|``: ``a' = a cos|θ| + b sin|θ|``,
        ``b' = b cos|θ| - a sin|θ|``).

    Raises
    ------
    OptionError
        For a factor number that is not a positive integer, equal factors or a non-finite angle.
        Whether the factors exist is checked when the step is applied.
    """

    factor_a: int
    factor_b: int
    degrees: float

    def __post_init__(self) -> None:
        for name in ("factor_a", "factor_b"):
            value = getattr(self, name)
            if not is_whole(value) or value < 1:
                raise OptionError(
                    f"rotation step {name}: expected a factor number (1, 2, ...), found {value!r}"
                )
        if self.factor_a == self.factor_b:
            raise OptionError(
                f"rotation step: expected two different factors, found factor {self.factor_a} twice"
            )
        if (
            isinstance(self.degrees, bool | np.bool_)
            or not isinstance(self.degrees, int | float | np.floating | np.integer)
            or not math.isfinite(float(self.degrees))
        ):
            raise OptionError(
                f"rotation step degrees: expected a finite angle, found {self.degrees!r}"
            )


# --------------------------------------------------------------------------------------------
# Validation (every public function checks its inputs here)
# --------------------------------------------------------------------------------------------


def _factor_index(factor: object, n_factors: int, what: str = "factor") -> int:
    """Turn a 1-based factor number into a 0-based column index, or raise OptionError."""
    if not is_whole(factor) or not 1 <= factor <= n_factors:
        raise OptionError(
            f"{what}: expected a factor number from 1 to {n_factors}, found {factor!r}"
        )
    return int(factor) - 1


def _positive(value: float, name: str) -> float:
    if not isinstance(value, int | float | np.floating) or not (math.isfinite(value) and value > 0):
        raise OptionError(f"{name}: expected a positive finite number, found {value!r}")
    return float(value)


# --------------------------------------------------------------------------------------------
# Varimax
# --------------------------------------------------------------------------------------------


def varimax(loadings: ArrayLike, algorithm: VarimaxAlgorithm) -> Rotated:
    """Varimax rotation with Kaiser normalisation by the algorithm a profile names.

    Parameters
    ----------
    loadings : array_like, shape (n, k)
        Unrotated loadings, one row per sort.
    algorithm : {"kaiser-pairwise", "svd"}
        PQMethod's pairwise algorithm (:func:`varimax_kaiser_pairwise`) or R's
        ``stats::varimax`` (:func:`varimax_svd`), each with its default stopping rule.

    Returns
    -------
    Rotated
        ``loadings == input @ rotation``; nothing is reflected or reordered.

    Raises
    ------
    OptionError
        For an unknown algorithm or loadings that are not a finite matrix.
    """
    if algorithm == "kaiser-pairwise":
        return varimax_kaiser_pairwise(loadings)
    if algorithm == "svd":
        return varimax_svd(loadings)
    raise OptionError(
        f"varimax algorithm: expected one of {list(get_args(VarimaxAlgorithm))}, "
        f"found {algorithm!r}"
    )


def varimax_criterion(loadings: ArrayLike) -> float:
    """Kaiser's normalised varimax criterion, the quantity both algorithms maximise.

    ``V = sum_k [ sum_j b_jk^4 - (sum_j b_jk^2)^2 / n ] / n``, where ``b`` holds the loadings
    with each row divided by its length (rows of zeros stay zero).

    Parameters
    ----------
    loadings : array_like, shape (n, k)

    Returns
    -------
    float
    """
    normalised, _ = _kaiser_normalise(as_loadings(loadings))
    return _criterion(normalised)


def _criterion(normalised: FloatArray) -> float:
    rows = normalised.shape[0]
    squares = normalised**2
    per_factor = (squares**2).sum(axis=0) - squares.sum(axis=0) ** 2 / rows
    return float(per_factor.sum() / rows)


def _kaiser_normalise(loadings: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Divide each row by its length; a row of zeros (no common variance) stays zero.

    Returns
    -------
    normalised : ndarray, shape (n, k)
    lengths : ndarray, shape (n,)
        ``sqrt(h_j)``, the square roots of the communalities.
    """
    lengths = np.sqrt((loadings**2).sum(axis=1))
    safe = np.where(lengths > 0, lengths, 1.0)
    return loadings / safe[:, None], lengths


def _unrotated(loadings: FloatArray) -> Rotated:
    identity = np.eye(loadings.shape[1])
    return Rotated(loadings, identity, 0, True, ())


def _not_converged(method: str, iterations: int, rule: str) -> Notice:
    return Notice(
        "not-converged",
        f"Varimax ({method}) did not converge within {iterations} iterations ({rule}); "
        "the loadings of the last iteration are used.",
    )


def varimax_kaiser_pairwise(
    loadings: ArrayLike, tolerance: float = 1e-8, max_cycles: int = 225
) -> Rotated:
    """Varimax by Kaiser's (1959) pairwise algorithm, as PQMethod and KADE compute it (A.3.2).

    Rows are Kaiser-normalised. One cycle rotates every pair of factors (1,2), (1,3), ...,
    (2,3), ... by the angle that maximises the criterion for that pair, chosen with PQMethod's
    quadrant logic (a pair whose ``|tan 4θ|`` is below 0.00116 is left as it is). The algorithm
    stops when the criterion has changed by less than ``tolerance`` after four consecutive
    cycles, or after ``max_cycles`` cycles.

    With :data:`MOMENT_MIN_SORTS` rows or more (and k⁴ at most n), the cycles run on the
    moments of the normalised loadings (:class:`qsort.moments.Moments`, O(n k⁴) once, then
    O(k⁴) a step). Every comparison a step or the stopping rule makes is checked to lie
    farther from its edge than the rounding of the sums allows (:data:`qsort.moments.ROUNDING`);
    otherwise the cycles are run again on the loadings themselves (the column route), so the
    steps taken are always those of the column route, and the rotation agrees with it to
    rounding.

    Parameters
    ----------
    loadings : array_like, shape (n, k)
        Unrotated loadings, one row per sort. Only the columns given are rotated.
    tolerance : float, default 1e-8
        Change of the criterion below which a cycle counts as converged.
    max_cycles : int, default 225
        Largest number of cycles (PQMethod's limit).

    Returns
    -------
    Rotated
        ``loadings == input @ rotation``. PQMethod then reflects mostly negative factors:
        apply :func:`reflect_signed_squares`. With fewer than two factors the loadings are
        returned unchanged.

    Raises
    ------
    OptionError
        For loadings that are not a finite matrix, or a non-positive tolerance or cycle count.
    """
    array = as_loadings(loadings)
    tolerance = _positive(tolerance, "tolerance")
    max_cycles = check_count("max_cycles", max_cycles, 1)
    if array.shape[1] < 2:
        return _unrotated(array)
    found = None
    rows, k = array.shape
    if rows >= MOMENT_MIN_SORTS and k**4 <= rows:
        found = _moment_cycles(Moments.of(array), tolerance, max_cycles)
    rotation, cycles, converged = found or _column_cycles(array, tolerance, max_cycles)
    notices: tuple[Notice, ...] = ()
    if not converged:
        rule = f"criterion change below {tolerance:g} in {_CONVERGED_CHECKS} consecutive cycles"
        notices = (_not_converged("Kaiser pairwise", cycles, rule),)
    return Rotated(_times(array, rotation), rotation, cycles, converged, notices)


def _times(array: FloatArray, rotation: FloatArray) -> FloatArray:
    """``array @ rotation`` for a tall matrix and a small one.

    ``einsum`` loops over the rows itself: the BLAS, for a k x k right-hand side, spends more
    time arranging its threads than multiplying (several times as long for a million rows).
    """
    product: FloatArray = np.einsum("ij,jk->ik", array, rotation)
    return product


def _moment_cycles(
    moments: Moments, tolerance: float, max_cycles: int
) -> tuple[FloatArray, int, bool] | None:
    """Pairwise cycles computed from the moments of the normalised loadings (the moment route).

    The same steps as :func:`_column_cycles`, with every sum taken from ``moments``. Returns
    the rotation matrix, the number of cycles and whether the stopping rule was met, or None
    as soon as a decision (a branch of :func:`_quadrant`, a sign, the stopping rule) rests on a
    comparison closer than the sums' rounding allows: the column route then decides.
    """
    k = moments.second.shape[0]
    rotation = np.eye(k)
    margin = 2.0 * ROUNDING * moments.rows
    previous = moments.criterion(rotation)
    small = cycles = 0
    while cycles < max_cycles and small < _CONVERGED_CHECKS:
        for first in range(k - 1):
            for second in range(first + 1, k):
                numerator, denominator = _kaiser_terms(moments, rotation, first, second)
                turn = _quadrant(numerator, denominator)
                if not _clear(numerator, denominator, margin, turn is not None):
                    return None
                if turn is not None:
                    _turn_columns(rotation, first, second, *turn)
        cycles += 1
        current = moments.criterion(rotation)
        change = abs(current - previous)
        if abs(change - tolerance) <= 12.0 * k * ROUNDING:  # see ROUNDING: V's error per route
            return None
        small = small + 1 if change < tolerance else 0
        previous = current
    return rotation, cycles, small >= _CONVERGED_CHECKS


def _kaiser_terms(
    moments: Moments, rotation: FloatArray, first: int, second: int
) -> tuple[float, float]:
    """Kaiser's numerator T and denominator Bd (see :func:`_kaiser_turn`) from the moments.

    With ``u = x² - y²`` and ``v = 2xy``: ``Σu = Σx² - Σy²``, ``Σv = 2Σxy``,
    ``Σ(u² - v²) = Σx⁴ - 6Σx²y² + Σy⁴`` and ``Σ2uv = 4(Σx³y - Σxy³)``.
    """
    sums = moments.pair(rotation[:, first], rotation[:, second])
    rows = moments.rows
    a_sum, b_sum = sums.x2 - sums.y2, 2.0 * sums.xy
    numerator = 4.0 * (sums.x3y - sums.xy3) - 2.0 * a_sum * b_sum / rows
    denominator = sums.x4 - 6.0 * sums.x2y2 + sums.y4 - (a_sum**2 - b_sum**2) / rows
    return numerator, denominator


def _clear(numerator: float, denominator: float, margin: float, turning: bool) -> bool:
    """Whether every comparison :func:`_quadrant` makes of T and Bd is farther than ``margin``
    from its edge, so that sums rounded otherwise would take the same branch (and, for a turn,
    the same signs)."""
    top, bottom = abs(numerator), abs(denominator)
    edges: tuple[float, ...] = (
        max(top, bottom),
        abs(numerator - denominator),
        abs(top - _SMALL_TAN * bottom),
        abs(bottom - _SMALL_TAN * top),
    )
    if turning:
        # The sign of T turns the pair one way or the other; the sign of Bd matters unless
        # Bd is negligible next to T, where both signs give the limiting turn of 22.5 degrees.
        edges += (top, bottom) if bottom > _SMALL_TAN * top else (top,)
    return min(edges) > margin


def _column_cycles(
    array: FloatArray, tolerance: float, max_cycles: int
) -> tuple[FloatArray, int, bool]:
    """Pairwise cycles on the Kaiser-normalised loadings themselves (the column route).

    Returns the rotation matrix, the number of cycles and whether the stopping rule was met.
    """
    normalised, _ = _kaiser_normalise(array)
    rotation = np.eye(array.shape[1])
    previous = _criterion(normalised)
    small = 0
    cycles = 0
    while cycles < max_cycles and small < _CONVERGED_CHECKS:
        _pairwise_cycle(normalised, rotation)
        cycles += 1
        current = _criterion(normalised)
        small = small + 1 if abs(current - previous) < tolerance else 0
        previous = current
    return rotation, cycles, small >= _CONVERGED_CHECKS


def _pairwise_cycle(normalised: FloatArray, rotation: FloatArray) -> None:
    """Rotate every pair of columns once, in place, applying the same turns to ``rotation``."""
    n_factors = normalised.shape[1]
    for first in range(n_factors - 1):
        for second in range(first + 1, n_factors):
            turn = _kaiser_turn(normalised[:, first], normalised[:, second])
            if turn is not None:
                _turn_columns(normalised, first, second, *turn)
                _turn_columns(rotation, first, second, *turn)


def _turn_columns(matrix: FloatArray, first: int, second: int, cos: float, sin: float) -> None:
    """``x' = x cos + y sin``, ``y' = -x sin + y cos`` on two columns, in place."""
    x = matrix[:, first].copy()
    y = matrix[:, second]
    matrix[:, first] = x * cos + y * sin
    matrix[:, second] = y * cos - x * sin


def _kaiser_turn(x: FloatArray, y: FloatArray) -> tuple[float, float] | None:
    """Cosine and sine of the pairwise varimax angle, or None when the pair is left alone.

    With ``u = x² - y²`` and ``v = 2xy``: ``A = Σu``, ``B = Σv``, ``C = Σ(u² - v²)``,
    ``D = Σ2uv``; numerator ``T = D - 2AB/n`` and denominator ``Bd = C - (A² - B²)/n``
    (Kaiser 1959).
    """
    rows = x.shape[0]
    u = x**2 - y**2
    v = 2.0 * x * y
    a_sum, b_sum = float(u.sum()), float(v.sum())
    numerator = float((2.0 * u * v).sum()) - 2.0 * a_sum * b_sum / rows
    denominator = float((u**2 - v**2).sum()) - (a_sum**2 - b_sum**2) / rows
    return _quadrant(numerator, denominator)


def _quadrant(numerator: float, denominator: float) -> tuple[float, float] | None:
    """PQMethod's choice of (cos φ, sin φ) from T and Bd, or None when the pair is skipped.

    4θ in [0, π/2] comes from the ratio of |T| and |Bd| (as a tangent when T < Bd, as a
    cotangent when T > Bd); θ follows by two half-angle steps, Bd <= 0 moves it to the second
    quadrant (φ = π/4 - θ), and T <= 0 makes it negative.

    As in Kaiser's (1959) program (the same logic is in PQMethod/KADE and in R's
    ``fda::varmx``), the T > Bd branch takes 4θ = atan|Bd/T|, the complement of the pair's
    optimum atan2(T, Bd); such a turn still raises the criterion. At convergence T is near 0 and
    Bd > 0, the T < Bd branch, whose turn is the optimum, so the fixed points are those of
    varimax.
    """
    if denominator == 0.0 and numerator != 0.0:
        # tan 4φ = T / 0 is infinite: 4θ = 90 degrees (PQMethod would divide by zero here).
        return _phi(0.0, 1.0, numerator, denominator)
    if numerator < denominator:
        tan4 = abs(numerator) / abs(denominator)
        if tan4 < _SMALL_TAN:
            if denominator >= 0:
                return None
            # Not reached in exact arithmetic (T < Bd < 0 gives |T| > |Bd|); kept from PQMethod.
            return _HALF_SQRT2, _HALF_SQRT2
        cos4, sin4 = _unit_from_slope(tan4)
    elif numerator == denominator:
        if numerator + denominator < _SMALL_TAN:
            return None
        cos4 = sin4 = _HALF_SQRT2
    elif abs(denominator) <= _SMALL_TAN * abs(numerator):
        # Bd is negligible next to T: take the limit tan 4φ = ∞ (4θ = 90 degrees). PQMethod's
        # cotangent here would give a turn below its own threshold, stalling at a saddle point.
        cos4, sin4 = 0.0, 1.0
    else:
        ctn4 = abs(numerator / denominator)
        if ctn4 < _SMALL_TAN:
            cos4, sin4 = 0.0, 1.0
        else:
            sin4, cos4 = _unit_from_slope(ctn4)
    return _phi(cos4, sin4, numerator, denominator)


def _phi(cos4: float, sin4: float, numerator: float, denominator: float) -> tuple[float, float]:
    cos2 = math.sqrt((1.0 + cos4) / 2.0)
    sin2 = sin4 / (2.0 * cos2)
    cos1 = math.sqrt((1.0 + cos2) / 2.0)
    sin1 = sin2 / (2.0 * cos1)
    if denominator <= 0:
        cos_phi = _HALF_SQRT2 * (cos1 + sin1)
        sin_phi = abs(_HALF_SQRT2 * (cos1 - sin1))
    else:
        cos_phi, sin_phi = cos1, sin1
    return cos_phi, (-sin_phi if numerator <= 0 else sin_phi)


def _unit_from_slope(slope: float) -> tuple[float, float]:
    """``(1, slope) / sqrt(1 + slope²)``: cosine and sine of the angle whose tangent is slope."""
    scale = 1.0 / math.sqrt(1.0 + slope * slope)
    return scale, slope * scale


def varimax_svd(loadings: ArrayLike, eps: float = 1e-5, max_iter: int = 1000) -> Rotated:
    """Varimax as R's ``stats::varimax(x, normalize = TRUE, eps)`` computes it (A.3.1).

    Rows are Kaiser-normalised (a row of zeros stays zero instead of dividing by zero). Starting
    from ``T = I``, each iteration sets ``Z = L T``,
    ``G = L' (Z∘Z∘Z - Z diag(Σ_j Z∘Z) / n)``, takes the SVD ``G = U S V'`` and sets
    ``T = U V'``; it stops when the sum of singular values ``d`` no longer grows by the factor
    ``1 + eps``.

    Parameters
    ----------
    loadings : array_like, shape (n, k)
        Unrotated loadings, one row per sort.
    eps : float, default 1e-5
        R's relative tolerance.
    max_iter : int, default 1000
        R's iteration limit.

    Returns
    -------
    Rotated
        ``loadings == input @ rotation``, as R returns them. psych (qmethod's PCA path) then
        reorders and signs the factors: apply :func:`orient_like_psych`. With fewer than two
        factors the loadings are returned unchanged.

    Raises
    ------
    OptionError
        For loadings that are not a finite matrix, or a non-positive ``eps`` or ``max_iter``.
    """
    array = as_loadings(loadings)
    eps = _positive(eps, "eps")
    max_iter = check_count("max_iter", max_iter, 1)
    if array.shape[1] < 2:
        return _unrotated(array)
    normalised, _ = _kaiser_normalise(array)
    rows = normalised.shape[0]
    rotation = np.eye(array.shape[1])
    total = 0.0
    for iteration in range(1, max_iter + 1):
        rotated = normalised @ rotation
        gradient = normalised.T @ (rotated**3 - rotated * ((rotated**2).sum(axis=0) / rows))
        left, singular, right = np.linalg.svd(gradient)
        rotation = left @ right
        previous, total = total, float(singular.sum())
        if total < previous * (1.0 + eps):
            return Rotated(array @ rotation, rotation, iteration, True, ())
    notice = _not_converged("SVD", max_iter, f"relative tolerance {eps:g}")
    return Rotated(array @ rotation, rotation, max_iter, False, (notice,))


# --------------------------------------------------------------------------------------------
# Conventions after varimax
# --------------------------------------------------------------------------------------------


def reflect_signed_squares(loadings: ArrayLike) -> tuple[FloatArray, BoolArray]:
    """Reflect every factor whose sum of ``a * |a|`` is negative (PQMethod/KADE after varimax).

    Parameters
    ----------
    loadings : array_like, shape (n, k)

    Returns
    -------
    loadings : ndarray, shape (n, k)
        The reflected loadings.
    reflected : ndarray of bool, shape (k,)
        Which factors were multiplied by -1. A sum of exactly zero is not reflected.
    """
    array = as_loadings(loadings)
    reflected = (array * np.abs(array)).sum(axis=0) < 0
    if reflected.any():
        array[:, reflected] *= -1.0
    return array, reflected


def orient_like_psych(loadings: ArrayLike) -> tuple[FloatArray, NDArray[np.intp]]:
    """Order and sign factors as psych does after rotation (qmethod's PCA path, A.2.1 step 5).

    Columns are sorted by decreasing sum of squared loadings (ties keep their order), then each
    is multiplied by the sign of its column sum (a zero sum counts as +1).

    Parameters
    ----------
    loadings : array_like, shape (n, k)

    Returns
    -------
    loadings : ndarray, shape (n, k)
        The reordered, signed loadings.
    order : ndarray of intp, shape (k,)
        0-based original column of each new column: ``new[:, i] = ±old[:, order[i]]``.
    """
    array = as_loadings(loadings)
    order = np.argsort(-(array**2).sum(axis=0), kind="stable").astype(np.intp)
    ordered = array[:, order]
    signs = np.where(ordered.sum(axis=0) < 0, -1.0, 1.0)
    return ordered * signs, order


# --------------------------------------------------------------------------------------------
# Judgmental rotation, inversion, bipolar split
# --------------------------------------------------------------------------------------------


def rotate_pair(loadings: ArrayLike, step: RotationStep) -> FloatArray:
    """Turn the plane of two factors by the step's angle (A.3.3).

    Parameters
    ----------
    loadings : array_like, shape (n, k)
    step : RotationStep
        Positive degrees turn counter-clockwise in the (a, b) plane.

    Returns
    -------
    ndarray, shape (n, k)
        New loadings; only columns ``a`` and ``b`` change, and every communality is kept.

    Raises
    ------
    OptionError
        When a factor number of the step is beyond the k factors.
    """
    array = as_loadings(loadings)
    if not isinstance(step, RotationStep):
        raise OptionError(f"rotation step: expected a RotationStep, found {step!r}")
    first = _factor_index(step.factor_a, array.shape[1], "rotation step factor_a")
    second = _factor_index(step.factor_b, array.shape[1], "rotation step factor_b")
    theta = math.radians(float(step.degrees))
    # Counter-clockwise by θ is the clockwise turn of _turn_columns by -θ.
    _turn_columns(array, first, second, math.cos(theta), -math.sin(theta))
    return array


def apply_steps(loadings: ArrayLike, steps: Sequence[RotationStep]) -> FloatArray:
    """Apply judgmental rotation steps in order.

    Parameters
    ----------
    loadings : array_like, shape (n, k)
    steps : sequence of RotationStep

    Returns
    -------
    ndarray, shape (n, k)
        ``apply_steps(np.eye(k), steps)`` is the rotation matrix of the whole sequence.
    """
    array = as_loadings(loadings)
    for step in steps:
        array = rotate_pair(array, step)
    return array


def invert(loadings: ArrayLike, factor: int) -> FloatArray:
    """Multiply one factor's loadings by -1.

    Parameters
    ----------
    loadings : array_like, shape (n, k)
    factor : int
        1-based factor number.

    Returns
    -------
    ndarray, shape (n, k)
    """
    array = as_loadings(loadings)
    array[:, _factor_index(factor, array.shape[1])] *= -1.0
    return array


def split_bipolar(
    loadings: ArrayLike, flags: ArrayLike, factor: int
) -> tuple[FloatArray, BoolArray]:
    """Split a bipolar factor into its positive and its negative pole (KADE, A.7).

    Factor ``k`` stays as it is; a new factor, inserted right after it, holds its loadings
    negated. A sort flagged on ``k`` with a negative loading moves its flag to the new factor,
    where its loading is positive; the other flags stay where they are.

    Parameters
    ----------
    loadings : array_like, shape (n, k)
    flags : array_like of bool, shape (n, k)
    factor : int
        1-based number of the factor to split.

    Returns
    -------
    loadings : ndarray, shape (n, k + 1)
    flags : ndarray of bool, shape (n, k + 1)
        The number of flags is unchanged.

    Raises
    ------
    OptionError
        For a factor number out of range or flags that are not booleans of the loadings' shape.
    """
    array = as_loadings(loadings)
    marks = as_flags(flags, array.shape)
    column = _factor_index(factor, array.shape[1])
    negative_pole = -array[:, column]
    moved = marks[:, column] & (array[:, column] < 0)
    marks[:, column] &= ~moved
    new_loadings = np.insert(array, column + 1, negative_pole, axis=1)
    new_flags = np.insert(marks, column + 1, moved, axis=1)
    return new_loadings, new_flags
