"""Input checks shared by the analysis steps (validation apart from the algorithms).

Every check raises :class:`~qsort.errors.OptionError` with a message that names what was
expected and what was found, so that each step words its refusals the same way.
"""

from __future__ import annotations

from typing import Any, TypeGuard

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qsort.errors import OptionError


def is_whole(value: object) -> TypeGuard[int | np.integer[Any]]:
    """True for an int or numpy integer that is not a boolean.

    Parameters
    ----------
    value : object

    Returns
    -------
    bool
        Also tells the type checker that ``value`` is an integer.
    """
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def check_count(what: str, value: object, least: int) -> int:
    """Return ``value`` as an int if it is a whole number of at least ``least``.

    The one validator for counts (factors, iterations, cycles, statements) and seeds, so that
    every step refuses a boolean, a float or a number below its floor in the same words.

    Parameters
    ----------
    what : str
        Name of the value, the start of the message (for example ``"max_iterations"``).
    value : object
        The value given; an int or numpy integer, not a boolean.
    least : int
        Smallest value accepted.

    Returns
    -------
    int
        ``value`` as a Python int.

    Raises
    ------
    OptionError
        ``"<what>: expected a positive integer, found <value>"`` when ``least`` is 1,
        otherwise ``"<what>: expected a whole number of at least <least>, found <value>"``.
    """
    if not is_whole(value) or value < least:
        wanted = "a positive integer" if least == 1 else f"a whole number of at least {least}"
        raise OptionError(f"{what}: expected {wanted}, found {value!r}")
    return int(value)


def as_loadings(loadings: ArrayLike) -> NDArray[np.float64]:
    """Return a float64 copy of a finite, non-empty 2-D loadings matrix (sorts x factors).

    Parameters
    ----------
    loadings : array_like, shape (n, k)

    Returns
    -------
    ndarray, shape (n, k)
        A new array.

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


def as_flags(flags: ArrayLike, shape: tuple[int, ...] | None = None) -> NDArray[np.bool_]:
    """Return a copy of a boolean flags matrix (sorts x factors), checked against ``shape``.

    Parameters
    ----------
    flags : array_like of bool, shape (n, k)
        True where a sort is flagged on a factor.
    shape : tuple of int, optional
        The loadings' shape the flags must have; any 2-D shape when None.

    Returns
    -------
    ndarray of bool, shape (n, k)
        A new array; the input is not changed.

    Raises
    ------
    OptionError
        For flags that are not a 2-D boolean matrix or not of ``shape``.
    """
    array = np.asarray(flags)
    if array.dtype != np.bool_ or array.ndim != 2:
        raise OptionError(
            "flags: expected booleans, one per sort and factor (a boolean matrix), "
            f"found {array.ndim}-D of dtype {array.dtype}"
        )
    if shape is not None and array.shape != shape:
        raise OptionError(f"flags: expected the loadings' shape {shape}, found {array.shape}")
    return array.copy()
