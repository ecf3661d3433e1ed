"""Two participant groups compared: which viewpoints they share, and where those differ.

Each group (for example service users and workers) is analysed on its own with the same
statements. Their viewpoints are compared through the z-scores of their defined factors: the
correlation matrix between the first group's and the second group's factor z-scores, statement
for statement, says how alike each pair of viewpoints is. Factors are matched one to one by the
assignment with the largest sum of correlations; a pair whose correlation is not above
``min_correlation`` is left unmatched (a negative correlation is an opposite viewpoint, not the
same one). For each matched pair the statements are listed by how much their z-scores differ,
largest first: where two groups that share a viewpoint still part.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qsort.errors import OptionError, StudyError
from qsort.result import AnalysisResult

__all__ = ["Comparison", "MatchedViewpoint", "StatementDifference", "compare", "render_comparison"]

FloatArray = NDArray[np.float64]

MAX_FACTORS = 8
"""Most defined factors per group (every one-to-one assignment is compared)."""


@dataclass(frozen=True)
class StatementDifference:
    """One statement's z-scores on two matched factors.

    Attributes
    ----------
    statement : str
        The statement's id.
    first, second : float
        Its z-score on the first group's and on the second group's factor.
    difference : float
        ``first - second``.
    first_array, second_array : int
        Its value in each factor array.
    """

    statement: str
    first: float
    second: float
    difference: float
    first_array: int
    second_array: int


@dataclass(frozen=True)
class MatchedViewpoint:
    """A factor of the first group matched to one of the second.

    Attributes
    ----------
    first, second : str
        Factor names in each group's analysis.
    correlation : float
        Correlation between their z-scores.
    differences : tuple of StatementDifference
        Every statement, largest absolute difference first (ties by statement order).
    """

    first: str
    second: str
    correlation: float
    differences: tuple[StatementDifference, ...]


@dataclass(frozen=True)
class Comparison:
    """Two groups' analyses compared.

    Attributes
    ----------
    first, second : AnalysisResult
    labels : tuple of (str, str)
        The groups' names.
    first_factors, second_factors : tuple of str
        The defined factors of each group, in order.
    correlations : ndarray, shape (d1, d2)
        Correlations between the first group's and the second group's factor z-scores.
    matches : tuple of MatchedViewpoint
        In the order of the first group's factors.
    """

    first: AnalysisResult
    second: AnalysisResult
    labels: tuple[str, str]
    first_factors: tuple[str, ...]
    second_factors: tuple[str, ...]
    correlations: FloatArray
    matches: tuple[MatchedViewpoint, ...]

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-ready values: groups, factors, the correlation matrix and matched viewpoints.

        Parameters
        ----------
        top : int, optional
            Statements listed per matched viewpoint (all when None).

        Returns
        -------
        dict
        """
        return {
            "format": "qsort-comparison",
            "version": 1,
            "groups": list(self.labels),
            "factors": [list(self.first_factors), list(self.second_factors)],
            "correlations": self.correlations.tolist(),
            "matches": [
                {
                    "factors": [m.first, m.second],
                    "correlation": m.correlation,
                    "differences": [vars(d) for d in m.differences[:top]],
                }
                for m in self.matches
            ],
        }


def compare(
    first: AnalysisResult,
    second: AnalysisResult,
    labels: tuple[str, str] = ("first", "second"),
    min_correlation: float = 0.0,
) -> Comparison:
    """Compare the viewpoints of two groups' analyses over the statements they share.

    Parameters
    ----------
    first, second : AnalysisResult
        Analyses of two groups that sorted the same statements (matched by id, in any order).
    labels : tuple of (str, str)
        Names of the groups, for summaries.
    min_correlation : float, default 0.0
        A matched pair's z-scores must correlate above this.

    Returns
    -------
    Comparison

    Raises
    ------
    StudyError
        When the two studies do not have the same statements.
    OptionError
        When a group has no defined factor or more than :data:`MAX_FACTORS`.
    """
    order = _aligned(first, second)
    z_first, z_second = first.zscores, second.zscores[order]
    for result, label in ((first, labels[0]), (second, labels[1])):
        if not result.defined:
            raise OptionError(f"compare: {label} has no factor with defining sorts to compare")
        if len(result.defined) > MAX_FACTORS:
            raise OptionError(
                f"compare: at most {MAX_FACTORS} defined factors per group, "
                f"{label} has {len(result.defined)}"
            )
    correlations = _correlations(z_first, z_second)
    matches = tuple(
        _matched(first, second, order, a, b, float(correlations[a, b]))
        for a, b in _assignment(correlations)
        if correlations[a, b] > min_correlation
    )
    return Comparison(
        first=first,
        second=second,
        labels=labels,
        first_factors=tuple(f.name for f in first.defined),
        second_factors=tuple(f.name for f in second.defined),
        correlations=correlations,
        matches=matches,
    )


def _aligned(first: AnalysisResult, second: AnalysisResult) -> NDArray[np.intp]:
    """Row of the second study for each statement of the first; raise unless they share all."""
    ids_first, ids_second = first.study.statement_ids, second.study.statement_ids
    if set(ids_first) != set(ids_second) or len(ids_first) != len(ids_second):
        only_first = sorted(set(ids_first) - set(ids_second))
        only_second = sorted(set(ids_second) - set(ids_first))
        raise StudyError(
            "compare: expected two studies of the same statements; "
            f"only in the first: {_listed(only_first)}; only in the second: "
            f"{_listed(only_second)}"
        )
    where = {statement: row for row, statement in enumerate(ids_second)}
    return np.array([where[statement] for statement in ids_first], dtype=np.intp)


def _listed(ids: list[str], shown: int = 5) -> str:
    """Up to ``shown`` ids, then how many more."""
    if not ids:
        return "none"
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


def _correlations(first: FloatArray, second: FloatArray) -> FloatArray:
    """Pearson correlations between the columns of two (N, d) z-score matrices."""
    a = (first - first.mean(axis=0)) / first.std(axis=0)
    b = (second - second.mean(axis=0)) / second.std(axis=0)
    return np.asarray(a.T @ b / first.shape[0], dtype=np.float64)


def _assignment(correlations: FloatArray) -> list[tuple[int, int]]:
    """One-to-one pairs (first, second) with the largest sum of correlations."""
    rows, cols = correlations.shape
    if rows > cols:
        return [(a, b) for b, a in _assignment(correlations.T)]
    best = max(
        permutations(range(cols), rows),
        key=lambda chosen: float(correlations[np.arange(rows), list(chosen)].sum()),
    )
    return list(enumerate(best))


def _matched(
    first: AnalysisResult,
    second: AnalysisResult,
    order: NDArray[np.intp],
    a: int,
    b: int,
    correlation: float,
) -> MatchedViewpoint:
    """The pair of defined factors a (first group) and b (second), statements by difference."""
    za, zb = first.zscores[:, a], second.zscores[order, b]
    arrays_a, arrays_b = first.arrays[:, a], second.arrays[order, b]
    ranked = np.argsort(-np.abs(za - zb), kind="stable")
    rows = tuple(
        StatementDifference(
            first.study.statement_ids[i],
            float(za[i]),
            float(zb[i]),
            float(za[i] - zb[i]),
            int(arrays_a[i]),
            int(arrays_b[i]),
        )
        for i in ranked
    )
    return MatchedViewpoint(first.defined[a].name, second.defined[b].name, correlation, rows)


def render_comparison(comparison: Comparison, top: int = 10) -> str:
    """The text ``qsort compare`` prints: correlations, matches, statements that differ most.

    Parameters
    ----------
    comparison : Comparison
    top : int, default 10
        Statements listed per matched viewpoint.

    Returns
    -------
    str
        Plain text ending in a newline.
    """
    from qsort.summary import text_table

    one, two = comparison.labels
    rows = [
        [name, *[f"{r:.3f}" for r in comparison.correlations[i]]]
        for i, name in enumerate(comparison.first_factors)
    ]
    out = [
        f"{one} ({comparison.first.study.n_sorts} Q-sorts) and {two} "
        f"({comparison.second.study.n_sorts} Q-sorts), {comparison.first.study.n_statements} "
        "statements",
        "",
        f"Correlations between factor z-scores ({one} in rows, {two} in columns)",
        *text_table([one, *comparison.second_factors], rows),
    ]
    if not comparison.matches:
        out += ["", "No viewpoint of one group matches a viewpoint of the other."]
    for match in comparison.matches:
        out += ["", *_match_lines(match, comparison.labels, top)]
    return "\n".join(out) + "\n"


def _match_lines(match: MatchedViewpoint, labels: tuple[str, str], top: int) -> list[str]:
    """A matched pair's heading and its ``top`` most different statements as a table."""
    from qsort.study import signed
    from qsort.summary import text_table

    one, two = labels
    header = ["statement", f"{one} z", f"{two} z", "difference", f"{one} array", f"{two} array"]
    rows = [
        [
            d.statement,
            f"{d.first:.3f}",
            f"{d.second:.3f}",
            f"{d.difference:+.3f}",
            signed(d.first_array),
            signed(d.second_array),
        ]
        for d in match.differences[:top]
    ]
    return [
        f"{one} {match.first} and {two} {match.second} (r = {match.correlation:.3f}): "
        f"the {len(rows)} statements that differ most",
        *text_table(header, rows),
    ]
