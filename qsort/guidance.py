"""How many factors to keep: eigenvalues, Kaiser-Guttman, Humphrey's rule, scree, parallel analysis.

None of the reference programs offers this (spec part 1, item 5); each criterion follows its
published source:

* **Kaiser-Guttman**: keep the factors whose eigenvalue of R exceeds 1 (Guttman 1954; Kaiser
  1960, *Educational and Psychological Measurement* 20, 141-151).
* **Humphrey's rule**: a factor is significant when the product of its two largest absolute
  loadings exceeds twice the standard error of a zero-order correlation, ``2 / sqrt(N)`` for N
  statements (Brown 1980, *Political Subjectivity*, p. 223). It is applied to the unrotated
  loadings of the chosen extraction, and counts the leading factors that pass.
* **Scree**: the (factor number, eigenvalue) pairs to plot (Cattell 1966, *Multivariate
  Behavioral Research* 1, 245-276).
* **Parallel analysis**: the observed eigenvalues are compared with those of random studies of
  the same size drawn from the same grid and correlated the same way (Horn 1965,
  *Psychometrika* 30, 179-185); the suggestion is the number of leading observed eigenvalues
  above the random 95th percentile (Glorfeld 1995, *Educational and Psychological Measurement*
  55, 377-393). Random forced sorts are random permutations of the grid's pattern; random free
  sorts are uniform integers between the grid's lowest and highest value. Runs use
  ``numpy.random.default_rng(seed)``, so a seed always gives the same answer.

The eigenvalues never need the n x n matrix when sorts outnumber statements (see
:meth:`qsort.correlation.Correlations.eigenvalues`). For very large studies the number of random
runs is capped (:func:`parallel_iterations`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from qsort._checks import check_count
from qsort.correlation import CorrelationMethod, Correlations, correlate
from qsort.errors import ExtractionError, Notice, OptionError
from qsort.extraction import (
    CENTROID_MAX_SORTS,
    ExtractionMethod,
    extract,
    max_factors,
)
from qsort.profiles import PQMETHOD, Profile
from qsort.study import Grid, Study

FloatArray = NDArray[np.float64]
IntMatrix = NDArray[np.int64]

HUMPHREY_MAX_FACTORS = 8
"""Factors extracted for Humphrey's rule (the most the reference programs extract)."""

PARALLEL_CELL_BUDGET = 50_000_000
"""Cells of random correlation factors (runs x sorts x factor rows) parallel analysis may use."""

PARALLEL_MIN_ITERATIONS = 10
"""Random runs that are always made when more were asked for, whatever the study's size."""

_MAX_REDRAWS = 1000


@dataclass(frozen=True, eq=False)
class FactorGuidance:
    """Number-of-factors guidance for one study.

    Attributes
    ----------
    correlation : str
        Correlation method used for the observed and the random studies.
    extraction : {"centroid", "horst", "pca"}
        Extraction whose unrotated loadings Humphrey's rule was applied to.
    n_sorts, n_statements : int
        n and N.
    eigenvalues : ndarray, shape (n,)
        All eigenvalues of R, descending (those beyond its rank are 0).
    explained_variance : ndarray, shape (n,)
        ``100 * eigenvalue / n``, in percent.
    kaiser_guttman : int
        Number of eigenvalues greater than 1.
    humphrey : int
        Number of leading unrotated factors whose two largest absolute loadings have a product
        greater than ``humphrey_threshold``.
    humphrey_threshold : float
        ``2 / sqrt(N)``.
    humphrey_products : ndarray, shape (h,)
        The product of the two largest absolute loadings of each extracted factor.
    scree : tuple of (int, float)
        (factor number, eigenvalue) for the first ``min(n, rows of the correlation factor)``
        eigenvalues, the only ones that can be non-zero.
    random_mean, random_p95 : ndarray, shape (r,)
        Mean and 95th percentile of the random studies' eigenvalues, same length as ``scree``.
    parallel_iterations : int
        Random studies actually drawn (see :func:`parallel_iterations`).
    seed : int
        Seed of the random generator.
    suggested : int
        Leading observed eigenvalues above ``random_p95``, at most ``max_factors``.
    max_factors : int
        The most factors the data allow (:func:`qsort.extraction.max_factors`).
    notices : tuple of Notice
        For example that Humphrey's rule fell back to principal components.
    """

    correlation: CorrelationMethod
    extraction: ExtractionMethod
    n_sorts: int
    n_statements: int
    eigenvalues: FloatArray
    explained_variance: FloatArray
    kaiser_guttman: int
    humphrey: int
    humphrey_threshold: float
    humphrey_products: FloatArray
    scree: tuple[tuple[int, float], ...]
    random_mean: FloatArray
    random_p95: FloatArray
    parallel_iterations: int
    seed: int
    suggested: int
    max_factors: int
    notices: tuple[Notice, ...] = ()


def factor_guidance(
    study: Study,
    correlation: CorrelationMethod = "pearson",
    extraction: ExtractionMethod = "pca",
    profile: Profile = PQMETHOD,
    iterations: int = 100,
    seed: int = 0,
) -> FactorGuidance:
    """Eigenvalues, Kaiser-Guttman, Humphrey's rule, scree and parallel analysis for a study.

    Parameters
    ----------
    study : Study
        The Q-sorts (N statements x n sorts) and their grid.
    correlation : {"pearson", "spearman", "kendall"}
    extraction : {"centroid", "horst", "pca"}
        Extraction for Humphrey's rule; the centroid methods beyond
        :data:`qsort.extraction.CENTROID_MAX_SORTS` sorts use principal components (quicker).
    profile : Profile
        Conventions of that extraction.
    iterations : int
        Random studies for parallel analysis (capped for very large studies).
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    FactorGuidance
    """
    check_count("iterations", iterations, 1)
    check_count("seed", seed, 0)
    corr = correlate(study.sorts, correlation)
    limit = max_factors(corr, extraction)
    eigenvalues = corr.eigenvalues()
    count = min(corr.n, corr.factor.shape[0])
    runs = parallel_iterations(corr.n, corr.factor.shape[0], iterations)
    random = random_eigenvalues(study.grid, study.n_statements, corr.n, correlation, runs, seed)[
        :, :count
    ]
    products, notices = _humphrey_products(corr, extraction, profile, limit)
    threshold = 2.0 / np.sqrt(study.n_statements)
    p95 = np.quantile(random, 0.95, axis=0)
    return FactorGuidance(
        correlation=correlation,
        extraction=extraction,
        n_sorts=corr.n,
        n_statements=study.n_statements,
        eigenvalues=eigenvalues,
        explained_variance=100.0 * eigenvalues / corr.n,
        kaiser_guttman=int(np.count_nonzero(eigenvalues > 1.0)),
        humphrey=_leading(products > threshold),
        humphrey_threshold=float(threshold),
        humphrey_products=products,
        scree=tuple((k + 1, float(v)) for k, v in enumerate(eigenvalues[:count])),
        random_mean=random.mean(axis=0),
        random_p95=p95,
        parallel_iterations=runs,
        seed=seed,
        suggested=min(limit, _leading(eigenvalues[:count] > p95)),
        max_factors=limit,
        notices=notices,
    )


def parallel_iterations(n_sorts: int, rows: int, requested: int) -> int:
    """Random runs used for parallel analysis.

    All ``requested`` runs are made while ``runs x n_sorts x rows`` stays within
    :data:`PARALLEL_CELL_BUDGET` (5e7 cells, a few seconds); beyond, as many runs as the budget
    allows, but never fewer than :data:`PARALLEL_MIN_ITERATIONS` (or ``requested`` if smaller).
    With 60 statements and Pearson correlations, 100 runs are kept up to about 8,000 sorts, and
    100,000 sorts get 10. Random eigenvalues of large studies hardly vary, so few runs suffice.

    Parameters
    ----------
    n_sorts : int
        n.
    rows : int
        Rows of the correlation factor (N for Pearson and Spearman, N(N-1)/2 for Kendall).
    requested : int

    Returns
    -------
    int
    """
    affordable = PARALLEL_CELL_BUDGET // max(1, n_sorts * rows)
    return int(min(requested, max(PARALLEL_MIN_ITERATIONS, affordable)))


def random_eigenvalues(
    grid: Grid,
    n_statements: int,
    n_sorts: int,
    correlation: CorrelationMethod,
    runs: int,
    seed: int,
) -> FloatArray:
    """Eigenvalues of the correlations of random studies drawn from a grid.

    Parameters
    ----------
    grid : Grid
        Forced: each random sort is a random permutation of ``grid.pattern()``. Free: uniform
        integers from ``grid.low`` to ``grid.high`` (a constant sort is drawn again).
    n_statements, n_sorts : int
        N and n of each random study.
    correlation : {"pearson", "spearman", "kendall"}
    runs : int
        Number of random studies.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    ndarray, shape (runs, n_sorts)
        One row of descending eigenvalues per random study.
    """
    rng = np.random.default_rng(seed)
    result = np.empty((runs, n_sorts))
    for run in range(runs):
        sorts = random_sorts(grid, n_statements, n_sorts, rng)
        result[run] = correlate(sorts, correlation).eigenvalues()
    return result


def random_sorts(
    grid: Grid, n_statements: int, n_sorts: int, rng: np.random.Generator
) -> IntMatrix:
    """One random study on ``grid``, shape (n_statements, n_sorts), no sort constant.

    Parameters
    ----------
    grid : Grid
        Forced: each sort is a random permutation of the grid's pattern. Free: values are drawn
        uniformly from the grid's range, redrawn where a sort came out constant.
    n_statements : int
        N, the number of rows.
    n_sorts : int
        n, the number of columns.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int, shape (N, n)

    Raises
    ------
    OptionError
        For a free grid with a single column value.
    """
    if grid.forced:
        pattern = grid.pattern()
        return rng.permuted(np.broadcast_to(pattern[:, None], (pattern.size, n_sorts)), axis=0)
    if grid.low == grid.high:
        raise OptionError(
            f"parallel analysis: a free grid from {grid.low} to {grid.high} allows only constant "
            "sorts; expected at least two column values"
        )
    sorts = rng.integers(grid.low, grid.high + 1, size=(n_statements, n_sorts))
    for _ in range(_MAX_REDRAWS):
        flat = np.flatnonzero(sorts.min(axis=0) == sorts.max(axis=0))
        if not flat.size:
            return sorts
        sorts[:, flat] = rng.integers(grid.low, grid.high + 1, size=(n_statements, flat.size))
    raise OptionError(
        f"parallel analysis: could not draw non-constant random sorts of {n_statements} "
        f"statements from {grid.low}..{grid.high}"
    )


def render_guidance(guidance: FactorGuidance, rows: int = 12) -> str:
    """A plain-text table of the guidance, for the command line.

    Parameters
    ----------
    guidance : FactorGuidance
    rows : int
        Most factors listed.

    Returns
    -------
    str
    """
    shown = min(rows, len(guidance.scree))
    lines = [
        f"Number-of-factors guidance: {guidance.n_sorts} Q-sorts, {guidance.n_statements} "
        f"statements, {guidance.correlation} correlations",
        "",
        f"{'factor':>6} {'eigenvalue':>10} {'% var':>6} {'cum %':>6} "
        f"{'random mean':>11} {'random 95%':>10} {'Humphrey':>8}",
    ]
    cumulative = np.cumsum(guidance.explained_variance)
    for k in range(shown):
        product = guidance.humphrey_products
        humphrey = f"{product[k]:8.3f}" if k < product.size else f"{'':8}"
        lines.append(
            f"{k + 1:6d} {guidance.eigenvalues[k]:10.4f} {guidance.explained_variance[k]:6.1f} "
            f"{cumulative[k]:6.1f} {guidance.random_mean[k]:11.4f} "
            f"{guidance.random_p95[k]:10.4f} {humphrey}"
        )
    lines += [
        "",
        f"Kaiser-Guttman (eigenvalue > 1): {guidance.kaiser_guttman}",
        f"Humphrey's rule (product of two largest loadings > 2/sqrt(N) = "
        f"{guidance.humphrey_threshold:.3f}, {guidance.extraction}): {guidance.humphrey}",
        f"Parallel analysis ({guidance.parallel_iterations} random studies, seed "
        f"{guidance.seed}, 95th percentile): {guidance.suggested}",
        f"Most factors the data allow: {guidance.max_factors}",
    ]
    lines += [f"Note: {notice.message}" for notice in guidance.notices]
    return "\n".join(lines) + "\n"


def _humphrey_products(
    corr: Correlations, extraction: ExtractionMethod, profile: Profile, limit: int
) -> tuple[FloatArray, tuple[Notice, ...]]:
    """Products of the two largest absolute loadings per unrotated factor, shape (h,)."""
    notices: tuple[Notice, ...] = ()
    method = extraction
    if extraction != "pca" and corr.n > CENTROID_MAX_SORTS:
        method = "pca"
        notices = (
            Notice(
                "humphrey-pca",
                f"Humphrey's rule used principal components: the {extraction} method is slow "
                f"beyond {CENTROID_MAX_SORTS} Q-sorts and this study has {corr.n}",
            ),
        )
    for count in range(min(limit, HUMPHREY_MAX_FACTORS), 0, -1):
        try:
            loadings = extract(corr, count, method, profile).loadings
        except ExtractionError:
            continue
        top = -np.sort(-np.abs(loadings), axis=0)
        return top[0] * top[1], notices
    return np.zeros(0), notices


def _leading(passed: NDArray[np.bool_]) -> int:
    """Number of leading True values."""
    failed = np.flatnonzero(~passed)
    return int(failed[0]) if failed.size else int(passed.size)
