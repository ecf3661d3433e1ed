"""A readable plain-text summary of an analysis result, as ``qsort analyze`` prints it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from qsort.flagging import FLAG_LEVELS, flag_threshold
from qsort.methods import CORRELATIONS, EXTRACTIONS, ROTATIONS
from qsort.result import AnalysisResult
from qsort.study import signed

SORT_LIMIT = 60
"""Most Q-sorts whose loadings the summary lists one by one (``qsort analyze --all`` lifts it)."""

STRONGEST = 5
"""Strongest loaders named per factor when the loadings are summarised."""

EXTRACTION_NAMES = EXTRACTIONS  # kept for callers of the former name


def text_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """Lines of a plain-text table: the first column left-aligned, the others right-aligned.

    Parameters
    ----------
    header : sequence of str
    rows : iterable of sequences of str
        Each as long as the header.

    Returns
    -------
    list of str
        The header line, then one line per row, trailing spaces stripped.
    """
    body = [list(header), *[list(r) for r in rows]]
    widths = [max(len(r[i]) for r in body) for i in range(len(header))]
    return [
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ).rstrip()
        for row in body
    ]


def _num(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def describe_options(result: AnalysisResult) -> str:
    """One paragraph naming every option that shaped the result.

    Parameters
    ----------
    result : AnalysisResult

    Returns
    -------
    str
    """
    opt = result.options
    n_stat = result.study.n_statements
    if opt.flag_level is None:
        flagging = "flags by majority of common variance only"
    else:
        threshold = flag_threshold(n_stat, opt.flag_level)
        flagging = (
            f"flags at p < {FLAG_LEVELS[opt.flag_level]:g} "
            f"(|a| > {opt.flag_level}/sqrt({n_stat}) = {threshold:.4f})"
            + (" with majority of common variance" if opt.majority else "")
        )
    parts = [
        f"profile {result.profile.name}",
        f"{CORRELATIONS[opt.correlation]} correlations",
        f"{EXTRACTIONS[opt.extraction]} ({opt.n_factors} factors)",
        ROTATIONS[opt.rotation].label,
        flagging,
        "negative flags allowed" if opt.allow_negative else "negative flags forbidden",
    ]
    parts += [
        f"judgmental rotation F{s.factor_a}/F{s.factor_b} by {s.degrees:+g} degrees"
        for s in opt.rotation_steps
    ]
    parts += [f"F{k} inverted" for k in opt.inversions]
    parts += [f"F{k} split as bipolar" for k in opt.bipolar_splits]
    parts += [
        f"{m.sort} {'flagged' if m.flagged else 'unflagged'} on {m.factor} by hand"
        for m in opt.manual_flags
    ]
    return "; ".join(parts) + "."


def _loadings(result: AnalysisResult) -> list[str]:
    names = result.factor_names
    rows = []
    for j, sort in enumerate(result.study.sort_names):
        cells = [
            f"{result.loadings[j, k]:.4f}{'X' if result.flags[j, k] else ' '}"
            for k in range(len(names))
        ]
        rows.append([sort, *cells])
    rows.append(["eigenvalue", *[_num(f.characteristics.eigenvalue) + " " for f in result.factors]])
    rows.append(
        [
            "% expl. var.",
            *[_num(f.characteristics.explained_variance, 2) + " " for f in result.factors],
        ]
    )
    return text_table(["sort", *[n + " " for n in names]], rows)


def _factor_correlations(result: AnalysisResult) -> list[str]:
    """Phi after an oblique rotation, as a table (nothing when the factors are orthogonal)."""
    phi = result.factor_correlations
    if phi is None:
        return []
    names = result.factor_names
    rows = [[name, *[f"{value:.4f}" for value in phi[k]]] for k, name in enumerate(names)]
    return [
        "",
        "Factor correlations (oblique rotation; loadings above are pattern loadings)",
        *text_table(["factor", *names], rows),
    ]


def _loadings_summary(result: AnalysisResult) -> list[str]:
    """Flag counts per factor and each factor's strongest loaders, for studies past the limit."""
    rows = []
    for k, factor in enumerate(result.factors):
        flags = result.flags[:, k]
        positive = int(np.count_nonzero(flags & (result.loadings[:, k] > 0)))
        rows.append(
            [
                factor.name,
                f"{int(np.count_nonzero(flags)):,}",
                f"{positive:,}",
                f"{int(np.count_nonzero(flags)) - positive:,}",
                _num(factor.characteristics.eigenvalue),
                _num(factor.characteristics.explained_variance, 2),
            ]
        )
    header = ["factor", "flagged", "positive", "negative", "eigenvalue", "% expl. var."]
    return [
        *text_table(header, rows),
        f"Strongest loaders (X = defining sort; --all lists all {result.study.n_sorts:,} sorts)",
        *[f"  {f.name}: {_strongest(result, k)}" for k, f in enumerate(result.factors)],
    ]


def _strongest(result: AnalysisResult, k: int) -> str:
    """The :data:`STRONGEST` largest absolute loadings on factor k, largest first."""
    column = np.abs(result.loadings[:, k])
    count = min(STRONGEST, column.size)
    top = np.argpartition(-column, count - 1)[:count]
    top = top[np.lexsort((top, -column[top]))]
    names = result.study.sort_names
    return "  ".join(
        f"{names[j]} {result.loadings[j, k]:.4f}{'X' if result.flags[j, k] else ''}" for j in top
    )


def _characteristics(result: AnalysisResult) -> list[str]:
    rows = [
        [
            f.name,
            str(f.characteristics.n_defining),
            _num(f.characteristics.composite_reliability, 3),
            _num(f.characteristics.se, 3),
        ]
        for f in result.factors
    ]
    return text_table(["factor", "defining sorts", "composite reliability", "SE of z"], rows)


def _arrays(result: AnalysisResult) -> list[str]:
    defined = result.defined
    rows = []
    for i, statement in enumerate(result.study.statements):
        cells = [signed(int(f.array[i])) if f.array is not None else "-" for f in defined]
        rows.append([statement.id, *cells, _short(statement.text)])
    return text_table(["statement", *[f.name for f in defined], ""], rows)


def _short(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _lists(result: AnalysisResult) -> list[str]:
    ids = result.study.statement_ids
    lines = []
    for factor in result.defined:
        marked = [f"{ids[m.statement]}{'*' if m.p == 0.01 else ''}" for m in factor.distinguishing]
        lines.append(f"  {factor.name}: {' '.join(marked) or '(none)'}")
    consensus = [f"{ids[m.statement]}{'*' if m.p == 0.05 else ''}" for m in result.consensus]
    listed = " ".join(consensus) or "(none)"
    lines.append(f"Consensus statements (* = no pair differs even at p < .05): {listed}")
    return lines


def render_summary(result: AnalysisResult, every_sort: bool = False) -> str:
    """The text ``qsort analyze`` prints: options, loadings, characteristics, arrays, lists.

    Up to :data:`SORT_LIMIT` sorts (or with ``every_sort``) the loadings are listed sort by
    sort; beyond it they are summarised: flag counts per factor and its strongest loaders.

    Parameters
    ----------
    result : AnalysisResult
    every_sort : bool
        List every sort's loadings however many there are (``qsort analyze --all``).

    Returns
    -------
    str
        Plain text ending in a newline.
    """
    study = result.study
    title = study.title or "Q study"
    listed = every_sort or study.n_sorts <= SORT_LIMIT
    loadings = (
        ["Factor loadings (X = defining sort)", *_loadings(result)]
        if listed
        else [
            f"Factor loadings, summarised ({study.n_sorts:,} Q-sorts, more than {SORT_LIMIT})",
            *_loadings_summary(result),
        ]
    )
    out = [
        f"{title}: {study.n_sorts} Q-sorts, {study.n_statements} statements, "
        f"grid {study.grid.describe()}",
        describe_options(result),
        "",
        *loadings,
        *_factor_correlations(result),
        "",
        "Factor characteristics",
        *_characteristics(result),
        "",
        "Factor arrays",
        *_arrays(result),
        "",
        "Distinguishing statements (* = p < .01 against every other factor, else p < .05)",
        *_lists(result),
    ]
    if result.qdc is not None:
        out.append("(qmethod's qdc labels are in the JSON output, key 'qdc')")
    if result.notices:
        out += ["", "Warnings", *[f"- {n.message}" for n in result.notices]]
    return "\n".join(out) + "\n"
