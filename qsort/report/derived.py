"""Quantities the reports show that the result does not hold directly.

Everything here is computed from the public fields of an
:class:`~qsort.result.AnalysisResult`: cumulative communalities, each sort's mean and standard
deviation, the defining sorts of a factor, significance marks and directions of distinguishing
statements, and the thresholds in force.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from qsort.flagging import FLAG_LEVELS, flag_threshold
from qsort.result import AnalysisResult, Factor, StatementTables

FloatArray = NDArray[np.float64]
Direction = Literal["higher", "lower", "mixed"]


@dataclass(frozen=True)
class Distinction:
    """How a statement distinguishes a factor: its p level and where the factor places it."""

    p: float
    direction: Direction

    @property
    def stars(self) -> str:
        """``**`` for p < .01, ``*`` for p < .05."""
        return "**" if self.p <= 0.01 else "*"

    @property
    def arrow(self) -> str:
        """▲ when the factor's z is above every other factor's, ▼ when below all, else ''."""
        return {"higher": "\u25b2", "lower": "\u25bc", "mixed": ""}[self.direction]


def cumulative_communalities(unrotated: FloatArray) -> FloatArray:
    """Communality of each sort over the first 1, 2, ..., k unrotated factors, shape (n, k)."""
    return np.asarray(np.cumsum(unrotated**2, axis=1), dtype=np.float64)


def explained(eigenvalues: FloatArray, n_sorts: int) -> FloatArray:
    """Percentage of the sorts' total variance each eigenvalue explains."""
    return np.asarray(100.0 * eigenvalues / n_sorts, dtype=np.float64)


def sort_means(result: AnalysisResult) -> FloatArray:
    """Each Q-sort's mean value, shape (n,)."""
    return np.asarray(result.study.sorts.mean(axis=0), dtype=np.float64)


def sort_sds(result: AnalysisResult) -> FloatArray:
    """Each Q-sort's standard deviation with the n - 1 divisor (PQMethod's table), shape (n,)."""
    return np.asarray(result.study.sorts.std(axis=0, ddof=1), dtype=np.float64)


def defining_sorts(result: AnalysisResult, k: int) -> list[int]:
    """Indices of the sorts flagged on factor ``k`` (0-based), in sort order."""
    return [int(j) for j in np.flatnonzero(result.flags[:, k])]


def defined_index(result: AnalysisResult) -> dict[str, int]:
    """Position of each defined factor among the defined factors, by name."""
    return {f.name: i for i, f in enumerate(result.defined)}


def factor_label(factor: Factor) -> str:
    """The number part of a factor's name (``F2a`` -> ``2a``), as KADE's sheet names use it."""
    return factor.name[1:] if factor.name.startswith("F") else factor.name


def direction(
    result: AnalysisResult | StatementTables, factor: Factor, statement: int
) -> Direction:
    """Whether ``factor`` places ``statement`` above or below every other defined factor."""
    if factor.zscores is None:
        return "mixed"
    own = factor.zscores[statement]
    others = [
        f.zscores[statement] for f in result.defined if f is not factor and f.zscores is not None
    ]
    if others and all(own > z for z in others):
        return "higher"
    if others and all(own < z for z in others):
        return "lower"
    return "mixed"


def distinctions(result: AnalysisResult, factor: Factor) -> dict[int, Distinction]:
    """The factor's distinguishing statements by index, with p level and direction."""
    return {
        m.statement: Distinction(m.p, direction(result, factor, m.statement))
        for m in factor.distinguishing
    }


def consensus_levels(result: AnalysisResult) -> dict[int, float]:
    """Consensus statements by index, with the p at which no pair differs (0.05 or 0.01)."""
    return {m.statement: m.p for m in result.consensus}


def flag_cutoff(result: AnalysisResult) -> float | None:
    """The |loading| above which a loading is significant, or None with majority-only flags."""
    level = result.options.flag_level
    return None if level is None else flag_threshold(result.study.n_statements, level)


def flag_p(result: AnalysisResult) -> float | None:
    """The two-sided p of the flagging level, or None."""
    level = result.options.flag_level
    return None if level is None else FLAG_LEVELS[level]


def sorted_by_z(factor: Factor) -> list[int]:
    """Statement indices by the factor's z-score, highest first (ties by statement order)."""
    if factor.zscores is None:
        return []
    z = factor.zscores
    return [int(i) for i in np.lexsort((np.arange(z.size), -z))]


def consensus_title(result: AnalysisResult) -> str:
    """PQMethod's title of the consensus list, adapted to the profile's consensus level."""
    base = "Consensus Statements -- Those That Do Not Distinguish Between ANY Pair of Factors."
    if result.profile.consensus_level <= 0.01:
        return (
            f"{base} All Listed Statements are Non-Significant at P > .01, and Those Flagged "
            "with an * are also Non-Significant at P > .05."
        )
    return f"{base} All Listed Statements are Non-Significant at P > .05."


def distinguishing_title(factor: Factor) -> str:
    """PQMethod's title of a factor's distinguishing statements."""
    return (
        f"Distinguishing Statements for Factor {factor_label(factor)} "
        "(P < .05 ; Asterisk (*) Indicates Significance at P < .01)"
    )


def zscores_of(factor: Factor) -> FloatArray:
    """A defined factor's z-scores (ValueError for an undefined factor)."""
    if factor.zscores is None:
        raise ValueError(f"factor {factor.name} is undefined: it has no z-scores")
    return factor.zscores


def array_of(factor: Factor) -> NDArray[np.int64]:
    """A defined factor's array (ValueError for an undefined factor)."""
    if factor.array is None:
        raise ValueError(f"factor {factor.name} is undefined: it has no factor array")
    return factor.array


def factor_groups(loadings: FloatArray, names: Sequence[str]) -> tuple[list[str], list[int]]:
    """KADE's factor group of every sort and the order of its loadings table.

    Each sort belongs to the factor of its largest absolute loading (the largest positive loading
    when it is at least as large in size as the most negative one, as KADE decides). Groups run
    in factor order, sorts within a group by that loading's size, largest first, ties in sort
    order; the label is the factor's name and the sort's place in its group (``F2-3``).

    Parameters
    ----------
    loadings : ndarray, shape (n_sorts, k)
    names : sequence of str
        The factors' names.

    Returns
    -------
    labels : list of str
        One per sort, in sort order.
    order : list of int
        Sort indices in the table's order.
    """
    n = loadings.shape[0]
    high, low = loadings.max(axis=1), loadings.min(axis=1)
    use_high = np.round(np.abs(high) - np.abs(low), 8) >= 0
    group = np.where(use_high, loadings.argmax(axis=1), loadings.argmin(axis=1))
    size = np.where(use_high, high, np.abs(low))
    order = np.lexsort((np.arange(n), -size, group))
    starts = np.searchsorted(group[order], group[order], side="left")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - starts + 1
    labels = [f"{names[g]}-{r}" for g, r in zip(group.tolist(), rank.tolist(), strict=True)]
    return labels, [int(j) for j in order]


def con_dist_mark(result: AnalysisResult, factor: Factor, statement: int) -> str:
    """KADE's mark of a statement on a factor's relative-ranks sheet.

    ``D*`` distinguishing at P < .01, ``D`` at P < .05, ``C*`` consensus (no pair of factors
    differs at P < .05), ``C`` consensus only at P < .01; '' otherwise.
    """
    marks = {m.statement: m.p for m in factor.distinguishing}
    if statement in marks:
        return "D*" if marks[statement] <= 0.01 else "D"
    level = consensus_levels(result).get(statement)
    if level is None:
        return ""
    return "C*" if level >= 0.05 else "C"


#: Factors PQMethod extracts before the user chooses how many to rotate (QPCA 8, QCENT 7).
PQMETHOD_EXTRACTS: dict[str, int] = {"pca": 8, "centroid": 7, "horst": 8}


def extracted_factors(result: AnalysisResult, limit: int) -> FloatArray:
    """Unrotated loadings of every factor PQMethod would extract, shape (n_sorts, m).

    PQMethod's report prints the unrotated matrix and cumulative communalities of all the
    factors it extracted (8 principal components, 7 centroid factors), not only those kept for
    rotation. The extra factors come from the engine's own extraction; the kept ones are the
    result's, and when a longer extraction would not reproduce them exactly (or the study has
    more than ``limit`` sorts) only the kept factors are returned.
    """
    from qsort.errors import QsortError
    from qsort.extraction import extract, max_factors

    kept = result.unrotated
    method = result.options.extraction
    wanted = PQMETHOD_EXTRACTS.get(method, int(kept.shape[1]))
    if wanted <= kept.shape[1] or result.study.n_sorts > limit:
        return kept
    try:
        count = min(wanted, max_factors(result.correlations, method))
        if count <= kept.shape[1]:
            return kept
        more = extract(result.correlations, count, method, result.profile).loadings
    except QsortError:
        return kept
    same = more.shape[0] == kept.shape[0] and np.allclose(more[:, : kept.shape[1]], kept, atol=1e-9)
    return np.asarray(more, dtype=np.float64) if same else kept


def find_factor(result: AnalysisResult, factor: Factor | int | str) -> Factor:
    """A factor given itself, its 0-based position or its name (ValueError when unknown)."""
    if isinstance(factor, Factor):
        return factor
    if isinstance(factor, int):
        if not 0 <= factor < len(result.factors):
            raise ValueError(f"factor: expected 0..{len(result.factors) - 1}, found {factor}")
        return result.factors[factor]
    if factor not in result.factor_names:
        raise ValueError(f"factor: expected one of {list(result.factor_names)}, found {factor!r}")
    return result.factors[result.factor_names.index(factor)]
