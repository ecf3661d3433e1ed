"""Input checks shared by the rotation and flagging steps (validation apart from the algorithms)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qsort.errors import OptionError


def is_whole(value: object) -> bool:
    """True for an int or numpy integer that is not a boolean."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def as_loadings(loadings: ArrayLike) -> NDArray[np.float64]:
    """Return a float64 copy of a finite, non-empty 2-D loadings matrix (sorts x factors).

    Raises
    ------
    OptionError
        Naming what was expected and what was found.
    """
    try:
        array = np.array(loadings, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise OptionError(f"loadings: expected a numeric matrix, found {error}") from None
    if array.ndim != 2 or 0 in array.shape:
        raise OptionError(
            "loadings: expected a matrix with one row per sort and one column per factor, "
            f"found shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise OptionError("loadings: expected finite numbers, found NaN or infinity")
    return array
