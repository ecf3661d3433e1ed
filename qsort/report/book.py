"""The report's sheets, named and ordered as in a KADE / Ken-Q output workbook (spec B.7)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from qsort.report import sheets, sheets_factors
from qsort.report.bounds import WORKBOOK, Limits
from qsort.report.model import Sheet, sheet_name
from qsort.result import AnalysisResult


def _factor_sheets(result: AnalysisResult, weights: bool, limits: Limits) -> list[Sheet]:
    """Per defined factor: "Fac. k Sorts Weight", "Fac. k Sorts Corr" and "Fac. k"."""
    out: list[Sheet] = []
    for factor in result.defined:
        if weights:
            out.append(sheets_factors.sort_weights(result, factor, limits))
        out.append(sheets_factors.sorts_correlations(result, factor, limits))
        out.append(sheets_factors.factor_scores(result, factor, limits))
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
    out.append(sheets_factors.consensus(result))
    ranks = (sheets_factors.relative_ranks(result, f) for f in result.defined)
    out += [sheet for sheet in ranks if sheet is not None]
    return out


def _study_sheets(result: AnalysisResult, when: datetime, limits: Limits) -> list[Sheet]:
    """The sheets about the whole study, from the overview to the free distribution."""
    return [
        sheets.overview(result, when),
        sheets.statements(result),
        sheets.qsorts(result, limits),
        sheets.correlation_matrix(result, limits),
        sheets.unrotated(result, limits),
        sheets.cumulative_communalities(result, limits),
        sheets.factor_loadings(result, limits),
        sheets.factor_loadings_table(result, limits),
        sheets.free_distribution(result, limits),
    ]


def report_sheets(
    result: AnalysisResult,
    created: datetime | None = None,
    *,
    weights: bool = True,
    limits: Limits = WORKBOOK,
) -> list[Sheet]:
    """Every sheet of the report, in KADE's order, with valid unique worksheet names.

    Parameters
    ----------
    result : AnalysisResult
    created : datetime, optional
        The date printed in the overview (default: now).
    weights : bool
        Include a "Fac. k Sorts Weight" sheet before each factor's scores.
    limits : Limits
        Most sorts written in full (see :mod:`qsort.report.bounds`).
    """
    out = _study_sheets(result, created or datetime.now(), limits)
    if result.defined:
        out += [sheets.factor_score_ranks(result), sheets.score_correlations(result)]
    out += _factor_sheets(result, weights, limits)
    out += _comparison_sheets(result)
    if len(result.defined) < 2:
        out.append(sheets_factors.characteristics(result))
    qdc = sheets_factors.qdc(result)
    if qdc is not None:
        out.append(qdc)
    taken: set[str] = set()
    return [replace(s, name=sheet_name(s.name, taken)) for s in out]
