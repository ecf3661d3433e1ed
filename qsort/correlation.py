"""Correlation between Q-sorts: Pearson, Spearman and Kendall's tau-b (spec A.1).

All three coefficients are normalised inner products, so each is kept in *factor form*: a matrix
``F`` with one unit-length column per sort such that the correlation matrix is ``R = F.T @ F``.

* Pearson: the centred sort values.
* Spearman: Pearson on average ranks (R's ``cor(method="spearman")``).
* Kendall's tau-b: one row per pair of statements holding ``sign(x_i - x_k)``; the tau-b
  numerator is the inner product of two such columns and its denominator the product of their
  lengths (``sqrt((n0 - n1)(n0 - n2))``).

The factor form lets principal components be taken by the statement side when sorts outnumber the
rows of ``F``: the rows x rows Gram matrix ``G = F @ F.T`` has the non-zero eigenvalues of R, and
its unit eigenvectors ``u`` give the loadings directly as ``F.T @ u`` (the right singular vectors of
``F`` scaled by the singular values), in O(n * rows^2) time and O(n * rows) memory, with only the k
loadings asked for ever built and the n x n matrix never formed (spec part 1, item 5). The Gram
matrix squares the condition of ``F``: when the smallest eigenvalue used is below
:data:`GRAM_MIN_RATIO` of the largest, its relative error could pass 1e-10, and the loadings come
from the SVD of ``F`` instead (:class:`Principal` says which route was taken).
:meth:`Correlations.matrix` forms the n x n matrix on demand for the methods that need it.

Memory: Pearson and Spearman keep ``F`` as N x n float64 (8 N bytes per sort, 480 bytes for 60
statements), built in place from one float copy of the sorts. Kendall's factor has a row per pair
of statements, N (N - 1) / 2 of them (1,770 for 60 statements, 14 KB per sort): it is the one
O(n * N^2) memory path, and :func:`correlate` refuses it beyond :data:`KENDALL_MAX_CELLS` cells
with a :class:`~qsort.errors.SizeLimitError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, get_args

import numpy as np
from numpy.typing import NDArray

from qsort.errors import OptionError, SizeLimitError, ZeroVarianceSortError
from qsort.ranks import average_ranks

CorrelationMethod = Literal["pearson", "spearman", "kendall"]
PrincipalRoute = Literal["eigh", "gram", "svd"]
FloatArray = NDArray[np.float64]

GRAM_MIN_RATIO: float = 1e-4
"""Smallest ratio of the k-th to the first eigenvalue for which the Gram route is used.

An eigenvalue of ``G = F @ F.T`` carries an absolute error of about ``eps * lambda_1``, so the
k-th has a relative error near ``eps * lambda_1 / lambda_k``: at most about 2e-12 above this ratio.
Below it (near-collinear sorts, a factor with almost nothing to explain) the SVD of ``F``, whose
errors grow with the square root of that ratio only, gives the loadings.
"""

KENDALL_MAX_CELLS: int = 1 << 26
"""Largest Kendall factor form accepted: rows (N (N - 1) / 2 pairs of statements) x sorts.

2^26 cells are 512 MiB of float64 (about 37,900 sorts of 60 statements, 1,500 of 300); building
it needs one more block of the same width, so memory stays under 1 GiB.
"""

_KENDALL_BLOCK_ROWS = 256


class Principal(NamedTuple):
    """The k leading principal components of R, and how they were computed.

    Attributes
    ----------
    values : ndarray, shape (k,)
        Leading eigenvalues of R, descending, clipped at 0.
    loadings : ndarray, shape (n, k)
        ``V[:, :k] * sqrt(max(values, eps))``: eigenvectors scaled to loadings, signs as the
        decomposition gave them.
    route : {"eigh", "gram", "svd"}
        ``"eigh"`` of R itself (n <= rows), ``"gram"`` by the statement side, or ``"svd"`` of the
        factor form when the Gram route would lose precision.
    """

    values: FloatArray
    loadings: FloatArray
    route: PrincipalRoute


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
            gram = self.gram() if n > rows else self.matrix()
            small = np.sort(np.linalg.eigvalsh(gram))[::-1]
            values = np.zeros(n)
            values[: small.size] = np.maximum(small, 0.0)
            values.setflags(write=False)
            self._eigen["values"] = values
        return self._eigen["values"]

    def gram(self) -> FloatArray:
        """The rows x rows Gram matrix ``F @ F.T`` of the factor form, computed once.

        Returns
        -------
        ndarray, shape (m, m)
            Read-only.
        """
        if "gram" not in self._eigen:
            gram = self.factor @ self.factor.T
            gram.setflags(write=False)
            self._eigen["gram"] = gram
        return self._eigen["gram"]

    def principal(self, k: int) -> Principal:
        """The k leading principal components of R, building only k loadings.

        When sorts outnumber the rows of the factor form they come from the Gram matrix
        (:meth:`gram`): its eigenvectors ``u`` give the loadings ``F.T @ u``, equal to the right
        singular vectors of ``F`` times the singular values. If the k-th eigenvalue is below
        :data:`GRAM_MIN_RATIO` of the first, the SVD of ``F`` is taken instead (exact to rounding
        however collinear the sorts). With no more sorts than rows, R itself is decomposed.

        Parameters
        ----------
        k : int
            Number of components, from 1 to ``min(n, m)``.

        Returns
        -------
        Principal
        """
        rows, n = self.factor.shape
        if n <= rows:
            values, vectors = self.eigen()
            return Principal(values[:k], _scaled(vectors[:, :k], values[:k]), "eigh")
        small, basis = np.linalg.eigh(self.gram())
        order = np.argsort(small)[::-1][:k]
        values = np.maximum(small[order], 0.0)
        if not values[-1] >= GRAM_MIN_RATIO * values[0]:
            values, vectors = self.eigen()
            return Principal(values[:k], _scaled(vectors[:, :k], values[:k]), "svd")
        loadings = (basis[:, order].T @ self.factor).T
        return Principal(values, loadings, "gram")

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


def correlate(
    sorts: NDArray[np.integer[Any]] | FloatArray, method: str = "pearson"
) -> Correlations:
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
    if method == "kendall":
        columns = _kendall_columns(np.asarray(sorts))
    else:
        columns = np.array(sorts, dtype=np.float64)
        if method == "spearman":
            columns = average_ranks(columns, axis=0)
        columns -= columns.mean(axis=0)
    return Correlations(method, _unit_columns(columns))  # type: ignore[arg-type]


def _scaled(vectors: FloatArray, values: FloatArray) -> FloatArray:
    """Eigenvectors times the square roots of their eigenvalues (eps for a zero eigenvalue)."""
    return vectors * np.sqrt(np.maximum(values, np.finfo(np.float64).eps))


def _kendall_columns(sorts: NDArray[np.generic]) -> FloatArray:
    """Kendall's factor rows ``sign(x_i - x_k)`` for every pair ``i < k`` of statements.

    Built by blocks of pairs straight into the result, so no temporary is larger than a block.
    """
    n_stat, n_sorts = sorts.shape
    first, second = np.triu_indices(n_stat, k=1)
    if first.size * n_sorts > KENDALL_MAX_CELLS:
        raise SizeLimitError(
            f"Kendall's tau-b needs a row per pair of statements for every Q-sort: "
            f"{first.size:,} pairs x {n_sorts:,} sorts = {first.size * n_sorts:,} values, more "
            f"than the {KENDALL_MAX_CELLS:,} ({KENDALL_MAX_CELLS * 8 >> 20} MiB) accepted. Use "
            "Pearson or Spearman correlations, which need one row per statement, or fewer sorts "
            f"(at most {KENDALL_MAX_CELLS // max(1, first.size):,} with {n_stat} statements)"
        )
    values = np.asarray(sorts, dtype=np.float64)
    columns = np.empty((first.size, n_sorts))
    for start in range(0, first.size, _KENDALL_BLOCK_ROWS):
        block = slice(start, start + _KENDALL_BLOCK_ROWS)
        np.sign(values[first[block]] - values[second[block]], out=columns[block])
    return columns


def _unit_columns(columns: FloatArray) -> FloatArray:
    """Divide each column by its length, in place, refusing a column of zeros."""
    norms = np.sqrt(np.einsum("ij,ij->j", columns, columns))
    flat = np.flatnonzero(norms == 0)
    if flat.size:
        raise ZeroVarianceSortError(
            f"Q-sort(s) at position(s) {(flat + 1).tolist()} have zero variance: every statement "
            "has the same value, so their correlation with other sorts is undefined"
        )
    columns /= norms
    return columns
