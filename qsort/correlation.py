"""Correlation between Q-sorts: Pearson, Spearman and Kendall's tau-b (spec A.1).

All three coefficients are normalised inner products, so each is kept in *factor form*: a matrix
``F`` with one unit-length column per sort such that the correlation matrix is ``R = F.T @ F``.

* Pearson: the centred sort values.
* Spearman: Pearson on average ranks (R's ``cor(method="spearman")``).
* Kendall's tau-b: one row per pair of statements holding ``sign(x_i - x_k)``; the tau-b
  numerator is the inner product of two such columns and its denominator the product of their
  lengths (``sqrt((n0 - n1)(n0 - n2))``).

The factor form lets principal components be taken from the SVD of ``F`` in O(n * rows^2) time and
O(n * rows) memory when sorts outnumber statements, never forming the n x n matrix (spec part 1,
item 5). :meth:`Correlations.matrix` forms it on demand for the methods that need it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray

from qsort.errors import OptionError, ZeroVarianceSortError
from qsort.ranks import average_ranks

CorrelationMethod = Literal["pearson", "spearman", "kendall"]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Correlations:
    """The correlations between n Q-sorts, held in factor form.

    Attributes
    ----------
    method : {"pearson", "spearman", "kendall"}
    factor : ndarray, shape (m, n)
        Unit-length columns, one per sort, with ``R = factor.T @ factor``.
    """

    method: CorrelationMethod
    factor: FloatArray
    _dense: list[FloatArray] = field(default_factory=list, repr=False, compare=False)
    _eigen: dict[str, FloatArray] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n(self) -> int:
        """Number of sorts."""
        return int(self.factor.shape[1])

    def matrix(self) -> FloatArray:
        """The n x n correlation matrix, formed once and cached (unit diagonal).

        Returns
        -------
        ndarray, shape (n, n)
            Read-only.
        """
        if not self._dense:
            dense = self.factor.T @ self.factor
            np.fill_diagonal(dense, 1.0)
            np.clip(dense, -1.0, 1.0, out=dense)
            dense.setflags(write=False)
            self._dense.append(dense)
        return self._dense[0]

    def eigenvalues(self) -> FloatArray:
        """Every eigenvalue of R, descending and clipped at 0, computed once.

        When sorts outnumber the rows of the factor form (``n > m``) they come from the m x m
        Gram matrix ``F @ F.T``, which has the same non-zero eigenvalues; the other ``n - m`` are 0.

        Returns
        -------
        ndarray, shape (n,)
        """
        if "values" not in self._eigen:
            rows, n = self.factor.shape
            gram = self.factor @ self.factor.T if n > rows else self.matrix()
            small = np.sort(np.linalg.eigvalsh(gram))[::-1]
            values = np.zeros(n)
            values[: small.size] = np.maximum(small, 0.0)
            values.setflags(write=False)
            self._eigen["values"] = values
        return self._eigen["values"]

    def eigen(self) -> tuple[FloatArray, FloatArray]:
        """Leading eigenvalues of R (descending) with their unit eigenvectors, computed once.

        Uses the SVD of the factor form when sorts outnumber its rows, so that R is never formed
        (O(n m^2) time, O(n m) memory), and the eigen-decomposition of R otherwise.

        Returns
        -------
        values : ndarray, shape (r,)
            The ``r = min(n, m)`` leading eigenvalues, clipped at 0.
        vectors : ndarray, shape (n, r)
            Their eigenvectors, as columns.
        """
        if "vectors" not in self._eigen:
            rows, n = self.factor.shape
            if n > rows:
                _, singular, vt = np.linalg.svd(self.factor, full_matrices=False)
                values, vectors = singular**2, vt.T
            else:
                values, vectors = np.linalg.eigh(self.matrix())
                order = np.argsort(values)[::-1]
                values, vectors = np.maximum(values[order], 0.0), vectors[:, order]
            self._eigen["leading"], self._eigen["vectors"] = values, vectors
        return self._eigen["leading"], self._eigen["vectors"]


def correlate(sorts: NDArray[np.int64] | FloatArray, method: str = "pearson") -> Correlations:
    """Correlate the columns (Q-sorts) of a statements x sorts matrix.

    Parameters
    ----------
    sorts : ndarray, shape (N, n)
        Sort values, one column per Q-sort.
    method : {"pearson", "spearman", "kendall"}

    Returns
    -------
    Correlations

    Raises
    ------
    OptionError
        For an unknown method.
    ZeroVarianceSortError
        When a sort has the same value for every statement (its correlation is undefined).
    """
    if method not in get_args(CorrelationMethod):
        raise OptionError(
            f"correlation: expected one of {list(get_args(CorrelationMethod))}, found {method!r}"
        )
    values = np.asarray(sorts, dtype=np.float64)
    if method == "spearman":
        values = average_ranks(values, axis=0)
    if method == "kendall":
        first, second = np.triu_indices(values.shape[0], k=1)
        columns = np.sign(values[first] - values[second])
    else:
        columns = values - values.mean(axis=0)
    return Correlations(method, _unit_columns(columns))  # type: ignore[arg-type]


def _unit_columns(columns: FloatArray) -> FloatArray:
    norms = np.sqrt(np.einsum("ij,ij->j", columns, columns))
    flat = np.flatnonzero(norms == 0)
    if flat.size:
        raise ZeroVarianceSortError(
            f"Q-sort(s) at position(s) {(flat + 1).tolist()} have zero variance: every statement "
            "has the same value, so their correlation with other sorts is undefined"
        )
    return np.asarray(columns / norms, dtype=np.float64)
