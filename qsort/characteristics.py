"""Factor characteristics: reliability, standard errors, eigenvalues (spec A.2.4, A.8, A.9).

Brown (1980, pp. 244-245) takes the reliability of one Q-sort as ``r = 0.80``; the composite
reliability of a factor defined by ``p`` sorts is the Spearman-Brown ``p r / (1 + (p - 1) r)``, and
the standard error of its z-scores is ``SD_z * sqrt(1 - r_c)``. The standard error of the difference
between two factors' z-scores is ``sqrt(SE_a^2 + SE_b^2)``; its diagonal, ``sqrt(2) SE_a``, is the
"S.E. within factors" PQMethod prints.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Brown's conventional reliability of a single Q-sort, used by PQMethod, KADE and qmethod.
AVERAGE_RELIABILITY = 0.8


@dataclass(frozen=True)
class Characteristics:
    """The characteristics of one factor.

    ``composite_reliability`` and ``se`` are None for a factor without defining sorts.
    """

    n_defining: int
    average_reliability: float
    composite_reliability: float | None
    se: float | None
    eigenvalue: float
    explained_variance: float


def composite_reliability(n_defining: int, average: float = AVERAGE_RELIABILITY) -> float:
    """Spearman-Brown reliability of a factor defined by ``n_defining`` sorts.

    Parameters
    ----------
    n_defining : int
        Number of defining (flagged) sorts, p.
    average : float
        Average reliability r of one sort (0.8 by convention).

    Returns
    -------
    float
        ``p * r / (1 + (p - 1) * r)``: 0.8 for one sort, 0.9412 for four.
    """
    return n_defining * average / (1.0 + (n_defining - 1) * average)


def factor_characteristics(
    loadings: FloatArray, n_defining: int, zscores: FloatArray | None
) -> Characteristics:
    """Characteristics of one factor from its final loadings and z-scores.

    Parameters
    ----------
    loadings : ndarray, shape (n_sorts,)
        Final (rotated) loadings; the eigenvalue is their sum of squares, as qmethod reports it.
    n_defining : int
        Number of flagged sorts.
    zscores : ndarray, shape (N,) or None
        None for an undefined factor.

    Returns
    -------
    Characteristics
        ``composite_reliability`` and ``se`` are None for an undefined factor.
    """
    eigenvalue = float(np.sum(loadings**2))
    explained = 100.0 * eigenvalue / loadings.size
    if zscores is None or n_defining == 0:
        return Characteristics(n_defining, AVERAGE_RELIABILITY, None, None, eigenvalue, explained)
    reliability = composite_reliability(n_defining)
    se = float(zscores.std(ddof=1) * np.sqrt(1.0 - reliability))
    return Characteristics(n_defining, AVERAGE_RELIABILITY, reliability, se, eigenvalue, explained)


def sed_matrix(se: FloatArray) -> FloatArray:
    """Standard errors of differences, shape (d, d); the diagonal is ``sqrt(2) * SE``.

    Parameters
    ----------
    se : ndarray, shape (d,)
        Standard error of the z-scores of each defined factor.

    Returns
    -------
    ndarray, shape (d, d)
        ``sqrt(se[a]**2 + se[b]**2)`` for every pair of factors.
    """
    return np.asarray(np.sqrt(se[:, None] ** 2 + se[None, :] ** 2), dtype=np.float64)


def score_correlations(zscores: FloatArray) -> FloatArray:
    """Pearson correlations between factors' z-score columns, shape (d, d).

    Parameters
    ----------
    zscores : ndarray, shape (N, d)
        One column of z-scores per defined factor (d >= 1).

    Returns
    -------
    ndarray, shape (d, d)
        Symmetric with ones on the diagonal; ``[[1.0]]`` for a single factor.
    """
    if zscores.shape[1] == 1:
        return np.ones((1, 1))
    return np.asarray(np.corrcoef(zscores, rowvar=False), dtype=np.float64)
