"""The factor-level sheets: weights, factor scores, differences, characteristics and lists.

Sheet names and contents follow the KADE / Ken-Q output workbook and PQMethod's titles (analysis
specification, A.8, A.9 and B.7). Only defined factors (with at least one defining sort) have
per-statement sheets; undefined factors appear in the characteristics as ``undefined``.
"""

from __future__ import annotations

from qsort.report import bounds, derived
from qsort.report.bounds import WORKBOOK, Limits, Selection, select
from qsort.report.model import UNDEFINED, Cell, Column, Sheet, Table
from qsort.result import AnalysisResult, Factor


def _text(result: AnalysisResult, i: int) -> str:
    statement = result.study.statements[i]
    return statement.text or statement.id


def _fac(factor: Factor) -> str:
    """KADE's short name of a factor in sheet names: ``Fac. 2``, ``Fac. 2a``."""
    return f"Fac. {derived.factor_label(factor)}"


def _defining(result: AnalysisResult, factor: Factor, limit: int) -> Selection:
    """A factor's defining sorts, or its strongest ones beyond ``limit``."""
    k = result.factors.index(factor)
    return select(result, limit, derived.defining_sorts(result, k), factor=k)


def sort_weights(result: AnalysisResult, factor: Factor, limits: Limits = WORKBOOK) -> Sheet:
    """The defining sorts of a factor with their loadings and factor weights."""
    k = result.factors.index(factor)
    shown = _defining(result, factor, limits.sorts)
    rows = tuple(
        (j + 1, result.study.sort_names[j], float(result.loadings[j, k]), float(factor.weights[j]))
        for j in shown.indices
    )
    cols = (
        Column("No.", "int"),
        Column("Q sort"),
        Column("Loading", "loading"),
        Column("Weight", "loading"),
    )
    title = f"Defining Sorts and Factor Weights for Factor {derived.factor_label(factor)}"
    note = "Weight = a / (1 - a^2); a negative weight enters the sort inverted."
    table = Table(title, cols, rows, f"{note} {shown.note('defining sorts')}".strip())
    return Sheet(f"{_fac(factor)} Sorts Weight", title, (table,))


def sorts_correlations(result: AnalysisResult, factor: Factor, limits: Limits = WORKBOOK) -> Sheet:
    """Correlations among a factor's defining sorts (KADE's "Sorts Corr" sheet)."""
    shown = _defining(result, factor, limits.matrix)
    names = [result.study.sort_names[j] for j in shown.indices]
    block = bounds.correlation_block(result, shown.indices).tolist()
    rows = tuple((name, *block[r]) for r, name in enumerate(names))
    cols = (Column("Q sort"), *[Column(n, "r") for n in names])
    title = f"Factor {derived.factor_label(factor)} Sorts Correlations"
    table = Table(title, cols, rows, shown.note("defining sorts"))
    return Sheet(f"{_fac(factor)} Sorts Corr", title, (table,))


def factor_scores(result: AnalysisResult, factor: Factor, limits: Limits = WORKBOOK) -> Sheet:
    """A factor's statements by z-score, highest first: array value and each defining sort."""
    z, array = derived.zscores_of(factor), derived.array_of(factor)
    shown = _defining(result, factor, limits.matrix)
    raw = result.study.sorts[:, list(shown.indices)].tolist()
    rows = tuple(
        (i + 1, _text(result, i), float(z[i]), int(array[i]), *raw[i])
        for i in derived.sorted_by_z(factor)
    )
    cols = (
        Column("No.", "int"),
        Column("Statement", "long"),
        Column("Z-score", "z"),
        Column("Q-SV", "signed"),
        *[Column(f"Raw Sort {result.study.sort_names[j]}", "signed") for j in shown.indices],
    )
    title = f"Factor Scores -- For Factor {derived.factor_label(factor)}"
    table = Table(title, cols, rows, shown.note("defining sorts"))
    return Sheet(_fac(factor), title, (table,), key=f"factor:{factor.name}")


def differences(result: AnalysisResult, a: str, b: str) -> Sheet:
    """Descending array of differences between the z-scores of factors a and b."""
    fa, fb = (next(f for f in result.factors if f.name == n) for n in (a, b))
    za, zb = derived.zscores_of(fa), derived.zscores_of(fb)
    rows = tuple(
        (
            d.statement + 1,
            _text(result, d.statement),
            float(za[d.statement]),
            float(zb[d.statement]),
            d.difference,
        )
        for d in result.differences[(a, b)]
    )
    la, lb = derived.factor_label(fa), derived.factor_label(fb)
    cols = (
        Column("No.", "int"),
        Column("Statement", "long"),
        Column(f"{a} Z", "z"),
        Column(f"{b} Z", "z"),
        Column("Difference", "z"),
    )
    title = f"Descending Array of Differences Between Factors {la} and {lb}"
    return Sheet(f"Diff Fac. {la}  Fac. {lb}", title, (Table(title, cols, rows),))


def _qsv_z_columns(result: AnalysisResult) -> list[Column]:
    cols: list[Column] = []
    for f in result.defined:
        cols += [Column(f"{f.name} Q-SV", "signed"), Column(f"{f.name} Z", "z")]
    return cols


def _qsv_z_cells(result: AnalysisResult, i: int) -> list[Cell]:
    cells: list[Cell] = []
    for f in result.defined:
        cells += [int(derived.array_of(f)[i]), float(derived.zscores_of(f)[i])]
    return cells


def consensus_disagreement(result: AnalysisResult) -> Sheet:
    """Statements from consensus to disagreement: variance of their z-scores across factors."""
    rows = tuple(
        (i + 1, _text(result, i), *_qsv_z_cells(result, i), float(variance))
        for i, variance in result.disagreement
    )
    cols = (
        Column("No.", "int"),
        Column("Statement", "long"),
        *_qsv_z_columns(result),
        Column("Z-score variance", "z"),
    )
    title = (
        "Factor Q-Sort Values for Statements sorted by Consensus vs. Disagreement "
        "(Variance across Factor Z-Scores)"
    )
    return Sheet("Consensus-Disagreement", title, (Table(title, cols, rows),))


def characteristics(result: AnalysisResult) -> Sheet:
    """Factor characteristics, one column per factor; undefined factors say so."""
    chars = [f.characteristics for f in result.factors]

    def maybe(value: float | None) -> Cell:
        return UNDEFINED if value is None else value

    rows: tuple[tuple[Cell, ...], ...] = (
        ("No. of Defining Variables", *[c.n_defining for c in chars]),
        ("Average Rel. Coef.", *[c.average_reliability for c in chars]),
        ("Composite Reliability", *[maybe(c.composite_reliability) for c in chars]),
        ("S.E. of Factor Z-Scores", *[maybe(c.se) for c in chars]),
        ("Eigenvalue", *[c.eigenvalue for c in chars]),
        ("% Explained Variance", *[c.explained_variance for c in chars]),
    )
    cols = (Column("Characteristic"), *[Column(f.name, "dec3") for f in result.factors])
    title = "Factor Characteristics"
    table = Table(title, cols, rows, row_kinds={0: "int", 4: "loading", 5: "pct"})
    return Sheet("Factor Characteristics", title, (table,), key="characteristics")


def standard_errors(result: AnalysisResult) -> Sheet:
    """Standard errors of differences between defined factors (diagonal: within factors)."""
    names = [f.name for f in result.defined]
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (n, *[float(v) for v in result.sed[a]]) for a, n in enumerate(names)
    )
    cols = (Column("Factor"), *[Column(n, "dec3") for n in names])
    title = (
        "Standard Errors for Differences in Factor Z-Scores "
        "(Diagonal Entries Are S.E. Within Factors)"
    )
    return Sheet("Standard Errors for Diffs", title, (Table(title, cols, rows),))


def distinguishing(result: AnalysisResult, factor: Factor) -> Sheet:
    """A factor's distinguishing statements with Q-SV and z for every factor, sorted by its z."""
    marks = derived.distinctions(result, factor)
    order = [i for i in derived.sorted_by_z(factor) if i in marks]
    rows = tuple(
        (
            i + 1,
            _text(result, i),
            *_qsv_z_cells(result, i),
            "P < .01" if marks[i].p <= 0.01 else "P < .05",
            marks[i].direction,
        )
        for i in order
    )
    cols = (
        Column("No.", "int"),
        Column("Statement", "long"),
        *_qsv_z_columns(result),
        Column("Significance"),
        Column(f"{factor.name} ranks it"),
    )
    title = derived.distinguishing_title(factor)
    note = (
        "Both the Factor Q-Sort Value (Q-SV) and the Z-Score (Z) are shown. "
        f"'higher'/'lower': {factor.name}'s z-score is above/below every other factor's."
    )
    return Sheet(f"Dist State {_fac(factor)}", title, (Table(title, cols, rows, note),))


def consensus(result: AnalysisResult) -> Sheet:
    """Consensus statements with Q-SV and z for every factor.

    In the PQMethod profile an asterisk marks those non-significant even at P > .05.
    """
    starred = result.profile.consensus_level <= 0.01
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (
            m.statement + 1,
            _text(result, m.statement),
            *_qsv_z_cells(result, m.statement),
            *(("*" if m.p >= 0.05 else None,) if starred else ()),
        )
        for m in result.consensus
    )
    cols = (
        Column("No.", "int"),
        Column("Statement", "long"),
        *_qsv_z_columns(result),
        *((Column("Non-sig. at P > .05"),) if starred else ()),
    )
    title = derived.consensus_title(result)
    return Sheet("Consensus Statements", title, (Table(title, cols, rows),))


def relative_ranks(result: AnalysisResult, factor: Factor) -> Sheet | None:
    """KADE's relative ranking of a factor's statements (crib sheet), with D/C marks.

    None for a factor without a crib sheet (fewer than two defined factors).
    """
    crib = factor.crib
    if crib is None:
        return None
    others = [f for f in result.defined if f is not factor]
    parts = (
        ("Highest ranked", crib.highest),
        ("Ranked higher", crib.higher),
        ("Ranked lower", crib.lower),
        ("Lowest ranked", crib.lowest),
    )
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (
            label,
            i + 1,
            _text(result, i),
            int(derived.array_of(factor)[i]),
            derived.con_dist_mark(result, factor, i) or None,
            *[int(derived.array_of(f)[i]) for f in others],
        )
        for label, items in parts
        for i in items
    )
    cols = (
        Column("Group"),
        Column("Nm", "int"),
        Column("Statement", "long"),
        Column(f"{factor.name} Q-SV", "signed"),
        Column("Con/Dist"),
        *[Column(f"{f.name} Q-SV", "signed") for f in others],
    )
    label = derived.factor_label(factor)
    note = (
        f"Highest/lowest ranked: the top and bottom columns of {factor.name}'s array. "
        f"Ranked higher/lower: {factor.name}'s Q-SV is above/below every other factor's. "
        "Con/Dist: D* distinguishing at P < .01, D at P < .05; C* consensus (no pair differs "
        "at P < .05), C consensus only at P < .01."
    )
    title = f"Relative Ranking of Statements in Factor {label}"
    return Sheet(f"{_fac(factor)} - Rel. Ranks", title, (Table(title, cols, rows, note),))


def qdc(result: AnalysisResult) -> Sheet | None:
    """qmethod's table of distinguishing and consensus statements (qmethod profile only)."""
    if result.qdc is None:
        return None
    pair_names = result.qdc_pairs
    cols: list[Column] = [Column("No.", "int"), Column("Statement", "long"), Column("Label")]
    for name in pair_names:
        cols += [Column(name, "z"), Column(f"{name} sig.")]
    rows = []
    for i, row in enumerate(result.qdc):
        cells: list[Cell] = [i + 1, _text(result, i), row.label]
        for diff, star in zip(row.differences, row.stars, strict=True):
            cells += [float(diff), star or None]
        rows.append(tuple(cells))
    title = "Distinguishing and consensus statements (qmethod's qdc)"
    return Sheet("qdc", title, (Table(title, tuple(cols), tuple(rows)),))
