"""The study-level sheets of the report: overview, data, correlations, extraction and loadings.

Each builder returns a :class:`~qsort.report.model.Sheet`. The sheets and their order follow the
KADE / Ken-Q output workbook (analysis specification, B.7).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np

import qsort
from qsort.report import bounds, derived
from qsort.report.bounds import WORKBOOK, Limits, Selection, select
from qsort.report.model import UNDEFINED, Cell, Column, Sheet, Table
from qsort.result import AnalysisResult
from qsort.summary import EXTRACTION_NAMES


def _sort_rows(
    result: AnalysisResult, values: Mapping[int, Sequence[Cell]], shown: Selection
) -> list[tuple[Cell, ...]]:
    """One row per shown sort: its number and name, then its values (indexed by sort)."""
    names = result.study.sort_names
    return [(j + 1, names[j], *values[j]) for j in shown.indices]


def _sort_columns() -> tuple[Column, ...]:
    return (Column("No.", "int"), Column("Q sort"))


def _floats(row: np.ndarray) -> list[Cell]:
    return [float(v) for v in row]


def _matrix_rows(matrix: np.ndarray) -> list[list[Cell]]:
    """A float matrix as rows of Python floats (one bulk conversion)."""
    rows: list[list[Cell]] = matrix.tolist()
    return rows


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
        (
            "Rotation iterations",
            "not recorded" if result.rotation_iterations is None else result.rotation_iterations,
        ),
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


def _project_log(result: AnalysisResult) -> list[str]:
    """KADE's project log: data, extraction, rotation and flag edits, in the order applied."""
    opt, names = result.options, result.factor_names
    extraction = EXTRACTION_NAMES.get(opt.extraction, opt.extraction)
    log = [
        f"{result.study.n_sorts} Q-sorts of {result.study.n_statements} statements analysed",
        f"{extraction} factors extracted: {opt.n_factors}",
        f"Number of factors selected for rotation: {opt.n_factors}",
        "Varimax rotation applied" if opt.rotation == "varimax" else "No automatic rotation",
    ]
    log += [  # KADE counts clockwise turns as positive: qsort's counter-clockwise angle negated
        f"Factor {s.factor_a} and Factor {s.factor_b} rotation: {-s.degrees:g} degrees"
        for s in opt.rotation_steps
    ]
    log += [f"Factor {k} was inverted" for k in opt.inversions]
    log.append(f"Auto-Flag: {_auto_flag(result)}")
    log += [
        f"Bipolar Factor {k} was split into Factor {k}a and Factor {k}b" for k in opt.bipolar_splits
    ]
    log += [
        f"{m.sort} {'flagged' if m.flagged else 'unflagged'} on {m.factor} by hand"
        for m in opt.manual_flags
    ]
    log.append(f"Factors: {', '.join(names)}; defined: {_defined(result)}")
    return log


def _auto_flag(result: AnalysisResult) -> str:
    """The automatic flagging rule in KADE's words."""
    p = derived.flag_p(result)
    level = "no significance level" if p is None else f"P < {p:g}"
    majority = "was" if result.options.majority else "was not"
    return f"{level} and a majority of common variance {majority} required"


def _defined(result: AnalysisResult) -> str:
    return ", ".join(f.name for f in result.defined) or "none"


def _kade_block(result: AnalysisResult, created: datetime) -> Table:
    """KADE's overview rows, each followed by a blank row, at KADE's positions (A3, A5, A7...).

    KADE and Ken-Q find the project name in row 3 and the Q-sort design in row 7 when they read
    an output workbook back ("Excel type 3").
    """
    study, prof = result.study, result.profile
    pattern = ",".join(str(v) for v in np.repeat(study.grid.values, study.grid.capacities))
    items: list[tuple[str, Cell]] = [
        ("Project Name:", study.title or "Q study"),
        ("Total Number of Statements:", study.n_statements),
        ("Q sort Design:", pattern),
        ("Total Number of Q sorts:", study.n_sorts),
        ("Distinguishing statements threshold 1:", f"P < .01 ({prof.critical_01} x SED)"),
        ("Distinguishing statements threshold 2:", f"P < .05 ({prof.critical_05} x SED)"),
        ("Analysis completed on:", created.strftime("%Y-%m-%d at %H:%M")),
        ("Auto-Flag:", _auto_flag(result)),
        ("qsort Version Number:", qsort.__version__),
    ]
    rows: list[tuple[Cell, ...]] = []
    for label, value in items:
        rows += [(label, value), (None, None)]
    log = _project_log(result)
    rows += [("Project Log:" if i == 0 else None, f"{i + 1}. {line}") for i, line in enumerate(log)]
    return Table("", (Column("Item"), Column("Value", "long")), tuple(rows), header=False)


def overview(result: AnalysisResult, created: datetime) -> Sheet:
    """Project overview: KADE's rows and project log, every option, the grid and warnings."""
    study = result.study
    rows: list[tuple[Cell, ...]] = [
        ("Title", study.title or "Q study"),
        ("Number of statements", study.n_statements),
        ("Number of Q sorts", study.n_sorts),
        ("Grid", study.grid.describe()),
        ("Distribution", "forced" if study.grid.forced else "free"),
        *_option_rows(result),
        *_threshold_rows(result),
        ("Factors defined", _defined(result)),
        ("Date", created.strftime("%Y-%m-%d %H:%M")),
        ("qsort version", qsort.__version__),
    ]
    cutoff_row = next(i for i, row in enumerate(rows) if row[0] == "Flag threshold |a| >")
    about = Table(
        "Analysis options",
        (Column("Item"), Column("Value", "long")),
        tuple(rows),
        row_kinds={cutoff_row: "loading"},
    )
    grid = Table(
        "Q-sort design",
        (Column("Value", "signed"), Column("Number of cards", "int")),
        tuple(zip(study.grid.values, study.grid.capacities, strict=True)),
    )
    notices = tuple((n.code, bounds.brief(n.message)) for n in result.notices) or (("none", ""),)
    warnings = Table("Warnings", (Column("Code"), Column("Message", "long")), notices)
    tables = (_kade_block(result, created), about, grid, warnings)
    return Sheet("Project Overview", "Project Overview", tables, key="overview")


def statements(result: AnalysisResult) -> Sheet:
    """The Q set as KADE lists it (number and wording), with each statement's identifier."""
    rows = tuple((i + 1, s.text, s.id) for i, s in enumerate(result.study.statements))
    cols = (Column("Statement Number", "int"), Column("Statements", "long"), Column("ID"))
    return Sheet("statements", "Statements", (Table("Statements", cols, rows),))


def qsorts(result: AnalysisResult, limits: Limits = WORKBOOK) -> Sheet:
    """The raw sorts as KADE lays them out: one row per participant, mean and SD (n - 1)."""
    study = result.study
    shown = select(result, limits.sorts)
    means, sds = derived.sort_means(result), derived.sort_sds(result)
    values = study.sorts[:, list(shown.indices)].T.tolist()
    rows = tuple(
        (study.sort_names[j], *values[r], float(means[j]), float(sds[j]))
        for r, j in enumerate(shown.indices)
    )
    cols = (
        Column("Participant"),
        *[Column(f"S{i + 1}", "signed") for i in range(study.n_statements)],
        Column("Mean", "dec3"),
        Column("Standard Deviation", "dec3"),
    )
    title = "Q sorts: one row per participant with the sort values in statement order"
    table = Table(title, cols, rows, shown.note())
    return Sheet("Q sorts", "Q sorts", (table,))


def correlation_matrix(result: AnalysisResult, limits: Limits = WORKBOOK) -> Sheet:
    """Correlations between sorts; beyond the limit, among the strongest loaders only."""
    shown = select(result, limits.matrix)
    names = [result.study.sort_names[j] for j in shown.indices]
    block = bounds.correlation_block(result, shown.indices)
    cols = (*_sort_columns(), *[Column(n, "r") for n in names])
    values = dict(zip(shown.indices, _matrix_rows(block), strict=True))
    rows = _sort_rows(result, values, shown)
    title = f"Correlation Matrix Between Sorts ({result.options.correlation})"
    tables = [Table(title, cols, tuple(rows), shown.note())]
    if not shown.full:
        tables.append(_correlation_summary(result))
    return Sheet("Correlation Matrix", title, tuple(tables), key="corr")


def _correlation_summary(result: AnalysisResult) -> Table:
    """What the whole n x n matrix holds, computed without forming it."""
    n = result.study.n_sorts
    rows: tuple[tuple[Cell, ...], ...] = (
        ("Q-sorts", n),
        ("Pairs of distinct sorts", n * (n - 1) // 2),
        ("Mean correlation between distinct sorts", bounds.mean_correlation(result)),
    )
    cols = (Column("All sorts"), Column("Value", "r"))
    return Table("Correlations between all sorts", cols, rows, row_kinds={0: "int", 1: "int"})


def _eigen_rows(eigen: np.ndarray, n: int) -> list[tuple[Cell, ...]]:
    pct = derived.explained(eigen, n)
    return [
        (None, "Eigenvalues", *_floats(eigen)),
        (None, "% expl. Var.", *_floats(pct)),
        (None, "Cumulative %", *_floats(np.cumsum(pct))),
    ]


def _factor_columns(k: int) -> tuple[Column, ...]:
    return (*_sort_columns(), *[Column(f"Factor {i + 1}", "loading") for i in range(k)])


def _per_sort(matrix: np.ndarray, shown: Selection) -> dict[int, list[Cell]]:
    """The rows of ``matrix`` for the shown sorts, by sort index."""
    return dict(zip(shown.indices, _matrix_rows(matrix[list(shown.indices)]), strict=True))


def unrotated(result: AnalysisResult, limits: Limits = WORKBOOK) -> Sheet:
    """Unrotated factor matrix with eigenvalues, % explained variance and cumulative %."""
    shown = select(result, limits.sorts)
    rows = _sort_rows(result, _per_sort(result.unrotated, shown), shown)
    rows += _eigen_rows(result.unrotated_eigenvalues, result.study.n_sorts)
    title = f"Unrotated Factor Matrix ({EXTRACTION_NAMES.get(result.options.extraction, '')})"
    last = len(rows) - 1
    table = Table(
        title,
        _factor_columns(result.unrotated.shape[1]),
        tuple(rows),
        shown.note(),
        footer_rows=3,
        row_kinds={last - 1: "pct", last: "pct"},
    )
    return Sheet("Unrotated Factor Matrix", title, (table,), key="unrotated")


def cumulative_communalities(result: AnalysisResult, limits: Limits = WORKBOOK) -> Sheet:
    """Cumulative communalities of the unrotated loadings, and the cumulative % of variance."""
    shown = select(result, limits.sorts)
    comm = derived.cumulative_communalities(result.unrotated[list(shown.indices)])
    values = dict(zip(shown.indices, _matrix_rows(comm), strict=True))
    rows = _sort_rows(result, values, shown)
    cum = np.cumsum(derived.explained(result.unrotated_eigenvalues, result.study.n_sorts))
    rows.append((None, "Cumulative % expl. Var.", *_floats(cum)))
    title = "Cumulative Communalities Matrix"
    table = Table(
        title,
        _factor_columns(comm.shape[1]),
        tuple(rows),
        shown.note(),
        footer_rows=1,
        row_kinds={len(rows) - 1: "pct"},
    )
    return Sheet("Cumul Comm Matrix", title, (table,))


#: How KADE marks a defining sort in its loadings sheets.
FLAGGED = "Flagged"


def _loading_cells(result: AnalysisResult, j: int, mark: str) -> list[Cell]:
    """A sort's (loading, flag) pairs, the flag cell holding ``mark`` where it defines."""
    cells: list[Cell] = []
    for k in range(len(result.factors)):
        cells += [float(result.loadings[j, k]), mark if result.flags[j, k] else None]
    return cells


def _flag_bold(
    result: AnalysisResult, order: Sequence[int], first: int
) -> frozenset[tuple[int, int]]:
    """(row, column) of every flagged loading when the sorts are listed in ``order``."""
    return frozenset(
        (r, first + 2 * k)
        for r, j in enumerate(order)
        for k in range(len(result.factors))
        if result.flags[j, k]
    )


def factor_loadings(result: AnalysisResult, limits: Limits = WORKBOOK) -> Sheet:
    """Final loadings with each defining sort marked ``Flagged``, laid out as KADE's sheet.

    KADE's "Factor Loadings" sheet lists the sorts in data order under ``Nm``, ``Q sort`` and,
    per factor, ``Factor k`` followed by an unnamed flag column, then one row of "percent
    explained variance" labelled in its first column. qsort adds the eigenvalues and the
    number of defining sorts in rows of the same form.
    """
    cols: list[Column] = [Column("Nm", "int"), Column("Q sort")]
    for f in result.factors:
        label = derived.factor_label(f)
        cols += [Column(f"Factor {label}", "loading"), Column("", label=f"F{label} flag")]
    shown = select(result, limits.sorts)
    names = result.study.sort_names
    body = [(j + 1, names[j], *_loading_cells(result, j, FLAGGED)) for j in shown.indices]
    chars = [f.characteristics for f in result.factors]
    explained = [c.explained_variance for c in chars]
    body.append(("percent explained variance", None, *_pairs(explained)))
    body.append(("Eigenvalue", None, *_pairs([c.eigenvalue for c in chars])))
    body.append(("Defining sorts", None, *_pairs([c.n_defining for c in chars])))
    title = "Factor Matrix with Defining Sorts Flagged"
    cutoff = derived.flag_cutoff(result)
    note = "" if cutoff is None else f"Loadings are significant at |a| > {cutoff:.4f}."
    last = len(body) - 1
    table = Table(
        title,
        tuple(cols),
        tuple(body),
        f"{note} {shown.note()}".strip(),
        _flag_bold(result, shown.indices, 2),
        footer_rows=3,
        row_kinds={last - 2: "pct", last: "int"},
    )
    return Sheet("Factor Loadings", title, (table,), key="loadings")


def factor_loadings_table(result: AnalysisResult, limits: Limits = WORKBOOK) -> Sheet:
    """KADE's loadings table: sorts grouped by the factor they load most on, flags marked."""
    labels, order = derived.factor_groups(result.loadings, result.factor_names)
    shown = select(result, limits.sorts)
    if not shown.full:
        keep = set(shown.indices)
        order = [j for j in order if j in keep]
    cols: list[Column] = [Column("Nm", "int"), Column("Q sort"), Column("Factor Group")]
    for f in result.factors:
        cols += [Column(f"Factor {derived.factor_label(f)}", "loading"), Column(f.name)]
    names = result.study.sort_names
    rows = tuple((j + 1, names[j], labels[j], *_loading_cells(result, j, FLAGGED)) for j in order)
    title = "Loadings Table with Defining Sorts Flagged"
    note = (
        "Factor Group: the factor of the sort's largest absolute loading and its place there. "
        + shown.note()
    ).strip()
    table = Table(title, tuple(cols), rows, note, _flag_bold(result, order, 3))
    return Sheet("Factor Loadings Table", title, (table,))


def _pairs(values: Sequence[float]) -> list[Cell]:
    """Spread one value per factor over the (loading, flag) column pairs."""
    out: list[Cell] = []
    for v in values:
        out += [v, None]
    return out


def free_distribution(result: AnalysisResult, limits: Limits = WORKBOOK) -> Sheet:
    """Each sort's mean and standard deviation (n - 1), as PQMethod prints them."""
    shown = select(result, limits.sorts)
    means, sds = derived.sort_means(result), derived.sort_sds(result)
    values = {j: (float(means[j]), float(sds[j])) for j in shown.indices}
    rows = _sort_rows(result, values, shown)
    cols = (*_sort_columns(), Column("Mean", "dec3"), Column("St. Dev.", "dec3"))
    title = "Free Distribution Data Results"
    return Sheet("Free Dist", title, (Table(title, cols, tuple(rows), shown.note()),))


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
