"""A result read back from its JSON form (``AnalysisResult.to_dict``, ``qsort analyze --json``).

The JSON holds every number of a result but neither the sorts nor the statements' texts, so
:func:`result_from_dict` takes the study the result was computed on, checked against the JSON by
its statement ids, sort names and grid; the correlations are formed again from the sorts as the
engine forms them (in factor form, never the n x n matrix). The per-statement part of a result
needs no sorts: :func:`statement_tables_from_dict` reads it from the JSON and the statements
alone, at any number of sorts.

Numbers come back exactly: the JSON keeps each float in its shortest form that reads back to the
same bits, so ``result_from_dict(r.to_dict(), r.study).to_dict() == r.to_dict()`` and reports
written from either are the same bytes. Arrays come back read-only, as the engine gives them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qsort.characteristics import Characteristics
from qsort.correlation import correlate
from qsort.errors import FormatError, Notice, QsortError
from qsort.options import Options
from qsort.profiles import get_profile
from qsort.result import AnalysisResult, Factor, StatementTables
from qsort.statements import CribSheet, Marked, PairDifference, QdcRow
from qsort.study import Statement, Study

#: The ``format`` and ``version`` a result's JSON carries.
FORMAT, VERSION = "qsort-analysis", 1
#: A crib sheet's parts, in :class:`~qsort.statements.CribSheet`'s order.
CRIB_PARTS = ("highest", "higher", "lower", "lowest")

Index = dict[str, int]
"""Statement positions by id."""


def result_from_dict(data: dict[str, Any], study: Study) -> AnalysisResult:
    """The result whose JSON form is ``data``, computed on ``study``.

    Parameters
    ----------
    data : dict
        As :meth:`AnalysisResult.to_dict` returns it (or ``json.loads`` of the file).
    study : Study
        The study the result was computed on: same statement ids, sort names and grid. Its
        title is replaced by the JSON's when they differ (a study renamed since).

    Returns
    -------
    AnalysisResult

    Raises
    ------
    FormatError
        When ``data`` is not a result's JSON form, or is the result of other sorts.
    """
    try:
        return _result(data, _matching(study, data))
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise _malformed(exc) from None


def statement_tables_from_dict(
    data: dict[str, Any], statements: Sequence[Statement]
) -> StatementTables:
    """The per-statement part of the result whose JSON form is ``data``.

    Parameters
    ----------
    data : dict
        As :meth:`AnalysisResult.to_dict` returns it.
    statements : sequence of Statement
        The statements with their texts, ids in the JSON's order.

    Returns
    -------
    StatementTables
        Equal to ``result.statement_tables`` of the result ``data`` was written from.

    Raises
    ------
    FormatError
        When ``data`` is not a result's JSON form, or names other statements.
    """
    try:
        _check_header(data)
        _check_same("statements", data["statements"], [s.id for s in statements])
        index = _index(data["statements"])
        return StatementTables(
            tuple(statements), _factors(data, index), _marks(data["consensus"], index)
        )
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise _malformed(exc) from None


def _malformed(exc: Exception) -> FormatError:
    """A fault met while reading, as the refusal that says what was expected."""
    what = f"no key {exc}" if isinstance(exc, KeyError) else str(exc)
    return FormatError(f"result JSON: expected qsort analyze --json's form, found {what}")


def _check_header(data: dict[str, Any]) -> None:
    found = (data.get("format"), data.get("version"))
    if found != (FORMAT, VERSION):
        raise FormatError(
            f"result JSON: expected format {FORMAT!r} version {VERSION}, found {found[0]!r} "
            f"version {found[1]!r}"
        )


def _check_same(what: str, in_json: Any, in_study: Any) -> None:
    if in_json != in_study:
        raise FormatError(
            f"result JSON: its {what} are not the study's; expected the study the result was "
            "computed on"
        )


def _matching(study: Study, data: dict[str, Any]) -> Study:
    """The study, checked against the JSON (its title taken from the JSON)."""
    _check_header(data)
    _check_same("statements", data["statements"], list(study.statement_ids))
    _check_same("sorts", data["sorts"], list(study.sort_names))
    grid = study.grid
    shape = {"values": list(grid.values), "capacities": list(grid.capacities)}
    _check_same("grid", data["grid"], {**shape, "forced": grid.forced})
    return study if data["title"] == study.title else replace(study, title=data["title"])


def _result(data: dict[str, Any], study: Study) -> AnalysisResult:
    """Every field of the result from ``data`` (already checked against ``study``)."""
    try:
        options = Options.from_dict(data["options"])
    except QsortError as exc:
        raise FormatError(f"result JSON: its options are not valid ({exc})") from None
    index = _index(data["statements"])
    factors = _factors(data, index)
    phi = data["factor_correlations"]
    return AnalysisResult(
        study=study,
        options=options,
        profile=get_profile(data["profile"]),
        correlations=correlate(study.sorts, options.correlation),
        correlation_eigenvalues=_floats(data["correlation_eigenvalues"]),
        unrotated=_floats(data["unrotated"]["loadings"], (study.n_sorts, -1)),
        unrotated_eigenvalues=_floats(data["unrotated"]["eigenvalues"]),
        loadings=_floats(data["loadings"], (study.n_sorts, len(factors))),
        flags=_frozen(np.asarray(data["flags"], dtype=bool).reshape(study.n_sorts, -1)),
        factors=factors,
        rotation_iterations=data.get("rotation_iterations"),
        notices=tuple(Notice(w["code"], w["message"]) for w in data["warnings"]),
        factor_correlations=None if phi is None else _floats(phi, (len(factors), -1)),
        **_comparisons(data, index),
    )


def _comparisons(data: dict[str, Any], index: Index) -> dict[str, Any]:
    """The tables that compare the defined factors, keyed as :class:`AnalysisResult` fields."""
    d = len(data["sed"]["factors"])
    return {
        "score_correlations": _floats(data["score_correlations"]["matrix"], (d, d)),
        "sed": _floats(data["sed"]["matrix"], (d, d)),
        "consensus": _marks(data["consensus"], index),
        "differences": {
            tuple(pair.split("-", 1)): tuple(
                PairDifference(index[row["statement"]], row["difference"]) for row in rows
            )
            for pair, rows in data["differences"].items()
        },
        "disagreement": tuple(
            (index[row["statement"]], row["variance"]) for row in data["consensus_disagreement"]
        ),
        "qdc": _qdc(data.get("qdc")),
    }


def _factors(data: dict[str, Any], index: Index) -> tuple[Factor, ...]:
    """Every factor, defined or not, with its weights, scores and marked statements."""
    names = data["factors"]
    weights = np.asarray(data["weights"], dtype=np.float64).reshape(-1, len(names))
    return tuple(
        Factor(
            name=name,
            weights=_frozen(weights[:, k].copy()),
            zscores=_column(data["zscores"], k, np.float64),
            array=_column(data["arrays"], k, np.int64),
            ranks=_column(data["ranks"], k, np.int64),
            characteristics=_characteristics(data["characteristics"][name]),
            distinguishing=_marks(data["distinguishing"][name], index),
            crib=_crib(data["crib_sheets"].get(name), index),
        )
        for k, name in enumerate(names)
    )


def _characteristics(data: dict[str, Any]) -> Characteristics:
    return Characteristics(
        n_defining=data["defining_sorts"],
        average_reliability=data["average_reliability"],
        composite_reliability=data["composite_reliability"],
        se=data["se"],
        eigenvalue=data["eigenvalue"],
        explained_variance=data["explained_variance"],
    )


def _crib(data: dict[str, list[str]] | None, index: Index) -> CribSheet | None:
    if data is None:
        return None
    parts = (tuple(index[s] for s in data[part]) for part in CRIB_PARTS)
    return CribSheet(*parts)


def _marks(rows: list[dict[str, Any]], index: Index) -> tuple[Marked, ...]:
    return tuple(Marked(index[row["statement"]], row["p"]) for row in rows)


def _qdc(rows: list[dict[str, Any]] | None) -> tuple[QdcRow, ...] | None:
    if rows is None:
        return None
    return tuple(
        QdcRow(row["label"], tuple(row["differences"].values()), tuple(row["stars"].values()))
        for row in rows
    )


def _index(ids: list[str]) -> Index:
    return {statement: i for i, statement in enumerate(ids)}


def _column(rows: list[list[Any]], k: int, dtype: type[np.generic]) -> NDArray[Any] | None:
    """Column ``k`` of a per-statement table, or None for an undefined factor's nulls."""
    values = [row[k] for row in rows]
    if any(value is None for value in values):
        return None
    return _frozen(np.asarray(values, dtype=dtype))


def _floats(values: Any, shape: tuple[int, ...] | None = None) -> NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64)
    return _frozen(array if shape is None else array.reshape(shape))


def _frozen(values: NDArray[Any]) -> NDArray[Any]:
    values.setflags(write=False)
    return values
