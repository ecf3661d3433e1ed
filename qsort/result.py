"""The immutable result of an analysis and its JSON form.

Arrays in a result are read-only. A factor without defining sorts is kept (with its loadings and
flags) but has no z-scores, array or ranks: those fields are None, and the JSON shows null.
No NaN is ever stored: undefined quantities are None.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np
import orjson
from numpy.typing import NDArray

from qsort.characteristics import Characteristics
from qsort.correlation import Correlations
from qsort.errors import Notice
from qsort.options import Options
from qsort.profiles import Profile
from qsort.statements import CribSheet, Marked, PairDifference, QdcRow, pairs, qdc_name
from qsort.study import Statement, Study

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Factor:
    """Everything computed for one factor.

    Attributes
    ----------
    name : str
        ``F1``, ``F2``, ...; the halves of a split bipolar factor are ``F2a`` and ``F2b``.
    weights : ndarray, shape (n_sorts,)
        Factor weights (zero for sorts that do not define it).
    zscores, array, ranks : ndarray, shape (N,), or None
        Statement z-scores, factor array on the grid, and rank (1 = highest z); None when the
        factor has no defining sort.
    characteristics : Characteristics
    distinguishing : tuple of Marked
        Its distinguishing statements with p = 0.01 or 0.05.
    crib : CribSheet or None
    """

    name: str
    weights: FloatArray
    zscores: FloatArray | None
    array: IntArray | None
    ranks: IntArray | None
    characteristics: Characteristics
    distinguishing: tuple[Marked, ...]
    crib: CribSheet | None

    @property
    def defined(self) -> bool:
        """True when the factor has z-scores (at least one defining sort)."""
        return self.zscores is not None


class _NamedFactors:
    """What a result and its per-statement part both say of their factors."""

    factors: tuple[Factor, ...]

    @property
    def factor_names(self) -> tuple[str, ...]:
        """Names of all factors, in order."""
        return tuple(f.name for f in self.factors)

    @property
    def defined(self) -> tuple[Factor, ...]:
        """The factors that have z-scores, in order."""
        return tuple(f for f in self.factors if f.defined)


@dataclass(frozen=True)
class AnalysisResult(_NamedFactors):
    """A complete by-person factor analysis of a study.

    Attributes
    ----------
    study : Study
    options : Options
        Everything needed to reproduce this result.
    profile : Profile
    correlations : Correlations
        The correlations between sorts (``.matrix()`` forms the n x n matrix on demand).
    correlation_eigenvalues : ndarray, shape (n_sorts,)
        Every eigenvalue of the correlation matrix, descending.
    unrotated : ndarray, shape (n_sorts, k)
        Loadings as extracted.
    unrotated_eigenvalues : ndarray, shape (k,)
        Column sums of squares of the unrotated loadings.
    loadings : ndarray, shape (n_sorts, f)
        Final loadings after rotation, judgmental steps, inversions and bipolar splits.
    flags : ndarray of bool, shape (n_sorts, f)
    factors : tuple of Factor
    score_correlations : ndarray, shape (d, d)
        Correlations between the z-scores of the d defined factors.
    sed : ndarray, shape (d, d)
        Standard errors of differences between defined factors (diagonal: within factors).
    consensus : tuple of Marked
    differences : dict of (str, str) to tuple of PairDifference
        Descending array of differences for each pair of defined factors.
    disagreement : tuple of (int, float)
        Statements ordered from consensus to disagreement, with their variance across factors.
    qdc : tuple of QdcRow or None
        qmethod's table (qmethod profile only).
    rotation_iterations : int or None
        Iterations of the automatic rotation; None for a result read back from JSON written
        before the JSON held them.
    notices : tuple of Notice
    factor_correlations : ndarray, shape (f, f), or None
        After an oblique rotation, the correlations between the factors (phi), carried through
        judgmental steps, inversions and splits; None when the factors are orthogonal.
    """

    study: Study
    options: Options
    profile: Profile
    correlations: Correlations
    correlation_eigenvalues: FloatArray
    unrotated: FloatArray
    unrotated_eigenvalues: FloatArray
    loadings: FloatArray
    flags: NDArray[np.bool_]
    factors: tuple[Factor, ...]
    score_correlations: FloatArray
    sed: FloatArray
    consensus: tuple[Marked, ...]
    differences: dict[tuple[str, str], tuple[PairDifference, ...]]
    disagreement: tuple[tuple[int, float], ...]
    qdc: tuple[QdcRow, ...] | None
    rotation_iterations: int | None
    notices: tuple[Notice, ...]
    factor_correlations: FloatArray | None = None

    @property
    def zscores(self) -> FloatArray:
        """z-scores of the defined factors, shape (N, d)."""
        return _stack([f.zscores for f in self.defined], self.study.n_statements)

    @property
    def arrays(self) -> IntArray:
        """Factor arrays of the defined factors, shape (N, d)."""
        return _stack([f.array for f in self.defined], self.study.n_statements).astype(np.int64)

    @property
    def qdc_pairs(self) -> tuple[str, ...]:
        """Names of qdc's pair columns in qmethod's order, e.g. ``("f1_f2", "f1_f3", ...)``."""
        labels = qdc_names(self)
        return tuple(f"{labels[a]}_{labels[b]}" for a, b in pairs(len(labels)))

    @property
    def statement_tables(self) -> StatementTables:
        """The per-statement part of the result (what the per-statement downloads are from)."""
        return StatementTables(self.study.statements, self.factors, self.consensus)

    @classmethod
    def from_dict(cls, data: dict[str, Any], study: Study) -> AnalysisResult:
        """The result whose :meth:`to_dict` is ``data``, for the ``study`` it was computed on.

        See :func:`qsort.result_json.result_from_dict` (the JSON holds neither the sorts nor the
        statements' texts, so the study is given).
        """
        from qsort.result_json import result_from_dict

        return result_from_dict(data, study)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready values (lists, numbers, strings, booleans and null).

        Returns
        -------
        dict
            See :func:`result_to_dict`.
        """
        return result_to_dict(self)

    def write_json(self, path: str | os.PathLike[str]) -> None:
        """Write the JSON form (:meth:`to_dict`) compactly to ``path``, streamed.

        The per-sort tables (loadings, flags, weights, eigenvalues of R) go out in blocks of
        rows, formatted by orjson from the arrays themselves; they are never turned into Python
        lists, so memory stays near that of the result at any number of sorts. Numbers are
        written in their shortest form that reads back to the same float.

        Parameters
        ----------
        path : str or path
            The file to write (UTF-8, ending with a newline).
        """
        with open(path, "wb") as out:
            _write_value(result_to_dict(self, arrays=True), out)
            out.write(b"\n")


@dataclass(frozen=True)
class StatementTables(_NamedFactors):
    """The per-statement part of a result: statements, factors and consensus statements.

    What the per-statement outputs (factor arrays, z-scores, distinguishing and consensus
    statements, factor characteristics) are drawn from. It needs no sorts, so it can be read
    back from a result's JSON and the statements' texts alone, at any number of sorts
    (:func:`qsort.result_json.statement_tables_from_dict`).

    Attributes
    ----------
    statements : tuple of Statement
    factors : tuple of Factor
    consensus : tuple of Marked
    """

    statements: tuple[Statement, ...]
    factors: tuple[Factor, ...]
    consensus: tuple[Marked, ...]


def qdc_names(result: AnalysisResult) -> tuple[str, ...]:
    """qmethod's names of the defined factors (``f1``, ``f2``; ``f2a`` for half of a split).

    Parameters
    ----------
    result : AnalysisResult

    Returns
    -------
    tuple of str
        One name per defined factor, in order.
    """
    return tuple(qdc_name(f.name) for f in result.factors if f.defined)


def _stack(columns: list[Any], rows: int) -> FloatArray:
    if not columns:
        return np.zeros((rows, 0))
    return np.column_stack(columns)


def _rounded(values: Any, arrays: bool = False) -> Any:
    """Convert numpy values to plain Python, keeping full float precision (arrays kept as
    they are when ``arrays``, for :func:`_write_value`)."""
    if isinstance(values, np.ndarray):
        return values if arrays else values.tolist()
    if isinstance(values, np.generic):
        return values.item()
    return values


def _per_statement(result: AnalysisResult, attribute: str) -> list[list[Any]]:
    columns = [getattr(f, attribute) for f in result.factors]
    return [
        [None if col is None else _rounded(col[i]) for col in columns]
        for i in range(result.study.n_statements)
    ]


def _characteristics(result: AnalysisResult) -> dict[str, dict[str, Any]]:
    return {
        f.name: {
            "defining_sorts": f.characteristics.n_defining,
            "average_reliability": f.characteristics.average_reliability,
            "composite_reliability": f.characteristics.composite_reliability,
            "se": f.characteristics.se,
            "eigenvalue": f.characteristics.eigenvalue,
            "explained_variance": f.characteristics.explained_variance,
        }
        for f in result.factors
    }


def _marked(result: AnalysisResult, items: tuple[Marked, ...]) -> list[dict[str, Any]]:
    ids = result.study.statement_ids
    return [{"statement": ids[m.statement], "p": m.p} for m in items]


def _qdc(result: AnalysisResult) -> list[dict[str, Any]] | None:
    if result.qdc is None:
        return None
    ids = result.study.statement_ids
    names = result.qdc_pairs
    return [
        {
            "statement": ids[i],
            "label": row.label,
            "differences": dict(zip(names, row.differences, strict=True)),
            "stars": dict(zip(names, row.stars, strict=True)),
        }
        for i, row in enumerate(result.qdc)
    ]


def result_to_dict(result: AnalysisResult, arrays: bool = False) -> dict[str, Any]:
    """Build the JSON form of a result (see docs/analysis-json.md for every key).

    Parameters
    ----------
    result : AnalysisResult
    arrays : bool
        Leave the per-sort tables as numpy arrays (for the streamed writer) instead of lists.

    Returns
    -------
    dict
        JSON-ready values (lists, numbers, strings, booleans and null), keys in the documented
        order: the study, the loadings, the scores, the comparisons, the warnings, and ``qdc``
        only when the profile computes that table.
    """
    data: dict[str, Any] = {
        **_study_part(result),
        **_loadings_part(result, arrays),
        **_scores_part(result),
        **_comparisons_part(result),
        "warnings": [{"code": n.code, "message": n.message} for n in result.notices],
    }
    qdc = _qdc(result)
    if qdc is not None:
        data["qdc"] = qdc
    return data


def _study_part(result: AnalysisResult) -> dict[str, Any]:
    """What was analysed and how: format, profile, options, grid, and the names of things."""
    study = result.study
    return {
        "format": "qsort-analysis",
        "version": 1,
        "profile": result.profile.name,
        "options": result.options.to_dict(),
        "title": study.title,
        "grid": {
            "values": list(study.grid.values),
            "capacities": list(study.grid.capacities),
            "forced": study.grid.forced,
        },
        "sorts": list(study.sort_names),
        "statements": list(study.statement_ids),
        "factors": list(result.factor_names),
    }


def _loadings_part(result: AnalysisResult, arrays: bool) -> dict[str, Any]:
    """Eigenvalues, unrotated and final loadings, flags, and each sort's weight per factor."""
    unrotated = result.unrotated_eigenvalues
    return {
        "eigenvalues": [f.characteristics.eigenvalue for f in result.factors],
        "explained_variance": [f.characteristics.explained_variance for f in result.factors],
        "correlation_eigenvalues": _rounded(result.correlation_eigenvalues, arrays),
        "unrotated": {
            "loadings": _rounded(result.unrotated, arrays),
            "eigenvalues": _rounded(unrotated),
            "explained_variance": _rounded(100.0 * unrotated / result.study.n_sorts),
        },
        "loadings": _rounded(result.loadings, arrays),
        "factor_correlations": None
        if result.factor_correlations is None
        else _rounded(result.factor_correlations),
        "rotation_iterations": result.rotation_iterations,
        "flags": _rounded(result.flags, arrays),
        "weights": _rounded(np.column_stack([f.weights for f in result.factors]), arrays),
    }


_ROWS_PER_WRITE = 1 << 14
"""Rows of a per-sort table formatted at once by :func:`_write_array` (about 2 MB of text)."""


def _write_value(value: Any, out: BinaryIO) -> None:
    """Write ``value`` as compact JSON; dicts member by member, numpy arrays streamed."""
    if isinstance(value, np.ndarray):
        _write_array(value, out)
    elif isinstance(value, dict):
        out.write(b"{")
        for i, (key, item) in enumerate(value.items()):
            out.write(b"," if i else b"")
            out.write(json.dumps(key).encode() + b":")
            _write_value(item, out)
        out.write(b"}")
    else:
        out.write(json.dumps(value, separators=(",", ":")).encode())


def _write_array(values: NDArray[Any], out: BinaryIO) -> None:
    """A numeric or boolean array as nested JSON lists, in blocks of rows."""
    out.write(b"[")
    for first in range(0, values.shape[0], _ROWS_PER_WRITE):
        block = np.ascontiguousarray(values[first : first + _ROWS_PER_WRITE])
        out.write(b"," if first else b"")
        out.write(orjson.dumps(block, option=orjson.OPT_SERIALIZE_NUMPY)[1:-1])
    out.write(b"]")


def _scores_part(result: AnalysisResult) -> dict[str, Any]:
    """Per-statement z-scores, arrays and ranks (one column per factor) and characteristics."""
    return {
        "zscores": _per_statement(result, "zscores"),
        "arrays": _per_statement(result, "array"),
        "ranks": _per_statement(result, "ranks"),
        "characteristics": _characteristics(result),
    }


def _comparisons_part(result: AnalysisResult) -> dict[str, Any]:
    """The tables that compare factors, statements named by id."""
    ids = result.study.statement_ids
    defined_names = [f.name for f in result.defined]
    return {
        "score_correlations": {
            "factors": defined_names,
            "matrix": _rounded(result.score_correlations),
        },
        "sed": {"factors": defined_names, "matrix": _rounded(result.sed)},
        "distinguishing": {f.name: _marked(result, f.distinguishing) for f in result.factors},
        "consensus": _marked(result, result.consensus),
        "differences": {
            f"{a}-{b}": [{"statement": ids[d.statement], "difference": d.difference} for d in rows]
            for (a, b), rows in result.differences.items()
        },
        "consensus_disagreement": [
            {"statement": ids[i], "variance": v} for i, v in result.disagreement
        ],
        "crib_sheets": {f.name: _crib(ids, f.crib) for f in result.factors if f.crib is not None},
    }


def _crib(ids: tuple[str, ...], crib: CribSheet) -> dict[str, list[str]]:
    """A crib sheet's four parts, statements named by id."""
    parts = ("highest", "higher", "lower", "lowest")
    return {part: [ids[i] for i in getattr(crib, part)] for part in parts}
