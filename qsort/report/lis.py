"""A plain-text report with the sections of PQMethod's ``.LIS`` file, in PQMethod's order.

The section titles are PQMethod's (analysis specification, B.3), among them "Normalized Factor
Scores -- For Factor k". As PQMethod does, the unrotated factor matrix and the cumulative
communalities cover every factor PQMethod extracts (8 principal components, 7 centroid factors),
not only those kept for rotation. Each section starts a new page (a form feed) under a two-line
page header, program and project on the first line with the page number, the project again and
the date on the second, and long sections continue on further pages under the same header.
PQMethod's exact column layout is not documented, so the tables are laid out in readable
fixed-width columns. Statements are cut to :data:`STATEMENT_WIDTH` characters; wide matrices are
printed in blocks of columns. Beyond the limits of :data:`qsort.report.bounds.LIS` the per-sort
tables list the strongest loaders only, and say so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np

import qsort
from qsort.report import bounds, derived
from qsort.report.bounds import LIS, Selection, select
from qsort.result import AnalysisResult, Factor
from qsort.summary import describe_options

STATEMENT_WIDTH = 40
#: Most matrix columns printed side by side before a matrix continues in a further block.
BLOCK_COLUMNS = 18
RULE = "-" * 100
#: Lines on a page, page header included.
PAGE_LINES = 66
#: Width of the page header.
PAGE_WIDTH = 80

Section = Callable[[AnalysisResult], list[str]]


def _cut(text: str, width: int = STATEMENT_WIDTH) -> str:
    """One line of at most ``width`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3].rstrip() + "..."


def _statement(result: AnalysisResult, i: int) -> str:
    s = result.study.statements[i]
    return _cut(s.text or s.id)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    """Fixed-width columns: the first ``left`` columns left-aligned, the rest right-aligned."""
    body = [list(header), *[list(r) for r in rows]]
    widths = [max(len(r[c]) for r in body) for c in range(len(header))]
    return [
        "  ".join(
            cell.ljust(widths[c]) if c < left else cell.rjust(widths[c])
            for c, cell in enumerate(row)
        ).rstrip()
        for row in body
    ]


def _blocks(
    labels: Sequence[Sequence[str]],
    header: Sequence[str],
    columns: Sequence[Sequence[str]],
    label_header: Sequence[str],
) -> list[str]:
    """A matrix printed in blocks of at most :data:`BLOCK_COLUMNS` columns."""
    out: list[str] = []
    for start in range(0, len(header), BLOCK_COLUMNS):
        cols = range(start, min(start + BLOCK_COLUMNS, len(header)))
        rows = [[*labels[r], *[columns[c][r] for c in cols]] for r in range(len(labels))]
        if out:
            out.append("")
        out += _table([*label_header, *[header[c] for c in cols]], rows, len(label_header))
    return out


def _sort_labels(result: AnalysisResult, shown: Selection) -> list[list[str]]:
    names = result.study.sort_names
    return [[str(j + 1), names[j]] for j in shown.indices]


def _noted(lines: list[str], shown: Selection) -> list[str]:
    """A table's lines, followed by what it leaves out when it is summarised."""
    return [*lines, shown.note()] if not shown.full else lines


def _sv(value: int | np.integer) -> str:
    """A Q-sort value with its sign (0 without one)."""
    return f"{int(value):+d}" if value else "0"


def _f(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0.0 else text


def _matrix_rows(
    result: AnalysisResult,
    matrix: np.ndarray,
    extra: Sequence[tuple[str, Sequence[str]]],
    shown: Selection,
) -> list[str]:
    """Shown sorts x factors with 4 decimals, then summary rows such as eigenvalues."""
    k = matrix.shape[1]
    rows = matrix[list(shown.indices)]
    labels = [*_sort_labels(result, shown), *[["", name] for name, _ in extra]]
    columns = [
        [*[_f(v, 4) for v in rows[:, c]], *[cells[c] for _, cells in extra]] for c in range(k)
    ]
    table = _blocks(labels, [f"F{c + 1}" for c in range(k)], columns, ["No.", "Q sort"])
    return _noted(table, shown)


def correlations(result: AnalysisResult) -> list[str]:
    """1. Correlation Matrix Between Sorts, as integers x 100."""
    shown = select(result, LIS.matrix)
    matrix = np.rint(100 * bounds.correlation_block(result, shown.indices)).astype(np.int64)
    columns = [[str(v) for v in matrix[:, c].tolist()] for c in range(matrix.shape[0])]
    header = [str(j + 1) for j in shown.indices]
    table = _blocks(_sort_labels(result, shown), header, columns, ["No.", "Q sort"])
    if shown.full:
        return table
    mean = bounds.mean_correlation(result)
    return [*_noted(table, shown), f"Mean correlation between all distinct sorts: {mean:.4f}"]


def _kept_note(result: AnalysisResult, extracted: int) -> list[str]:
    kept = result.unrotated.shape[1]
    if extracted == kept:
        return []
    return [f"{extracted} factors extracted; factors 1 to {kept} were kept for rotation."]


def unrotated(result: AnalysisResult) -> list[str]:
    """2. Unrotated Factor Matrix of every extracted factor, eigenvalues and % expl. Var."""
    matrix = derived.extracted_factors(result, LIS.sorts)
    eigen = np.sum(matrix**2, axis=0)
    pct = derived.explained(eigen, result.study.n_sorts)
    extra = [("Eigenvalues", [_f(v, 4) for v in eigen]), ("% expl.Var.", [_f(v, 2) for v in pct])]
    shown = select(result, LIS.sorts)
    return [*_matrix_rows(result, matrix, extra, shown), *_kept_note(result, matrix.shape[1])]


def communalities(result: AnalysisResult) -> list[str]:
    """3. Cumulative Communalities Matrix of every extracted factor, cumulative % of variance."""
    matrix = derived.extracted_factors(result, LIS.sorts)
    comm = derived.cumulative_communalities(matrix)
    cum = np.cumsum(derived.explained(np.sum(matrix**2, axis=0), result.study.n_sorts))
    extra = [("Cumul. % expl.Var.", [_f(v, 2) for v in cum])]
    return _matrix_rows(result, comm, extra, select(result, LIS.sorts))


def loadings(result: AnalysisResult) -> list[str]:
    """4. Factor Matrix with an X Indicating a Defining Sort."""
    shown = select(result, LIS.sorts)
    rows = []
    for j in shown.indices:
        cells = [
            f"{_f(result.loadings[j, k], 4)}{'X' if result.flags[j, k] else ' '}"
            for k in range(len(result.factors))
        ]
        rows.append([str(j + 1), result.study.sort_names[j], *cells])
    chars = [f.characteristics for f in result.factors]
    rows.append(["", "% expl.Var.", *[_f(c.explained_variance, 2) + " " for c in chars]])
    rows.append(["", "Defining sorts", *[f"{c.n_defining} " for c in chars]])
    header = ["No.", "Q sort", *[f"{n} " for n in result.factor_names]]
    cutoff = derived.flag_cutoff(result)
    note = [] if cutoff is None else [f"Significant loadings: |a| > {cutoff:.4f}"]
    return [*_noted(_table(header, rows, 2), shown), *note]


def free_distribution(result: AnalysisResult) -> list[str]:
    """5. Free Distribution Data Results: each sort's mean and SD (n - 1)."""
    means, sds = derived.sort_means(result), derived.sort_sds(result)
    shown = select(result, LIS.sorts)
    names = result.study.sort_names
    rows = [[str(j + 1), names[j], _f(means[j], 3), _f(sds[j], 3)] for j in shown.indices]
    return _noted(_table(["No.", "Q sort", "Mean", "St.Dev."], rows, 2), shown)


def _undefined_note(result: AnalysisResult) -> list[str]:
    return [
        f"Factor {f.name} is undefined (no defining sort) and is left out."
        for f in result.factors
        if not f.defined
    ]


def score_ranks(result: AnalysisResult) -> list[str]:
    """6. Factor Scores with Corresponding Ranks."""
    rows = []
    for i in range(result.study.n_statements):
        cells = []
        for f in result.defined:
            ranks = f.ranks if f.ranks is not None else np.zeros(0, np.int64)
            cells += [_f(derived.zscores_of(f)[i], 2), str(int(ranks[i]))]
        rows.append([str(i + 1), _statement(result, i), *cells])
    header = ["No.", "Statement"]
    for f in result.defined:
        header += [f"{f.name} Z", "Rank"]
    return [*_table(header, rows, 2), *_undefined_note(result)]


def _factor_matrix(result: AnalysisResult, matrix: np.ndarray, digits: int) -> list[str]:
    names = [f.name for f in result.defined]
    rows = [[n, *[_f(v, digits) for v in matrix[a]]] for a, n in enumerate(names)]
    return _table(["", *names], rows)


def score_correlations(result: AnalysisResult) -> list[str]:
    """7. Correlations Between Factor Scores."""
    return _factor_matrix(result, result.score_correlations, 4)


def factor_scores(result: AnalysisResult, factor: Factor) -> list[str]:
    """8. Normalized Factor Scores -- For Factor k: statements by z-score, highest first."""
    z, array = derived.zscores_of(factor), derived.array_of(factor)
    rows = [
        [str(i + 1), _statement(result, i), _f(z[i], 3), _sv(array[i])]
        for i in derived.sorted_by_z(factor)
    ]
    return _table(["No.", "Statement", "Z-SCORE", "Q-SV"], rows, 2)


def differences(result: AnalysisResult, a: str, b: str) -> list[str]:
    """9. Descending Array of Differences Between Factors a and b."""
    fa, fb = (next(f for f in result.factors if f.name == n) for n in (a, b))
    za, zb = derived.zscores_of(fa), derived.zscores_of(fb)
    rows = [
        [
            str(d.statement + 1),
            _statement(result, d.statement),
            _f(za[d.statement], 3),
            _f(zb[d.statement], 3),
            _f(d.difference, 3),
        ]
        for d in result.differences[(a, b)]
    ]
    return _table(["No.", "Statement", a, b, "Difference"], rows, 2)


def _qsv_cells(result: AnalysisResult, i: int) -> list[str]:
    return [_sv(derived.array_of(f)[i]) for f in result.defined]


def arrays(result: AnalysisResult) -> list[str]:
    """10. Factor Q-Sort Values for Each Statement."""
    rows = [
        [str(i + 1), _statement(result, i), *_qsv_cells(result, i)]
        for i in range(result.study.n_statements)
    ]
    header = ["No.", "Statement", *[f.name for f in result.defined]]
    return [*_table(header, rows, 2), *_undefined_note(result)]


def consensus_disagreement(result: AnalysisResult) -> list[str]:
    """11. Factor Q-Sort Values sorted by Consensus vs. Disagreement."""
    rows = [
        [str(i + 1), _statement(result, i), *_qsv_cells(result, i), _f(variance, 3)]
        for i, variance in result.disagreement
    ]
    header = ["No.", "Statement", *[f.name for f in result.defined], "Variance"]
    return _table(header, rows, 2)


def characteristics(result: AnalysisResult) -> list[str]:
    """12. Factor Characteristics."""
    chars = [f.characteristics for f in result.factors]

    def opt(value: float | None) -> str:
        return "undefined" if value is None else _f(value, 3)

    rows = [
        ["No. of Defining Variables", *[str(c.n_defining) for c in chars]],
        ["Average Rel. Coef.", *[_f(c.average_reliability, 3) for c in chars]],
        ["Composite Reliability", *[opt(c.composite_reliability) for c in chars]],
        ["S.E. of Factor Z-Scores", *[opt(c.se) for c in chars]],
    ]
    return _table(["", *result.factor_names], rows)


def standard_errors(result: AnalysisResult) -> list[str]:
    """13. Standard Errors for Differences in Factor Z-Scores."""
    return _factor_matrix(result, result.sed, 3)


def _qsv_z_header(result: AnalysisResult) -> list[str]:
    header = ["No.", "Statement"]
    for f in result.defined:
        header += [f"{f.name} Q-SV", "Z-SCR"]
    return header


def _qsv_z(result: AnalysisResult, i: int, star_for: Factor | None, star: str) -> list[str]:
    cells = []
    for f in result.defined:
        mark = star if f is star_for else " "
        cells += [_sv(derived.array_of(f)[i]), _f(derived.zscores_of(f)[i], 2) + mark]
    return cells


def distinguishing(result: AnalysisResult, factor: Factor) -> list[str]:
    """14. Distinguishing Statements for Factor k, Q-SV and Z-SCR for all factors."""
    marks = derived.distinctions(result, factor)
    rows = [
        [
            str(i + 1),
            _statement(result, i),
            *_qsv_z(result, i, factor, "*" if marks[i].p <= 0.01 else " "),
        ]
        for i in derived.sorted_by_z(factor)
        if i in marks
    ]
    intro = "Both the Factor Q-Sort Value (Q-SV) and the Z-Score (Z-SCR) are Shown."
    if not rows:
        return [intro, "(none)"]
    return [intro, "", *_table(_qsv_z_header(result), rows, 2)]


def consensus(result: AnalysisResult) -> list[str]:
    """15. Consensus Statements (* = also non-significant at P > .05 in the PQMethod profile)."""
    starred = result.profile.consensus_level <= 0.01
    rows = [
        [
            f"{m.statement + 1}{'*' if starred and m.p >= 0.05 else ' '}",
            _statement(result, m.statement),
            *_qsv_z(result, m.statement, None, ""),
        ]
        for m in result.consensus
    ]
    return _table(_qsv_z_header(result), rows, 2) if rows else ["(none)"]


Sections = list[tuple[str, list[str]]]


def _score_sections(result: AnalysisResult) -> Sections:
    """Sections 6 to 9: scores, their correlations, each factor's scores, differences."""
    out: Sections = [
        ("Factor Scores with Corresponding Ranks", score_ranks(result)),
        ("Correlations Between Factor Scores", score_correlations(result)),
    ]
    out += [
        (
            f"Normalized Factor Scores -- For Factor {derived.factor_label(f)}",
            factor_scores(result, f),
        )
        for f in result.defined
    ]
    out += [
        (
            f"Descending Array of Differences Between Factors {a[1:]} and {b[1:]}",
            differences(result, a, b),
        )
        for a, b in result.differences
    ]
    return out


def _comparison_sections(result: AnalysisResult) -> Sections:
    """Sections 10 to 15: arrays, consensus vs. disagreement, characteristics, comparisons."""
    out: Sections = [
        ("Factor Q-Sort Values for Each Statement", arrays(result)),
        (
            "Factor Q-Sort Values for Statements sorted by Consensus vs. Disagreement "
            "(Variance across Factor Z-Scores)",
            consensus_disagreement(result),
        ),
        ("Factor Characteristics", characteristics(result)),
        (
            "Standard Errors for Differences in Factor Z-Scores "
            "(Diagonal Entries Are S.E. Within Factors)",
            standard_errors(result),
        ),
    ]
    if len(result.defined) > 1:
        defined = result.defined
        out += [(derived.distinguishing_title(f), distinguishing(result, f)) for f in defined]
        out.append((derived.consensus_title(result), consensus(result)))
    return out


def _sections(result: AnalysisResult) -> Sections:
    """Every section as (title, lines), in PQMethod's order."""
    out: Sections = [
        ("Correlation Matrix Between Sorts", correlations(result)),
        ("Unrotated Factor Matrix", unrotated(result)),
        ("Cumulative Communalities Matrix", communalities(result)),
        ("Factor Matrix with an X Indicating a Defining Sort", loadings(result)),
        ("Free Distribution Data Results", free_distribution(result)),
    ]
    if not result.defined:
        return [*out, ("Factor Characteristics", characteristics(result))]
    return [*out, *_score_sections(result), *_comparison_sections(result)]


def _heading(result: AnalysisResult, created: datetime) -> list[str]:
    study = result.study
    return [
        f"{study.title or 'Q study'}",
        f"qsort {qsort.__version__}, PQMethod-style report, {created:%Y-%m-%d %H:%M}",
        f"{study.n_sorts} Q-sorts, {study.n_statements} statements, grid {study.grid.describe()}",
        describe_options(result),
        *[f"Warning: {bounds.brief(n.message)}" for n in result.notices],
    ]


def page_header(result: AnalysisResult, created: datetime, page: int) -> list[str]:
    """PQMethod's two header lines: program, project and page; project path and date."""
    project = result.study.title or "Q study"
    program = f"qsort {qsort.__version__}"
    number = f"PAGE {page:4d}"
    middle = PAGE_WIDTH - len(program) - len(number)
    first = f"{program}{project[: max(middle - 2, 0)].center(middle)}{number}"
    place = f"Path and Project Name: {project}"
    date = f"{created:%b %d %y}"
    return [first, f"{place[: PAGE_WIDTH - len(date) - 1].ljust(PAGE_WIDTH - len(date))}{date}"]


def _pages(result: AnalysisResult, created: datetime, chunks: list[list[str]]) -> list[str]:
    """Each chunk on new pages of at most :data:`PAGE_LINES` lines under the page header."""
    out: list[str] = []
    page = 0
    room = PAGE_LINES - 3
    for chunk in chunks:
        for start in range(0, max(len(chunk), 1), room):
            page += 1
            feed = "\f" if page > 1 else ""
            first, second = page_header(result, created, page)
            out += [feed + first, second, "", *chunk[start : start + room]]
    return out


def render_lis(result: AnalysisResult, created: datetime | None = None) -> str:
    """The whole report as text, sections in PQMethod's ``.LIS`` order (spec B.3).

    Parameters
    ----------
    result : AnalysisResult
    created : datetime, optional
        The date printed in the heading and the page headers (default: now).
    """
    when = created or datetime.now()
    chunks = [_heading(result, when)]
    chunks += [[RULE, title, "", *body] for title, body in _sections(result)]
    return "\n".join(_pages(result, when, chunks)) + "\n"
