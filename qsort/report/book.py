"""The report's sheets in the order a KADE / Ken-Q user expects (analysis specification, B.7)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from qsort.report import sheets, sheets_factors
from qsort.report.model import Sheet, sheet_name
from qsort.result import AnalysisResult


def _factor_sheets(result: AnalysisResult, weights: bool) -> list[Sheet]:
    out: list[Sheet] = []
    for factor in result.defined:
        if weights:
            out.append(sheets_factors.sort_weights(result, factor))
        out.append(sheets_factors.factor_scores(result, factor))
    return out


def _comparison_sheets(result: AnalysisResult) -> list[Sheet]:
    """Sheets that compare factors; they need at least two defined factors."""
    if len(result.defined) < 2:
        return []
    out = [sheets_factors.differences(result, a, b) for a, b in result.differences]
    out += [
        sheets_factors.consensus_disagreement(result),
        sheets_factors.characteristics(result),
        sheets_factors.standard_errors(result),
    ]
    out += [sheets_factors.distinguishing(result, f) for f in result.defined]
    out += [sheets_factors.consensus(result), sheets_factors.crib_sheets(result)]
    return out


def report_sheets(
    result: AnalysisResult, created: datetime | None = None, *, weights: bool = True
) -> list[Sheet]:
    """Every sheet of the report, in order, with valid unique worksheet names.

    Parameters
    ----------
    result : AnalysisResult
    created : datetime, optional
        The date printed in the overview (default: now).
    weights : bool
        Include a "Fac K Sorts Weight" sheet before each factor's scores.
    """
    when = created or datetime.now()
    out = [
        sheets.overview(result, when),
        sheets.statements(result),
        sheets.qsorts(result),
        sheets.correlation_matrix(result),
        sheets.unrotated(result),
        sheets.cumulative_communalities(result),
        sheets.factor_loadings(result),
        sheets.free_distribution(result),
    ]
    if result.defined:
        out += [sheets.factor_score_ranks(result), sheets.score_correlations(result)]
    out += _factor_sheets(result, weights)
    out += _comparison_sheets(result)
    if len(result.defined) < 2:
        out.append(sheets_factors.characteristics(result))
    qdc = sheets_factors.qdc(result)
    if qdc is not None:
        out.append(qdc)
    taken: set[str] = set()
    return [replace(s, name=sheet_name(s.name, taken)) for s in out]
