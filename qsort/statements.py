"""Distinguishing and consensus statements and the other per-statement tables (spec A.9).

A difference between factors a and b on statement i is significant at level p when
``|z_ia - z_ib|`` exceeds ``c_p * SED_ab`` (strictly in qmethod, or equal too in PQMethod/KADE).

* Distinguishing statements of factor a (PQMethod's rule): the difference is significant against
  every other factor; marked p < .01 when it is at that level against all of them, else p < .05.
* Consensus statements: no pair of factors differs significantly at the profile's consensus level
  (PQMethod: p < .01, marked .05 when no pair differs at p < .05 either; qmethod: p < .05).
* qmethod's ``qdc`` table: each pair's difference with stars, and one label per statement.
* Descending arrays of differences, the consensus-vs-disagreement order (population variance of
  the z-scores across factors, ascending) and crib-sheet lists.

Every function here works on the *defined* factors only (those with z-scores).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

from qsort.profiles import Profile

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Marked:
    """A statement (0-based index) with the p level attached to it in a list."""

    statement: int
    p: float


@dataclass(frozen=True)
class PairDifference:
    """One row of a descending array of differences: ``z_a - z_b`` for a statement."""

    statement: int
    difference: float


@dataclass(frozen=True)
class QdcRow:
    """qmethod's qdc row for one statement: its label and, per factor pair, difference and stars."""

    label: str
    differences: tuple[float, ...]
    stars: tuple[str, ...]


@dataclass(frozen=True)
class CribSheet:
    """Statements to read first when interpreting a factor (0-based statement indices).

    ``highest`` and ``lowest`` hold the statements in the top and bottom columns of the factor
    array. ``higher`` holds the statements this factor places on the positive side (0 or more)
    and at least as high as any other factor does; ``lower`` those on the negative side (0 or
    less) and at least as low as any other factor does (KADE's crib-sheet rule: ties count).
    """

    highest: tuple[int, ...]
    higher: tuple[int, ...]
    lower: tuple[int, ...]
    lowest: tuple[int, ...]


def significant(
    difference: FloatArray, bound: float | FloatArray, profile: Profile
) -> NDArray[np.bool_]:
    """Whether ``|difference|`` passes ``bound`` under the profile's comparison (>= or >).

    Parameters
    ----------
    difference : ndarray, shape (N,) or (N, n_pairs)
        Differences of z-scores.
    bound : float or ndarray broadcastable to ``difference``
        Critical value times the standard error of each difference.
    profile : Profile
        ``significance`` says ``"ge"`` (PQMethod) or ``"gt"`` (qmethod).

    Returns
    -------
    ndarray of bool, the shape of ``difference``
    """
    size = np.abs(difference)
    return np.asarray(size >= bound if profile.significance == "ge" else size > bound)


def pairs(count: int) -> list[tuple[int, int]]:
    """Factor pairs in qmethod's and PQMethod's order: (0,1), (0,2), ..., (1,2), ...

    Parameters
    ----------
    count : int
        Number of defined factors, d.

    Returns
    -------
    list of (int, int)
        The d(d-1)/2 pairs ``(a, b)`` with ``a < b``, 0-based.
    """
    return list(combinations(range(count), 2))


def pair_significance(
    zscores: FloatArray, sed: FloatArray, critical: float, profile: Profile
) -> NDArray[np.bool_]:
    """Significance of every pair's difference, shape (N, n_pairs), in :func:`pairs` order.

    Parameters
    ----------
    zscores : ndarray, shape (N, d)
        One column of z-scores per defined factor.
    sed : ndarray, shape (d, d)
        Standard errors of differences.
    critical : float
        Critical z, for example the profile's ``critical_05``.
    profile : Profile
        Whose comparison (>= or >) to use.

    Returns
    -------
    ndarray of bool, shape (N, d(d-1)/2)
    """
    columns = [
        significant(zscores[:, a] - zscores[:, b], critical * sed[a, b], profile)
        for a, b in pairs(zscores.shape[1])
    ]
    return np.column_stack(columns) if columns else np.zeros((zscores.shape[0], 0), bool)


def distinguishing(
    zscores: FloatArray, sed: FloatArray, profile: Profile
) -> tuple[tuple[Marked, ...], ...]:
    """Distinguishing statements of each defined factor, with p = 0.01 or 0.05.

    Parameters
    ----------
    zscores : ndarray, shape (N, d)
        z-scores of the d defined factors.
    sed : ndarray, shape (d, d)
        Standard errors of differences.
    profile : Profile

    Returns
    -------
    tuple of tuple of Marked
        One tuple per defined factor (column of ``zscores``), statements in number order.
    """
    count = zscores.shape[1]
    result: list[tuple[Marked, ...]] = []
    for a in range(count):
        others = [b for b in range(count) if b != a]
        if not others:
            result.append(())
            continue
        diffs = zscores[:, [a]] - zscores[:, others]
        bounds = sed[a, others]
        at01 = _all_columns(significant(diffs, profile.critical_01 * bounds, profile))
        at05 = _all_columns(significant(diffs, profile.critical_05 * bounds, profile))
        marked = [
            Marked(i, 0.01 if at01[i] else 0.05) for i in np.flatnonzero(at05 | at01).tolist()
        ]
        result.append(tuple(marked))
    return tuple(result)


def consensus(zscores: FloatArray, sed: FloatArray, profile: Profile) -> tuple[Marked, ...]:
    """Consensus statements: no pair of defined factors differs at the profile's level.

    In the PQMethod profile every statement with no pair significant at p < .01 is listed, with
    ``p = 0.05`` when no pair is significant at p < .05 either (PQMethod's asterisk) and
    ``p = 0.01`` otherwise. In the qmethod profile only the p < .05 set is listed.

    Parameters
    ----------
    zscores : ndarray, shape (N, d)
        One column of z-scores per defined factor.
    sed : ndarray, shape (d, d)
        Standard errors of differences (:func:`~qsort.characteristics.sed_matrix`).
    profile : Profile
        Whose critical values and comparison (>= or >) to use.

    Returns
    -------
    tuple of Marked
        Empty for fewer than two factors.
    """
    if zscores.shape[1] < 2:
        return ()
    any05 = ~_all_columns(~pair_significance(zscores, sed, profile.critical_05, profile))
    any01 = ~_all_columns(~pair_significance(zscores, sed, profile.critical_01, profile))
    listed = ~any01 if profile.consensus_level == 0.01 else ~any05
    return tuple(Marked(i, 0.05 if not any05[i] else 0.01) for i in np.flatnonzero(listed).tolist())


def qdc_name(factor_name: str) -> str:
    """qmethod's spelling of a factor's name in qdc tables and labels: ``F2`` becomes ``f2``.

    Parameters
    ----------
    factor_name : str
        Our name, such as ``F2`` or ``F2a``.

    Returns
    -------
    str
    """
    return factor_name.lower()


def qdc_table(
    zscores: FloatArray, sed: FloatArray, profile: Profile, names: tuple[str, ...]
) -> tuple[QdcRow, ...]:
    """qmethod's ``qdc``: differences, stars and the distinguishing/consensus label.

    Parameters
    ----------
    zscores : ndarray, shape (N, d)
    sed : ndarray, shape (d, d)
    profile : Profile
        Supplies the star levels (qmethod 1.8.4: 1.96, 2.576, 3.291, 4.8916).
    names : tuple of str
        The label names of the d factors, e.g. ``("f1", "f2", "f3")``.

    Returns
    -------
    tuple of QdcRow
        One row per statement, in statement order.
    """
    pair_list = pairs(zscores.shape[1])
    diffs = np.column_stack([zscores[:, a] - zscores[:, b] for a, b in pair_list])
    bounds = np.array([sed[a, b] for a, b in pair_list])
    stars = np.full(diffs.shape, "", dtype=object)
    for critical, mark in profile.qdc_stars:
        stars[significant(diffs, critical * bounds, profile)] = mark
    sig = stars != ""
    return tuple(
        QdcRow(
            _qdc_label(sig[i], pair_list, names),
            tuple(float(x) for x in diffs[i]),
            tuple(str(s) for s in stars[i]),
        )
        for i in range(diffs.shape[0])
    )


def _qdc_label(
    sig: NDArray[np.bool_], pair_list: list[tuple[int, int]], names: tuple[str, ...]
) -> str:
    """qmethod's label for one statement from which pairs are significant at p < .05."""
    if not sig.any():
        return "Consensus"
    if len(pair_list) == 1:
        return "Distinguishing"
    if sig.all():
        return "Distinguishes all"
    label = ""
    for k, name in enumerate(names):
        with_k = np.array([k in pair for pair in pair_list])
        if not sig[with_k].all():
            continue
        if not sig[~with_k].any():
            return f"Distinguishes {name} only"
        label += f"Distinguishes {name} "
    return label


def descending_differences(zscores: FloatArray, a: int, b: int) -> tuple[PairDifference, ...]:
    """``z_a - z_b`` for every statement, largest first (ties by statement number).

    Parameters
    ----------
    zscores : ndarray, shape (N, d)
        One column of z-scores per defined factor.
    a, b : int
        0-based columns of the two factors compared.

    Returns
    -------
    tuple of PairDifference
        N entries, by difference descending.
    """
    diff = zscores[:, a] - zscores[:, b]
    order = np.lexsort((np.arange(diff.size), -diff))
    return tuple(PairDifference(int(i), float(diff[i])) for i in order)


def disagreement_order(zscores: FloatArray) -> tuple[tuple[int, float], ...]:
    """Statements from most consensual to most disputed: population variance of z, ascending.

    Parameters
    ----------
    zscores : ndarray, shape (N, d)
        One column of z-scores per defined factor.

    Returns
    -------
    tuple of (int, float)
        N pairs (0-based statement, variance), variance ascending; ties (to 12 decimals) by
        statement number.
    """
    variance = zscores.var(axis=1)
    order = np.lexsort((np.arange(variance.size), np.round(variance, 12)))
    return tuple((int(i), float(variance[i])) for i in order)


def crib_sheets(arrays: IntArray) -> tuple[CribSheet, ...]:
    """Crib-sheet lists of each defined factor (see :class:`CribSheet`).

    Parameters
    ----------
    arrays : ndarray of int, shape (N, d)
        Factor arrays of the d defined factors.

    Returns
    -------
    tuple of CribSheet
        One per defined factor; ``higher`` and ``lower`` are empty when there is only one.
    """
    top, bottom = arrays.max(axis=1), arrays.min(axis=1)
    several = arrays.shape[1] > 1
    sheets: list[CribSheet] = []
    for k in range(arrays.shape[1]):
        own = arrays[:, k]
        sheets.append(
            CribSheet(
                highest=_indices(own == own.max()),
                higher=_indices((own >= 0) & (own == top)) if several else (),
                lower=_indices((own <= 0) & (own == bottom)) if several else (),
                lowest=_indices(own == own.min()),
            )
        )
    return tuple(sheets)


def _all_columns(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Rows where every column is True (False for a table with no columns)."""
    if mask.shape[1] == 0:
        return np.zeros(mask.shape[0], dtype=bool)
    return np.asarray(mask.all(axis=1), dtype=bool)


def _indices(mask: NDArray[np.bool_]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.flatnonzero(mask))
