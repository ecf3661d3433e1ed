"""The study-level sheets of the report: overview, data, correlations, extraction and loadings.

Each builder returns a :class:`~qsort.report.model.Sheet`. The sheets and their order follow the
KADE / Ken-Q output workbook (analysis specification, B.7).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

import qsort
from qsort.report import derived
from qsort.report.model import UNDEFINED, Cell, Column, Sheet, Table
from qsort.result import AnalysisResult
from qsort.summary import EXTRACTION_NAMES


def _sort_rows(result: AnalysisResult, values: Sequence[Sequence[Cell]]) -> list[tuple[Cell, ...]]:
    """Prefix each row with the sort's number and name."""
    names = result.study.sort_names
    return [(j + 1, names[j], *values[j]) for j in range(len(names))]


def _sort_columns() -> tuple[Column, ...]:
    return (Column("No.", "int"), Column("Q sort"))


def _floats(row: np.ndarray) -> list[Cell]:
    return [float(v) for v in row]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _option_rows(result: AnalysisResult) -> list[tuple[Cell, ...]]:
    """One row per analysis option, in the order a reader needs them to reproduce the result."""
    opt = result.options
    cutoff = derived.flag_cutoff(result)
    steps = "; ".join(
        f"F{s.factor_a}/F{s.factor_b} by {s.degrees:+g} degrees" for s in opt.rotation_steps
    )
    manual = "; ".join(
        f"{m.sort} {'flagged' if m.flagged else 'unflagged'} on {m.factor}"
        for m in opt.manual_flags
    )
    return [
        ("Profile (conventions followed)", result.profile.name),
        ("Correlation", opt.correlation),
        ("Extraction", EXTRACTION_NAMES.get(opt.extraction, opt.extraction)),
        ("Factors extracted", opt.n_factors),
        ("Rotation", opt.rotation),
        ("Rotation iterations", result.rotation_iterations),
        ("Judgmental rotations", steps or "none"),
        ("Inverted factors", ", ".join(f"F{k}" for k in opt.inversions) or "none"),
        ("Bipolar splits", ", ".join(f"F{k}" for k in opt.bipolar_splits) or "none"),
        (
            "Flag level (critical z)",
            "none (majority only)" if opt.flag_level is None else opt.flag_level,
        ),
        ("Flag threshold |a| >", "none" if cutoff is None else cutoff),
        ("Majority of common variance", _yes(opt.majority)),
        ("Negative flags allowed", _yes(opt.allow_negative)),
        ("Manual flags", manual or "none"),
    ]


def _threshold_rows(result: AnalysisResult) -> list[tuple[Cell, ...]]:
    prof = result.profile
    sign = ">=" if prof.significance == "ge" else ">"
    return [
        ("Distinguishing threshold 1 (P < .01)", f"|difference| {sign} {prof.critical_01} x SED"),
        ("Distinguishing threshold 2 (P < .05)", f"|difference| {sign} {prof.critical_05} x SED"),
        ("Consensus statements", f"no pair significant at P < {prof.consensus_level:g}"),
    ]


def overview(result: AnalysisResult, created: datetime) -> Sheet:
    """Project overview: the study, every option, thresholds, date, version and warnings."""
    study = result.study
    rows: list[tuple[Cell, ...]] = [
        ("Title", study.title or "Q study"),
        ("Number of statements", study.n_statements),
        ("Number of Q sorts", study.n_sorts),
        ("Grid", study.grid.describe()),
        ("Distribution", "forced" if study.grid.forced else "free"),
        *_option_rows(result),
        *_threshold_rows(result),
        ("Factors defined", ", ".join(f.name for f in result.defined) or "none"),
        ("Date", created.strftime("%Y-%m-%d %H:%M")),
        ("qsort version", qsort.__version__),
    ]
    cutoff_row = next(i for i, row in enumerate(rows) if row[0] == "Flag threshold |a| >")
    about = Table(
        "Project overview",
        (Column("Item"), Column("Value", "long")),
        tuple(rows),
        row_kinds={cutoff_row: "loading"},
    )
    grid = Table(
        "Q-sort design",
        (Column("Value", "signed"), Column("Number of cards", "int")),
        tuple(zip(study.grid.values, study.grid.capacities, strict=True)),
    )
    notices = tuple((n.code, n.message) for n in result.notices) or (("none", ""),)
    warnings = Table("Warnings", (Column("Code"), Column("Message", "long")), notices)
    return Sheet("Overview", "Overview", (about, grid, warnings), key="overview")


def statements(result: AnalysisResult) -> Sheet:
    """The Q set: number, identifier and wording of each statement."""
    rows = tuple((i + 1, s.id, s.text) for i, s in enumerate(result.study.statements))
    cols = (Column("No.", "int"), Column("ID"), Column("Statement", "long"))
    return Sheet("Statements", "Statements", (Table("Statements", cols, rows),))


def qsorts(result: AnalysisResult) -> Sheet:
    """The raw sorts, statements as rows and sorts as columns, with each sort's mean and SD."""
    study = result.study
    rows: list[tuple[Cell, ...]] = [
        (i + 1, study.statements[i].id, *[int(v) for v in study.sorts[i]])
        for i in range(study.n_statements)
    ]
    rows.append((None, "Mean", *_floats(derived.sort_means(result))))
    rows.append((None, "SD (n - 1)", *_floats(derived.sort_sds(result))))
    cols = (
        Column("No.", "int"),
        Column("Statement"),
        *[Column(name, "signed") for name in study.sort_names],
    )
    last = len(rows) - 1
    table = Table(
        "Q sorts (raw values; statements as rows, sorts as columns)",
        cols,
        tuple(rows),
        footer_rows=2,
        row_kinds={last - 1: "dec3", last: "dec3"},
    )
    return Sheet("Q sorts", "Q sorts", (table,))


def correlation_matrix(result: AnalysisResult) -> Sheet:
    """Correlations between sorts."""
    matrix = result.correlations.matrix()
    names = result.study.sort_names
    cols = (*_sort_columns(), *[Column(n, "r") for n in names])
    rows = _sort_rows(result, [_floats(r) for r in matrix])
    title = f"Correlation Matrix Between Sorts ({result.options.correlation})"
    return Sheet("Correlation Matrix", title, (Table(title, cols, tuple(rows)),), key="corr")


def _eigen_rows(eigen: np.ndarray, n: int) -> list[tuple[Cell, ...]]:
    pct = derived.explained(eigen, n)
    return [
        (None, "Eigenvalues", *_floats(eigen)),
        (None, "% expl. Var.", *_floats(pct)),
        (None, "Cumulative %", *_floats(np.cumsum(pct))),
    ]


def unrotated(result: AnalysisResult) -> Sheet:
    """Unrotated factor matrix with eigenvalues, % explained variance and cumulative %."""
    k = result.unrotated.shape[1]
    cols = (*_sort_columns(), *[Column(f"Factor {i + 1}", "loading") for i in range(k)])
    rows = _sort_rows(result, [_floats(r) for r in result.unrotated])
    rows += _eigen_rows(result.unrotated_eigenvalues, result.study.n_sorts)
    title = f"Unrotated Factor Matrix ({EXTRACTION_NAMES.get(result.options.extraction, '')})"
    n = result.study.n_sorts
    table = Table(title, cols, tuple(rows), footer_rows=3, row_kinds={n + 1: "pct", n + 2: "pct"})
    return Sheet("Unrotated Factor Matrix", title, (table,), key="unrotated")


def cumulative_communalities(result: AnalysisResult) -> Sheet:
    """Cumulative communalities of the unrotated loadings, and the cumulative % of variance."""
    comm = derived.cumulative_communalities(result.unrotated)
    k = comm.shape[1]
    cols = (*_sort_columns(), *[Column(f"Factor {i + 1}", "loading") for i in range(k)])
    rows = _sort_rows(result, [_floats(r) for r in comm])
    cum = np.cumsum(derived.explained(result.unrotated_eigenvalues, result.study.n_sorts))
    rows.append((None, "Cumulative % expl. Var.", *_floats(cum)))
    title = "Cumulative Communalities Matrix"
    table = Table(title, cols, tuple(rows), footer_rows=1, row_kinds={len(rows) - 1: "pct"})
    return Sheet("Cumul Comm Matrix", title, (table,))


def factor_loadings(result: AnalysisResult) -> Sheet:
    """Final loadings with an X beside each defining sort, and each factor's summary."""
    cols: list[Column] = list(_sort_columns())
    for name in result.factor_names:
        cols += [Column(name, "loading"), Column(f"{name} flag")]
    body: list[tuple[Cell, ...]] = []
    bold: set[tuple[int, int]] = set()
    for j, name in enumerate(result.study.sort_names):
        cells: list[Cell] = [j + 1, name]
        for k in range(len(result.factors)):
            if result.flags[j, k]:
                bold.add((j, len(cells)))
            cells += [float(result.loadings[j, k]), "X" if result.flags[j, k] else None]
        body.append(tuple(cells))
    chars = [f.characteristics for f in result.factors]
    body.append((None, "% expl. Var.", *_pairs([c.explained_variance for c in chars])))
    body.append((None, "Eigenvalue", *_pairs([c.eigenvalue for c in chars])))
    body.append((None, "Defining sorts", *_pairs([c.n_defining for c in chars])))
    title = "Factor Matrix with an X Indicating a Defining Sort"
    cutoff = derived.flag_cutoff(result)
    note = "X = defining (flagged) sort." + (
        "" if cutoff is None else f" Loadings are significant at |a| > {cutoff:.4f}."
    )
    last = len(body) - 1
    table = Table(
        title,
        tuple(cols),
        tuple(body),
        note,
        frozenset(bold),
        footer_rows=3,
        row_kinds={last - 2: "pct", last: "int"},
    )
    return Sheet("Factor Loadings", title, (table,), key="loadings")


def _pairs(values: Sequence[float]) -> list[Cell]:
    """Spread one value per factor over the (loading, flag) column pairs."""
    out: list[Cell] = []
    for v in values:
        out += [v, None]
    return out


def free_distribution(result: AnalysisResult) -> Sheet:
    """Each sort's mean and standard deviation (n - 1), as PQMethod prints them."""
    means, sds = derived.sort_means(result), derived.sort_sds(result)
    cols = (*_sort_columns(), Column("Mean", "dec3"), Column("St. Dev.", "dec3"))
    rows = _sort_rows(result, [(float(m), float(s)) for m, s in zip(means, sds, strict=True)])
    title = "Free Distribution Data Results"
    return Sheet("Free Dist", title, (Table(title, cols, tuple(rows)),))


def factor_score_ranks(result: AnalysisResult) -> Sheet:
    """z-score and rank of every statement in every factor (undefined factors say so)."""
    cols: list[Column] = [Column("No.", "int"), Column("Statement", "long")]
    for f in result.factors:
        cols += [Column(f"{f.name} Z", "z"), Column(f"{f.name} Rank", "int")]
    rows = []
    for i, s in enumerate(result.study.statements):
        cells: list[Cell] = [i + 1, s.text or s.id]
        for f in result.factors:
            if f.zscores is None or f.ranks is None:
                cells += [UNDEFINED, UNDEFINED]
            else:
                cells += [float(f.zscores[i]), int(f.ranks[i])]
        rows.append(tuple(cells))
    title = "Factor Scores with Corresponding Ranks"
    return Sheet("Factor Score Ranks", title, (Table(title, tuple(cols), tuple(rows)),))


def score_correlations(result: AnalysisResult) -> Sheet:
    """Correlations between the defined factors' z-scores."""
    names = [f.name for f in result.defined]
    cols = (Column("Factor"), *[Column(n, "r") for n in names])
    rows = tuple((names[a], *_floats(result.score_correlations[a])) for a in range(len(names)))
    title = "Correlations Between Factor Scores"
    return Sheet("Factor Score Correlations", title, (Table(title, cols, rows),))
