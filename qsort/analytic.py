"""The other analytic rotations qmethod offers through psych, computed with factor_analyzer.

qmethod passes its ``rotation`` argument to ``psych::principal``, which offers, beside varimax,
orthogonal rotations (quartimax, equamax, ...) and oblique ones (promax, oblimin, ...), most of
them from the GPArotation package. factor_analyzer's :class:`Rotator` ports the same gradient
projection algorithms (Bernaards and Jennrich 2005); this module calls it and returns a
:class:`~qsort.rotation.Rotated` with, for an oblique rotation, the factor correlation matrix phi.
Two differ from what ``psych::principal`` computes under the same name: factor_analyzer's promax
Kaiser-normalises the loadings before the power step (psych's ``Promax``; ``principal`` calls
``stats::promax``, which normalises only inside its varimax), and oblimax, which factor_analyzer
offers and ``principal`` does not.

After an oblique rotation the loadings are *pattern* loadings (regression weights of a sort on
the correlated factors). qmethod passes them on as they are: flags are drawn from them (the
majority criterion compares a squared pattern loading with the row's other squared pattern
loadings), and the factor weights ``f / (1 - f^2)`` are computed from them. qsort does the same.

Equamax is the Crawford-Ferguson criterion with ``kappa = k / (2 n)`` for k factors and n sorts,
as psych computes it (factor_analyzer's default kappa of 0 would make it quartimax).

References
----------
Bernaards, C. A., and Jennrich, R. I. (2005). Gradient projection algorithms and software for
arbitrary rotation criteria in factor analysis. Educational and Psychological Measurement, 65(5),
676-696.
Hendrickson, A. E., and White, P. O. (1964). Promax: a quick method for rotation to oblique
simple structure. British Journal of Statistical Psychology, 17(1), 65-70.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qsort._checks import as_loadings
from qsort.errors import OptionError
from qsort.rotation import Rotated

__all__ = ["ANALYTIC_OBLIQUE", "ANALYTIC_ORTHOGONAL", "orient_psych", "rotate_analytic"]

FloatArray = NDArray[np.float64]

ANALYTIC_ORTHOGONAL = ("quartimax", "equamax", "oblimax", "geomin_ort")
"""Orthogonal rotations computed by factor_analyzer (varimax has its own module)."""

ANALYTIC_OBLIQUE = ("promax", "oblimin", "quartimin", "geomin_obl")
"""Oblique rotations computed by factor_analyzer."""


def rotate_analytic(loadings: ArrayLike, method: str) -> Rotated:
    """Rotate loadings by one of factor_analyzer's criteria (with its default settings).

    Parameters
    ----------
    loadings : array_like, shape (n, k)
        Unrotated loadings, one row per sort.
    method : str
        One of :data:`ANALYTIC_ORTHOGONAL` or :data:`ANALYTIC_OBLIQUE`.

    Returns
    -------
    Rotated
        ``loadings == input @ rotation`` (pattern loadings after an oblique rotation) and
        ``phi``, the factors' correlations, for an oblique one. factor_analyzer reports no
        iteration count, so ``iterations`` is 0 and ``converged`` True. With fewer than two
        factors the loadings are returned unchanged.

    Raises
    ------
    OptionError
        For an unknown method or loadings that are not a finite matrix.
    """
    array = as_loadings(loadings)
    if method not in ANALYTIC_ORTHOGONAL + ANALYTIC_OBLIQUE:
        expected = list(ANALYTIC_ORTHOGONAL + ANALYTIC_OBLIQUE)
        raise OptionError(f"analytic rotation: expected one of {expected}, found {method!r}")
    n_sorts, n_factors = array.shape
    if n_factors < 2:
        return Rotated(array, np.eye(n_factors), 0, True, ())
    from factor_analyzer.rotator import Rotator  # imports scikit-learn: only when needed

    kappa = n_factors / (2.0 * n_sorts) if method == "equamax" else 0.0
    rotator = Rotator(method=method, kappa=kappa)
    rotated = np.asarray(rotator.fit_transform(array), dtype=np.float64)
    rotation = np.asarray(np.linalg.lstsq(array, rotated, rcond=None)[0], dtype=np.float64)
    phi = None if rotator.phi_ is None else np.asarray(rotator.phi_, dtype=np.float64)
    return Rotated(rotated, rotation, 0, True, (), phi)


def orient_psych(
    loadings: FloatArray, phi: FloatArray | None
) -> tuple[FloatArray, FloatArray | None]:
    """Order and sign rotated factors as ``psych::principal`` does, phi along with them.

    Factors are sorted by decreasing sum of squared loadings, the diagonal of ``L.T @ L`` (psych
    sorts by it after an oblique rotation too, though it then reports ``phi @ L.T @ L`` as the
    variance accounted for; ties keep their order), then each is multiplied by the sign of its
    column sum (zero counts as +1); phi is reordered and signed the same way.

    Parameters
    ----------
    loadings : ndarray, shape (n, k)
    phi : ndarray, shape (k, k), or None

    Returns
    -------
    loadings : ndarray, shape (n, k)
    phi : ndarray, shape (k, k), or None
    """
    order = np.argsort(-(loadings**2).sum(axis=0), kind="stable")
    ordered = loadings[:, order]
    signs = np.where(ordered.sum(axis=0) < 0, -1.0, 1.0)
    if phi is None:
        return ordered * signs, None
    return ordered * signs, phi[np.ix_(order, order)] * np.outer(signs, signs)
