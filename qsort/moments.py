"""Second and fourth moments of Kaiser-normalised loadings, for varimax at any number of sorts.

Every sum that a step of Kaiser's pairwise varimax needs for a pair of rotated columns
``x = B r`` and ``y = B s`` of the normalised loadings ``B`` (n x k) is a polynomial of degree
2 or 4 in the loadings: ``Σx²``, ``Σxy``, ``Σy²`` and ``Σx⁴``, ``Σx³y``, ``Σx²y²``, ``Σxy³``,
``Σy⁴``. They are contractions of the symmetric moment tensors ``S = BᵀB`` (k x k) and
``M[a, b, c, d] = Σ_j B_ja B_jb B_jc B_jd`` (k x k x k x k) with the rotation's columns ``r`` and
``s``. So :class:`Moments` is computed once, in one pass over the loadings (O(n k⁴) as a few
matrix products, in row blocks of bounded memory), and every later step costs O(k⁴) whatever n
is; the loadings are rotated once at the end.

The sums reach the same values as sums over the rotated loadings by another order of rounding:
:data:`ROUNDING` is the relative error allowed for them (a sum of n terms of size at most 1 is
off by at most ``ROUNDING * n``), which callers use to decide when a comparison is too close to
be trusted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

ROUNDING: float = 1e-12
"""Relative error allowed for a sum of n terms of size at most 1: the sum is within
``ROUNDING * n`` of its exact value, whichever route took it.

A block of :data:`BLOCK_ROWS` rows is summed by the BLAS (error at most ``BLOCK_ROWS * eps``,
2.3e-13, relative to the sum of the terms' sizes), :data:`GROUP_BLOCKS` blocks are added into a
group (1.4e-14 more) and the groups into the total (``n / (BLOCK_ROWS * GROUP_BLOCKS) * eps``,
below 3.4e-13 up to 100 million rows); a contraction with unit vectors adds at most
``k**2 * 7 * eps`` (7.6e-14 for k = 7). The column route's sums are pairwise, on loadings
rotated a few hundred times (each turn rounds every loading once: at most 4.4e-13 after 500
turns of a fourth power). Actual errors are thousands of times smaller (about 1e-16 * n).
"""

BLOCK_ROWS: int = 1024
"""Rows per block when the moments are accumulated (229 KB of pair products for k = 7)."""

GROUP_BLOCKS: int = 64
"""Blocks added into a group before the group is added into the total."""


@dataclass(frozen=True)
class PairSums:
    """The sums over the rows of two rotated columns x and y that a varimax step needs."""

    x2: float
    xy: float
    y2: float
    x4: float
    x3y: float
    x2y2: float
    xy3: float
    y4: float


@dataclass(frozen=True)
class Moments:
    """Second and fourth moments of Kaiser-normalised loadings.

    Attributes
    ----------
    second : ndarray, shape (k, k)
        ``BᵀB``.
    fourth : ndarray, shape (k, k, k, k)
        ``Σ_j B_ja B_jb B_jc B_jd``, symmetric in its four indices.
    rows : int
        n, the number of rows (sorts) summed.
    """

    second: FloatArray
    fourth: FloatArray
    rows: int

    @classmethod
    def of(cls, loadings: FloatArray) -> Moments:
        """The moments of ``loadings`` after Kaiser normalisation (rows of zeros stay zero).

        Parameters
        ----------
        loadings : ndarray, shape (n, k)
            Unnormalised loadings; rows are divided by their lengths block by block.

        Returns
        -------
        Moments
        """
        rows, k = loadings.shape
        first, other = np.triu_indices(k)
        products = np.zeros((first.size, first.size))
        second = np.zeros((k, k))
        step = BLOCK_ROWS * GROUP_BLOCKS
        for group in range(0, rows, step):
            group_products = np.zeros_like(products)
            group_second = np.zeros_like(second)
            for start in range(group, min(group + step, rows), BLOCK_ROWS):
                block = normalise(loadings[start : start + BLOCK_ROWS])
                pair = block[:, first] * block[:, other]
                group_products += pair.T @ pair
                group_second += block.T @ block
            products += group_products
            second += group_second
        index = np.empty((k, k), dtype=np.intp)
        index[first, other] = index[other, first] = np.arange(first.size)
        fourth = products[index[:, :, None, None], index[None, None, :, :]]
        return cls(second, fourth, rows)

    def pair(self, r: FloatArray, s: FloatArray) -> PairSums:
        """The sums for the columns ``x = B r`` and ``y = B s``.

        Parameters
        ----------
        r, s : ndarray, shape (k,)
            Two columns of the rotation matrix.

        Returns
        -------
        PairSums
        """
        rr = (self.fourth @ r) @ r
        ss = (self.fourth @ s) @ s
        return PairSums(
            x2=float(r @ self.second @ r),
            xy=float(r @ self.second @ s),
            y2=float(s @ self.second @ s),
            x4=float(r @ rr @ r),
            x3y=float(r @ rr @ s),
            x2y2=float(s @ rr @ s),
            xy3=float(r @ ss @ s),
            y4=float(s @ ss @ s),
        )

    def criterion(self, rotation: FloatArray) -> float:
        """Kaiser's normalised varimax criterion of ``B @ rotation``.

        ``V = Σ_k [Σ_j x_jk⁴ - (Σ_j x_jk²)² / n] / n`` with ``x = B @ rotation``.
        """
        squares = np.einsum("ak,ab,bk->k", rotation, self.second, rotation)
        fourth = np.einsum("abcd,ak,bk,ck,dk->k", self.fourth, *([rotation] * 4), optimize=True)
        return float((fourth - squares**2 / self.rows).sum() / self.rows)


def normalise(loadings: FloatArray) -> FloatArray:
    """Divide each row by its length; a row of zeros (no common variance) stays zero."""
    lengths = np.sqrt((loadings**2).sum(axis=1))
    safe = np.where(lengths > 0, lengths, 1.0)
    return loadings / safe[:, None]
