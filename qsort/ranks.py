"""Average ranks ("fractional" ranks, ties sharing the mean of their positions) in numpy alone.

Spearman's correlation and the tie handling of factor arrays need them; computing them here keeps
``scipy.stats`` (half a second to import) off every command's start. The result equals
``scipy.stats.rankdata(values, method="average", axis=axis)`` exactly: each rank is a whole or
half number, with no rounding.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def average_ranks(values: npt.ArrayLike, axis: int = 0) -> FloatArray:
    """Rank ``values`` from 1 along ``axis``; tied values get the mean of the ranks they span.

    Parameters
    ----------
    values : array_like, shape (N,) or (N, n)
        The numbers to rank (a vector, or one column per sort with ``axis=0``).
    axis : int
        The axis along which to rank (0 or -1 for a vector).

    Returns
    -------
    ndarray of float, same shape as ``values``
    """
    data = np.moveaxis(np.asarray(values, dtype=np.float64), axis, 0)
    flat = data.reshape(data.shape[0], -1)
    order = np.argsort(flat, axis=0, kind="stable")
    ordered = np.take_along_axis(flat, order, axis=0)
    size = flat.shape[0]
    positions = np.broadcast_to(np.arange(size)[:, None], flat.shape)
    new_run = np.ones(flat.shape, dtype=bool)
    new_run[1:] = ordered[1:] != ordered[:-1]
    run_start = np.maximum.accumulate(np.where(new_run, positions, 0), axis=0)
    run_end_flags = np.ones(flat.shape, dtype=bool)
    run_end_flags[:-1] = new_run[1:]
    reversed_end = np.where(run_end_flags, positions, size - 1)[::-1]
    run_end = np.minimum.accumulate(reversed_end, axis=0)[::-1]
    ranks = np.empty(flat.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, (run_start + run_end) / 2.0 + 1.0, axis=0)
    return np.moveaxis(ranks.reshape(data.shape), 0, axis)
